#include "wire/icmp.h"

#include <cstring>

#include "wire/bytes.h"
#include "wire/checksum.h"

namespace ts::wire {

WireError parse_icmp(const uint8_t* p, size_t len, IcmpHeader& out) {
  if (len < kIcmpHeaderLen) return WireError::kIcmpTruncated;
  if (checksum_finish(checksum_partial(p, len)) != 0) return WireError::kIcmpBadChecksum;
  out.type = p[0];
  out.code = p[1];
  out.id = load_be16(p + 4);
  out.seq = load_be16(p + 6);
  return WireError::kOk;
}

size_t build_icmp_echo_reply(uint8_t* p, size_t cap, uint16_t id, uint16_t seq,
                             const uint8_t* data, size_t data_len) {
  if (cap < kIcmpHeaderLen || data_len > cap - kIcmpHeaderLen) return 0;
  if (data_len) std::memmove(p + kIcmpHeaderLen, data, data_len);
  p[0] = kIcmpEchoReply;
  p[1] = 0;
  store_be16(p + 2, 0);
  store_be16(p + 4, id);
  store_be16(p + 6, seq);
  store_be16(p + 2, checksum_finish(checksum_partial(p, kIcmpHeaderLen + data_len)));
  return kIcmpHeaderLen + data_len;
}

}  // namespace ts::wire
