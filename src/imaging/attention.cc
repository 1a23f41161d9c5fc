// The attention map and the window search; attention.h says what they compute and why.
#include "imaging/attention.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "imaging/analysis.h"

namespace pixfleet {
namespace {

constexpr double kSkinWeight = 2.0;
constexpr double kColourWeight = 0.5;

// Skin tones in chromaticity (r / (r+g+b), g / (r+g+b)): from pale to dark complexions they lie
// near (0.45, 0.325), spread along r far more than along g. Measured from typical skin colours
// (e.g. 255,219,172 → 0.39,0.34; 224,172,140 → 0.42,0.32; 141,85,36 → 0.54,0.32).
constexpr double kSkinRed = 0.45;
constexpr double kSkinGreen = 0.325;
constexpr double kSkinRedSpread = 0.12;
constexpr double kSkinGreenSpread = 0.045;

// Chroma (max - min channel, 0..1) below this is grey-ish and scores nothing; full at 0.8.
constexpr double kGreyChroma = 0.2;
constexpr double kFullChroma = 0.8;

struct CellSums {
  uint64_t red = 0;  // colours weighted by opacity (0..255)
  uint64_t green = 0;
  uint64_t blue = 0;
  uint64_t opacity = 0;
  uint64_t gradient = 0;
  uint64_t pixels = 0;
};

double Skin(double red, double green, double blue) {
  if (!(red > green && green > blue)) return 0;
  const double luma = 0.299 * red + 0.587 * green + 0.114 * blue;
  if (luma < 40 || luma > 245) return 0;  // too dark or blown out to tell
  const double sum = red + green + blue;
  const double distance = std::hypot((red / sum - kSkinRed) / kSkinRedSpread,
                                     (green / sum - kSkinGreen) / kSkinGreenSpread);
  return std::max(0.0, 1.0 - distance);
}

double Colour(double red, double green, double blue) {
  const double chroma = (std::max({red, green, blue}) - std::min({red, green, blue})) / 255.0;
  return std::clamp((chroma - kGreyChroma) / (kFullChroma - kGreyChroma), 0.0, 1.0);
}

double Score(const CellSums& sums) {
  if (sums.opacity == 0) return 0;
  const auto opacity = static_cast<double>(sums.opacity);
  const double red = static_cast<double>(sums.red) / opacity;
  const double green = static_cast<double>(sums.green) / opacity;
  const double blue = static_cast<double>(sums.blue) / opacity;
  const auto pixels = static_cast<double>(sums.pixels);
  const double detail = std::min(1.0, static_cast<double>(sums.gradient) / pixels / kDetailFull);
  const double interest =
      detail + kSkinWeight * Skin(red, green, blue) + kColourWeight * Colour(red, green, blue);
  return interest * opacity / (255.0 * pixels);
}

uint8_t LumaOf(const uint8_t* pixel, int bands) {
  return bands >= 3 ? Luma601(pixel[0], pixel[1], pixel[2]) : pixel[0];
}

// Adds row `y` of `image` to the cells of `cell_row`; `luma_above` holds row y-1's luma and
// is replaced by row y's.
void AddRow(const PixelRows& image, int y, const std::vector<int>& column_cell,
            std::vector<uint8_t>& luma_above, CellSums* cell_row) {
  const int bands = image.bands;
  const uint8_t* row = image.Row(y);
  const bool has_alpha = bands == 2 || bands == 4;
  uint8_t left = 0;
  for (int x = 0; x < image.width; ++x) {
    const uint8_t* pixel = row + static_cast<size_t>(x) * static_cast<size_t>(bands);
    const unsigned alpha = has_alpha ? pixel[bands - 1] : 255u;
    // Premultiplied: invisible pixels have no detail, an outline against them does.
    const auto luma = static_cast<uint8_t>(has_alpha ? (LumaOf(pixel, bands) * alpha + 127) / 255
                                                     : LumaOf(pixel, bands));
    CellSums& sums = cell_row[column_cell[static_cast<size_t>(x)]];
    const uint8_t red = pixel[0];
    const uint8_t green = bands >= 3 ? pixel[1] : red;
    const uint8_t blue = bands >= 3 ? pixel[2] : red;
    const uint64_t weight = alpha;
    sums.red += weight * red;
    sums.green += weight * green;
    sums.blue += weight * blue;
    sums.opacity += weight;
    uint8_t& above = luma_above[static_cast<size_t>(x)];
    if (x > 0) sums.gradient += static_cast<uint64_t>(std::abs(luma - left));
    if (y > 0) sums.gradient += static_cast<uint64_t>(std::abs(luma - above));
    ++sums.pixels;
    above = luma;
    left = luma;
  }
}

// Where pixel coordinate `at` (0..extent) falls among cells of `cell` pixels, `count` of them,
// the last cut short at `extent`: the cell and the fraction of it before `at`.
std::pair<int, double> Locate(int at, int cell, int count, int extent) {
  const int index = std::min(at / cell, count - 1);
  const int start = index * cell;
  const int end = std::min(extent, start + cell);
  return {index, static_cast<double>(at - start) / static_cast<double>(end - start)};
}

// The score within [0, x) x [0, y) in pixel coordinates, each cell's score spread evenly over
// its pixels: bilinear between the summed-area table's corners, which is exact for that spread.
class ScoreIntegral {
 public:
  ScoreIntegral(const AttentionMap& map, int width, int height)
      : map_(map), width_(width), height_(height) {
    const auto stride = static_cast<size_t>(map.columns) + 1;
    table_.assign(stride * (static_cast<size_t>(map.rows) + 1), 0.0);
    for (int row = 0; row < map.rows; ++row) {
      const int cell_height = std::min(height, (row + 1) * map.cell) - row * map.cell;
      double row_sum = 0;
      for (int column = 0; column < map.columns; ++column) {
        const int cell_width = std::min(width, (column + 1) * map.cell) - column * map.cell;
        row_sum += map.At(column, row) * cell_width * cell_height;
        table_[Index(column + 1, row + 1)] = table_[Index(column + 1, row)] + row_sum;
      }
    }
  }

  double Below(int x, int y) const {
    const auto [column, fx] = Locate(x, map_.cell, map_.columns, width_);
    const auto [row, fy] = Locate(y, map_.cell, map_.rows, height_);
    const double top = Lerp(table_[Index(column, row)], table_[Index(column + 1, row)], fx);
    const double bottom =
        Lerp(table_[Index(column, row + 1)], table_[Index(column + 1, row + 1)], fx);
    return Lerp(top, bottom, fy);
  }

  double Window(int x, int y, Size size) const {
    return Below(x + size.width, y + size.height) - Below(x, y + size.height) -
           Below(x + size.width, y) + Below(x, y);
  }

 private:
  static double Lerp(double from, double to, double fraction) {
    return from + (to - from) * fraction;
  }
  size_t Index(int column, int row) const {
    return static_cast<size_t>(row) * (static_cast<size_t>(map_.columns) + 1) +
           static_cast<size_t>(column);
  }

  const AttentionMap& map_;
  int width_;
  int height_;
  std::vector<double> table_;
};

// Window origins along one axis: every `step` pixels from 0, the centred one and the far end.
std::vector<int> Origins(int slack, int step) {
  std::vector<int> origins;
  for (int at = 0; at < slack; at += step) origins.push_back(at);
  origins.push_back(slack);
  if (slack / 2 % step != 0) origins.push_back(slack / 2);
  return origins;
}

}  // namespace

AttentionMap MakeAttentionMap(const PixelRows& image) {
  AttentionMap map;
  const int longer = std::max(image.width, image.height);
  map.cell = std::max(1, (longer + kAttentionCells - 1) / kAttentionCells);
  map.columns = (image.width + map.cell - 1) / map.cell;
  map.rows = (image.height + map.cell - 1) / map.cell;

  std::vector<int> column_cell(static_cast<size_t>(image.width));
  for (int x = 0; x < image.width; ++x) column_cell[static_cast<size_t>(x)] = x / map.cell;
  std::vector<CellSums> sums(static_cast<size_t>(map.columns) * static_cast<size_t>(map.rows));
  std::vector<uint8_t> luma_above(static_cast<size_t>(image.width));
  for (int y = 0; y < image.height; ++y) {
    CellSums* cell_row =
        sums.data() + static_cast<size_t>(y / map.cell) * static_cast<size_t>(map.columns);
    AddRow(image, y, column_cell, luma_above, cell_row);
  }
  map.score.reserve(sums.size());
  for (const CellSums& cell : sums) map.score.push_back(Score(cell));
  return map;
}

CropOrigin AttentionCropOrigin(const PixelRows& image, Size crop) {
  const int slack_x = image.width - crop.width;
  const int slack_y = image.height - crop.height;
  if (slack_x == 0 && slack_y == 0) return {};
  const AttentionMap map = MakeAttentionMap(image);
  const ScoreIntegral integral(map, image.width, image.height);

  // A quarter cell is finer than the map can tell apart; a search at most 256 x 256 origins.
  const int step = std::max(1, map.cell / 4);
  const std::vector<int> xs = Origins(slack_x, step);
  const std::vector<int> ys = Origins(slack_y, step);
  std::vector<double> scores;
  scores.reserve(xs.size() * ys.size());
  double best = 0;
  for (int y : ys) {
    for (int x : xs) {
      scores.push_back(integral.Window(x, y, crop));
      best = std::max(best, scores.back());
    }
  }
  if (best <= 0) return {slack_x / 2, slack_y / 2};  // nothing of interest anywhere
  // Nearest the centred window among those as good as the best, to rounding.
  const double good_enough = best * (1.0 - kTolerance);
  CropOrigin chosen{slack_x / 2, slack_y / 2};
  double chosen_distance = -1;
  size_t index = 0;
  for (int y : ys) {
    for (int x : xs) {
      if (scores[index++] < good_enough) continue;
      const double dx = x - slack_x / 2.0;
      const double dy = y - slack_y / 2.0;
      const double distance = dx * dx + dy * dy;
      if (chosen_distance < 0 || distance < chosen_distance) {
        chosen = {x, y};
        chosen_distance = distance;
      }
    }
  }
  return chosen;
}

}  // namespace pixfleet
