#include "reply.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace ts::cps {

namespace {

// ASCII only, as HTTP field names are (no locale, no call per byte).
constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `prefix` in lower case.
bool starts_with_nocase(const char* s, size_t n, std::string_view prefix) {
  if (n < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); i++)
    if (lower(s[i]) != prefix[i]) return false;
  return true;
}

}  // namespace

// A complete header line (without its CRLF) sits in line_[0, line_len_).
HttpReply::Result HttpReply::line_done() {
  const char* s = line_;
  const size_t n = line_len_;
  line_len_ = 0;
  if (first_line_) {
    first_line_ = false;
    // "HTTP/1.1 200 OK"
    if (n < 12 || !starts_with_nocase(s, n, "http/1.") || s[8] != ' ') return Result::kBad;
    for (int i = 9; i < 12; i++)
      if (!is_digit(s[i])) return Result::kBad;
    status_ = static_cast<uint16_t>((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
    return status_ >= 200 && status_ < 300 ? Result::kMore : Result::kBad;
  }
  if (n == 0) {
    headers_done_ = true;
    if (has_length_ && body_left_ == 0) {
      done_ = true;
      return Result::kDone;
    }
    return Result::kMore;
  }
  if (lower(s[0]) == 'c' && starts_with_nocase(s, n, "content-length:")) {
    uint64_t v = 0;
    size_t i = 15;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == n) return Result::kBad;
    for (; i < n && is_digit(s[i]); i++) v = v * 10 + uint64_t(s[i] - '0');
    has_length_ = true;
    body_left_ = v;
  }
  return Result::kMore;
}

HttpReply::Result HttpReply::feed(const uint8_t* p, size_t n) {
  if (done_) return n ? Result::kBad : Result::kDone;
  size_t i = 0;
  while (!headers_done_ && i < n) {
    const auto* nl = static_cast<const uint8_t*>(std::memchr(p + i, '\n', n - i));
    const size_t end = nl ? static_cast<size_t>(nl - p) : n;
    // Only a line's start matters: keep what fits, remember that the rest was cut.
    const size_t take = std::min<size_t>(end - i, kLineMax - line_len_);
    std::memcpy(line_ + line_len_, p + i, take);
    line_len_ = static_cast<uint8_t>(line_len_ + take);
    if (take < end - i) cut_ = true;
    i = end;
    if (!nl) break;
    i++;
    if (!cut_ && line_len_ && line_[line_len_ - 1] == '\r') line_len_--;
    cut_ = false;
    if (line_done() == Result::kBad) return Result::kBad;
    if (done_) return i == n ? Result::kDone : Result::kBad;
  }
  if (!headers_done_) return Result::kMore;
  const size_t body = n - i;
  if (!has_length_) return Result::kMore;  // until the FIN
  if (body > body_left_) return Result::kBad;
  body_left_ -= body;
  if (body_left_ == 0) {
    done_ = true;
    return Result::kDone;
  }
  return Result::kMore;
}

}  // namespace ts::cps
