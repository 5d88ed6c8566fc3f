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
  // Queues bytes for sending (copied), all or nothing. False: nothing was queued, because the
  // connection is closing or gone, or the mempool is dry, or its send buffer is full: more than
  // [stack] send_buffer bytes would be queued or unacknowledged (counted as app_send_full; retry
  // from on_send_space, once the peer has acknowledged some). With workers, a connection that
  // has ended may still take bytes: the lcore drops them, and on_closed follows. From on_closed
  // (and after close or abort), false in either mode.
  bool send(const void* data, size_t len);
  bool send(std::string_view s) { return send(s.data(), s.size()); }
  // Our FIN after what was queued; the peer may still send (on_data keeps coming).
  void close();
  // RST now; on_closed follows with CloseReason::kAborted, and is all the handler hears of the
  // connection from here on: no on_data for what was received before the RST went (the rest of
  // an lcore's burst, or a worker's ring), no on_peer_closed, no on_send_space.
  void abort();
  // Keepalive for this connection, on or off (as SO_KEEPALIVE): after the profile's
  // keepalive_idle_ms without a segment from the peer, a probe each keepalive_interval_ms; after
  // keepalive_probes unanswered, the connection is reset (on_closed: kKeepaliveTimeout).
  // Overrides the profile's `keepalive` for this connection, from any state (an active open's
  // too, before its handshake is done). No effect once closing.
  void set_keepalive(bool on);
  // StackConfig::explicit_consume: the handler is done with `bytes` more of what on_data handed
  // it, which go back to the connection's receive window (a window update goes out when it
  // reopens enough). Until then those bytes keep the peer's window closed: flow control by what
  // the handler has dealt with, as a kernel socket nobody reads. Without explicit_consume, a
  // no-op (data counts as read when on_data returns). Never more than on_data handed over.
  void consumed(size_t bytes);
  // Bytes sent and not yet acknowledged (queued, or in flight): what counts against [stack]
  // send_buffer. A send() refused while this is above 0 may succeed after the on_send_space
  // that the peer's next acknowledgement brings; at 0, nothing will bring one.
  uint32_t unacked() const;

  const tcp::FourTuple& tuple() const { return tuple_; }
  uint16_t lcore() const { return ref_.lcore; }
  dpdk::ConnRef ref() const { return ref_; }
  bool closing() const { return closing_; }
  bool aborted() const { return aborted_; }
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
  uint32_t unacked_ = 0;  // workers: bytes sent, less those on_send_space reported acknowledged
  bool closing_ = false;   // close() or abort() asked, or on_closed under way: no more sends
  bool aborted_ = false;   // abort() asked: only on_closed is still delivered
  bool peer_closed_ = false;
};

// How a Connection's requests reach its lcore (inline: direct; workers: a command ring).
class ConnDriver {
 public:
  virtual bool send(Connection& c, const void* data, size_t len) = 0;
  virtual void close(Connection& c) = 0;
  virtual void abort(Connection& c) = 0;
  virtual void keepalive(Connection& c, bool on) = 0;
  virtual void consumed(Connection& c, size_t bytes) = 0;
  virtual uint32_t unacked(const Connection& c) const = 0;

 protected:
  ~ConnDriver() = default;
};

}  // namespace ts::api
