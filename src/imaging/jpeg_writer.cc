// libjpeg's failures come back through setjmp/longjmp (libjpeg_errors.h). Only libjpeg's C
// frames lie between the two (the row source runs in EncodeJpeg's frame, outside libjpeg).
#include "imaging/jpeg_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "imaging/jpeg_huffman.h"
#include "imaging/libjpeg_errors.h"

namespace pixfleet {
namespace {

// The compressor and its output buffer, released on every way out of EncodeJpeg.
struct Compression {
  jpeg_compress_struct info{};  // zeroed: jpeg_destroy_compress is safe before create
  LibjpegErrors errors;
  unsigned char* buffer = nullptr;  // malloc'd by libjpeg's memory destination, grown as needed
  unsigned long length = 0;         // NOLINT(google-runtime-int): jpeg_mem_dest's type

  Compression() { info.err = InstallJumpBack(errors); }
  ~Compression() {
    jpeg_destroy_compress(&info);
    std::free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): libjpeg allocated it
  }
  Compression(const Compression&) = delete;
  Compression& operator=(const Compression&) = delete;
};

// The Huffman tables of a compression: DC and AC, of luma (0) and of chroma (1).
struct Tables {
  std::array<HuffmanTable, 2> dc;
  std::array<HuffmanTable, 2> ac;
};

HuffmanTable Copy(const JHUFF_TBL& from) {
  HuffmanTable table;
  size_t count = 0;
  for (size_t length = 1; length < table.bits.size(); ++length) {
    table.bits[length] = from.bits[length];
    count += from.bits[length];
  }
  table.values.assign(from.huffval, from.huffval + std::min<size_t>(count, 256));
  return table;
}

Tables CopyOf(const jpeg_compress_struct& info) {
  Tables tables;
  for (size_t i = 0; i < 2; ++i) {
    if (info.dc_huff_tbl_ptrs[i] != nullptr) tables.dc[i] = Copy(*info.dc_huff_tbl_ptrs[i]);
    if (info.ac_huff_tbl_ptrs[i] != nullptr) tables.ac[i] = Copy(*info.ac_huff_tbl_ptrs[i]);
  }
  return tables;
}

void Install(const HuffmanTable& table, j_compress_ptr info, JHUFF_TBL*& slot) {
  if (slot == nullptr) slot = jpeg_alloc_huff_table(reinterpret_cast<j_common_ptr>(info));
  std::copy(table.bits.begin(), table.bits.end(), slot->bits);
  std::fill(std::begin(slot->huffval), std::end(slot->huffval), UINT8{0});
  std::copy(table.values.begin(), table.values.end(), slot->huffval);
  slot->sent_table = FALSE;
}

// A table fitted to a sample codes the symbols the sample had about as the sample's own table
// does (weights 2^-length stand for the sample's frequencies), and every other symbol an 8-bit
// JPEG can hold about as libjpeg's stock table does, 2^6 times less likely: the rest of the image
// may have it, and a symbol the sample lacked is rare, not impossible (a sky in the sampled rows,
// detail in the others).
HuffmanTable Complete(const HuffmanTable& sampled, const HuffmanTable& stock) {
  constexpr int kSampleWeight = 6;  // log2 of how much more the sample counts than the stock table
  const std::array<uint8_t, 256> sampled_lengths = CodeLengths(sampled);
  const std::array<uint8_t, 256> stock_lengths = CodeLengths(stock);
  std::array<uint64_t, 256> frequencies{};
  for (size_t symbol = 0; symbol < frequencies.size(); ++symbol) {
    // The stock tables code every symbol of an 8-bit JPEG, and only those.
    if (stock_lengths[symbol] == 0) continue;
    frequencies[symbol] = uint64_t{1} << (17 - stock_lengths[symbol]);
    if (sampled_lengths[symbol] > 0) {
      frequencies[symbol] += uint64_t{1} << (17 + kSampleWeight - sampled_lengths[symbol]);
    }
  }
  return FitHuffmanTable(frequencies);
}

// Colour below Q 90 has its chroma subsampled 4:2:0; from 90 up, and grey, nothing is.
bool SubsamplesChroma(int bands, const JpegSettings& settings) {
  return bands == 3 && settings.quality < 90;
}

// Which Huffman tables Compress codes with, and which it copies out.
struct HuffmanPlan {
  bool fit_whole = false;           // libjpeg's two passes fit them to the whole image
  const Tables* install = nullptr;  // else these, else libjpeg's stock tables
  Tables* stock_out = nullptr;      // if set, libjpeg's stock tables are copied there
  Tables* used_out = nullptr;       // if set, the tables the file used are copied there
};

// One JPEG of `size` from `row`, its Huffman tables as `plan` says.
Result<std::string> Compress(Size size, int bands, const JpegSettings& settings,
                             const HuffmanPlan& plan, const RowSource& row) {
  Compression compression;
  jpeg_compress_struct& info = compression.info;
  if (setjmp(compression.errors.jump) != 0) {  // NOLINT(cert-err52-cpp): libjpeg_errors.h
    return Internal(std::string("JPEG writer: ") + compression.errors.message);
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &compression.buffer, &compression.length);
  info.image_width = static_cast<JDIMENSION>(size.width);
  info.image_height = static_cast<JDIMENSION>(size.height);
  info.input_components = bands;
  info.in_color_space = bands == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, std::clamp(settings.quality, 1, 100), TRUE);
  info.optimize_coding = plan.fit_whole ? TRUE : FALSE;
  // jpeg_set_defaults chose 4:2:0 for colour (grey has one component, 1x1 already).
  if (!SubsamplesChroma(bands, settings)) {
    info.comp_info[0].h_samp_factor = 1;
    info.comp_info[0].v_samp_factor = 1;
  }
  info.density_unit = 1;  // dots per inch
  const auto density = static_cast<UINT16>(std::clamp(std::lround(settings.dots_per_inch), 1L,
                                                      65535L));  // NOLINT(google-runtime-int)
  info.X_density = density;
  info.Y_density = density;
  if (plan.stock_out != nullptr) *plan.stock_out = CopyOf(info);
  if (plan.install != nullptr) {
    for (size_t i = 0; i < 2; ++i) {
      Install(plan.install->dc[i], &info, info.dc_huff_tbl_ptrs[i]);
      Install(plan.install->ac[i], &info, info.ac_huff_tbl_ptrs[i]);
    }
  }

  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    // libjpeg does not write to its input rows; its API predates const.
    JSAMPROW scanline = const_cast<JSAMPROW>(row(static_cast<int>(info.next_scanline)));
    jpeg_write_scanlines(&info, &scanline, 1);
  }
  jpeg_finish_compress(&info);
  if (plan.used_out != nullptr) *plan.used_out = CopyOf(info);
  return std::string(reinterpret_cast<const char*>(compression.buffer), compression.length);
}

// Every kSampleEvery-th block goes into the sample (SampleBlocks); images with fewer than
// kSampleEvery * kFewestSampled rows of blocks are fitted whole (a few milliseconds at most).
constexpr int kSampleEvery = 8;
constexpr int kFewestSampled = 4;

Status CheckShape(Size size, int bands) {
  if (bands != 1 && bands != 3) {
    return InvalidArgument("JPEG writer: 1 or 3 bands, not " + std::to_string(bands));
  }
  if (size.width < 1 || size.height < 1 || size.width > JPEG_MAX_DIMENSION ||
      size.height > JPEG_MAX_DIMENSION) {
    return InvalidArgument("JPEG writer: cannot write " + std::to_string(size.width) + "x" +
                           std::to_string(size.height) + " pixels");
  }
  return Status::Ok();
}

// The image's blocks (MCUs) as libjpeg codes them: 16 pixels a side where chroma is subsampled
// 4:2:0 (SubsamplesChroma), else 8; the last row and column partial where
// the size is not a multiple of the side.
struct BlockGrid {
  int side;
  int rows;
  int columns;
};

BlockGrid GridOf(Size size, int bands, const JpegSettings& settings) {
  const int side = SubsamplesChroma(bands, settings) ? 16 : 8;
  return {side, (size.height + side - 1) / side, (size.width + side - 1) / side};
}

// Whether `settings` fit the tables to a sample of the image's blocks (else to all or none).
bool Samples(const BlockGrid& grid, const JpegSettings& settings) {
  return settings.tables == HuffmanTables::kSampled && grid.rows >= kSampleEvery * kFewestSampled;
}

// The sample: an image of every kSampleEvery-th block of the image, one row of blocks for every
// kSampleEvery of the image's, on a diagonal: block column j of the sample's row i is the image's
// block (i * kSampleEvery + j % kSampleEvery, j). So every row and every column of blocks has its
// share, and content that repeats down the image (stripes of kSampleEvery blocks) cannot hide
// from it.
std::vector<uint8_t> SampleBlocks(const PixelRows& pixels, const BlockGrid& grid, size_t& rows) {
  const auto bands = static_cast<size_t>(pixels.bands);
  const size_t line = static_cast<size_t>(pixels.width) * bands;
  const int block = grid.side;
  const int sample_rows_of_blocks = (grid.rows + kSampleEvery - 1) / kSampleEvery;
  rows = static_cast<size_t>(sample_rows_of_blocks) * static_cast<size_t>(block);
  std::vector<uint8_t> sample(rows * line);
  for (int i = 0; i < sample_rows_of_blocks; ++i) {
    for (int j = 0; j < grid.columns; ++j) {
      const int from_block_row = std::min(i * kSampleEvery + j % kSampleEvery, grid.rows - 1);
      const size_t x = static_cast<size_t>(j) * static_cast<size_t>(block) * bands;
      const size_t bytes = std::min(static_cast<size_t>(block) * bands, line - x);
      for (int r = 0; r < block; ++r) {
        // Past the image's last row, its last row again (as libjpeg pads an edge block).
        const int from_y = std::min(from_block_row * block + r, pixels.height - 1);
        std::memcpy(&sample[(static_cast<size_t>(i * block + r)) * line + x],
                    pixels.Row(from_y) + x, bytes);
      }
    }
  }
  return sample;
}

Result<std::string> EncodeSampled(const PixelRows& pixels, const BlockGrid& grid,
                                  const JpegSettings& settings) {
  const Size size{pixels.width, pixels.height};
  size_t sample_rows = 0;
  const std::vector<uint8_t> sample = SampleBlocks(pixels, grid, sample_rows);
  const size_t line = static_cast<size_t>(pixels.width) * static_cast<size_t>(pixels.bands);
  Tables stock;
  Tables sampled;
  const Result<std::string> sample_file =
      Compress({size.width, static_cast<int>(sample_rows)}, pixels.bands, settings,
               {.fit_whole = true, .stock_out = &stock, .used_out = &sampled},
               [&](int y) { return &sample[static_cast<size_t>(y) * line]; });
  if (!sample_file.ok()) return sample_file.error();
  Tables complete;
  for (size_t i = 0; i < 2; ++i) {
    complete.dc[i] = Complete(sampled.dc[i], stock.dc[i]);
    complete.ac[i] = Complete(sampled.ac[i], stock.ac[i]);
  }
  return Compress(size, pixels.bands, settings, {.install = &complete},
                  [&pixels](int y) { return pixels.Row(y); });
}

}  // namespace

Result<std::string> EncodeJpeg(Size size, int bands, const JpegSettings& settings,
                               const RowSource& row) {
  PIXFLEET_RETURN_IF_ERROR(CheckShape(size, bands));
  if (settings.tables == HuffmanTables::kSampled) {
    return InvalidArgument("JPEG writer: sampled Huffman tables need the rows in memory");
  }
  const bool fit_whole = settings.tables == HuffmanTables::kWhole;
  return Compress(size, bands, settings, {.fit_whole = fit_whole}, row);
}

Result<std::string> EncodeJpeg(const PixelRows& pixels, const JpegSettings& settings) {
  const Size size{pixels.width, pixels.height};
  PIXFLEET_RETURN_IF_ERROR(CheckShape(size, pixels.bands));
  const BlockGrid grid = GridOf(size, pixels.bands, settings);
  if (Samples(grid, settings)) return EncodeSampled(pixels, grid, settings);
  const bool fit_whole = settings.tables != HuffmanTables::kStock;
  return Compress(size, pixels.bands, settings, {.fit_whole = fit_whole},
                  [&pixels](int y) { return pixels.Row(y); });
}

}  // namespace pixfleet
