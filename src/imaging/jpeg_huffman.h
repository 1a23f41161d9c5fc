// JPEG Huffman tables fitted to symbol frequencies (ITU T.81 Annex K.2: code lengths limited to
// 16 bits, no code of all ones bits), and the code length a table gives each symbol. Pure
// computation.
//
// Why our own: the JPEG writer fits its tables to a sample of an image's rows (jpeg_writer.h)
// instead of to every block, and needs tables that also code the symbols the sample lacked.
// libjpeg builds tables from frequencies only inside its own two-pass encode: the function it
// uses is not part of its public interface (jpeglib.h).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace pixfleet {

struct HuffmanTable {
  std::array<uint8_t, 17> bits{};  // bits[n]: how many codes are n bits long (bits[0] unused)
  std::vector<uint8_t> values;     // the symbols, in the order of their codes (shortest first)
};

// The table that codes every symbol with a nonzero frequency in about the fewest bits: the
// optimal code, with lengths over 16 bits folded back as T.81 K.2 does. Ties are broken the same
// way on every call, so that equal frequencies give equal tables.
HuffmanTable FitHuffmanTable(const std::array<uint64_t, 256>& frequencies);

// The length of each symbol's code in `table`; 0 for a symbol it does not code.
std::array<uint8_t, 256> CodeLengths(const HuffmanTable& table);

}  // namespace pixfleet
