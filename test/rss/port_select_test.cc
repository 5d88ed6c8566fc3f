#include "rss/port_select.h"

#include <gtest/gtest.h>

namespace ts::rss {
namespace {

constexpr uint32_t kLocal = 0xC6120001;   // 198.18.0.1
constexpr uint32_t kRemote = 0xC6120102;  // 198.18.1.2
constexpr uint16_t kRemotePort = 80;

// The queue the NIC picks for a reply from the remote to us at `lport`.
uint16_t reply_queue(const Toeplitz& t, const Reta& r, uint16_t lport) {
  return r.queue_of(t.hash_v4(kRemote, kLocal, kRemotePort, lport));
}

TEST(ChooseLocalPort, returns_the_first_port_whose_replies_land_on_the_queue) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(4);
  for (uint16_t q = 0; q < 4; q++) {
    const auto port = choose_local_port(t, r, kLocal, kRemote, kRemotePort, q, 40000);
    ASSERT_TRUE(port.has_value());
    EXPECT_GE(*port, 40000);
    EXPECT_EQ(reply_queue(t, r, *port), q);
    for (uint16_t p = 40000; p < *port; p++) EXPECT_NE(reply_queue(t, r, p), q) << p;
  }
}

TEST(ChooseLocalPort, walking_from_the_last_choice_visits_every_port_of_the_queue) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(6);
  const PortRange range{50000, 50999};
  int expected = 0;
  for (uint32_t p = range.lo; p <= range.hi; p++) expected += reply_queue(t, r, uint16_t(p)) == 5;
  int found = 0;
  uint16_t start = range.lo;
  uint32_t last = 0;
  while (true) {
    const auto port = choose_local_port(t, r, kLocal, kRemote, kRemotePort, 5, start, range);
    ASSERT_TRUE(port.has_value());
    if (*port <= last) break;  // wrapped around: every qualifying port seen once
    last = *port;
    found++;
    start = uint16_t(*port + 1);
  }
  EXPECT_EQ(found, expected);
  // About one port in six qualifies.
  EXPECT_GT(found, 1000 / 6 / 2);
  EXPECT_LT(found, 1000 / 6 * 2);
}

TEST(ChooseLocalPort, wraps_around_the_range) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(2);
  const PortRange range{1024, 1100};
  // Start at the last port of the range; when it does not qualify the search wraps to lo.
  const uint16_t q = uint16_t(1 - reply_queue(t, r, 1100));
  const auto port = choose_local_port(t, r, kLocal, kRemote, kRemotePort, q, 1100, range);
  ASSERT_TRUE(port.has_value());
  EXPECT_LT(*port, 1100);
  EXPECT_EQ(reply_queue(t, r, *port), q);
  for (uint16_t p = 1024; p < *port; p++) EXPECT_NE(reply_queue(t, r, p), q);
}

TEST(ChooseLocalPort, start_outside_the_range_begins_at_its_low_end) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(1);
  EXPECT_EQ(choose_local_port(t, r, kLocal, kRemote, kRemotePort, 0, 80, {2000, 3000}), 2000);
}

TEST(ChooseLocalPort, none_when_no_port_of_the_range_qualifies) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(4);
  const uint16_t other = uint16_t((reply_queue(t, r, 33333) + 1) % 4);
  EXPECT_FALSE(choose_local_port(t, r, kLocal, kRemote, kRemotePort, other, 33333, {33333, 33333}));
  EXPECT_FALSE(choose_local_port(t, r, kLocal, kRemote, kRemotePort, 9, 40000));  // no queue 9
  EXPECT_FALSE(choose_local_port(t, r, kLocal, kRemote, kRemotePort, 0, 40000, {5, 4}));
}

TEST(ChooseLocalPort, nqueues_form_uses_the_default_round_robin_table) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::round_robin(3);
  for (uint16_t q = 0; q < 3; q++) {
    EXPECT_EQ(choose_local_port(t, kLocal, kRemote, kRemotePort, q, 3, 45000),
              choose_local_port(t, r, kLocal, kRemote, kRemotePort, q, 45000));
  }
}

TEST(ChooseLocalPort, modulo_steering) {
  const Toeplitz t(kMicrosoftKey);
  const Reta r = Reta::modulo(5);
  const auto port = choose_local_port(t, r, kLocal, kRemote, kRemotePort, 3, 40000);
  ASSERT_TRUE(port.has_value());
  EXPECT_EQ(t.hash_v4(kRemote, kLocal, kRemotePort, *port) % 5, 3u);
}

TEST(ChooseLocalPort, with_the_symmetric_key_our_own_packets_hash_to_the_same_queue) {
  const Toeplitz t(kSymmetricKey);
  const Reta r = Reta::round_robin(8);
  const auto port = choose_local_port(t, r, kLocal, kRemote, kRemotePort, 6, 40000);
  ASSERT_TRUE(port.has_value());
  EXPECT_EQ(r.queue_of(t.hash_v4(kLocal, kRemote, *port, kRemotePort)), 6);
}

}  // namespace
}  // namespace ts::rss
