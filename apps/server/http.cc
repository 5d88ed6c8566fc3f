#include "http.h"

#include <charconv>
#include <strings.h>

namespace ts::server {

namespace {

constexpr size_t kMaxHeader = 16 * 1024;
// A body a connection may make the server keep while it arrives (the handler buffers a request
// until it is whole); bounding it also keeps the request's length from wrapping around.
constexpr size_t kMaxBody = 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated header value lists `token` (Connection: keep-alive, Upgrade).
bool has_token(std::string_view v, std::string_view token) {
  while (!v.empty()) {
    size_t c = v.find(',');
    if (iequals(trim(v.substr(0, c)), token)) return true;
    if (c == std::string_view::npos) break;
    v.remove_prefix(c + 1);
  }
  return false;
}

// RFC 9112 §2.2: a line ends in CRLF. A head that ends its lines with a bare LF is refused (400)
// rather than waited on until the size limit, as one that ends in CRLF CRLF only would be.
bool bare_lf(std::string_view s) {
  for (size_t i = s.find('\n'); i != std::string_view::npos; i = s.find('\n', i + 1))
    if (i == 0 || s[i - 1] != '\r') return true;
  return false;
}

}  // namespace

HttpParse parse_http_request(std::string_view in, HttpRequest* out) {
  // RFC 9112 §2.2: ignore empty lines before the request line.
  size_t skip = 0;
  while (skip + 1 < in.size() && in[skip] == '\r' && in[skip + 1] == '\n') skip += 2;
  std::string_view s = in.substr(skip);
  const size_t end = s.find("\r\n\r\n");
  // The empty lines count against the bound: a peer sending nothing else must not grow the
  // buffer for ever.
  if (end == std::string_view::npos)
    return in.size() > kMaxHeader || s.find("\n\n") != std::string_view::npos ? HttpParse::kBad : HttpParse::kIncomplete;
  // The bound holds for a head that came whole too: the answer must not depend on the cuts.
  if (skip + end + 4 > kMaxHeader) return HttpParse::kBad;
  std::string_view head = s.substr(0, end);
  if (bare_lf(head)) return HttpParse::kBad;
  const size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  HttpRequest r;
  // RFC 9112 §3: method SP request-target SP version; a target holds no space.
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return HttpParse::kBad;
  r.method = line.substr(0, sp1);
  r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' || version[7] > '9' ||
      r.method.empty() || r.target.empty())
    return HttpParse::kBad;
  r.minor = version[7] - '0';
  r.keep_alive = r.minor >= 1;
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  int hosts = 0;
  bool has_length = false;
  bool close = false;  // RFC 9112 §9.6: "close" in any Connection field line wins
  while (!rest.empty()) {
    const size_t e = rest.find("\r\n");
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return HttpParse::kBad;
    std::string_view name = h.substr(0, colon), value = trim(h.substr(colon + 1));
    // RFC 9112 §5.1, §5.2: no space in or after a field name, no line folded onto the last.
    if (name.find_first_of(" \t") != std::string_view::npos) return HttpParse::kBad;
    if (iequals(name, "Host")) {
      ++hosts;
    } else if (iequals(name, "Connection")) {
      if (has_token(value, "close")) close = true;
      else if (has_token(value, "keep-alive")) r.keep_alive = true;
    } else if (iequals(name, "Content-Length")) {
      // RFC 9112 §6.3 (5): lengths that differ leave the message's end unknown. Taking one of
      // them would read the next pipelined request as this one's body, or this body as a request.
      size_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n > kMaxBody) return HttpParse::kBad;
      if (has_length && n != r.content_length) return HttpParse::kBad;
      has_length = true;
      r.content_length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      return HttpParse::kBad;  // chunked request bodies: not for a benchmark server
    }
  }
  // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field.
  if (r.minor >= 1 && hosts != 1) return HttpParse::kBad;
  if (close) r.keep_alive = false;
  r.length = skip + end + 4 + r.content_length;
  if (in.size() < r.length) return HttpParse::kIncomplete;
  *out = r;
  return HttpParse::kOk;
}

std::string http_response(const HttpRequest& req, std::string_view body, std::string_view date, bool* close) {
  *close = !req.keep_alive;
  const bool get = req.method == "GET", head = req.method == "HEAD";
  std::string status = get || head ? "200 OK" : "405 Method Not Allowed";
  std::string_view b = get ? body : head ? body : std::string_view("method not allowed\n");
  std::string r = "HTTP/1." + std::to_string(req.minor >= 1 ? 1 : 0) + " " + status +
                  "\r\nServer: turnstile\r\nDate: " + std::string(date) +
                  "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(b.size()) + "\r\n";
  if (!get && !head) r += "Allow: GET, HEAD\r\n";
  if (*close) r += "Connection: close\r\n";
  else if (req.minor == 0) r += "Connection: keep-alive\r\n";
  r += "\r\n";
  if (!head) r.append(b);
  return r;
}

std::string http_bad_request(std::string_view date) {
  return "HTTP/1.1 400 Bad Request\r\nServer: turnstile\r\nDate: " + std::string(date) +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

}  // namespace ts::server
