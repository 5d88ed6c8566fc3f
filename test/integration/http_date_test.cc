// turnstile-server's Date header (RFC 9110 §6.6.1): the IMF-fixdate formatter, and the per-handler
// cache that reads the wall clock only when its TSC deadline for the next second has passed.
#include <gtest/gtest.h>

#include <string>

#include "http_date.h"
#include "http_date_check.h"

using ts::server::format_http_date;
using ts::server::HttpDate;
using ts::server::kHttpDateLen;

namespace {

std::string formatted(time_t t) {
  char out[kHttpDateLen];
  format_http_date(t, out);
  return std::string(out, sizeof out);
}

// The wall clock the cache under test reads, and how often it read it.
timespec g_wall{};
int g_reads = 0;
timespec fake_wall() {
  g_reads++;
  return g_wall;
}

}  // namespace

TEST(HttpDate, formats_imf_fixdate) {
  EXPECT_EQ(formatted(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(formatted(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(formatted(951782399), "Mon, 28 Feb 2000 23:59:59 GMT");
  EXPECT_EQ(formatted(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");  // a leap day, 2000 being one
  EXPECT_EQ(formatted(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
  for (time_t t = 1700000000; t < 1700000000 + 400 * 86400; t += 86400 + 3671) EXPECT_TRUE(ts::test::is_http_date(formatted(t))) << t;
}

TEST(HttpDate, check_refuses_what_is_not_imf_fixdate) {
  EXPECT_TRUE(ts::test::is_http_date("Sun, 06 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(ts::test::is_http_date("Mon, 06 Nov 1994 08:49:37 GMT"));  // the wrong day
  EXPECT_FALSE(ts::test::is_http_date("Sun, 6 Nov 1994 08:49:37 GMT "));
  EXPECT_FALSE(ts::test::is_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_EQ(ts::test::undated("a\r\nDate: Tue, 29 Feb 2000 00:00:00 GMT\r\n"), "a\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(ts::test::undated("a\r\nDate: Tue, 30 Feb 2000 00:00:00 GMT\r\n"), "a\r\nDate: Tue, 30 Feb 2000 00:00:00 GMT\r\n");
}

// A TSC of 1000 Hz: a tick a millisecond. The clock is read once at the start and then only when
// the TSC passes the wall clock's next second; the string changes then.
TEST(HttpDate, reads_the_clock_once_a_second_and_changes_with_the_second) {
  g_wall = {784111777, 900 * 1000 * 1000};
  g_reads = 0;
  HttpDate d(1000, fake_wall);
  EXPECT_EQ(d.str(), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(g_reads, 1);
  // The construction's deadline is 100 ticks after TSC 0; a TSC of 50 reads nothing.
  EXPECT_FALSE(d.refresh(50));
  EXPECT_EQ(g_reads, 1);
  g_wall = {784111778, 0};
  EXPECT_TRUE(d.refresh(100));
  EXPECT_EQ(g_reads, 2);
  EXPECT_EQ(d.str(), "Sun, 06 Nov 1994 08:49:38 GMT");
  for (uint64_t tsc = 101; tsc < 1100; tsc += 7) EXPECT_FALSE(d.refresh(tsc));
  EXPECT_EQ(g_reads, 2);  // no clock read within the second
  // A TSC a little fast reaches its deadline before the second has turned: the clock is read,
  // the string stays, and the next deadline is where the second ends.
  g_wall = {784111778, 999 * 1000 * 1000};
  EXPECT_FALSE(d.refresh(1100));
  EXPECT_EQ(g_reads, 3);
  EXPECT_FALSE(d.refresh(1100));
  EXPECT_EQ(g_reads, 3);
  g_wall = {784111779, 1000};
  EXPECT_TRUE(d.refresh(1101));
  EXPECT_EQ(d.str(), "Sun, 06 Nov 1994 08:49:39 GMT");
}

// No TSC rate (no EAL): every refresh reads the clock, and the date is never stale.
TEST(HttpDate, without_a_tsc_rate_reads_the_clock_on_every_refresh) {
  g_wall = {784111777, 0};
  g_reads = 0;
  HttpDate d(0, fake_wall);
  EXPECT_FALSE(d.refresh(123));
  g_wall.tv_sec++;
  EXPECT_TRUE(d.refresh(123));
  EXPECT_EQ(g_reads, 3);
  EXPECT_EQ(d.str(), "Sun, 06 Nov 1994 08:49:38 GMT");
}

// The real clock: the date it gives is the system's, to the second. Bracketed by the clock
// HttpDate reads: time() is the coarse clock, up to a tick behind across a second's turn.
time_t realtime_s() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec;
}

TEST(HttpDate, the_default_clock_is_the_systems) {
  HttpDate d(0);
  const time_t before = realtime_s();
  d.refresh(0);
  const time_t after = realtime_s();
  EXPECT_TRUE(d.str() == formatted(before) || d.str() == formatted(after)) << d.str();
}
