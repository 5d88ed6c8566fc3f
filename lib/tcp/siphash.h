// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed hash that
// an attacker who does not know the key cannot predict or steer, cheap for the few bytes of a
// 4-tuple. The ISN generator and the SYN cookies use it, as Linux does.
//
// Two forms: siphash24() over bytes, the paper's definition, checked against its test vectors;
// and an inline word-at-a-time state for the fixed-size inputs of the hot path, which hashes the
// same byte strings (the helpers below say which) without touching memory.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tcp/tuple.h"

namespace ts::tcp {

// k0 holds key bytes 0..7 and k1 bytes 8..15, little-endian, as in the reference code.
struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
  constexpr bool operator==(const SipKey&) const = default;
};

uint64_t siphash24(const SipKey& key, const void* data, size_t len);

class SipHash24 {
 public:
  explicit constexpr SipHash24(const SipKey& k)
      : v0_(k.k0 ^ 0x736f6d6570736575ull),
        v1_(k.k1 ^ 0x646f72616e646f6dull),
        v2_(k.k0 ^ 0x6c7967656e657261ull),
        v3_(k.k1 ^ 0x7465646279746573ull) {}

  // Absorbs the next 8 message bytes, given as a little-endian word.
  constexpr void word(uint64_t m) {
    v3_ ^= m;
    round();
    round();
    v0_ ^= m;
  }

  // The hash of the message absorbed so far followed by `tail` (its low len % 8 bytes, the rest
  // zero), the whole message being `len` bytes. Const, so one prefix can end in several ways.
  constexpr uint64_t finish(uint64_t tail, size_t len) const {
    SipHash24 s = *this;
    const uint64_t b = tail | uint64_t(len) << 56;
    s.v3_ ^= b;
    s.round();
    s.round();
    s.v0_ ^= b;
    s.v2_ ^= 0xff;
    s.round();
    s.round();
    s.round();
    s.round();
    return s.v0_ ^ s.v1_ ^ s.v2_ ^ s.v3_;
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
  constexpr void round() {
    v0_ += v1_;
    v1_ = rotl(v1_, 13);
    v1_ ^= v0_;
    v0_ = rotl(v0_, 32);
    v2_ += v3_;
    v3_ = rotl(v3_, 16);
    v3_ ^= v2_;
    v0_ += v3_;
    v3_ = rotl(v3_, 21);
    v3_ ^= v0_;
    v2_ += v1_;
    v1_ = rotl(v1_, 17);
    v1_ ^= v2_;
    v2_ = rotl(v2_, 32);
  }

  uint64_t v0_, v1_, v2_, v3_;
};

// A 4-tuple as message bytes: laddr, raddr (4 bytes each), lport, rport (2 bytes each), every
// field little-endian: 12 bytes, one full word and a 4-byte tail.
constexpr uint64_t tuple_word(const FourTuple& t) { return t.laddr | uint64_t(t.raddr) << 32; }
constexpr uint64_t tuple_ports(const FourTuple& t) { return t.lport | uint64_t(t.rport) << 16; }

// SipHash-2-4 of the tuple's 12 bytes.
constexpr uint64_t siphash_tuple(const SipKey& key, const FourTuple& t) {
  SipHash24 s(key);
  s.word(tuple_word(t));
  return s.finish(tuple_ports(t), 12);
}

// SipHash-2-4 of the tuple's 12 bytes followed by `extra` (4 bytes, little-endian).
constexpr uint64_t siphash_tuple(const SipKey& key, const FourTuple& t, uint32_t extra) {
  SipHash24 s(key);
  s.word(tuple_word(t));
  s.word(tuple_ports(t) | uint64_t(extra) << 32);
  return s.finish(0, 16);
}

// SipHash-2-4 of the tuple's 12 bytes followed by `a` and `b` (4 bytes each, little-endian).
constexpr uint64_t siphash_tuple(const SipKey& key, const FourTuple& t, uint32_t a, uint32_t b) {
  SipHash24 s(key);
  s.word(tuple_word(t));
  s.word(tuple_ports(t) | uint64_t(a) << 32);
  return s.finish(b, 20);
}

}  // namespace ts::tcp
