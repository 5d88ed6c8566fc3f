// Just enough HTTP/1.x for a benchmark server (RFC 9112): find complete requests in a byte
// stream, read the request line and the headers that decide keep-alive and body length, and
// write the answer.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ts::server {

struct HttpRequest {
  std::string_view method;
  std::string_view target;
  int minor = 1;             // HTTP/1.<minor>
  bool keep_alive = true;    // after the Connection header and the version's default
  size_t content_length = 0;
  size_t length = 0;         // bytes the request occupies in the stream, body included
};

enum class HttpParse { kIncomplete, kOk, kBad };

// Parses the first request at the start of `in` (which may hold several, or part of one).
// kBad for a head over 16 KiB or a Content-Length over 1 MiB, whether whole or in pieces.
HttpParse parse_http_request(std::string_view in, HttpRequest* out);

// The response to `req`: 200 with `body` for GET, headers only for HEAD, 405 otherwise, with
// `date` (IMF-fixdate, http_date.h) as its Date. Sets *close when the connection must close after it.
std::string http_response(const HttpRequest& req, std::string_view body, std::string_view date, bool* close);
// 400 Bad Request, always closing.
std::string http_bad_request(std::string_view date);

}  // namespace ts::server
