// libFuzzer target for the driver-profile parser (lib/dpdk/profile.cc, INI through
// boost::property_tree): a user's --config file, so any text at all. It must answer true or
// false, never throw or crash; false with a reason that names the file; true only for a profile
// within the bounds the datapath relies on (the same ones check() promises); and the same
// answer twice. Any violation aborts (a crash for libFuzzer).
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "dpdk/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ts::dpdk::Profile p, again;
  std::string err, err2;
  const bool ok = ts::dpdk::parse_profile(text, "fuzz.ini", &p, &err);
  CHECK(ok == ts::dpdk::parse_profile(text, "fuzz.ini", &again, &err2));
  if (!ok) {
    CHECK(err.rfind("fuzz.ini", 0) == 0 && err == err2);
    return 0;
  }
  const auto& q = p.port;
  CHECK(q.burst >= 1 && q.burst <= 512);
  CHECK(q.rx_descriptors >= 64 && q.tx_descriptors >= 64);
  CHECK(q.mtu >= 576 && q.mtu <= 9000);
  CHECK(p.stack.connections_per_queue >= 16);
  for (uint32_t r : {p.stack.rx_ring_size, p.stack.app_ring_size}) CHECK(r >= 64 && (r & (r - 1)) == 0);
  CHECK(p.stack.receive_window >= 1024 && p.stack.receive_window <= (0xffffu << 14));
  CHECK(p.stack.out_of_order_mbufs <= (1u << 20));
  CHECK(p.name == again.name && p.eal_always == again.eal_always && q.burst == again.port.burst);
  return 0;
}
