// The seam between an lcore and the application (lib/api implements it): what the lcore tells the
// application about connections, and the hook through which the application's commands reach the
// lcore. Ring-based workers and inline handlers are two implementations of it.
//
// Thread safety: every call is made on the lcore that owns the connection, from inside
// Lcore::poll(). An implementation may call the Lcore's app_* functions from inside these calls
// (inline handlers do): the lcore applies them once the current segment is done.
#pragma once
#include <cstdint>

#include "tcp/actions.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

struct rte_mbuf;

namespace ts::dpdk {

class Lcore;

// A connection as the application names it: the lcore (= queue) that owns it, its slot there, and
// the slot's generation, so that a handle to a connection that has ended goes stale instead of
// reaching the slot's next tenant.
struct ConnRef {
  uint32_t slot = 0;
  uint32_t gen = 0;
  uint16_t lcore = 0;

  constexpr bool operator==(const ConnRef&) const = default;
};

class AppSink {
 public:
  virtual ~AppSink() = default;

  // A passive open reached ESTABLISHED and sits in listener `lport`'s accept queue. The lcore
  // counts it queued until Lcore::app_accepted(c).
  virtual void accepted(Lcore& l, ConnRef c, const tcp::FourTuple& t) = 0;
  // An active open (Lcore::app_connect) reached ESTABLISHED.
  virtual void connected(Lcore& l, ConnRef c, const tcp::FourTuple& t) = 0;
  // In-order payload [p, p + len), inside mbuf m. Valid during the call only: keep it with
  // rte_mbuf_refcnt_update(m, 1) and free it later with rte_pktmbuf_free.
  virtual void data(Lcore& l, ConnRef c, rte_mbuf* m, const uint8_t* p, uint32_t len) = 0;
  // The peer sent its FIN: no more data will come (the application may still send).
  virtual void peer_closed(Lcore& l, ConnRef c) = 0;
  // The peer acknowledged `freed` bytes of what the application sent.
  virtual void send_space(Lcore& l, ConnRef c, uint32_t freed) = 0;
  // The connection is over for the application (the stack may keep a TIME-WAIT entry); the
  // handle is stale from now on.
  virtual void closed(Lcore& l, ConnRef c, tcp::CloseReason why) = 0;
  // Once per poll iteration, on the lcore: run what the application asked of this lcore.
  virtual void poll(Lcore& l, tcp::Time now) = 0;
  // True: the application reads data after data() returns (worker threads), and tells
  // Lcore::app_consumed when it has; until then those bytes stay off the receive window
  // (tcp::Config::app_window), so that a slow reader slows its peer instead of filling the
  // mempool. False: data() is the read.
  virtual bool reads_later() const { return false; }
  // Asked (only when reads_later()) before data for connection c is taken in. False: the
  // application holds all the received data it may, its share of the mempool; the lcore then
  // takes the segment without its data (unacknowledged: the peer sends it again), so that many
  // stalled connections, or a peer sending tiny segments, cannot empty the mempool.
  virtual bool room_for_data(Lcore&, ConnRef) { return true; }
};

}  // namespace ts::dpdk
