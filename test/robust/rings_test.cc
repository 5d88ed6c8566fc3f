// The lcore <-> worker rings of lib/api (api/messages.h: Boost.Lockfree spsc_queue of Event and
// Command), between two real threads, built without DPDK so that TSan sees every access. The
// payload a message carries (an mbuf in the stack) is a heap buffer here: the consumer reads and
// frees what the producer wrote, so a missing happens-before edge in the ring is a reported race.
// Small rings make both the full-ring paths run: the lcore side parks events in an overflow list
// (as WorkerSet::push), the worker side spins until a command fits (as WorkerSet::command).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <thread>
#include <type_traits>
#include <vector>

#include "api/messages.h"

namespace ts::api {
namespace {

static_assert(std::is_trivially_copyable_v<Event>, "events are copied through the ring");
static_assert(std::is_trivially_copyable_v<Command>, "commands are copied through the ring");

constexpr uint32_t kMessages = 20000;
constexpr size_t kRing = 64;

// A payload standing in for an mbuf: `len` bytes, each a function of the message number.
uint8_t* make_payload(uint32_t seq, uint32_t len) {
  auto* p = new uint8_t[len];
  for (uint32_t i = 0; i < len; i++) p[i] = static_cast<uint8_t>(seq * 31 + i);
  return p;
}
bool payload_ok(const uint8_t* p, uint32_t seq, uint32_t len) {
  for (uint32_t i = 0; i < len; i++)
    if (p[i] != static_cast<uint8_t>(seq * 31 + i)) return false;
  return true;
}
rte_mbuf* as_mbuf(uint8_t* p) { return reinterpret_cast<rte_mbuf*>(p); }
uint8_t* as_bytes(rte_mbuf* m) { return reinterpret_cast<uint8_t*>(m); }

// Message i of a connection's life, in the order the lcore reports it.
Event event_for(uint32_t i) {
  static constexpr Event::Type kCycle[] = {Event::kAccepted, Event::kData, Event::kData, Event::kSendSpace,
                                           Event::kPeerClosed, Event::kClosed};
  Event e;
  e.type = kCycle[i % 6];
  e.ref = {i, i * 7u, static_cast<uint16_t>(i & 3)};
  if (e.type == Event::kAccepted) e.tuple = {0xc6120002, 0xc6120001, 80, static_cast<uint16_t>(i)};
  if (e.type == Event::kData) {
    e.len = 1 + i % 200;
    uint8_t* p = make_payload(i, e.len);
    e.m = as_mbuf(p);
    e.p = p;
  }
  if (e.type == Event::kSendSpace) e.len = i;
  if (e.type == Event::kClosed) e.reason = tcp::CloseReason::kNormal;
  return e;
}

TEST(ApiRings, events_reach_the_worker_in_order_with_their_payload_through_a_full_ring) {
  EventRing ring(kRing);
  std::atomic<bool> producer_done{false};
  uint64_t parked = 0;
  std::thread lcore([&] {
    std::deque<Event> overflow;  // WorkerSet::push: once one event waits, later ones wait too
    for (uint32_t i = 0; i < kMessages; i++) {
      while (!overflow.empty() && ring.push(overflow.front())) overflow.pop_front();
      const Event e = event_for(i);
      if (!overflow.empty() || !ring.push(e)) overflow.push_back(e), parked++;
    }
    while (!overflow.empty())
      if (ring.push(overflow.front())) overflow.pop_front();
    producer_done = true;
  });
  uint32_t next = 0, bad = 0;
  while (next < kMessages) {
    Event e;
    if (!ring.pop(e)) {
      std::this_thread::yield();
      continue;
    }
    const Event want = event_for(next);
    bad += e.type != want.type || e.ref != want.ref || e.len != want.len || e.reason != want.reason;
    if (e.type == Event::kAccepted) bad += e.tuple.rport != want.tuple.rport;
    if (e.type == Event::kData) {
      bad += e.p != as_bytes(e.m) || !payload_ok(e.p, next, e.len);
      delete[] as_bytes(e.m);  // the worker frees the payload, as it frees the mbuf
    }
    if (want.m) delete[] as_bytes(want.m);
    next++;
  }
  lcore.join();
  EXPECT_TRUE(producer_done);
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(parked, 0u) << "the ring never filled: the overflow path went untested";
  Event e;
  EXPECT_FALSE(ring.pop(e));
}

// Both directions at once, as a connection lives: the lcore sends data events, the worker
// answers each with a kSend command carrying a copy (a chain in the stack), the lcore checks it.
TEST(ApiRings, worker_commands_answer_lcore_events_both_rings_busy_at_once) {
  EventRing ev(kRing);
  CommandRing cmd(kRing);
  std::atomic<bool> quit{false};
  std::thread worker([&] {
    Event e;
    while (!quit.load(std::memory_order_relaxed)) {
      if (!ev.pop(e)) {
        std::this_thread::yield();
        continue;
      }
      Command c;
      c.ref = e.ref;
      if (e.type == Event::kData) {
        c.type = Command::kSend;
        auto* copy = new uint8_t[e.len];
        std::memcpy(copy, e.p, e.len);
        c.chain = as_mbuf(copy);
        delete[] as_bytes(e.m);
      } else {
        c.type = e.type == Event::kAccepted ? Command::kAccepted : Command::kClose;
      }
      while (!cmd.push(c)) std::this_thread::yield();  // WorkerSet::command waits for room
    }
  });
  uint32_t sent = 0, answered = 0, bad = 0;
  std::deque<Event> overflow;
  std::vector<uint32_t> len_of(kMessages);
  while (answered < kMessages) {
    while (!overflow.empty() && ev.push(overflow.front())) overflow.pop_front();
    if (sent < kMessages) {
      Event e = event_for(sent);
      len_of[sent] = e.len;
      if (!overflow.empty() || !ev.push(e)) overflow.push_back(e);
      sent++;
    }
    Command c;
    for (int i = 0; i < 256 && cmd.pop(c); i++) {  // bounded, as WorkerSet::poll
      const uint32_t n = c.ref.slot;
      bad += n != answered;
      const Event want = event_for(n);
      if (want.type == Event::kData) {
        bad += c.type != Command::kSend || !payload_ok(as_bytes(c.chain), n, len_of[n]);
        delete[] as_bytes(c.chain);
        delete[] as_bytes(want.m);
      } else {
        bad += c.chain != nullptr;
      }
      answered++;
    }
  }
  quit = true;
  worker.join();
  EXPECT_EQ(sent, kMessages);
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace ts::api
