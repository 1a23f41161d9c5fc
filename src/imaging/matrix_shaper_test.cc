#include "imaging/matrix_shaper.h"

#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <lcms2.h>

namespace pixfleet {
namespace {

struct ProfileCloser {
  void operator()(void* profile) const { cmsCloseProfile(profile); }
};
using Profile = std::unique_ptr<void, ProfileCloser>;

std::vector<uint8_t> Bytes(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  EXPECT_TRUE(cmsSaveProfileToMem(profile, nullptr, &size));
  std::vector<uint8_t> bytes(size);
  EXPECT_TRUE(cmsSaveProfileToMem(profile, bytes.data(), &size));
  return bytes;
}

struct ToneCurveFreer {
  void operator()(cmsToneCurve* curve) const { cmsFreeToneCurve(curve); }
};

// An RGB matrix-shaper profile with these primaries, D65 white and one curve for all channels.
Profile RgbProfile(const cmsCIExyYTRIPLE& primaries, cmsToneCurve* curve) {
  cmsCIExyY white;
  cmsWhitePointFromTemp(&white, 6504);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  return Profile(cmsCreateRGBProfile(&white, &primaries, curves));
}

// Display P3 (sRGB's curve) and Adobe RGB (1998) (gamma 563/256), the two wide gamuts phones and
// cameras write most.
Profile DisplayP3() {
  const cmsFloat64Number srgb_curve[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  const std::unique_ptr<cmsToneCurve, ToneCurveFreer> curve(
      cmsBuildParametricToneCurve(nullptr, 4, srgb_curve));
  return RgbProfile({{0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}}, curve.get());
}

Profile AdobeRgb() {
  const std::unique_ptr<cmsToneCurve, ToneCurveFreer> curve(cmsBuildGamma(nullptr, 563.0 / 256.0));
  return RgbProfile({{0.64, 0.33, 1}, {0.21, 0.71, 1}, {0.15, 0.06, 1}}, curve.get());
}

// lcms' own conversion to its sRGB profile (relative colorimetric), in floats, rounded.
std::vector<uint8_t> LcmsConvert(cmsHPROFILE source, const std::vector<uint8_t>& in) {
  const Profile srgb(cmsCreate_sRGBProfile());
  cmsHTRANSFORM transform =
      cmsCreateTransform(source, TYPE_RGB_8, srgb.get(), TYPE_RGB_DBL, INTENT_RELATIVE_COLORIMETRIC,
                         cmsFLAGS_NOOPTIMIZE | cmsFLAGS_NOCACHE);
  EXPECT_NE(transform, nullptr);
  std::vector<double> converted(in.size());
  cmsDoTransform(transform, in.data(), converted.data(),
                 static_cast<cmsUInt32Number>(in.size() / 3));
  cmsDeleteTransform(transform);
  std::vector<uint8_t> out;
  for (const double value : converted) {
    out.push_back(static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0)));
  }
  return out;
}

std::vector<uint8_t> RandomPixels(size_t pixels) {
  std::vector<uint8_t> bytes(pixels * 3);
  std::mt19937 random(11);
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random() & 0xFF);
  // And every grey level, where a curve's error would show most.
  for (int level = 0; level < 256; ++level) {
    bytes.insert(bytes.end(), 3, static_cast<uint8_t>(level));
  }
  return bytes;
}

TEST(MatrixShaperToSrgbTest, ConvertsAsLcmsDoesWithinALevel) {
  const std::vector<uint8_t> in = RandomPixels(20000);
  for (const Profile& profile : {DisplayP3(), AdobeRgb()}) {
    const std::vector<uint8_t> bytes = Bytes(profile.get());
    const auto transform = MatrixShaperToSrgb::FromProfile(bytes);
    ASSERT_TRUE(transform.has_value());
    std::vector<uint8_t> out(in.size());
    transform->Convert(in.data(), out.data(), in.size() / 3);
    const std::vector<uint8_t> expected = LcmsConvert(profile.get(), in);
    int differ = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_LE(std::abs(out[i] - expected[i]), 1) << "sample " << i << " of " << in[i];
      differ += out[i] != expected[i] ? 1 : 0;
    }
    EXPECT_LT(differ, static_cast<int>(in.size() / 100)) << "off by one in over 1 % of samples";
    // Wide gamuts: pure colours lie outside sRGB and clip; white stays white, black black.
    EXPECT_EQ(out[out.size() - 1], 255);
    EXPECT_EQ(out[out.size() - 256 * 3], 0);
  }
}

TEST(MatrixShaperToSrgbTest, ConvertsInPlace) {
  const Profile profile = DisplayP3();
  const auto transform = MatrixShaperToSrgb::FromProfile(Bytes(profile.get()));
  ASSERT_TRUE(transform.has_value());
  const std::vector<uint8_t> in = RandomPixels(1000);
  std::vector<uint8_t> apart(in.size());
  transform->Convert(in.data(), apart.data(), in.size() / 3);
  std::vector<uint8_t> same = in;
  transform->Convert(same.data(), same.data(), same.size() / 3);
  EXPECT_EQ(same, apart);
}

TEST(MatrixShaperToSrgbTest, OtherProfilesAreLeftToTheGeneralPath) {
  const std::unique_ptr<cmsToneCurve, ToneCurveFreer> gamma(cmsBuildGamma(nullptr, 2.2));
  const Profile grey(cmsCreateGrayProfile(cmsD50_xyY(), gamma.get()));
  EXPECT_FALSE(MatrixShaperToSrgb::FromProfile(Bytes(grey.get())).has_value());
  const Profile lab(cmsCreateLab4Profile(nullptr));
  EXPECT_FALSE(MatrixShaperToSrgb::FromProfile(Bytes(lab.get())).has_value());
  const std::vector<uint8_t> garbage(600, 0x5A);
  EXPECT_FALSE(MatrixShaperToSrgb::FromProfile(garbage).has_value());
  EXPECT_FALSE(MatrixShaperToSrgb::FromProfile({}).has_value());
  // A profile cut short.
  std::vector<uint8_t> cut = Bytes(DisplayP3().get());
  cut.resize(cut.size() / 2);
  EXPECT_FALSE(MatrixShaperToSrgb::FromProfile(cut).has_value());
}

}  // namespace
}  // namespace pixfleet
