// EAL for the in-process datapath tests: no hugepages, no shared config, no PCI, no telemetry,
// one lcore, a file prefix of its own per process: needs no root and collides with nothing.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "dpdk/eal.h"

namespace ts::testing {

class TestEal : public ::testing::Environment {
 public:
  TestEal(std::string name, std::string mem_mb) : name_(std::move(name)), mem_mb_(std::move(mem_mb)) {}
  void SetUp() override {
    dpdk::EalOptions o;
    o.user = {"--no-huge", "-m", mem_mb_, "--no-shconf", "--no-pci", "--no-telemetry", "-l", "0",
              "--file-prefix=ts_" + name_ + std::to_string(getpid())};
    std::string err;
    eal_ = dpdk::Eal::start(name_.c_str(), o, &err);
    ASSERT_TRUE(eal_) << err;
  }
  void TearDown() override { eal_.reset(); }

 private:
  std::string name_, mem_mb_;
  std::unique_ptr<dpdk::Eal> eal_;
};

}  // namespace ts::testing
