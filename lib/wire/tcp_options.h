// TCP options as a parsed value (RFC 9293 §3.2, RFC 7323, RFC 2018).
// lib/wire parses options into this struct and builds them from it; lib/tcp only ever sees this.
#pragma once
#include <cstdint>

namespace ts::wire {

struct SackBlock {
  uint32_t left = 0;   // first sequence number of the block
  uint32_t right = 0;  // sequence number just past the block
};

struct TcpOptions {
  static constexpr int kMaxSack = 4;

  bool has_mss = false;
  bool has_wscale = false;
  bool sack_permitted = false;
  bool has_timestamps = false;
  uint8_t wscale = 0;       // shift as received; RFC 7323 §2.3: values above 14 are used as 14
  uint8_t sack_count = 0;   // blocks in sack[]
  uint16_t mss = 0;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  SackBlock sack[kMaxSack];
};

}  // namespace ts::wire
