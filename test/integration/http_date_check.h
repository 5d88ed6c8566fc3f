// For tests that hold turnstile-server's replies against fixed bytes: its Date header carries the
// wall clock's second, so the replies are compared with that value replaced by a sample one,
// after it has been checked to be a well-formed IMF-fixdate (RFC 9110 §5.6.7).
#pragma once
#include <time.h>

#include <string>
#include <string_view>

#include "http_date.h"

namespace ts::test {

inline constexpr std::string_view kSampleHttpDate = "Sun, 06 Nov 1994 08:49:37 GMT";

// True when `s` is IMF-fixdate exactly: it parses, and the time it names is written back the same
// (a day name that does not fit the date, or "32 Jan", fails there).
inline bool is_http_date(std::string_view s) {
  if (s.size() != server::kHttpDateLen) return false;
  const std::string text(s);
  tm t{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &t);
  if (!end || *end != '\0') return false;
  char back[server::kHttpDateLen];
  server::format_http_date(timegm(&t), back);
  return std::string_view(back, sizeof back) == s;
}

// `s` with the value of each Date header that is a well-formed date replaced by kSampleHttpDate:
// one that is not stays, and fails the comparison.
inline std::string undated(std::string s) {
  static constexpr std::string_view kName = "\r\nDate: ";
  for (size_t at = s.find(kName); at != std::string::npos; at = s.find(kName, at + 1)) {
    const size_t v = at + kName.size();
    if (v + server::kHttpDateLen <= s.size() && is_http_date(std::string_view(s).substr(v, server::kHttpDateLen)))
      s.replace(v, server::kHttpDateLen, kSampleHttpDate);
  }
  return s;
}

}  // namespace ts::test
