// Knowing when a reply is complete, fed the bytes as they arrive (any split), with a few bytes
// of state per connection and no allocation.
//
// HTTP/1.x (RFC 9112 §6.3): the status line, then headers up to the empty line; then the body:
// none after a 204; chunked when Transfer-Encoding ends in `chunked` (complete after the last
// chunk and the trailer section); to the server's FIN under any other Transfer-Encoding;
// Content-Length bytes; or, with neither, everything up to the server's FIN. Only the status
// code, Content-Length and Transfer-Encoding are read; a header line longer than the parser's
// buffer keeps its start.
// Echo: the reply is complete when as many bytes came back as were sent.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ts::cps {

class HttpReply {
 public:
  enum class Result : uint8_t { kMore, kDone, kBad };

  // Consumes [p, p + n). kDone once the body is complete (later bytes: kBad); kBad on a reply
  // that is not HTTP/1.x, whose status is not 2xx, or whose chunked framing is broken.
  Result feed(const uint8_t* p, size_t n);
  // The peer closed: complete if the headers were in and the body runs to the FIN.
  bool done_at_eof() const { return headers_done_ && body_ == Body::kToEof; }
  bool done() const { return done_; }
  // Nothing fed yet.
  bool fresh() const { return first_line_ && line_len_ == 0 && !cut_; }
  uint16_t status() const { return status_; }

 private:
  // How the body ends, and where a chunked one is.
  enum class Body : uint8_t {
    kToEof,      // the FIN ends it
    kLength,     // body_left_ bytes
    kChunkSize,  // hex digits of a chunk's size (digits_ so far, value in body_left_)
    kChunkExt,   // the rest of the size line: extensions, CR
    kChunkData,  // body_left_ bytes of data
    kChunkCr,    // the CRLF after a chunk's data
    kChunkLf,
    kTrailer,    // trailer lines up to an empty one (line_blank_: none of the line's bytes yet)
  };

  Result line_done(const char* s, size_t n, bool cut);
  Result headers_done();
  void transfer_encoding(const char* s, size_t n);
  Result body(const char* s, size_t n);
  Result chunked(const char* s, size_t n);
  Result complete();
  void keep(const char* s, size_t n);

  static constexpr int kLineMax = 40;  // "content-length: " + 20 digits fit
  char line_[kLineMax];
  uint8_t line_len_ = 0;
  bool cut_ = false;         // the current line was longer than line_
  bool first_line_ = true;
  bool headers_done_ = false;
  bool has_length_ = false;
  bool chunked_ = false;     // Transfer-Encoding: ..., chunked
  bool other_coding_ = false;  // a Transfer-Encoding that does not end in chunked
  bool done_ = false;
  bool line_blank_ = true;
  Body body_ = Body::kToEof;
  uint8_t digits_ = 0;
  uint16_t status_ = 0;
  uint64_t body_left_ = 0;
};

// The last reply that came in one piece to a fresh HttpReply and was complete. A load
// generator gets the same reply over and over: the same bytes in one piece are complete too
// (feed is a function of the bytes alone), found by a compare instead of reading them again.
class ReplyMemo {
 public:
  bool matches(const uint8_t* p, size_t n) const { return n && n == len_ && std::memcmp(p, bytes_, n) == 0; }
  void keep(const uint8_t* p, size_t n) {
    if (n > sizeof bytes_) return;
    std::memcpy(bytes_, p, n);
    len_ = n;
  }

 private:
  uint8_t bytes_[512];
  size_t len_ = 0;
};

}  // namespace ts::cps
