// A connection's send queue: the bytes the application queued, from the first unacknowledged one
// on, kept in a chain of mbufs (data only, no headers) until the peer acknowledges them.
// Segments are built by copying [off, off + len) straight into the frame's mbuf.
//
// Thread safety: owned by the connection's lcore. A worker builds a chain with make_chain() on its
// own thread and passes it through a ring; append_chain() on the lcore links it in without a copy.
#pragma once
#include <cstdint>

struct rte_mbuf;
struct rte_mempool;

namespace ts::dpdk {

class SendQueue {
 public:
  uint32_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }

  // Copies len bytes in, filling the tail mbuf first. Returns len, or 0 when the pool runs dry
  // (then nothing was queued).
  uint32_t append(rte_mempool* pool, const uint8_t* data, uint32_t len);
  // Links a chain of data mbufs in (ownership passes to the queue). Returns its length in bytes.
  uint32_t append_chain(rte_mbuf* chain);
  // Drops n bytes from the head (they were acknowledged).
  void consume(uint32_t n);
  // Copies len bytes starting off bytes after the head into dst. off + len <= bytes().
  void copy_out(uint32_t off, uint32_t len, uint8_t* dst);
  // Frees everything.
  void clear();

 private:
  rte_mbuf* head_ = nullptr;  // linked through mbuf->next; each holds [data_off, data_off + data_len)
  rte_mbuf* tail_ = nullptr;
  // copy_out cursor: segments go out in order, so the next copy usually starts where the last one
  // ended. cur_ is a mbuf of the chain and cur_base_ the queue offset of its first byte.
  rte_mbuf* cur_ = nullptr;
  uint32_t cur_base_ = 0;
  uint32_t bytes_ = 0;  // after cur_base_: the two share a word (a connection fits 192 bytes)
};

// Copies len bytes into a fresh chain of data mbufs (from any thread; nullptr if the pool is dry).
rte_mbuf* make_chain(rte_mempool* pool, const uint8_t* data, uint32_t len);

}  // namespace ts::dpdk
