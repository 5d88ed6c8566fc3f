// libFuzzer target for the apps' two HTTP/1.x parsers: turnstile-server's request parser
// (apps/server/http.cc) and turnstile-cps's reply parser (apps/cps/reply.cc). Both read bytes
// from the network as TCP delivers them, so what they decide must not depend on where the stream
// was cut. Byte 0 picks the parser, bytes 1-2 the cuts; the rest is the stream.
//
// Request parser, over prefixes of the stream (what a connection has received so far): the
// answer never goes back (kIncomplete, then kOk or kBad for good); kOk comes first at exactly the
// request's length and keeps that length as more bytes arrive (pipelining); method and target
// lie inside the input.
// Reply parser: fed in one piece or in three, the same answer, status and end-of-file verdict.
// Any violation aborts (a crash for libFuzzer).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/cps/reply.h"
#include "apps/server/http.h"
#include "check.h"

using ts::cps::HttpReply;
using ts::server::HttpParse;
using ts::server::HttpRequest;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

HttpParse parse_checked(std::string_view in, HttpRequest* q) {
  const HttpParse r = ts::server::parse_http_request(in, q);
  if (r == HttpParse::kOk) {
    CHECK(q->length > 0 && q->length <= in.size());
    CHECK(!q->method.empty() && inside(q->method, in) && !q->target.empty() && inside(q->target, in));
    CHECK(q->minor >= 0 && q->minor <= 9);
  }
  return r;
}

void fuzz_request(std::string_view s, uint8_t c1, uint8_t c2) {
  HttpRequest whole;
  const HttpParse rw = parse_checked(s, &whole);
  if (rw == HttpParse::kOk) {
    // Exactly at its length, and not a byte before.
    HttpRequest q;
    CHECK(parse_checked(s.substr(0, whole.length), &q) == HttpParse::kOk && q.length == whole.length);
    CHECK(parse_checked(s.substr(0, whole.length - 1), &q) == HttpParse::kIncomplete);
  }
  // Two cuts: what was decided on the shorter prefix holds for the longer one and for the whole.
  const size_t a = s.size() * c1 / 255, b = s.size() * c2 / 255;
  const size_t cut[2] = {a < b ? a : b, a < b ? b : a};
  HttpParse prev = HttpParse::kIncomplete;
  size_t prev_len = 0;
  for (size_t k : {cut[0], cut[1], s.size()}) {
    HttpRequest q;
    const HttpParse r = parse_checked(s.substr(0, k), &q);
    if (prev == HttpParse::kBad) CHECK(r == HttpParse::kBad);
    if (prev == HttpParse::kOk) CHECK(r == HttpParse::kOk && q.length == prev_len);
    prev = r;
    prev_len = q.length;
  }
  CHECK(prev == rw);
}

struct Outcome {
  HttpReply::Result r;
  uint16_t status;
  bool eof_done;
};

Outcome feed_pieces(std::string_view s, size_t c1, size_t c2) {
  HttpReply p;
  HttpReply::Result r = HttpReply::Result::kMore;
  const size_t cuts[3] = {0, c1, c2};
  for (int i = 0; i < 3; i++) {
    const size_t from = cuts[i], to = i < 2 ? cuts[i + 1] : s.size();
    r = p.feed(reinterpret_cast<const uint8_t*>(s.data()) + from, to - from);
    if (r == HttpReply::Result::kBad) break;  // the generator stops reading here
    if (r == HttpReply::Result::kDone) CHECK(p.done());
  }
  return {r, p.status(), r == HttpReply::Result::kMore && p.done_at_eof()};
}

void fuzz_reply(std::string_view s, uint8_t c1, uint8_t c2) {
  const size_t a = s.size() * c1 / 255, b = s.size() * c2 / 255;
  const Outcome one = feed_pieces(s, 0, 0);
  const Outcome three = feed_pieces(s, a < b ? a : b, a < b ? b : a);
  CHECK(one.r == three.r);
  if (one.r != HttpReply::Result::kBad) CHECK(one.status == three.status && one.eof_done == three.eof_done);
  if (one.r == HttpReply::Result::kDone) CHECK(one.status >= 200 && one.status < 300);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data) + 3, size - 3);
  if (data[0] & 1) fuzz_reply(s, data[1], data[2]);
  else fuzz_request(s, data[1], data[2]);
  return 0;
}
