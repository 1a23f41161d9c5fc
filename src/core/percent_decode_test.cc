#include "core/percent_decode.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(PercentDecodeTest, DecodesValidEscapesAndKeepsTheRest) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%2f"), "a b/c/");
  EXPECT_EQ(PercentDecode("p%40ss%3Aword"), "p@ss:word");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("%C3%A9"), "\xc3\xa9");
}

}  // namespace
}  // namespace pixfleet
