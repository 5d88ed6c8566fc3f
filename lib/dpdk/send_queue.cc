#include "dpdk/send_queue.h"

#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

namespace ts::dpdk {

namespace {
// Data mbufs are used as plain buffers: start at the buffer's beginning, no headroom needed.
// Nothing reads their packet fields (pkt_len, ol_flags, port...: they are never sent, only copied
// from and freed a segment at a time), so rte_pktmbuf_reset's dozen stores are left out; a raw
// mbuf has the rest right already (next NULL, nb_segs 1, refcnt 1).
rte_mbuf* data_mbuf(rte_mempool* pool) {
  rte_mbuf* m = rte_mbuf_raw_alloc(pool);
  if (m) {
    m->data_off = 0;
    m->data_len = 0;
  }
  return m;
}
uint16_t room(const rte_mbuf* m) { return static_cast<uint16_t>(m->buf_len - m->data_off - m->data_len); }
}  // namespace

rte_mbuf* make_chain(rte_mempool* pool, const uint8_t* data, uint32_t len) {
  rte_mbuf* head = nullptr;
  rte_mbuf* tail = nullptr;
  while (len > 0) {
    rte_mbuf* m = data_mbuf(pool);
    if (!m) {
      rte_pktmbuf_free(head);
      return nullptr;
    }
    uint16_t n = static_cast<uint16_t>(std::min<uint32_t>(len, room(m)));
    std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), data, n);
    m->data_len = n;
    data += n;
    len -= n;
    if (tail) tail->next = m;
    else head = m;
    tail = m;
  }
  return head;
}

// The chain for what the tail cannot take is made first: a dry pool then leaves the queue as it
// was, and a caller told no finds none of its bytes sent.
uint32_t SendQueue::append(rte_mempool* pool, const uint8_t* data, uint32_t len) {
  const uint16_t fit = tail_ ? static_cast<uint16_t>(std::min<uint32_t>(len, room(tail_))) : 0;
  rte_mbuf* chain = nullptr;
  if (fit < len && !(chain = make_chain(pool, data + fit, len - fit))) return 0;
  if (fit) {
    std::memcpy(rte_pktmbuf_mtod_offset(tail_, uint8_t*, tail_->data_len), data, fit);
    tail_->data_len = static_cast<uint16_t>(tail_->data_len + fit);
    bytes_ += fit;
  }
  if (chain) append_chain(chain);
  return len;
}

uint32_t SendQueue::append_chain(rte_mbuf* chain) {
  uint32_t n = 0;
  rte_mbuf* last = chain;
  for (rte_mbuf* m = chain; m; m = m->next) {
    n += m->data_len;
    last = m;
  }
  // Only the head of a chain carries pkt_len/nb_segs; here every mbuf stands alone.
  if (tail_) tail_->next = chain;
  else head_ = chain;
  tail_ = last;
  bytes_ += n;
  return n;
}

void SendQueue::consume(uint32_t n) {
  n = std::min(n, bytes_);
  bytes_ -= n;
  while (n > 0 && head_) {
    if (n < head_->data_len) {
      head_->data_off += n;
      head_->data_len -= n;
      if (cur_ == head_) cur_base_ = 0;
      else cur_base_ -= n;
      return;
    }
    n -= head_->data_len;
    rte_mbuf* next = head_->next;
    if (cur_ == head_) cur_ = nullptr;
    else if (cur_) cur_base_ -= head_->data_len;
    head_->next = nullptr;
    rte_pktmbuf_free_seg(head_);
    head_ = next;
  }
  if (!head_) tail_ = nullptr, cur_ = nullptr;
  if (!cur_) cur_base_ = 0;
}

void SendQueue::copy_out(uint32_t off, uint32_t len, uint8_t* dst) {
  // A segment all in the head mbuf (a request or a reply that fits one): no walk, cursor as is.
  if (head_ && off + len <= head_->data_len) {
    std::memcpy(dst, rte_pktmbuf_mtod_offset(head_, const uint8_t*, off), len);
    return;
  }
  rte_mbuf* m = head_;
  uint32_t base = 0;
  if (cur_ && cur_base_ <= off) m = cur_, base = cur_base_;
  while (m && base + m->data_len <= off) {
    base += m->data_len;
    m = m->next;
  }
  cur_ = m, cur_base_ = base;
  uint32_t in = off - base;
  while (len > 0 && m) {
    uint32_t n = std::min<uint32_t>(len, m->data_len - in);
    std::memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t*, in), n);
    dst += n;
    len -= n;
    in = 0;
    m = m->next;
  }
}

void SendQueue::clear() {
  while (head_) {
    rte_mbuf* next = head_->next;
    head_->next = nullptr;
    rte_pktmbuf_free_seg(head_);
    head_ = next;
  }
  tail_ = cur_ = nullptr;
  bytes_ = 0;
  cur_base_ = 0;
}

}  // namespace ts::dpdk
