#include "handlers.h"

#include <rte_cycles.h>

#include <chrono>
#include <string_view>
#include <thread>

#include "http.h"
#include "http_date.h"

namespace ts::server {

namespace {

class EchoHandler final : public api::Handler {
 public:
  // Under StackConfig::explicit_consume (see explicit_consume below) what is received counts as
  // read only once its echo is acknowledged: a peer that sends faster than it reads (or than the
  // echo can go, its cwnd cut) sees our window close, as with a kernel echo server, and the send
  // queue holds at most a receive window of echo. send() then fails only for want of mbufs (or
  // a send_buffer under receive_window); the data is taken already, so better a reset than loss.
  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    if (!c.send(data, len)) c.abort();
  }
  void on_send_space(api::Connection& c, size_t bytes) override { c.consumed(bytes); }
};

class DiscardHandler final : public api::Handler {
 public:
  void on_data(api::Connection&, const uint8_t*, size_t) override {}
};

// Parses requests straight from the segment that brought them; only a request split over
// segments (or several pipelined ones cut mid-way) is kept, in a buffer the connection gets then.
// The answers to GET, the benchmark's request, are built once a second, when their Date turns.
class HttpHandler final : public api::Handler {
 public:
  explicit HttpHandler(std::string body) : body_(std::move(body)), date_(rte_get_tsc_hz()) { build_gets(); }

  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    if (c.closing()) return;  // after we decided to close, the rest is ignored
    auto* buf = static_cast<std::string*>(c.user);
    std::string_view in(reinterpret_cast<const char*>(data), len);
    if (buf && !buf->empty()) {
      buf->append(in);
      in = *buf;
    }
    const bool alone = !buf || buf->empty();  // `in` is this segment's bytes, nothing before them
    // Before the memo too: it answers with get_, which must not be a second behind.
    if (date_.refresh(rte_rdtsc())) build_gets();
    if (alone && !in.empty() && in == memo_.bytes) return answer_get(c, memo_.minor, memo_.close);
    size_t used = 0;
    for (;;) {
      HttpRequest req;
      const HttpParse r = parse_http_request(in.substr(used), &req);
      if (r == HttpParse::kIncomplete) break;
      if (r == HttpParse::kBad) {
        if (reply(c, http_bad_request(date_.str()))) c.close();
        if (buf) buf->clear();
        return;
      }
      used += req.length;
      bool close = false;
      if (req.method == "GET") {
        close = !req.keep_alive;
        // The memo answers a segment with one reply: only a segment that is one request whole.
        if (alone && used == in.size() && req.length == in.size() && in.size() <= kMemoMax)
          remember(in, req.minor >= 1, close);
        if (!reply(c, get_[req.minor >= 1][close])) return;
      } else if (!reply(c, http_response(req, body_, date_.str(), &close))) {
        return;
      }
      if (close) {
        c.close();
        if (buf) buf->clear();
        return;
      }
    }
    if (used == in.size()) {
      if (buf) buf->clear();
    } else if (buf && in.data() == buf->data()) {
      buf->erase(0, used);
    } else {
      if (!buf) c.user = buf = new std::string();
      buf->assign(in.substr(used));
    }
  }

  // Once a second: http_response's allocations do not count there.
  void build_gets() {
    for (int minor = 0; minor < 2; minor++)
      for (int close = 0; close < 2; close++) {
        HttpRequest r;
        r.method = "GET";
        r.minor = minor;
        r.keep_alive = !close;
        bool ignored;
        get_[minor][close] = http_response(r, body_, date_.str(), &ignored);
      }
  }

  // assign() keeps the buffer: a server whose requests all differ pays a copy, not an allocation.
  void remember(std::string_view request, int minor, bool close) {
    memo_.bytes.assign(request);
    memo_.minor = minor;
    memo_.close = close;
  }

  void answer_get(api::Connection& c, int minor, bool close) {
    if (reply(c, get_[minor][close]) && close) c.close();
  }

  // A reply that cannot be queued (no buffers, or pipelined requests from a peer that does not
  // read filled the send buffer) ends the connection: a client must not wait for it forever.
  static bool reply(api::Connection& c, std::string_view s) {
    if (c.send(s)) return true;
    c.abort();
    return false;
  }

  void on_closed(api::Connection& c, tcp::CloseReason) override {
    delete static_cast<std::string*>(c.user);
    c.user = nullptr;
  }

 private:
  std::string body_;
  HttpDate date_;          // this handler's own: its lcore's (or worker's) TSC decides when to look
  std::string get_[2][2];  // [HTTP/1.1][close], with date_'s second
  // The last GET that came alone, whole, in one segment. A load generator sends the same
  // request over and over: the same bytes alone get the same answer without being parsed again
  // (parsing depends on the bytes alone).
  static constexpr size_t kMemoMax = 1024;
  struct {
    std::string bytes;
    int minor = 0;
    bool close = false;
  } memo_;
};

// --read-delay-us: the application is slow to read. Workers only, where a handler may block.
class SlowHandler final : public api::Handler {
 public:
  SlowHandler(std::unique_ptr<api::Handler> h, uint32_t us) : h_(std::move(h)), delay_(us) {}
  void on_accept(api::Connection& c) override { h_->on_accept(c); }
  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    std::this_thread::sleep_for(delay_);
    h_->on_data(c, data, len);
  }
  void on_peer_closed(api::Connection& c) override { h_->on_peer_closed(c); }
  void on_send_space(api::Connection& c, size_t bytes) override { h_->on_send_space(c, bytes); }
  void on_closed(api::Connection& c, tcp::CloseReason why) override { h_->on_closed(c, why); }

 private:
  std::unique_ptr<api::Handler> h_;
  std::chrono::microseconds delay_;
};

}  // namespace

std::unique_ptr<api::Handler> make_slow_reader(std::unique_ptr<api::Handler> h, uint32_t delay_us) {
  return std::make_unique<SlowHandler>(std::move(h), delay_us);
}

std::unique_ptr<api::Handler> make_handler(Mode m, const std::string& http_body) {
  switch (m) {
    case Mode::kEcho: return std::make_unique<EchoHandler>();
    case Mode::kDiscard: return std::make_unique<DiscardHandler>();
    case Mode::kHttp: break;
  }
  return std::make_unique<HttpHandler>(http_body);
}

}  // namespace ts::server
