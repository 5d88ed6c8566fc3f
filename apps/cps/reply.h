// Knowing when a reply is complete, fed the bytes as they arrive (any split), with a few bytes
// of state per connection and no allocation.
//
// HTTP/1.x (RFC 9112 §6.3): the status line, then headers up to the empty line; the body is
// Content-Length bytes, or, without one, everything up to the server's FIN. Only the status code
// and Content-Length are read; a header line longer than the parser's buffer keeps its start.
// Chunked bodies are read as "until FIN" (a benchmark server answering a GET with
// `Connection: close` has no reason to chunk).
// Echo: the reply is complete when as many bytes came back as were sent.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ts::cps {

class HttpReply {
 public:
  enum class Result : uint8_t { kMore, kDone, kBad };

  // Consumes [p, p + n). kDone once the body is complete (later bytes: kBad); kBad on a reply
  // that is not HTTP/1.x or whose status is not 2xx.
  Result feed(const uint8_t* p, size_t n);
  // The peer closed: complete if the headers were in and no length was announced.
  bool done_at_eof() const { return headers_done_ && !has_length_; }
  bool done() const { return done_; }
  uint16_t status() const { return status_; }

 private:
  Result line_done(const char* s, size_t n);
  void keep(const char* s, size_t n);

  static constexpr int kLineMax = 40;  // "content-length: " + 20 digits fit
  char line_[kLineMax];
  uint8_t line_len_ = 0;
  bool cut_ = false;         // the current line was longer than line_
  bool first_line_ = true;
  bool headers_done_ = false;
  bool has_length_ = false;
  bool done_ = false;
  uint16_t status_ = 0;
  uint64_t body_left_ = 0;
};

}  // namespace ts::cps
