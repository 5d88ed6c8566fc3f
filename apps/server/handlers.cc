#include "handlers.h"

#include <rte_cycles.h>

#include <chrono>
#include <string_view>
#include <thread>
#include <utility>

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
//
// Flow control, under StackConfig::explicit_consume (see explicit_consume in handlers.h): a
// request is given back to the window once answered. When a reply finds the send buffer full (a
// client that pipelines requests and reads the replies slowly, or not at all), the requests left
// wait in the buffer, off the window, until the peer acknowledges some of what we sent
// (on_send_space): its window closes, as a kernel server's does when nginx stops reading, and
// no connection is reset for it. A refusal with nothing unacknowledged (the mempool dry) can
// expect no on_send_space: that one ends the connection, as before.
class HttpHandler final : public api::Handler {
 public:
  explicit HttpHandler(std::string body) : body_(std::move(body)), date_(rte_get_tsc_hz()) { build_gets(); }

  void on_data(api::Connection& c, const uint8_t* data, size_t len) override {
    if (c.closing()) return c.consumed(len);  // after we decided to close, the rest is ignored
    auto* p = static_cast<Pending*>(c.user);
    std::string_view in(reinterpret_cast<const char*>(data), len);
    if (p && p->waiting) {
      if (p->bytes.size() + len > kMaxWaiting) return c.abort();  // a stack without explicit_consume
      p->bytes.append(in);
      p->held += len;
      return;
    }
    if (p && !p->bytes.empty()) {
      p->bytes.append(in);
      in = p->bytes;
    }
    const bool alone = !p || p->bytes.empty();  // `in` is this segment's bytes, nothing before them
    size_t used = 0;
    const Served r = serve(c, in, alone, &used);
    if (r == Served::kWait) {
      // This segment stays off the window with what follows it, until the wait is over.
      if (!p) c.user = p = new Pending();
      keep(*p, in, used);
      p->held += len;
      p->waiting = true;
      return;
    }
    c.consumed(len);
    if (r == Served::kEnd || used == in.size()) {
      if (p) p->bytes.clear();
    } else {
      if (!p) c.user = p = new Pending();
      keep(*p, in, used);
    }
  }

  // The peer took some of the replies: answer what waited.
  void on_send_space(api::Connection& c, size_t) override {
    auto* p = static_cast<Pending*>(c.user);
    if (!p || !p->waiting || c.closing()) return;
    size_t used = 0;
    const Served r = serve(c, p->bytes, false, &used);
    if (r == Served::kWait) return keep(*p, p->bytes, used);
    p->waiting = false;
    if (r == Served::kEnd) p->bytes.clear();
    else keep(*p, p->bytes, used);
    c.consumed(std::exchange(p->held, 0));
    if (p->peer_closed && !c.closing()) c.close();
  }

  // Requests still waiting are answered first.
  void on_peer_closed(api::Connection& c) override {
    auto* p = static_cast<Pending*>(c.user);
    if (p && p->waiting) p->peer_closed = true;
    else c.close();
  }

  void on_closed(api::Connection& c, tcp::CloseReason) override {
    delete static_cast<Pending*>(c.user);
    c.user = nullptr;
  }

 private:
  // What a connection keeps, made on its first need: a request cut over segments, or requests
  // waiting for send space.
  struct Pending {
    std::string bytes;         // received, not yet answered
    size_t held = 0;           // received since the wait began, not yet given back to the window
    bool waiting = false;      // a reply found the send buffer full
    bool peer_closed = false;  // the peer's FIN came during the wait: close once it is over
  };
  // What waits is bounded by the receive window under explicit_consume; without it (a stack that
  // reads as data comes) this bound ends the connection instead.
  static constexpr size_t kMaxWaiting = 4u << 20;

  enum class Served {
    kMore,  // every whole request answered: `used` is where the next (incomplete) one starts
    kWait,  // a reply found the send buffer full: `used` is where the unanswered request starts
    kEnd,   // the connection is closing or was reset
  };

  // Answers the whole requests at the head of `in`.
  Served serve(api::Connection& c, std::string_view in, bool alone, size_t* used) {
    // Before the memo too: it answers with get_, which must not be a second behind.
    if (date_.refresh(rte_rdtsc())) build_gets();
    if (alone && !in.empty() && in == memo_.bytes) {
      const Served r = reply(c, get_[memo_.minor][memo_.close]);
      if (r != Served::kMore) return r;
      *used = in.size();
      return memo_.close ? (c.close(), Served::kEnd) : Served::kMore;
    }
    for (;;) {
      HttpRequest req;
      const HttpParse r = parse_http_request(in.substr(*used), &req);
      if (r == HttpParse::kIncomplete) return Served::kMore;
      if (r == HttpParse::kBad) {
        if (c.send(http_bad_request(date_.str()))) c.close();
        else c.abort();
        return Served::kEnd;
      }
      bool close = false;
      Served sent;
      if (req.method == "GET") {
        close = !req.keep_alive;
        // The memo answers a segment with one reply: only a segment that is one request whole.
        if (alone && *used == 0 && req.length == in.size() && in.size() <= kMemoMax)
          remember(in, req.minor >= 1, close);
        sent = reply(c, get_[req.minor >= 1][close]);
      } else {
        sent = reply(c, http_response(req, body_, date_.str(), &close));
      }
      if (sent != Served::kMore) return sent;
      *used += req.length;
      if (close) {
        c.close();
        return Served::kEnd;
      }
    }
  }

  // A reply that cannot be queued waits for the peer's acknowledgements, if any are to come.
  static Served reply(api::Connection& c, std::string_view s) {
    if (c.send(s)) return Served::kMore;
    if (c.unacked() > 0) return Served::kWait;
    c.abort();
    return Served::kEnd;
  }

  // p.bytes becomes in[used..]; `in` may be p.bytes itself.
  static void keep(Pending& p, std::string_view in, size_t used) {
    if (in.data() == p.bytes.data()) p.bytes.erase(0, used);
    else p.bytes.assign(in.substr(used));
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
