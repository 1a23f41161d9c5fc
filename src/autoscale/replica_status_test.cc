#include "autoscale/replica_status.h"

#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(ParseStatusLineTest, TheProtocolsLinesAndNothingElse) {
  struct Case {
    std::string_view line;
    std::optional<ReplicaStatus> expected;
  };
  const std::vector<Case> cases = {
      {"idle", ReplicaStatus{ReplicaState::kIdle, 0}},
      {"idle\r", ReplicaStatus{ReplicaState::kIdle, 0}},
      {"busy 1", ReplicaStatus{ReplicaState::kBusy, 1}},
      {"busy 12", ReplicaStatus{ReplicaState::kBusy, 12}},
      {"stopping 0", ReplicaStatus{ReplicaState::kStopping, 0}},
      {"stopping 3", ReplicaStatus{ReplicaState::kStopping, 3}},
      {"busy 0", std::nullopt},  // busy means at least one task
      {"busy", std::nullopt},
      {"busy -1", std::nullopt},
      {"busy 2x", std::nullopt},
      {"busy  2", std::nullopt},
      {"stopping", std::nullopt},
      {"idle 0", std::nullopt},
      {"", std::nullopt},
      {"ready", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseStatusLine(c.line), c.expected) << "'" << c.line << "'";
  }
}

TEST(StopRankTest, IdleThenStoppingThenUnknownThenBusy) {
  EXPECT_LT(StopRank(ReplicaState::kIdle), StopRank(ReplicaState::kStopping));
  EXPECT_LT(StopRank(ReplicaState::kStopping), StopRank(ReplicaState::kUnknown));
  EXPECT_LT(StopRank(ReplicaState::kUnknown), StopRank(ReplicaState::kBusy));
}

}  // namespace
}  // namespace pixfleet
