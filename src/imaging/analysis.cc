// Pure analysis helpers; see analysis.h for the definitions they follow.
#include "imaging/analysis.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "imaging/lanczos3.h"

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

std::vector<double> BandMeans(const PixelRows& pixels) {
  const auto bands = static_cast<size_t>(pixels.bands);
  std::vector<uint64_t> sums(bands, 0);
  for (int y = 0; y < pixels.height; ++y) {
    const uint8_t* row = pixels.Row(y);
    for (size_t at = 0; at < static_cast<size_t>(pixels.width) * bands; at += bands) {
      for (size_t band = 0; band < bands; ++band) sums[band] += row[at + band];
    }
  }
  const double count = static_cast<double>(pixels.width) * static_cast<double>(pixels.height);
  std::vector<double> means;
  means.reserve(bands);
  for (const uint64_t sum : sums) means.push_back(static_cast<double>(sum) / count);
  return means;
}

Position StoredPosition(int x, int y, Size stored, int orientation) {
  const int right = stored.width - 1;
  const int bottom = stored.height - 1;
  switch (orientation) {
    case 2:  // mirrored left to right
      return {right - x, y};
    case 3:  // turned 180°
      return {right - x, bottom - y};
    case 4:  // mirrored top to bottom
      return {x, bottom - y};
    case 5:  // transposed
      return {y, x};
    case 6:  // to be turned 90° clockwise
      return {y, bottom - x};
    case 7:  // transposed across the other diagonal
      return {right - y, bottom - x};
    case 8:  // to be turned 90° anticlockwise
      return {right - y, x};
    default:
      return {x, y};
  }
}

namespace {

// `pixels` averaged over blocks of `block` (the remainder of a partial block at the right or
// bottom edge left out), rows handed to `reducer` and output rows written to `out` as soon as
// the reducer has what they read.
void BlockAverageInto(const PixelRows& pixels, Size block, Lanczos3Reducer& reducer, Size target,
                      uint8_t* out) {
  const auto bands = static_cast<size_t>(pixels.bands);
  const int width = pixels.width / block.width;
  const int height = pixels.height / block.height;
  const auto line = static_cast<size_t>(width) * bands;
  const auto out_line = static_cast<size_t>(target.width) * bands;
  const auto area = static_cast<uint32_t>(block.width * block.height);
  std::vector<uint32_t> sums(line);
  std::vector<uint8_t> row(line);
  int next_out = 0;
  for (int y = 0; y < height; ++y) {
    std::fill(sums.begin(), sums.end(), 0u);
    for (int in_y = y * block.height; in_y < (y + 1) * block.height; ++in_y) {
      const uint8_t* in = pixels.Row(in_y);
      for (size_t x = 0; x < static_cast<size_t>(width); ++x) {
        const uint8_t* pixel = in + x * static_cast<size_t>(block.width) * bands;
        uint32_t* sum = sums.data() + x * bands;
        for (int column = 0; column < block.width; ++column, pixel += bands) {
          for (size_t band = 0; band < bands; ++band) sum[band] += pixel[band];
        }
      }
    }
    for (size_t i = 0; i < line; ++i) row[i] = static_cast<uint8_t>((sums[i] + area / 2) / area);
    reducer.AddInputRow(y, row.data());
    for (; next_out < target.height && reducer.EndInputRow(next_out) <= y + 1; ++next_out) {
      reducer.OutputRow(next_out, out + static_cast<size_t>(next_out) * out_line);
    }
  }
}

}  // namespace

Result<uint64_t> DifferenceHashOfPixels(const PixelRows& pixels, int orientation) {
  if (pixels.bands < 1 || pixels.bands > 4) {
    return InvalidArgument("dHash needs 1 to 4 bands, got " + std::to_string(pixels.bands));
  }
  const Size target = OrientationSwapsAxes(orientation) ? Size{kDhashHeight, kDhashWidth}
                                                        : Size{kDhashWidth, kDhashHeight};
  if (pixels.width < target.width || pixels.height < target.height) {
    return InvalidArgument("dHash of pixels needs at least " + std::to_string(target.width) + "x" +
                           std::to_string(target.height) + " pixels");
  }
  // Blocks that leave 4 to 8 times the target: a reduce the Lanczos reducer does in one pass.
  const Size block{std::max(1, pixels.width / (target.width * 4)),
                   std::max(1, pixels.height / (target.height * 4))};
  const Size averaged{pixels.width / block.width, pixels.height / block.height};
  const auto bands = static_cast<size_t>(pixels.bands);
  std::vector<uint8_t> stored(static_cast<size_t>(kDhashWidth * kDhashHeight) * bands);
  Lanczos3Reducer reducer(averaged, target, pixels.bands);
  BlockAverageInto(pixels, block, reducer, target, stored.data());

  std::vector<uint8_t> upright(stored.size());
  for (int y = 0; y < kDhashHeight; ++y) {
    for (int x = 0; x < kDhashWidth; ++x) {
      const Position from = StoredPosition(x, y, target, orientation);
      const size_t source = (static_cast<size_t>(from.y) * static_cast<size_t>(target.width) +
                             static_cast<size_t>(from.x)) *
                            bands;
      const size_t destination =
          (static_cast<size_t>(y) * kDhashWidth + static_cast<size_t>(x)) * bands;
      std::copy_n(stored.begin() + static_cast<ptrdiff_t>(source), bands,
                  upright.begin() + static_cast<ptrdiff_t>(destination));
    }
  }
  return DifferenceHash(upright, pixels.bands);
}

}  // namespace pixfleet
