// What travels between an lcore and a worker thread. Fixed-size values in single-producer
// single-consumer rings (Boost.Lockfree spsc_queue), one ring per direction per lcore-worker pair.
#pragma once
#include <cstdint>

#include <boost/lockfree/spsc_queue.hpp>

#include "dpdk/app_sink.h"
#include "tcp/actions.h"
#include "tcp/tuple.h"

struct rte_mbuf;

namespace ts::api {

// lcore -> worker.
struct Event {
  enum Type : uint8_t { kAccepted, kData, kPeerClosed, kSendSpace, kClosed };
  Type type = kAccepted;
  tcp::CloseReason reason = tcp::CloseReason::kNone;  // kClosed
  dpdk::ConnRef ref;
  uint32_t len = 0;               // kData: payload bytes; kSendSpace: bytes freed
  rte_mbuf* m = nullptr;          // kData: holds the payload; the worker frees it
  const uint8_t* p = nullptr;     // kData: the payload, inside m
  tcp::FourTuple tuple;           // kAccepted
};

// worker -> lcore.
struct Command {
  enum Type : uint8_t { kAccepted, kSend, kClose, kAbort, kConsumed, kKeepalive };
  Type type = kSend;
  uint32_t len = 0;               // kConsumed: bytes the handler is done with; kKeepalive: 1 on, 0 off
  dpdk::ConnRef ref;
  rte_mbuf* chain = nullptr;      // kSend: data mbufs (send_queue.h); the lcore takes them
};

using EventRing = boost::lockfree::spsc_queue<Event>;
using CommandRing = boost::lockfree::spsc_queue<Command>;

}  // namespace ts::api
