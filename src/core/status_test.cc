#include "core/status.h"

#include <memory>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("not positive");
  return v;
}

Result<int> Doubled(int v) {
  PIXFLEET_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return x * 2;
}

Status CheckBoth(int a, int b) {
  PIXFLEET_RETURN_IF_ERROR(ParsePositive(a).status());
  PIXFLEET_RETURN_IF_ERROR(ParsePositive(b).status().WithContext("second"));
  return Status::Ok();
}

TEST(StatusTest, RetryableOnlyForTransientCodes) {
  EXPECT_TRUE(Unavailable("x").IsRetryable());
  EXPECT_TRUE(DeadlineExceeded("x").IsRetryable());
  EXPECT_FALSE(InvalidArgument("x").IsRetryable());
  EXPECT_FALSE(ResourceExhausted("x").IsRetryable());
  EXPECT_FALSE(NotFound("x").IsRetryable());
  EXPECT_FALSE(Internal("x").IsRetryable());
  EXPECT_FALSE(Status::Ok().IsRetryable());
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  EXPECT_EQ(NotFound("no such key").ToString(), "not_found: no such key");
  EXPECT_EQ(Unavailable("down").WithContext("put a/b").ToString(), "unavailable: put a/b: down");
}

TEST(StatusTest, MacrosPropagateErrors) {
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  const Status s = CheckBoth(1, -2);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "second: not positive");
  EXPECT_EQ(*Doubled(4), 8);
  EXPECT_EQ(Doubled(-1).error().code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> owned = std::move(r).value();
  EXPECT_EQ(*owned, 7);
  Result<std::unique_ptr<int>> e(Unavailable("later"));
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pixfleet
