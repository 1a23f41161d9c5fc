// ResultStoreWrapper: the forwarding base of ResultStore decorators, as ObjectStoreWrapper is for
// object stores (RocksDB's FileSystemWrapper, LevelDB's EnvWrapper). Every method forwards to the
// target store, so a decorator (group commit, a test's scripted failures) overrides only the
// calls it changes. Thread safety is the target's. A method added to the port is forwarded
// unchanged by every decorator that does not override it: review the decorators whenever the
// port grows.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "results/result_store.h"

namespace pixfleet {

class ResultStoreWrapper : public ResultStore {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit ResultStoreWrapper(ResultStore& target) : target_(target) {}

  // ResultStore
  Status PutBatch(const Batch& batch) override { return target_.PutBatch(batch); }
  Result<std::optional<Batch>> GetBatch(std::string_view batch_id) override {
    return target_.GetBatch(batch_id);
  }
  Result<std::vector<Batch>> ListBatches() override { return target_.ListBatches(); }
  Status RecordResults(std::span<const TaskResult> results) override {
    return target_.RecordResults(results);
  }
  Result<std::optional<TaskResult>> GetResult(std::string_view task_id) override {
    return target_.GetResult(task_id);
  }
  Result<std::vector<TaskResult>> ListResults(std::string_view batch_id,
                                              std::optional<TaskOutcome> outcome) override {
    return target_.ListResults(batch_id, outcome);
  }
  Result<std::vector<std::string>> SucceededTaskIds(std::string_view batch_id) override {
    return target_.SucceededTaskIds(batch_id);
  }
  Result<BatchCounts> CountResults(std::string_view batch_id) override {
    return target_.CountResults(batch_id);
  }
  Result<int64_t> CountFailed(std::string_view batch_id) override {
    return target_.CountFailed(batch_id);
  }
  Status RecordPublications(std::string_view batch_id,
                            std::span<const Publication> publications) override {
    return target_.RecordPublications(batch_id, publications);
  }
  Result<std::vector<Publication>> ListPublications(std::string_view batch_id) override {
    return target_.ListPublications(batch_id);
  }

 protected:
  ResultStore& Target() const { return target_; }

 private:
  ResultStore& target_;
};

}  // namespace pixfleet
