// The ResultStore contract (result_store_contract.h) run against the embedded backends: the
// in-memory fake and SQLite, and the group-commit decorator over SQLite (a decorator must keep
// the contract too). PostgreSQL runs it in tests/integration/results.
#include "results/result_store_contract.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "results/group_commit_result_store.h"
#include "results/memory/in_memory_result_store.h"
#include "results/sqlite/sqlite_result_store.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

class MemoryHarness final : public ResultStoreHarness {
 public:
  Result<std::unique_ptr<ResultStore>> Open(Clock& clock) override {
    return std::unique_ptr<ResultStore>(std::make_unique<InMemoryResultStore>(clock));
  }
};

class SqliteHarness final : public ResultStoreHarness {
 public:
  Result<std::unique_ptr<ResultStore>> Open(Clock& clock) override {
    PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteResultStore> store,
                              SqliteResultStore::Open(dir_.Join("results.db"), clock));
    return std::unique_ptr<ResultStore>(std::move(store));
  }

 private:
  TempDir dir_;
};

class GroupCommitHarness final : public ResultStoreHarness {
 public:
  Result<std::unique_ptr<ResultStore>> Open(Clock& clock) override {
    PIXFLEET_ASSIGN_OR_RETURN(inner_, SqliteResultStore::Open(dir_.Join("results.db"), clock));
    return std::unique_ptr<ResultStore>(std::make_unique<GroupCommitResultStore>(*inner_));
  }

 private:
  TempDir dir_;
  std::unique_ptr<SqliteResultStore> inner_;  // outlives the decorator: the harness outlives it
};

INSTANTIATE_TEST_SUITE_P(
    Backends, ResultStoreContractTest,
    ::testing::Values(ContractBackend{"memory", [] { return std::make_unique<MemoryHarness>(); }},
                      ContractBackend{"sqlite", [] { return std::make_unique<SqliteHarness>(); }},
                      ContractBackend{"group_commit_over_sqlite",
                                      [] { return std::make_unique<GroupCommitHarness>(); }}),
    ContractBackendName);

}  // namespace
}  // namespace pixfleet
