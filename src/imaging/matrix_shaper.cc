// The matrix and curves come from lcms2's reading of the profiles (the source's, and lcms' own
// sRGB, the profile libvips converts to as well), so the arithmetic here is all there is.
#include "imaging/matrix_shaper.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include <lcms2.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pixfleet {
namespace {

constexpr size_t kCurveSteps = 65536;  // the sRGB curve's table: 16-bit linear values

struct ProfileCloser {
  void operator()(void* profile) const { cmsCloseProfile(profile); }
};
using Profile = std::unique_ptr<void, ProfileCloser>;

using Matrix = std::array<double, 9>;  // row-major

// The columns are the red, green and blue colorants (XYZ, adapted to D50 as ICC stores them).
std::optional<Matrix> ColorantMatrix(cmsHPROFILE profile) {
  Matrix m{};
  const cmsTagSignature tags[3] = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                   cmsSigBlueColorantTag};
  for (size_t column = 0; column < 3; ++column) {
    const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(profile, tags[column]));
    if (xyz == nullptr) return std::nullopt;
    m[column] = xyz->X;
    m[3 + column] = xyz->Y;
    m[6 + column] = xyz->Z;
  }
  return m;
}

std::optional<Matrix> Inverse(const Matrix& m) {
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  if (!std::isfinite(det) || std::abs(det) < 1e-9) return std::nullopt;
  return Matrix{(m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det,
                (m[1] * m[5] - m[2] * m[4]) / det, (m[5] * m[6] - m[3] * m[8]) / det,
                (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
                (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det,
                (m[0] * m[4] - m[1] * m[3]) / det};
}

Matrix Product(const Matrix& a, const Matrix& b) {
  Matrix p{};
  for (size_t row = 0; row < 3; ++row) {
    for (size_t column = 0; column < 3; ++column) {
      for (size_t k = 0; k < 3; ++k) p[row * 3 + column] += a[row * 3 + k] * b[k * 3 + column];
    }
  }
  return p;
}

// XYZ (D50) to linear sRGB: the inverse of lcms' sRGB profile's colorant matrix. Made once.
const std::optional<Matrix>& XyzToLinearSrgb() {
  static const std::optional<Matrix> kMatrix = []() -> std::optional<Matrix> {
    const Profile srgb(cmsCreate_sRGBProfile());
    if (!srgb) return std::nullopt;
    const std::optional<Matrix> colorants = ColorantMatrix(srgb.get());
    return colorants ? Inverse(*colorants) : std::nullopt;
  }();
  return kMatrix;
}

// The sRGB curve (IEC 61966-2-1) from a linear value in 1/65535 steps to 8 bits. Made once.
const std::array<uint8_t, kCurveSteps>& SrgbCurve() {
  static const auto kCurve = [] {
    std::array<uint8_t, kCurveSteps> curve{};
    for (size_t i = 0; i < kCurveSteps; ++i) {
      const double linear = static_cast<double>(i) / (kCurveSteps - 1);
      const double encoded =
          linear <= 0.0031308 ? 12.92 * linear : 1.055 * std::pow(linear, 1.0 / 2.4) - 0.055;
      curve[i] = static_cast<uint8_t>(std::lround(std::clamp(encoded, 0.0, 1.0) * 255.0));
    }
    return curve;
  }();
  return kCurve;
}

}  // namespace

std::optional<MatrixShaperToSrgb> MatrixShaperToSrgb::FromProfile(
    std::span<const uint8_t> profile) {
  if (profile.empty()) return std::nullopt;
  const Profile source(
      cmsOpenProfileFromMem(profile.data(), static_cast<cmsUInt32Number>(profile.size())));
  if (!source || cmsGetColorSpace(source.get()) != cmsSigRgbData ||
      cmsGetPCS(source.get()) != cmsSigXYZData || !cmsIsMatrixShaper(source.get()) ||
      cmsIsCLUT(source.get(), INTENT_RELATIVE_COLORIMETRIC, LCMS_USED_AS_INPUT)) {
    return std::nullopt;
  }
  const std::optional<Matrix> colorants = ColorantMatrix(source.get());
  const std::optional<Matrix>& to_srgb = XyzToLinearSrgb();
  if (!colorants || !to_srgb) return std::nullopt;

  MatrixShaperToSrgb transform;
  const cmsTagSignature curves[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
  for (size_t channel = 0; channel < 3; ++channel) {
    const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(source.get(), curves[channel]));
    if (curve == nullptr) return std::nullopt;
    for (size_t value = 0; value < 256; ++value) {
      const float linear = cmsEvalToneCurveFloat(curve, static_cast<float>(value) / 255.0F);
      if (!std::isfinite(linear)) return std::nullopt;
      transform.linear_[channel][value] = linear;
    }
  }
  const Matrix combined = Product(*to_srgb, *colorants);
  for (size_t i = 0; i < 9; ++i) {
    if (!std::isfinite(combined[i])) return std::nullopt;
    transform.matrix_[i] = static_cast<float>(combined[i]);
  }
  return transform;
}

void MatrixShaperToSrgb::Convert(const uint8_t* in, uint8_t* out, size_t pixels) const {
  const std::array<uint8_t, kCurveSteps>& curve = SrgbCurve();
  const auto& m = matrix_;
  constexpr float kSteps = static_cast<float>(kCurveSteps - 1);
#if defined(__SSE2__)
  // The three output channels side by side in one vector: the matrix's columns times the pixel's
  // channels, added in the order of the plain code below (so the same floats), then one clamp,
  // one scaling and one conversion for all three. Half the time of a channel at a time.
  const __m128 red = _mm_setr_ps(m[0], m[3], m[6], 0.0F);
  const __m128 green = _mm_setr_ps(m[1], m[4], m[7], 0.0F);
  const __m128 blue = _mm_setr_ps(m[2], m[5], m[8], 0.0F);
  const __m128 zero = _mm_setzero_ps();
  const __m128 one = _mm_set1_ps(1.0F);
  const __m128 steps = _mm_set1_ps(kSteps);
  const __m128 half = _mm_set1_ps(0.5F);
  for (size_t p = 0; p < pixels; ++p) {
    const __m128 r = _mm_set1_ps(linear_[0][in[3 * p]]);
    const __m128 g = _mm_set1_ps(linear_[1][in[3 * p + 1]]);
    const __m128 b = _mm_set1_ps(linear_[2][in[3 * p + 2]]);
    __m128 v =
        _mm_add_ps(_mm_add_ps(_mm_mul_ps(red, r), _mm_mul_ps(green, g)), _mm_mul_ps(blue, b));
    v = _mm_min_ps(_mm_max_ps(v, zero), one);
    alignas(16) int32_t index[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(index),
                    _mm_cvttps_epi32(_mm_add_ps(_mm_mul_ps(v, steps), half)));
    for (size_t c = 0; c < 3; ++c) out[3 * p + c] = curve[static_cast<size_t>(index[c])];
  }
#else
  for (size_t p = 0; p < pixels; ++p) {
    const float r = linear_[0][in[3 * p]];
    const float g = linear_[1][in[3 * p + 1]];
    const float b = linear_[2][in[3 * p + 2]];
    for (size_t c = 0; c < 3; ++c) {
      const float v = std::clamp(m[3 * c] * r + m[3 * c + 1] * g + m[3 * c + 2] * b, 0.0F, 1.0F);
      out[3 * p + c] = curve[static_cast<size_t>(v * kSteps + 0.5F)];
    }
  }
#endif
}

}  // namespace pixfleet
