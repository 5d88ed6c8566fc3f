#include "rss/toeplitz.h"

namespace ts::rss {

const Key kMicrosoftKey = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

const Key kSymmetricKey = [] {
  Key k{};
  for (size_t i = 0; i < kKeyLen; i += 2) {
    k[i] = 0x6d;
    k[i + 1] = 0x5a;
  }
  return k;
}();

namespace {

// The 32 key bits starting at key bit `bit` (bit 0 is the most significant bit of key[0]).
uint32_t key_window(const Key& key, size_t bit) {
  const size_t byte = bit / 8, shift = bit % 8;
  uint64_t w = 0;
  for (size_t i = 0; i < 5; i++) {
    w = (w << 8) | (byte + i < kKeyLen ? key[byte + i] : 0);
  }
  return static_cast<uint32_t>(w >> (8 - shift));
}

}  // namespace

uint32_t toeplitz_reference(const Key& key, const uint8_t* data, size_t len) {
  uint32_t h = 0;
  for (size_t i = 0; i < len * 8; i++) {
    if (data[i / 8] & (0x80u >> (i % 8))) h ^= key_window(key, i);
  }
  return h;
}

Toeplitz::Toeplitz(const Key& key) : key_(key) {
  for (int pos = 0; pos < kInputBytes; pos++) {
    uint32_t bit_part[8];
    for (int b = 0; b < 8; b++) bit_part[b] = key_window(key, pos * 8 + b);
    for (int v = 0; v < 256; v++) {
      uint32_t h = 0;
      for (int b = 0; b < 8; b++) {
        if (v & (0x80 >> b)) h ^= bit_part[b];
      }
      t_[pos][v] = h;
    }
  }
}

}  // namespace ts::rss
