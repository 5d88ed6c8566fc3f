// HttpReply: when a reply is complete, whatever the split of its bytes.
#include <gtest/gtest.h>

#include <string>

#include "reply.h"

using ts::cps::HttpReply;
using R = HttpReply::Result;

namespace {

R feed_all(HttpReply& h, const std::string& s) { return h.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// Feeds s in pieces of `step` bytes; returns the result of the last piece.
R feed_split(HttpReply& h, const std::string& s, size_t step) {
  R r = R::kMore;
  for (size_t i = 0; i < s.size(); i += step) {
    r = h.feed(reinterpret_cast<const uint8_t*>(s.data() + i), std::min(step, s.size() - i));
    if (r == R::kBad) return r;
  }
  return r;
}

const std::string kOk =
    "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n\r\n"
    "Hello from Turnstile\n";

}  // namespace

TEST(HttpReply, content_length_reply_done_on_last_body_byte) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, kOk.substr(0, kOk.size() - 1)), R::kMore);
  EXPECT_EQ(feed_all(h, kOk.substr(kOk.size() - 1)), R::kDone);
  EXPECT_TRUE(h.done());
  EXPECT_EQ(h.status(), 200);
}

TEST(HttpReply, any_split_gives_the_same_answer) {
  for (size_t step = 1; step <= kOk.size(); step++) {
    HttpReply h;
    EXPECT_EQ(feed_split(h, kOk, step), R::kDone) << "step " << step;
  }
}

TEST(HttpReply, header_name_case_and_spaces_do_not_matter) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.0 204 No Content\r\nCONTENT-LENGTH:\t 0\r\n\r\n"), R::kDone);
}

TEST(HttpReply, without_length_the_fin_ends_the_body) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nsome body"), R::kMore);
  EXPECT_TRUE(h.done_at_eof());
  EXPECT_FALSE(h.done());
}

TEST(HttpReply, fin_before_the_headers_end_is_not_a_reply) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nContent-Len"), R::kMore);
  EXPECT_FALSE(h.done_at_eof());
}

TEST(HttpReply, fin_before_the_announced_length_is_not_a_reply) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), R::kMore);
  EXPECT_FALSE(h.done_at_eof());
}

TEST(HttpReply, error_status_is_bad) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 503 Service Unavailable\r\n"), R::kBad);
  EXPECT_EQ(h.status(), 503);
}

TEST(HttpReply, not_http_is_bad) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "SSH-2.0-OpenSSH_9.2\r\n"), R::kBad);
}

TEST(HttpReply, bytes_past_the_body_are_bad) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, kOk + "x"), R::kBad);
  HttpReply g;
  EXPECT_EQ(feed_all(g, kOk), R::kDone);
  EXPECT_EQ(feed_all(g, "x"), R::kBad);
}

TEST(HttpReply, overlong_header_line_is_cut_not_misread) {
  HttpReply h;
  const std::string big(300, 'a');
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 2\r\n\r\nok"), R::kDone);
  // A long line that ends in CR must not pass for the empty line that ends the headers.
  HttpReply g;
  EXPECT_EQ(feed_split(g, "HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\n", 7), R::kMore);
  EXPECT_FALSE(g.done_at_eof());
}

// The header name is compared a word at a time: letters in either case, every other byte as it is.
TEST(HttpReply, only_the_letters_of_the_header_name_ignore_case) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 2\r\n\r\nok"), R::kDone);
  // '_' is '-' with another bit, '\r' is '-' without the case bit: neither is the header.
  for (const char* name : {"Content_Length", "Content\rLength", "Content-Lengt", "Content-Length2"}) {
    HttpReply g;
    EXPECT_EQ(feed_all(g, std::string("HTTP/1.1 200 OK\r\n") + name + ": 2\r\n\r\nokay"), R::kMore) << name;
    EXPECT_TRUE(g.done_at_eof()) << name;  // no length: the body runs to the FIN
  }
}

TEST(HttpReply, a_line_past_the_buffer_reads_the_same_whole_or_split) {
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length:" + std::string(30, ' ') + "2\r\n\r\nok";
  HttpReply whole;
  const R expected = feed_all(whole, reply);
  for (size_t step = 1; step <= reply.size(); step++) {
    HttpReply h;
    EXPECT_EQ(feed_split(h, reply, step), expected) << "step " << step;
  }
}

// Transfer-Encoding: chunked (RFC 9112 §7.1), the reply of servers that do not know the length
// up front: a keep-alive connection never sees the FIN, so the last chunk has to end it.
const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
    "5\r\nHello\r\n1A;name=\"v\"\r\n from a chunked server!!\r\n\r\n0\r\nX-Trailer: t\r\n\r\n";

TEST(HttpReply, chunked_reply_done_after_last_chunk_and_trailers_whatever_the_split) {
  for (size_t step = 1; step <= kChunked.size(); step++) {
    HttpReply h;
    EXPECT_EQ(feed_split(h, kChunked, step), R::kDone) << "step " << step;
    EXPECT_TRUE(h.done());
  }
  HttpReply h;
  EXPECT_EQ(feed_all(h, kChunked.substr(0, kChunked.size() - 1)), R::kMore);
  EXPECT_FALSE(h.done_at_eof());  // a FIN inside the chunks cuts the reply short
  EXPECT_EQ(feed_all(h, "\n"), R::kDone);
}

TEST(HttpReply, chunked_without_trailers_bare_lf_and_upper_case_hex) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\ntransfer-encoding:  CHUNKED \r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"),
            R::kDone);
  HttpReply g;
  EXPECT_EQ(feed_all(g, "HTTP/1.1 200 OK\ntransfer-encoding: chunked\n\n2\nok\n0\n\n"), R::kDone);
}

TEST(HttpReply, chunked_overrides_content_length_and_other_codings_run_to_the_fin) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                        "2\r\nok\r\n"),
            R::kMore);
  EXPECT_EQ(feed_all(h, "0\r\n\r\n"), R::kDone);
  HttpReply g;
  EXPECT_EQ(feed_all(g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\nokay"),
            R::kMore);
  EXPECT_TRUE(g.done_at_eof());
  // Only the whole coding counts: "notchunked" is another one.
  HttpReply k;
  EXPECT_EQ(feed_all(k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: notchunked\r\n\r\n0\r\n\r\n"), R::kMore);
  EXPECT_TRUE(k.done_at_eof());
}

TEST(HttpReply, broken_chunked_framing_is_bad) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* body : {"x\r\n", "\r\n", "5g\r\nhello\r\n", "2\r\nokX\r\n", "2\r\nok\rX",
                           "11111111111111111\r\n", "0\r\n\r\nextra"}) {
    HttpReply h;
    EXPECT_EQ(feed_all(h, head + body), R::kBad) << body;
  }
  HttpReply h;
  EXPECT_EQ(feed_all(h, head + "0\r\n\r\n"), R::kDone);
  EXPECT_EQ(feed_all(h, "x"), R::kBad);
}

TEST(HttpReply, no_content_has_no_body) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n"), R::kDone);
  HttpReply g;
  EXPECT_EQ(feed_all(g, "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"), R::kDone);
}

TEST(HttpReply, transfer_encoding_line_past_the_buffer_is_bad) {
  HttpReply h;
  EXPECT_EQ(feed_all(h, "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + std::string(30, ' ') + "chunked\r\n\r\n"),
            R::kBad);
}

// The generator takes a reply whole in one piece with the same bytes as the last such complete
// one as complete without parsing it: only the very same bytes may match.
TEST(ReplyMemo, matches_only_the_bytes_it_kept) {
  ts::cps::ReplyMemo m;
  const auto* p = reinterpret_cast<const uint8_t*>(kOk.data());
  EXPECT_FALSE(m.matches(p, kOk.size()));
  m.keep(p, kOk.size());
  EXPECT_TRUE(m.matches(p, kOk.size()));
  std::string other = kOk;
  other[9] = '5';  // "HTTP/1.1 500": same length, another status
  EXPECT_FALSE(m.matches(reinterpret_cast<const uint8_t*>(other.data()), other.size()));
  EXPECT_FALSE(m.matches(p, kOk.size() - 1));
  EXPECT_FALSE(m.matches(p, 0));
  const std::string big(600, 'x');  // past the memo: not kept, the old one stays
  m.keep(reinterpret_cast<const uint8_t*>(big.data()), big.size());
  EXPECT_FALSE(m.matches(reinterpret_cast<const uint8_t*>(big.data()), big.size()));
  EXPECT_TRUE(m.matches(p, kOk.size()));
}

TEST(HttpReply, fresh_until_fed) {
  HttpReply h;
  EXPECT_TRUE(h.fresh());
  EXPECT_EQ(feed_all(h, "HTTP/1.1 2"), R::kMore);
  EXPECT_FALSE(h.fresh());
}
