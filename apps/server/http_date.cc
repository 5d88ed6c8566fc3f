#include "http_date.h"

namespace ts::server {

namespace {

void two_digits(unsigned v, char* out) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void format_http_date(time_t t, char* out) {
  static constexpr char kDays[] = "SunMonTueWedThuFriSat";
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  tm u{};
  gmtime_r(&t, &u);
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0    5  8   12   17 20 23 26
  for (int i = 0; i < 3; i++) out[i] = kDays[u.tm_wday * 3 + i];
  out[3] = ',';
  out[4] = ' ';
  two_digits(static_cast<unsigned>(u.tm_mday), out + 5);
  out[7] = ' ';
  for (int i = 0; i < 3; i++) out[8 + i] = kMonths[u.tm_mon * 3 + i];
  out[11] = ' ';
  const unsigned year = static_cast<unsigned>(u.tm_year + 1900) % 10000;  // four digits, as the grammar has
  two_digits(year / 100, out + 12);
  two_digits(year % 100, out + 14);
  out[16] = ' ';
  two_digits(static_cast<unsigned>(u.tm_hour), out + 17);
  out[19] = ':';
  two_digits(static_cast<unsigned>(u.tm_min), out + 20);
  out[22] = ':';
  two_digits(static_cast<unsigned>(u.tm_sec), out + 23);
  out[25] = ' ';
  out[26] = 'G';
  out[27] = 'M';
  out[28] = 'T';
}

HttpDate::HttpDate(uint64_t hz, WallClock wall) : hz_(hz), wall_(wall) {
  advance(0);
}

timespec HttpDate::realtime() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

// The wall clock is read here only, so at most once a second while the TSC runs. The next
// deadline is the TSC at the wall clock's next second: a TSC a little fast reads the clock early
// (the same second: no change, and a deadline a moment later), one a little slow serves the old
// second for as long as it lags (microseconds a second at NTP's largest slew).
bool HttpDate::advance(uint64_t tsc) {
  const timespec now = wall_();
  const uint64_t left_ns = 1000000000ULL - static_cast<uint64_t>(now.tv_nsec);
  next_tsc_ = hz_ ? tsc + static_cast<uint64_t>(static_cast<unsigned __int128>(left_ns) * hz_ / 1000000000ULL) : 0;
  if (now.tv_sec == second_) return false;
  second_ = now.tv_sec;
  format_http_date(second_, buf_);
  return true;
}

}  // namespace ts::server
