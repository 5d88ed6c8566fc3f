// A connection as a Handler sees it. Handed to the handler's callbacks; valid until on_closed()
// returns. Calls take effect asynchronously: on the owning lcore, after the current callback
// (inline) or once the lcore drains the worker's command ring (workers).
//
// Thread safety: use a Connection only from the thread running its handler (the owning lcore in
// inline mode, the worker that accepted it otherwise).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dpdk/app_sink.h"
#include "tcp/tuple.h"

namespace ts::api {

class ConnDriver;

class Connection {
 public:
  // Queues bytes for sending (copied). False: the connection is closing or gone, or no buffers.
  bool send(const void* data, size_t len);
  bool send(std::string_view s) { return send(s.data(), s.size()); }
  // Our FIN after what was queued; the peer may still send (on_data keeps coming).
  void close();
  // RST now; on_closed follows with CloseReason::kAborted.
  void abort();

  const tcp::FourTuple& tuple() const { return tuple_; }
  uint16_t lcore() const { return ref_.lcore; }
  dpdk::ConnRef ref() const { return ref_; }
  bool closing() const { return closing_; }
  bool peer_closed() const { return peer_closed_; }
  // Free for the handler.
  void* user = nullptr;

 private:
  friend class InlineSink;
  friend class WorkerSet;
  Connection() = default;

  ConnDriver* d_ = nullptr;
  dpdk::ConnRef ref_;
  tcp::FourTuple tuple_;
  uint16_t worker_ = 0;
  bool closing_ = false;
  bool peer_closed_ = false;
};

// How a Connection's requests reach its lcore (inline: direct; workers: a command ring).
class ConnDriver {
 public:
  virtual bool send(Connection& c, const void* data, size_t len) = 0;
  virtual void close(Connection& c) = 0;
  virtual void abort(Connection& c) = 0;

 protected:
  ~ConnDriver() = default;
};

}  // namespace ts::api
