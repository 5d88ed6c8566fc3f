#include "reply.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ts::cps {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Eight bytes as a big-endian word: the first byte on top, whatever the host's order.
uint64_t load_word(const char* s) {
  uint64_t v;
  std::memcpy(&v, s, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// A prefix of 8 to 16 characters (given in lower case) matched regardless of the case of its
// letters, a word at a time: (word | L) == P, where P is the prefix and L has 0x20 in its letter
// positions, accepts in those positions exactly the letter and its upper case (0x20 is the case
// bit of ASCII letters) and anywhere else only the byte itself. Two words, overlapping when
// shorter than 16.
class NoCasePrefix {
 public:
  template <size_t N>
  consteval explicit NoCasePrefix(const char (&s)[N]) : n_(N - 1) {
    static_assert(N - 1 >= 8 && N - 1 <= 16, "two words, overlapping or not");
    for (size_t w = 0; w < 2; w++)
      for (size_t i = 0; i < 8; i++) {
        const char c = s[w ? n_ - 8 + i : i];
        p_[w] = p_[w] << 8 | static_cast<uint8_t>(c);
        l_[w] = l_[w] << 8 | (c >= 'a' && c <= 'z' ? 0x20u : 0u);
      }
  }
  size_t size() const { return n_; }
  bool matches(const char* s, size_t n) const {
    return n >= n_ && (load_word(s) | l_[0]) == p_[0] && (load_word(s + n_ - 8) | l_[1]) == p_[1];
  }

 private:
  size_t n_;
  uint64_t p_[2] = {}, l_[2] = {};
};

constexpr NoCasePrefix kContentLength{"content-length:"};

// "HTTP/1." in any case: once a reply, a loop will do.
bool http1(const char* s) {
  constexpr char kName[] = "http/1.";
  for (size_t i = 0; i + 1 < sizeof kName; i++)
    if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]) != kName[i]) return false;
  return true;
}

// "transfer-encoding:" in any case.
bool transfer_encoding_name(const char* s, size_t n) {
  constexpr char kName[] = "transfer-encoding:";
  if (n < sizeof kName - 1) return false;
  for (size_t i = 0; i + 1 < sizeof kName; i++)
    if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]) != kName[i]) return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

// One header line without its CRLF (or the start of it, when it was longer than line_: `cut`).
HttpReply::Result HttpReply::line_done(const char* s, size_t n, bool cut) {
  if (first_line_) {
    first_line_ = false;
    // "HTTP/1.1 200 OK"
    if (n < 12 || !http1(s) || s[8] != ' ') return Result::kBad;
    for (int i = 9; i < 12; i++)
      if (!is_digit(s[i])) return Result::kBad;
    status_ = static_cast<uint16_t>((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
    return status_ >= 200 && status_ < 300 ? Result::kMore : Result::kBad;
  }
  if (n == 0) return headers_done();
  if (kContentLength.matches(s, n)) {
    uint64_t v = 0;
    size_t i = kContentLength.size();
    while (i < n && is_space(s[i])) i++;
    if (i == n) return Result::kBad;
    for (; i < n && is_digit(s[i]); i++) v = v * 10 + uint64_t(s[i] - '0');
    has_length_ = true;
    body_left_ = v;
  } else if ((s[0] | 0x20) == 't' && transfer_encoding_name(s, n)) {
    // Its last coding decides, and that is at the line's end: a line we only have the start of
    // cannot be read (no server sends one that long).
    if (cut) return Result::kBad;
    transfer_encoding(s, n);
  }
  return Result::kMore;
}

// A Transfer-Encoding line (RFC 9112 §6.3): chunked if its last coding is; any other makes the
// body run to the FIN, whatever Content-Length says. A later line overrides an earlier one.
void HttpReply::transfer_encoding(const char* s, size_t n) {
  constexpr char kChunked[] = "chunked";
  constexpr size_t kLen = sizeof kChunked - 1;
  const size_t from = sizeof "transfer-encoding:" - 1;
  while (n > from && is_space(s[n - 1])) n--;
  bool chunked = n >= from + kLen;
  for (size_t i = 0; chunked && i < kLen; i++) chunked = (s[n - kLen + i] | 0x20) == kChunked[i];
  if (chunked && n > from + kLen) {  // the whole coding, not the end of another one's name
    const char before = s[n - kLen - 1];
    chunked = before == ',' || is_space(before);
  }
  const bool any = n > from;
  chunked_ = chunked;
  other_coding_ = any && !chunked;
}

// The empty line: how the body ends is known now.
HttpReply::Result HttpReply::headers_done() {
  headers_done_ = true;
  if (status_ == 204) return complete();  // no content, whatever the headers say
  if (chunked_) {
    body_ = Body::kChunkSize;
    body_left_ = 0;
    digits_ = 0;
    return Result::kMore;
  }
  if (other_coding_ || !has_length_) return body_ = Body::kToEof, Result::kMore;
  body_ = Body::kLength;
  return body_left_ == 0 ? complete() : Result::kMore;
}

HttpReply::Result HttpReply::complete() {
  done_ = true;
  return Result::kDone;
}

HttpReply::Result HttpReply::feed(const uint8_t* p, size_t n) {
  if (done_) return n ? Result::kBad : Result::kDone;
  const auto* b = reinterpret_cast<const char*>(p);
  size_t i = 0;
  while (!headers_done_ && i < n) {
    const auto* nl = static_cast<const char*>(std::memchr(b + i, '\n', n - i));
    if (!nl) {
      keep(b + i, n - i);
      break;
    }
    const auto end = static_cast<size_t>(nl - b);
    Result r;
    if (line_len_ == 0 && !cut_) {
      // The whole line is in this piece (the usual case): read where it lies, no copy.
      // Only its start counts, as when a line is kept: the same answer whatever the split.
      size_t len = end - i;
      const bool cut = len > kLineMax;
      if (cut) len = kLineMax;
      else if (len && b[end - 1] == '\r') len--;
      r = line_done(b + i, len, cut);
    } else {
      keep(b + i, end - i);
      if (!cut_ && line_len_ && line_[line_len_ - 1] == '\r') line_len_--;
      r = line_done(line_, line_len_, cut_);
      line_len_ = 0;
      cut_ = false;
    }
    i = end + 1;
    if (r == Result::kBad) return Result::kBad;
    if (done_) return i == n ? Result::kDone : Result::kBad;
  }
  if (!headers_done_) return Result::kMore;
  return body(b + i, n - i);
}

// Body bytes, the headers being in.
HttpReply::Result HttpReply::body(const char* s, size_t n) {
  switch (body_) {
    case Body::kToEof:
      return Result::kMore;  // until the FIN
    case Body::kLength:
      if (n > body_left_) return Result::kBad;
      body_left_ -= n;
      return body_left_ == 0 ? complete() : Result::kMore;
    default:
      return chunked(s, n);
  }
}

// Chunked framing (RFC 9112 §7.1): size in hex [; extensions] CRLF, data, CRLF, ...; a chunk of
// size 0, then trailer lines up to an empty one. A bare LF is taken for CRLF, as most readers do.
HttpReply::Result HttpReply::chunked(const char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const char c = s[i];
    switch (body_) {
      case Body::kChunkSize:
        if (const int v = hex_value(c); v >= 0) {
          if (digits_ == 16) return Result::kBad;  // past 64 bits
          body_left_ = body_left_ << 4 | static_cast<uint64_t>(v);
          digits_++;
          i++;
          break;
        }
        if (digits_ == 0 || !(c == ';' || c == '\r' || c == '\n' || is_space(c))) return Result::kBad;
        body_ = Body::kChunkExt;
        break;
      case Body::kChunkExt: {
        const auto* nl = static_cast<const char*>(std::memchr(s + i, '\n', n - i));
        if (!nl) return Result::kMore;
        i = static_cast<size_t>(nl - s) + 1;
        body_ = body_left_ ? Body::kChunkData : Body::kTrailer;
        line_blank_ = true;
        break;
      }
      case Body::kChunkData: {
        const size_t take = std::min<uint64_t>(n - i, body_left_);
        i += take;
        body_left_ -= take;
        if (body_left_ == 0) body_ = Body::kChunkCr;
        break;
      }
      case Body::kChunkCr:
      case Body::kChunkLf:
        if (c == '\r' && body_ == Body::kChunkCr) {
          body_ = Body::kChunkLf;
        } else if (c == '\n') {
          body_ = Body::kChunkSize;
          digits_ = 0;
        } else {
          return Result::kBad;
        }
        i++;
        break;
      case Body::kTrailer:
        i++;
        if (c == '\n') {
          if (line_blank_) return i == n ? complete() : Result::kBad;
          line_blank_ = true;
        } else if (c != '\r') {
          line_blank_ = false;
        }
        break;
      default:
        return Result::kBad;
    }
  }
  return Result::kMore;
}

// The part of a line that goes on in a later piece: only its start matters, the rest is noted
// as cut.
void HttpReply::keep(const char* s, size_t n) {
  const size_t take = std::min<size_t>(n, kLineMax - line_len_);
  std::memcpy(line_ + line_len_, s, take);
  line_len_ = static_cast<uint8_t>(line_len_ + take);
  if (take < n) cut_ = true;
}

}  // namespace ts::cps
