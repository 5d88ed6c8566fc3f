#include "tcp/siphash.h"

namespace ts::tcp {

uint64_t siphash24(const SipKey& key, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  SipHash24 s(key);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t m = 0;
    for (int b = 0; b < 8; b++) m |= uint64_t(p[i + b]) << (8 * b);
    s.word(m);
  }
  uint64_t tail = 0;
  for (size_t b = 0; i + b < len; b++) tail |= uint64_t(p[i + b]) << (8 * b);
  return s.finish(tail, len);
}

}  // namespace ts::tcp
