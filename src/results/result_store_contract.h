// The ResultStore contract as a reusable test suite: result_store_contract.cc holds the
// TEST_Ps (batch creation and conflicts, the upsert rule, filters and order, counts, exact
// round trips, concurrent use), written once against the port. A test binary runs them on a
// backend by instantiating the suite with a harness factory:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, ResultStoreContractTest,
//                            ::testing::Values(ContractBackend{"postgres", MakeHarness}),
//                            ContractBackendName);
//
// and linking the pixfleet_results_contract object library.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "results/result_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {

// Makes the empty stores of one backend for one test, and cleans up after them when destroyed
// (after the store).
class ResultStoreHarness {
 public:
  virtual ~ResultStoreHarness() = default;
  // Non-empty when the backend cannot run here (e.g. no server configured): the test is skipped
  // with this message.
  virtual std::string SkipReason() { return ""; }
  // A new, empty store. `clock` outlives it.
  virtual Result<std::unique_ptr<ResultStore>> Open(Clock& clock) = 0;
};

struct ContractBackend {
  std::string name;  // a gtest name part: letters, digits, underscores
  std::function<std::unique_ptr<ResultStoreHarness>()> make_harness;
};

// Prints the backend's name (gtest and ctest show it instead of the struct's bytes).
void PrintTo(const ContractBackend& backend, std::ostream* os);

// For INSTANTIATE_TEST_SUITE_P: names each instance after its backend.
std::string ContractBackendName(const ::testing::TestParamInfo<ContractBackend>& info);

class ResultStoreContractTest : public ::testing::TestWithParam<ContractBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  void Record(std::vector<TaskResult> rows);
  std::optional<TaskResult> Get(const std::string& task_id);

  FakeClock clock_;
  std::unique_ptr<ResultStoreHarness> harness_;
  std::unique_ptr<ResultStore> store_;  // destroyed before harness_
};

}  // namespace pixfleet
