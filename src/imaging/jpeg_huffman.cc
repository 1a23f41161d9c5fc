#include "imaging/jpeg_huffman.h"

#include <algorithm>
#include <cstddef>

namespace pixfleet {
namespace {

constexpr size_t kSymbols = 256;
constexpr size_t kLongestAllowed = 16;
// Code lengths before the folding; with 257 symbols a tree is at most 256 deep.
constexpr size_t kLongestBuilt = 257;

}  // namespace

HuffmanTable FitHuffmanTable(const std::array<uint64_t, 256>& frequencies) {
  // One more symbol (256) with the least frequency takes the code of all ones bits, which T.81
  // forbids; it is dropped at the end.
  std::array<uint64_t, kSymbols + 1> frequency{};
  for (size_t s = 0; s < kSymbols; ++s) frequency[s] = frequencies[s];
  frequency[kSymbols] = 1;
  std::array<size_t, kSymbols + 1> code_size{};
  std::array<int, kSymbols + 1> next_in_tree{};  // the chain of symbols under each subtree
  next_in_tree.fill(-1);

  // Merge the two least frequent subtrees until one is left (K.2, figure K.1). Among equal
  // frequencies the larger symbol is taken, as libjpeg does. Only the subtrees not yet merged
  // are searched.
  std::vector<size_t> live;
  for (size_t s = 0; s <= kSymbols; ++s) {
    if (frequency[s] > 0) live.push_back(s);
  }
  // The position in `live` of its least frequent subtree, other than at `excluded`.
  const auto least_except = [&](size_t excluded) {
    size_t least = live.size();
    for (size_t i = 0; i < live.size(); ++i) {
      if (i == excluded) continue;
      if (least == live.size() || frequency[live[i]] < frequency[live[least]] ||
          (frequency[live[i]] == frequency[live[least]] && live[i] > live[least])) {
        least = i;
      }
    }
    return least;
  };
  const auto deepen = [&](size_t s) {
    ++code_size[s];
    while (next_in_tree[s] >= 0) {
      s = static_cast<size_t>(next_in_tree[s]);
      ++code_size[s];
    }
    return s;  // the last symbol of the chain
  };
  while (live.size() > 1) {
    const size_t first_at = least_except(live.size());
    const size_t second_at = least_except(first_at);
    const size_t first = live[first_at];
    const size_t second = live[second_at];
    frequency[first] += frequency[second];
    frequency[second] = 0;
    next_in_tree[deepen(first)] = static_cast<int>(second);
    deepen(second);
    live[second_at] = live.back();
    live.pop_back();
  }

  std::array<size_t, kLongestBuilt + 1> bits{};
  for (size_t s = 0; s <= kSymbols; ++s) {
    if (code_size[s] > 0) ++bits[code_size[s]];
  }
  // Fold codes longer than 16 bits (K.2, figure K.3): two at the longest length become one a bit
  // shorter, which takes the place of a shorter code that moves one bit down with its new sibling.
  for (size_t length = kLongestBuilt; length > kLongestAllowed; --length) {
    while (bits[length] > 0) {
      size_t shorter = length - 2;
      while (bits[shorter] == 0) --shorter;
      bits[length] -= 2;
      bits[length - 1] += 1;
      bits[shorter + 1] += 2;
      bits[shorter] -= 1;
    }
  }
  // Drop the reserved symbol's code: the longest one.
  size_t longest = kLongestAllowed;
  while (bits[longest] == 0) --longest;
  --bits[longest];

  HuffmanTable table;
  for (size_t length = 1; length <= kLongestAllowed; ++length) {
    table.bits[length] = static_cast<uint8_t>(bits[length]);
  }
  // The symbols by their unfolded length, then by value (K.2, figure K.4); the reserved one,
  // never shorter than another, ends the order and is left out. Lengths up to the longest built
  // only: a table's codes rarely pass 20 bits before the folding, far from the 257 possible.
  const size_t longest_built = *std::max_element(code_size.begin(), code_size.end());
  for (size_t length = 1; length <= longest_built; ++length) {
    for (size_t s = 0; s < kSymbols; ++s) {
      if (code_size[s] == length) table.values.push_back(static_cast<uint8_t>(s));
    }
  }
  return table;
}

std::array<uint8_t, 256> CodeLengths(const HuffmanTable& table) {
  std::array<uint8_t, 256> lengths{};
  size_t next = 0;
  for (size_t length = 1; length <= kLongestAllowed; ++length) {
    for (size_t i = 0; i < table.bits[length] && next < table.values.size(); ++i, ++next) {
      lengths[table.values[next]] = static_cast<uint8_t>(length);
    }
  }
  return lengths;
}

}  // namespace pixfleet
