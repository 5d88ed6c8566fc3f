// SACK blocks we send (tcp/sack.h): merging, the most recent block first, what fits, wrap-around.
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

TEST(Sack, blocks_across_the_sequence_wrap) {
  EXPECT_EQ(build(0xffffff00, 0x10, {{0xffffff80, 0x80}, {0x0, 0x40}, {0x10, 0x10}}),
            (Blocks{{0xffffff80, 0x40}}));
}

}  // namespace
}  // namespace ts::tcp
