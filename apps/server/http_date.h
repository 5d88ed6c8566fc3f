// The Date header's value (RFC 9110 §6.6.1: an origin server with a clock sends one), cached as
// nginx and h2o do: one string per handler (so per lcore or per worker, nothing shared), made
// again at most once a second. A reply pays a TSC read and a compare, not a clock_gettime and a
// gmtime; the wall clock is read only when the TSC says a second boundary may have passed.
#pragma once
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ts::server {

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT": always this many characters.
constexpr size_t kHttpDateLen = 29;

// Writes `t` (seconds since the epoch, UTC) as IMF-fixdate into out[0..kHttpDateLen); no NUL.
// Locale-free (strftime's %a and %b follow LC_TIME).
void format_http_date(time_t t, char* out);

class HttpDate {
 public:
  using WallClock = timespec (*)();  // CLOCK_REALTIME by default; a test passes its own
  // hz: TSC ticks per second (rte_get_tsc_hz()). 0 (no calibration): the wall clock is read on
  // every refresh, slow but never stale.
  explicit HttpDate(uint64_t hz, WallClock wall = realtime);

  // Brings the string up to date for TSC reading `tsc`; true when it changed (the caller remakes
  // what holds a copy). Inline: on all but one call a second, a compare and nothing else.
  bool refresh(uint64_t tsc) { return tsc >= next_tsc_ && advance(tsc); }
  std::string_view str() const { return {buf_, kHttpDateLen}; }

 private:
  static timespec realtime();
  bool advance(uint64_t tsc);

  uint64_t hz_;
  WallClock wall_;
  uint64_t next_tsc_ = 0;  // the TSC when the wall clock's next second begins (0: read it now)
  time_t second_ = -1;     // the second buf_ shows
  char buf_[kHttpDateLen] = {};
};

}  // namespace ts::server
