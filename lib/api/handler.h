// What an application writes: a Handler reacting to its connections. The same Handler runs in
// either mode of a Stack:
//   inline  (workers = 0): on the lcore that owns the connection, inside the poll loop. Fastest;
//                          a handler must never block there.
//   workers (workers = N): on one of N application threads, fed through rings; the handler may
//                          take its time (it delays only its own worker's connections).
// One Handler object per lcore (inline) or per worker thread, made by the factory, so a handler
// needs no locking for its own state.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "api/connection.h"
#include "tcp/actions.h"
#include "tcp/time.h"

namespace ts::api {

class Poller;

class Handler {
 public:
  virtual ~Handler() = default;

  // A passive open completed (the connection left the accept queue for this handler).
  virtual void on_accept(Connection&) {}
  // An active open (Poller::connect) completed.
  virtual void on_connected(Connection&) {}
  // In-order bytes from the peer; valid during the call only. After the handler's
  // Connection::abort() none come (nor on_peer_closed, on_send_space): only on_closed.
  virtual void on_data(Connection& c, const uint8_t* data, size_t len) = 0;
  // The peer will send no more. Default: close our side too.
  virtual void on_peer_closed(Connection& c) { c.close(); }
  // The peer acknowledged `bytes` of what we sent.
  virtual void on_send_space(Connection&, size_t /*bytes*/) {}
  // The connection is over; the Connection object dies after this call. Called exactly once for
  // every connection the handler was told of, with CloseReason::kShutdown for those still open
  // when the Stack shuts down (see Stack::shutdown): free per-connection state here.
  virtual void on_closed(Connection&, tcp::CloseReason) {}
  // Inline mode only: once per poll iteration of this handler's lcore (load generators open
  // connections from here).
  virtual void on_poll(Poller&, tcp::Time /*now*/) {}
};

// Called once per lcore (inline) or per worker (workers), with its index, on the main thread.
using HandlerFactory = std::function<std::unique_ptr<Handler>(unsigned index)>;

}  // namespace ts::api
