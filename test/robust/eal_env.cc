// EAL for the robust tests (shared with test/integration): no hugepages, one lcore, no root.
#include "../integration/test_eal.h"

namespace {

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new ts::testing::TestEal("rob", "768"));

}  // namespace
