// Pure analysis helpers; see analysis.h for the definitions they follow.
#include "imaging/analysis.h"

#include <cstddef>
#include <string>

namespace pixfleet {

uint8_t Luma601(uint8_t r, uint8_t g, uint8_t b) {
  const unsigned weighted = 299u * r + 587u * g + 114u * b;
  return static_cast<uint8_t>((weighted + 500u) / 1000u);
}

Result<uint64_t> DifferenceHash(std::span<const uint8_t> samples, int bands) {
  if (bands < 1 || bands > 4) {
    return InvalidArgument("dHash needs 1 to 4 bands, got " + std::to_string(bands));
  }
  const auto stride = static_cast<size_t>(bands);
  const size_t expected = static_cast<size_t>(kDhashWidth * kDhashHeight) * stride;
  if (samples.size() != expected) {
    return InvalidArgument("dHash needs a 9x8 image: " + std::to_string(expected) +
                           " samples, got " + std::to_string(samples.size()));
  }
  auto grey = [&](int x, int y) -> uint8_t {
    const size_t at = (static_cast<size_t>(y) * kDhashWidth + static_cast<size_t>(x)) * stride;
    if (bands <= 2) return samples[at];
    return Luma601(samples[at], samples[at + 1], samples[at + 2]);
  };
  uint64_t hash = 0;
  for (int y = 0; y < kDhashHeight; ++y) {
    for (int x = 0; x < kDhashWidth - 1; ++x) {
      hash = (hash << 1) | (grey(x, y) > grey(x + 1, y) ? 1u : 0u);
    }
  }
  return hash;
}

Result<std::array<double, 3>> MeanColourFromBandMeans(std::span<const double> band_means) {
  switch (band_means.size()) {
    case 1:
    case 2:
      return std::array<double, 3>{band_means[0], band_means[0], band_means[0]};
    case 3:
    case 4:
      return std::array<double, 3>{band_means[0], band_means[1], band_means[2]};
    default:
      return InvalidArgument("mean colour needs 1 to 4 bands, got " +
                             std::to_string(band_means.size()));
  }
}

}  // namespace pixfleet
