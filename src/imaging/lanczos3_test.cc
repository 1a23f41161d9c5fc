#include "imaging/lanczos3.h"

#include <cmath>
#include <cstdlib>
#include <numbers>
#include <random>

#include <gtest/gtest.h>

#include "imaging/lanczos3_fixed.h"

namespace pixfleet {
namespace {

struct Pixels {
  Size size;
  int bands = 3;
  std::vector<uint8_t> data;

  uint8_t At(int x, int y, int band) const {
    return data[(static_cast<size_t>(y) * static_cast<size_t>(size.width) +
                 static_cast<size_t>(x)) *
                    static_cast<size_t>(bands) +
                static_cast<size_t>(band)];
  }
};

Pixels Random(Size size, int bands, unsigned seed) {
  Pixels image{size, bands, {}};
  image.data.resize(static_cast<size_t>(size.width) * static_cast<size_t>(size.height) *
                    static_cast<size_t>(bands));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> value(0, 255);
  for (uint8_t& sample : image.data) sample = static_cast<uint8_t>(value(random));
  return image;
}

// Streams `in` through the reducer the way ReduceHere does: input rows in strips of `strip`
// rows, fetched only when the next output row needs a row not yet added.
Pixels Reduce(const Pixels& in, Size out, int strip = 16,
              Lanczos3Code code = Lanczos3Code::kFastest) {
  Lanczos3Reducer reducer(in.size, out, in.bands, code);
  Pixels result{out, in.bands, {}};
  const size_t in_line = static_cast<size_t>(in.size.width) * static_cast<size_t>(in.bands);
  const size_t out_line = static_cast<size_t>(out.width) * static_cast<size_t>(in.bands);
  result.data.resize(out_line * static_cast<size_t>(out.height));
  int next = 0;
  for (int y = 0; y < out.height; ++y) {
    while (next < reducer.EndInputRow(y)) {
      const int end = std::min(next + strip, in.size.height);
      for (; next < end; ++next) {
        reducer.AddInputRow(next, &in.data[static_cast<size_t>(next) * in_line]);
      }
    }
    reducer.OutputRow(y, &result.data[static_cast<size_t>(y) * out_line]);
  }
  return result;
}

// The same reduce computed plainly in double precision from the same taps: a check of the
// streaming, the vector code and the rounding, not of the kernel.
struct Reference {
  Reference(const Pixels& in_, Size out)
      : in(in_),
        rows(MakeLanczos3Taps(in_.size.height, out.height)),
        columns(MakeLanczos3Taps(in_.size.width, out.width)) {}
  double At(int x, int y, int band) const;

  const Pixels& in;
  Lanczos3Taps rows;
  Lanczos3Taps columns;
};

double Reference::At(int x, int y, int band) const {
  const auto ox = static_cast<size_t>(x);
  const auto oy = static_cast<size_t>(y);
  double sum = 0.0;
  for (int j = 0; j < rows.count[oy]; ++j) {
    double row_sum = 0.0;
    for (int i = 0; i < columns.count[ox]; ++i) {
      row_sum +=
          columns.weights[ox * static_cast<size_t>(columns.stride) + static_cast<size_t>(i)] *
          in.At(columns.first[ox] + i, rows.first[oy] + j, band);
    }
    sum += rows.weights[oy * static_cast<size_t>(rows.stride) + static_cast<size_t>(j)] * row_sum;
  }
  return std::clamp(sum, 0.0, 255.0);
}

TEST(Lanczos3TapsTest, WeightsOfEveryOutputSumToOneAndStayInsideTheInput) {
  for (const auto& [in, out] : std::vector<std::pair<int, int>>{
           {3000, 1600}, {1600, 512}, {1000, 1000}, {7, 3}, {100, 1}, {4000, 500}}) {
    const Lanczos3Taps taps = MakeLanczos3Taps(in, out);
    ASSERT_EQ(taps.first.size(), static_cast<size_t>(out));
    EXPECT_EQ(taps.stride % 4, 0);
    for (size_t o = 0; o < taps.first.size(); ++o) {
      EXPECT_GE(taps.first[o], 0);
      EXPECT_GE(taps.count[o], 1);
      EXPECT_LE(taps.count[o], taps.stride);
      EXPECT_LE(taps.first[o] + taps.count[o], in);
      double sum = 0.0;
      for (int k = 0; k < taps.stride; ++k) {
        const float weight =
            taps.weights[o * static_cast<size_t>(taps.stride) + static_cast<size_t>(k)];
        if (k >= taps.count[o]) {
          EXPECT_EQ(weight, 0.0F) << "padding must not weigh";
        }
        sum += weight;
      }
      EXPECT_NEAR(sum, 1.0, 1e-5) << in << " -> " << out << ", output " << o;
    }
  }
}

TEST(Lanczos3TapsTest, HalvingWeighsTheTwoCentralInputsAlikeAndAlternatesSignOutward) {
  // Output 5 of 20 -> 10 is centred between inputs 10 and 11, far from the edges.
  const Lanczos3Taps taps = MakeLanczos3Taps(20, 10);
  const float* w = &taps.weights[5 * static_cast<size_t>(taps.stride)];
  const int centre = 10 - taps.first[5];  // index of input 10
  EXPECT_FLOAT_EQ(w[centre], w[centre + 1]);
  EXPECT_FLOAT_EQ(w[centre - 1], w[centre + 2]);
  EXPECT_GT(w[centre], w[centre - 1]);
  EXPECT_GT(w[centre - 1], 0.0F);
  EXPECT_LT(w[centre - 2], 0.0F) << "Lanczos lobes: negative beyond one output pixel";
}

TEST(Lanczos3TapsTest, WeightsAreTheTextbookKernelNormalised) {
  // sinc(x) sinc(x / 3) spelled out with two sines, against the taps' one-sine form.
  const auto sinc = [](double x) {
    return x == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
  };
  for (const auto& [in, out] :
       std::vector<std::pair<int, int>>{{3000, 1600}, {1600, 512}, {301, 300}, {90, 7}}) {
    const Lanczos3Taps taps = MakeLanczos3Taps(in, out);
    const double scale = static_cast<double>(in) / out;
    for (size_t o = 0; o < static_cast<size_t>(out); ++o) {
      const double centre = (static_cast<double>(o) + 0.5) * scale;
      std::vector<double> expected;
      double sum = 0.0;
      for (int k = 0; k < taps.count[o]; ++k) {
        const double x = (taps.first[o] + k + 0.5 - centre) / scale;
        expected.push_back(std::abs(x) < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0);
        sum += expected.back();
      }
      for (int k = 0; k < taps.count[o]; ++k) {
        ASSERT_NEAR(taps.weights[o * static_cast<size_t>(taps.stride) + static_cast<size_t>(k)],
                    expected[static_cast<size_t>(k)] / sum, 1e-6)
            << in << " -> " << out << ", output " << o << ", tap " << k;
      }
    }
  }
}

TEST(Lanczos3ReducerTest, SameSizeIsTheIdentity) {
  const Pixels in = Random({37, 23}, 3, 1);
  const Pixels out = Reduce(in, in.size);
  EXPECT_EQ(out.data, in.data);
}

TEST(Lanczos3ReducerTest, AUniformImageStaysUniform) {
  Pixels in{{301, 203}, 3, {}};
  for (size_t i = 0; i < size_t{301} * 203; ++i) {
    in.data.insert(in.data.end(), {200, 17, 255});
  }
  const Pixels out = Reduce(in, {97, 64});
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 97; ++x) {
      ASSERT_EQ(out.At(x, y, 0), 200);
      ASSERT_EQ(out.At(x, y, 1), 17);
      ASSERT_EQ(out.At(x, y, 2), 255);
    }
  }
}

// How far past half a level (the rounding) a reduce may be from the plain computation: float
// error for the float passes; for the fixed-point ones (lanczos3_fixed.h, what kFastest runs on
// x86-64 with AVX2), 15-bit weights and 1/64 of a level between the passes, which on these random
// images (the worst case: every sample far from its neighbours) came to at most 0.026.
double Slack(Lanczos3Code code) {
  const bool fixed_point = code == Lanczos3Code::kFastest && lanczos3_fixed::Available();
  return fixed_point ? 0.04 : 1e-3;
}

TEST(Lanczos3ReducerTest, MatchesAPlainComputationForEveryBandCountAndScale) {
  struct Case {
    Size in;
    Size out;
    int bands;
  };
  for (const Case& c :
       {Case{{300, 200}, {160, 107}, 3}, Case{{300, 200}, {97, 31}, 1},
        Case{{129, 77}, {128, 76}, 2}, Case{{64, 96}, {8, 12}, 4}, Case{{50, 40}, {1, 1}, 3},
        Case{{501, 3}, {500, 1}, 3}, Case{{200, 150}, {49, 150}, 4}}) {
    const Pixels in = Random(c.in, c.bands, 7);
    const Reference reference(in, c.out);
    // The fastest code this processor has, and the baseline every processor runs.
    for (const Lanczos3Code code : {Lanczos3Code::kFastest, Lanczos3Code::kBaseline}) {
      const Pixels out = Reduce(in, c.out, 16, code);
      for (int y = 0; y < c.out.height; ++y) {
        for (int x = 0; x < c.out.width; ++x) {
          for (int b = 0; b < c.bands; ++b) {
            const double expected = reference.At(x, y, b);
            ASSERT_LE(std::abs(out.At(x, y, b) - expected), 0.5 + Slack(code))
                << c.in.width << "x" << c.in.height << " -> " << c.out.width << "x" << c.out.height
                << " bands " << c.bands << " at " << x << "," << y << "," << b
                << (code == Lanczos3Code::kBaseline ? " (baseline)" : "");
          }
        }
      }
    }
  }
}

TEST(Lanczos3ReducerTest, HardEdgesOvershootAndClampAsInThePlainComputation) {
  // Stripes of 0 and 255 two pixels wide: the kernel's lobes push the sums well past 0..255 on
  // both sides, the most the row between the passes ever holds.
  for (const int bands : {1, 3, 4}) {
    Pixels in{{130, 130}, bands, {}};
    for (int y = 0; y < 130; ++y) {
      for (int x = 0; x < 130; ++x) {
        const auto value = static_cast<uint8_t>(((x / 2 + y / 2) % 2) * 255);
        for (int b = 0; b < bands; ++b) in.data.push_back(value);
      }
    }
    const Reference reference(in, {87, 65});
    for (const Lanczos3Code code : {Lanczos3Code::kFastest, Lanczos3Code::kBaseline}) {
      const Pixels out = Reduce(in, {87, 65}, 16, code);
      int clamped = 0;
      for (int y = 0; y < 65; ++y) {
        for (int x = 0; x < 87; ++x) {
          for (int b = 0; b < bands; ++b) {
            const double expected = reference.At(x, y, b);
            clamped += expected == 0.0 || expected == 255.0 ? 1 : 0;
            ASSERT_LE(std::abs(out.At(x, y, b) - expected), 0.5 + Slack(code))
                << "bands " << bands << " at " << x << "," << y << "," << b;
          }
        }
      }
      EXPECT_GT(clamped, 20 * bands) << "the stripes must overshoot";
    }
  }
}

TEST(Lanczos3ReducerTest, StripHeightDoesNotChangeTheResult) {
  const Pixels in = Random({200, 300}, 3, 3);
  const Pixels one_row = Reduce(in, {70, 41}, 1);
  EXPECT_EQ(Reduce(in, {70, 41}, Lanczos3Reducer::kLookahead).data, one_row.data);
  EXPECT_EQ(Reduce(in, {70, 41}, 7).data, one_row.data);
}

TEST(Lanczos3ReducerTest, ALinearRampStaysALinearRampAwayFromTheEdges) {
  // Symmetric normalised weights reproduce a linear function exactly (up to rounding).
  Pixels in{{400, 8}, 1, {}};
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 400; ++x) in.data.push_back(static_cast<uint8_t>(x / 2 + 20));
  }
  const Pixels out = Reduce(in, {100, 2});
  for (int x = 4; x < 96; ++x) {
    const double centre = (x + 0.5) * 4.0 - 0.5;  // in input pixel coordinates
    EXPECT_NEAR(out.At(x, 0, 0), centre / 2 + 20, 0.75) << x;
  }
}

}  // namespace
}  // namespace pixfleet
