#include "imaging/icc.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

void Put32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  bytes[at] = static_cast<uint8_t>(value >> 24);
  bytes[at + 1] = static_cast<uint8_t>(value >> 16);
  bytes[at + 2] = static_cast<uint8_t>(value >> 8);
  bytes[at + 3] = static_cast<uint8_t>(value);
}

void PutText(std::vector<uint8_t>& bytes, size_t at, const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) bytes[at + i] = static_cast<uint8_t>(text[i]);
}

// A minimal profile: header with `space`, one tag ('desc') holding `tag`.
std::vector<uint8_t> Profile(const std::string& space, const std::vector<uint8_t>& tag) {
  std::vector<uint8_t> bytes(144, 0);
  PutText(bytes, 16, space);
  Put32(bytes, 128, 1);
  PutText(bytes, 132, "desc");
  Put32(bytes, 136, 144);
  Put32(bytes, 140, static_cast<uint32_t>(tag.size()));
  bytes.insert(bytes.end(), tag.begin(), tag.end());
  return bytes;
}

std::vector<uint8_t> DescV2(const std::string& text) {
  std::vector<uint8_t> tag(12 + text.size() + 1, 0);
  PutText(tag, 0, "desc");
  Put32(tag, 8, static_cast<uint32_t>(text.size() + 1));
  PutText(tag, 12, text);
  return tag;
}

std::vector<uint8_t> MlucV4(const std::string& text) {
  std::vector<uint8_t> tag(28, 0);
  PutText(tag, 0, "mluc");
  Put32(tag, 8, 1);
  Put32(tag, 12, 12);
  PutText(tag, 16, "enUS");
  Put32(tag, 20, static_cast<uint32_t>(text.size() * 2));
  Put32(tag, 24, 28);
  for (char c : text) tag.insert(tag.end(), {0, static_cast<uint8_t>(c)});
  return tag;
}

TEST(IccTest, ReadsColourSpace) {
  EXPECT_EQ(IccProfileColourSpace(Profile("RGB ", DescV2("x"))), IccColourSpace::kRgb);
  EXPECT_EQ(IccProfileColourSpace(Profile("CMYK", DescV2("x"))), IccColourSpace::kCmyk);
  EXPECT_EQ(IccProfileColourSpace(Profile("GRAY", DescV2("x"))), IccColourSpace::kGrey);
  EXPECT_EQ(IccProfileColourSpace(Profile("Lab ", DescV2("x"))), IccColourSpace::kLab);
  EXPECT_EQ(IccProfileColourSpace(Profile("XYZ ", DescV2("x"))), IccColourSpace::kOther);
}

TEST(IccTest, ReadsV2AndV4Descriptions) {
  EXPECT_EQ(IccProfileDescription(Profile("RGB ", DescV2("sRGB IEC61966-2.1"))),
            "sRGB IEC61966-2.1");
  EXPECT_EQ(IccProfileDescription(Profile("RGB ", MlucV4("Display P3"))), "Display P3");
}

TEST(IccTest, RecognisesSrgbOnlyForRgbProfiles) {
  EXPECT_TRUE(IsSrgbProfile(Profile("RGB ", DescV2("sRGB built-in"))));
  EXPECT_TRUE(IsSrgbProfile(Profile("RGB ", MlucV4("sRGB IEC61966-2.1"))));
  EXPECT_FALSE(IsSrgbProfile(Profile("RGB ", DescV2("Adobe RGB (1998)"))));
  EXPECT_FALSE(IsSrgbProfile(Profile("GRAY", DescV2("sRGB-ish grey"))));
}

TEST(IccTest, MalformedProfilesAreHarmless) {
  EXPECT_EQ(IccProfileColourSpace({}), IccColourSpace::kOther);
  EXPECT_EQ(IccProfileDescription({}), "");
  std::vector<uint8_t> lying = Profile("RGB ", DescV2("sRGB"));
  Put32(lying, 128, 1000);  // tag count far beyond the data
  Put32(lying, 132, 0);     // and the only entry no longer 'desc'
  EXPECT_EQ(IccProfileDescription(lying), "");
  std::vector<uint8_t> out_of_range = Profile("RGB ", DescV2("sRGB"));
  Put32(out_of_range, 136, 100000);
  EXPECT_EQ(IccProfileDescription(out_of_range), "");
  EXPECT_FALSE(IsSrgbProfile(out_of_range));
}

}  // namespace
}  // namespace pixfleet
