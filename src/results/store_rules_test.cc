// The shared ResultStore rules: batch compatibility, row validation, and which row wins.
#include "results/store_rules.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TaskResult Row(TaskOutcome outcome, int attempts) {
  TaskResult row;
  row.task_id = "t";
  row.batch_id = "b";
  row.outcome = outcome;
  row.error_code = outcome == TaskOutcome::kSucceeded ? StatusCode::kOk : StatusCode::kUnavailable;
  row.attempts = attempts;
  return row;
}

TEST(StoreRulesTest, ABatchMayOnlyChangeItsCountsAndName) {
  const Batch existing{.id = "b1",
                       .name = "photos",
                       .source_url = "file:///in",
                       .output_url = "file:///out",
                       .recipe_yaml = "outputs: {}",
                       .created_ms = 1,
                       .task_count = 10};
  Batch same = existing;
  same.task_count = 20;
  same.name = "other label";
  EXPECT_TRUE(CheckSameBatch(existing, same).ok());
  for (const auto& [field, mutate] : std::vector<std::pair<std::string, void (*)(Batch&)>>{
           {"recipe_yaml", [](Batch& b) { b.recipe_yaml = "x"; }},
           {"source_url", [](Batch& b) { b.source_url = "x"; }},
           {"output_url", [](Batch& b) { b.output_url = "x"; }}}) {
    Batch changed = existing;
    mutate(changed);
    const Status status = CheckSameBatch(existing, changed);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(field), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("b1"), std::string::npos);
  }
  EXPECT_EQ(ValidateBatch(Batch{}).code(), StatusCode::kInvalidArgument);
}

TEST(StoreRulesTest, RowsMustBeConsistent) {
  EXPECT_TRUE(ValidateResult(Row(TaskOutcome::kSucceeded, 1)).ok());
  EXPECT_TRUE(ValidateResult(Row(TaskOutcome::kFailed, 1)).ok());
  TaskResult no_id = Row(TaskOutcome::kSucceeded, 1);
  no_id.task_id.clear();
  EXPECT_EQ(ValidateResult(no_id).code(), StatusCode::kInvalidArgument);
  TaskResult no_batch = Row(TaskOutcome::kSucceeded, 1);
  no_batch.batch_id.clear();
  EXPECT_EQ(ValidateResult(no_batch).code(), StatusCode::kInvalidArgument);
  TaskResult failed_ok = Row(TaskOutcome::kFailed, 1);
  failed_ok.error_code = StatusCode::kOk;
  EXPECT_EQ(ValidateResult(failed_ok).code(), StatusCode::kInvalidArgument);
  TaskResult succeeded_with_error = Row(TaskOutcome::kSucceeded, 1);
  succeeded_with_error.error_code = StatusCode::kInternal;
  EXPECT_EQ(ValidateResult(succeeded_with_error).code(), StatusCode::kInvalidArgument);
  TaskResult huge = Row(TaskOutcome::kSucceeded, 1);
  huge.input_bytes = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(ValidateResult(huge).code(), StatusCode::kInvalidArgument);
}

TEST(StoreRulesTest, SuccessIsFinalAndFailuresGiveWayToLaterAttempts) {
  using enum TaskOutcome;
  EXPECT_FALSE(ReplacesResult(Row(kSucceeded, 1), Row(kSucceeded, 2)));
  EXPECT_FALSE(ReplacesResult(Row(kSucceeded, 1), Row(kFailed, 2)));
  EXPECT_TRUE(ReplacesResult(Row(kFailed, 2), Row(kSucceeded, 1)));
  EXPECT_TRUE(ReplacesResult(Row(kFailed, 1), Row(kFailed, 2)));
  EXPECT_TRUE(ReplacesResult(Row(kFailed, 2), Row(kFailed, 2)));
  EXPECT_FALSE(ReplacesResult(Row(kFailed, 3), Row(kFailed, 2)));
}

}  // namespace
}  // namespace pixfleet
