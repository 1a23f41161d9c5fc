// StatusCodeFromName inverts StatusCodeName for every code, and rejects anything else.
#include "results/status_code_name.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(StatusCodeNameTest, EveryCodeRoundTripsThroughItsName) {
  for (int value = static_cast<int>(StatusCode::kOk); value <= static_cast<int>(kLastStatusCode);
       ++value) {
    const auto code = static_cast<StatusCode>(value);
    EXPECT_EQ(StatusCodeFromName(StatusCodeName(code)), code) << StatusCodeName(code);
  }
  EXPECT_EQ(StatusCodeFromName("resource_exhausted"), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusCodeFromName("failed_precondition"), StatusCode::kFailedPrecondition);
}

TEST(StatusCodeNameTest, UnknownNamesAreNullopt) {
  EXPECT_EQ(StatusCodeFromName(""), std::nullopt);
  EXPECT_EQ(StatusCodeFromName("INVALID_ARGUMENT"), std::nullopt);
  EXPECT_EQ(StatusCodeFromName("unknown"), std::nullopt);
  EXPECT_EQ(StatusCodeFromName("kInvalidArgument"), std::nullopt);
}

}  // namespace
}  // namespace pixfleet
