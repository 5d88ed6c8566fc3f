// EAL for the robust tests: no hugepages, no shared config, no PCI, one lcore; needs no root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "dpdk/eal.h"

namespace {

class EalEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    ts::dpdk::EalOptions o;
    o.user = {"--no-huge", "-m", "768", "--no-shconf", "--no-pci", "--no-telemetry", "-l", "0",
              "--file-prefix=ts_rob" + std::to_string(getpid())};
    std::string err;
    eal_ = ts::dpdk::Eal::start("robust_test", o, &err);
    ASSERT_TRUE(eal_) << err;
  }
  void TearDown() override { eal_.reset(); }

 private:
  std::unique_ptr<ts::dpdk::Eal> eal_;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new EalEnv);

}  // namespace
