#include "imaging/jpeg_huffman.h"

#include <cmath>
#include <initializer_list>
#include <numeric>
#include <random>
#include <utility>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

// Sum over codes of 2^-length: 1 for a full code; T.81 forbids the all-ones code, so below 1.
double Kraft(const HuffmanTable& table) {
  double sum = 0.0;
  for (size_t length = 1; length <= 16; ++length) {
    sum += table.bits[length] * std::ldexp(1.0, -static_cast<int>(length));
  }
  return sum;
}

std::array<uint64_t, 256> Frequencies(std::initializer_list<std::pair<size_t, uint64_t>> symbols) {
  std::array<uint64_t, 256> frequencies{};
  for (const auto& [symbol, frequency] : symbols) frequencies[symbol] = frequency;
  return frequencies;
}

size_t Codes(const HuffmanTable& table) {
  return std::accumulate(table.bits.begin() + 1, table.bits.end(), size_t{0});
}

TEST(JpegHuffmanTest, CodesExactlyTheSymbolsWithAFrequencyAndLeavesRoomForNoAllOnesCode) {
  const std::array<uint64_t, 256> frequencies =
      Frequencies({{0, 50}, {3, 20}, {0xF0, 20}, {255, 1}});
  const HuffmanTable table = FitHuffmanTable(frequencies);
  ASSERT_EQ(Codes(table), size_t{4});
  ASSERT_EQ(table.values.size(), size_t{4});
  EXPECT_LT(Kraft(table), 1.0);
  const std::array<uint8_t, 256> lengths = CodeLengths(table);
  for (size_t s = 0; s < 256; ++s) {
    EXPECT_EQ(lengths[s] > 0, frequencies[s] > 0) << s;
  }
  // The most frequent symbol gets the shortest code, the rarest the longest.
  EXPECT_LE(lengths[0], lengths[3]);
  EXPECT_LE(lengths[3], lengths[255]);
}

TEST(JpegHuffmanTest, AnOptimalCodeForFrequenciesThatArePowersOfTwo) {
  // 1/2, 1/4, ..., with the reserved code taking the place of one more: lengths 1, 2, 3, 4, 5.
  const std::array<uint8_t, 256> lengths =
      CodeLengths(FitHuffmanTable(Frequencies({{10, 16}, {11, 8}, {12, 4}, {13, 2}, {14, 1}})));
  EXPECT_EQ(lengths[10], 1);
  EXPECT_EQ(lengths[11], 2);
  EXPECT_EQ(lengths[12], 3);
  EXPECT_EQ(lengths[13], 4);
  EXPECT_EQ(lengths[14], 5);
}

TEST(JpegHuffmanTest, FoldsCodesLongerThanSixteenBits) {
  // Fibonacci frequencies make the deepest tree there is: unlimited, 30 symbols would need codes
  // up to 30 bits long.
  std::array<uint64_t, 256> frequencies{};
  uint64_t a = 1;
  uint64_t b = 1;
  for (size_t s = 0; s < 30; ++s) {
    frequencies[s] = a;
    const uint64_t next = a + b;
    a = b;
    b = next;
  }
  const HuffmanTable table = FitHuffmanTable(frequencies);
  EXPECT_EQ(Codes(table), size_t{30});
  EXPECT_LT(Kraft(table), 1.0);
  const std::array<uint8_t, 256> lengths = CodeLengths(table);
  for (size_t s = 0; s < 30; ++s) {
    EXPECT_GE(lengths[s], 1) << s;
    EXPECT_LE(lengths[s], 16) << s;
  }
  EXPECT_GT(table.bits[16], 0) << "the folding fills the longest length";
}

TEST(JpegHuffmanTest, EveryOneOfTwoHundredFiftySixSymbolsGetsACode) {
  std::array<uint64_t, 256> frequencies{};
  std::mt19937 random(5);
  for (uint64_t& f : frequencies) f = 1 + random() % 100000;
  const HuffmanTable table = FitHuffmanTable(frequencies);
  EXPECT_EQ(Codes(table), size_t{256});
  EXPECT_LT(Kraft(table), 1.0);
  // Near the entropy: an optimal prefix code is within one bit per symbol of it.
  const double total = std::accumulate(frequencies.begin(), frequencies.end(), 0.0);
  double entropy = 0.0;
  double coded = 0.0;
  const std::array<uint8_t, 256> lengths = CodeLengths(table);
  for (size_t s = 0; s < 256; ++s) {
    const double p = static_cast<double>(frequencies[s]) / total;
    entropy -= p * std::log2(p);
    coded += p * lengths[s];
  }
  EXPECT_GE(coded, entropy);
  EXPECT_LT(coded, entropy + 1.0);
}

}  // namespace
}  // namespace pixfleet
