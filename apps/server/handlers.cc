#include "handlers.h"

#include <string_view>

#include "http.h"

namespace ts::server {

namespace {

class EchoHandler final : public api::Handler {
 public:
  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    if (!c.send(data, len)) c.abort();  // out of buffers: better a reset than silent loss
  }
};

class DiscardHandler final : public api::Handler {
 public:
  void on_data(api::Connection&, const uint8_t*, size_t) override {}
};

// Keeps the unparsed tail of the byte stream per connection (requests may arrive in pieces and
// several may arrive together).
class HttpHandler final : public api::Handler {
 public:
  explicit HttpHandler(std::string body) : body_(std::move(body)) {}

  void on_accept(api::Connection& c) override { c.user = new std::string(); }

  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    auto* buf = static_cast<std::string*>(c.user);
    if (!buf || c.closing()) return;  // after we decided to close, the rest is ignored
    buf->append(reinterpret_cast<const char*>(data), len);
    size_t used = 0;
    for (;;) {
      HttpRequest req;
      const HttpParse r = parse_http_request(std::string_view(*buf).substr(used), &req);
      if (r == HttpParse::kIncomplete) break;
      if (r == HttpParse::kBad) {
        c.send(http_bad_request());
        c.close();
        buf->clear();
        return;
      }
      used += req.length;
      bool close = false;
      c.send(http_response(req, body_, &close));
      if (close) {
        c.close();
        buf->clear();
        return;
      }
    }
    buf->erase(0, used);
  }

  void on_closed(api::Connection& c, tcp::CloseReason) override {
    delete static_cast<std::string*>(c.user);
    c.user = nullptr;
  }

 private:
  std::string body_;
};

}  // namespace

std::unique_ptr<api::Handler> make_handler(Mode m, const std::string& http_body) {
  switch (m) {
    case Mode::kEcho: return std::make_unique<EchoHandler>();
    case Mode::kDiscard: return std::make_unique<DiscardHandler>();
    case Mode::kHttp: break;
  }
  return std::make_unique<HttpHandler>(http_body);
}

}  // namespace ts::server
