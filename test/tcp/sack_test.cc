// SACK blocks we send (tcp/sack.h): merging, the most recent block first, what fits, wrap-around;
// and the holes the blocks we receive show (next_hole).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "tcp/sack.h"
#include "wire/tcp_option_codec.h"

namespace ts::tcp {
namespace {

using Blocks = std::vector<std::pair<uint32_t, uint32_t>>;

// Kept segments (start, length) in sequence order -> the blocks written, in order.
Blocks build(uint32_t rcv_nxt, uint32_t recent, const Blocks& kept) {
  SackBuilder b{Seq(rcv_nxt), Seq(recent)};
  for (const auto& [seq, len] : kept)
    if (!b.add(Seq(seq), len)) break;
  wire::TcpOptions o;
  b.write(o);
  Blocks out;
  for (int i = 0; i < o.sack_count; i++) out.emplace_back(o.sack[i].left, o.sack[i].right);
  return out;
}

TEST(Sack, adjacent_and_overlapping_segments_make_one_block) {
  EXPECT_EQ(build(1000, 2000, {{2000, 100}, {2100, 100}, {2150, 100}}), (Blocks{{2000, 2250}}));
}

TEST(Sack, the_block_of_the_segment_kept_last_goes_first_then_sequence_order) {
  const Blocks kept{{2000, 100}, {3000, 100}, {4000, 100}, {5000, 100}};
  EXPECT_EQ(build(1000, 4000, kept), (Blocks{{4000, 4100}, {2000, 2100}, {3000, 3100}, {5000, 5100}}));
  EXPECT_EQ(build(1000, 2050, kept), (Blocks{{2000, 2100}, {3000, 3100}, {4000, 4100}, {5000, 5100}}));
}

TEST(Sack, past_four_blocks_the_lowest_holes_are_told_and_the_recent_block_still_first) {
  const Blocks kept{{2000, 10}, {3000, 10}, {4000, 10}, {5000, 10}, {6000, 10}, {7000, 10}};
  EXPECT_EQ(build(1000, 2000, kept), (Blocks{{2000, 2010}, {3000, 3010}, {4000, 4010}, {5000, 5010}}));
  // The segment kept last is past the four lowest: its block goes first, then the lowest three.
  EXPECT_EQ(build(1000, 6000, kept), (Blocks{{6000, 6010}, {2000, 2010}, {3000, 3010}, {4000, 4010}}));
  EXPECT_EQ(build(1000, 7005, kept), (Blocks{{7000, 7010}, {2000, 2010}, {3000, 3010}, {4000, 4010}}));
  // Beside timestamps three fit: the recent block and the two lowest.
  wire::TcpOptions o;
  o.has_timestamps = true;
  o.sack_count = 4;
  EXPECT_EQ(wire::tcp_options_sack_fit(o), 3);
}

TEST(Sack, segments_rcv_nxt_has_reached_make_no_block) {
  EXPECT_EQ(build(2100, 2000, {{2000, 100}, {2100, 50}, {3000, 100}}), (Blocks{{3000, 3100}}));
  EXPECT_TRUE(build(2100, 2000, {{2000, 100}}).empty());
}

TEST(Sack, a_dsack_block_already_written_stays_first) {
  SackBuilder b{Seq(1000), Seq(3000)};
  for (uint32_t seq : {2000u, 3000u, 4000u, 5000u}) b.add(Seq(seq), 100);
  wire::TcpOptions o;
  o.sack[0] = {500, 600};  // RFC 2883: the duplicate first, then the queue's blocks
  o.sack_count = 1;
  b.write(o);
  ASSERT_EQ(o.sack_count, 4);
  EXPECT_EQ(o.sack[0].left, 500u);
  EXPECT_EQ(o.sack[1].left, 3000u);  // the recent block next
  EXPECT_EQ(o.sack[2].left, 2000u);
  EXPECT_EQ(o.sack[3].left, 4000u);
}

TEST(Sack, blocks_across_the_sequence_wrap) {
  EXPECT_EQ(build(0xffffff00, 0x10, {{0xffffff80, 0x80}, {0x0, 0x40}, {0x10, 0x10}}),
            (Blocks{{0xffffff80, 0x40}}));
}

// next_hole over blocks received (in any order), with snd_una and snd_max as given.
std::pair<uint32_t, uint32_t> hole(const Blocks& blocks, uint32_t una, uint32_t max, uint32_t from,
                                   uint32_t max_len = 100) {
  wire::TcpOptions o;
  for (const auto& [l, r] : blocks) o.sack[o.sack_count++] = {l, r};
  const Hole h = next_hole(o, Seq(una), Seq(max), Seq(from), max_len);
  return {h.seq.v, h.len};
}
using Range = std::pair<uint32_t, uint32_t>;

TEST(SackHole, the_first_range_below_a_block_that_no_block_covers) {
  const Blocks b{{1400, 1500}, {1100, 1200}};  // newest first, as RFC 2018 orders them
  EXPECT_EQ(hole(b, 1000, 2000, 1000), (Range{1000, 100}));
  EXPECT_EQ(hole(b, 1000, 2000, 1100), (Range{1200, 100}));  // from inside a block: past it
  EXPECT_EQ(hole(b, 1000, 2000, 1200, 30), (Range{1200, 30}));
  EXPECT_EQ(hole(b, 1000, 2000, 1350), (Range{1350, 50}));   // ends where the next block starts
}

TEST(SackHole, inside_a_wide_gap_only_the_segment_below_the_next_block_is_known_lost) {
  // [1200, 1400) past a copy that ended at 1250: the peer may hold a block there that it no
  // longer reports (it tells of 3 or 4). Only the byte at 1399 is sure to be missing.
  const Blocks b{{1400, 1500}, {1100, 1200}};
  EXPECT_EQ(hole(b, 1000, 2000, 1250), (Range{1300, 100}));
  EXPECT_EQ(hole(b, 1000, 2000, 1250, 30), (Range{1370, 30}));
}

TEST(SackHole, nothing_above_the_highest_block_counts_as_lost) {
  const Blocks b{{1100, 1200}, {1200, 1300}};  // adjacent blocks, stepped over in any order
  EXPECT_EQ(hole(b, 1000, 2000, 1100).second, 0u);
  EXPECT_EQ(hole(b, 1000, 2000, 1300).second, 0u);
  EXPECT_EQ(hole({}, 1000, 2000, 1000).second, 0u);
}

TEST(SackHole, blocks_outside_snd_una_to_snd_max_are_ignored) {
  EXPECT_EQ(hole({{900, 1000}}, 1000, 2000, 1000).second, 0u);    // D-SACK (RFC 2883)
  EXPECT_EQ(hole({{1000, 1100}}, 1000, 2000, 1000).second, 0u);   // would SACK snd_una itself
  EXPECT_EQ(hole({{1500, 2100}}, 1000, 2000, 1000).second, 0u);   // past anything sent
  EXPECT_EQ(hole({{1500, 1400}}, 1000, 2000, 1000).second, 0u);   // empty or inverted
  EXPECT_EQ(hole({{1500, 2100}, {1300, 1400}}, 1000, 2000, 1000), (Range{1000, 100}));
}

TEST(SackHole, across_the_sequence_wrap) {
  EXPECT_EQ(hole({{0x20, 0x40}, {0xfffffff0, 0x10}}, 0xffffffe0, 0x100, 0xffffffe0),
            (Range{0xffffffe0, 0x10}));
  EXPECT_EQ(hole({{0x20, 0x40}, {0xfffffff0, 0x10}}, 0xffffffe0, 0x100, 0xfffffff0),
            (Range{0x10, 0x10}));
}

}  // namespace
}  // namespace ts::tcp
