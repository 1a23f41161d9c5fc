// JpegFileSource: libjpeg's input from an open file, read in large blocks.
//
// Why not jpeg_stdio_src: it reads 4 KiB at a time, and libjpeg-turbo decodes an MCU's Huffman
// codes on its fast path only while the buffer holds at least 512 bytes per block of the MCU
// (3 KiB for 4:2:0), so with 4 KiB most MCUs take the slow path that checks for the buffer's end
// at every byte. With 256 KiB nearly all of them take the fast one. The behaviour at the file's
// end is jpeg_stdio_src's: an empty file is an error, a file cut short gets libjpeg's "premature
// end" warning and a fake end-of-image marker, for the error manager to judge.
#pragma once

#include <cstdio>
#include <memory>
#include <type_traits>

#include <jpeglib.h>

namespace pixfleet {

class JpegFileSource {
 public:
  // Reads `file` (not owned, open for reading) from its current position.
  explicit JpegFileSource(std::FILE* file);
  ~JpegFileSource() = default;
  JpegFileSource(const JpegFileSource&) = delete;
  JpegFileSource& operator=(const JpegFileSource&) = delete;
  JpegFileSource(JpegFileSource&&) = delete;
  JpegFileSource& operator=(JpegFileSource&&) = delete;

  // Makes this the source of `info`; it must outlive the decode.
  void Attach(jpeg_decompress_struct& info);

  static constexpr size_t kBlockBytes = size_t{256} << 10;

 private:
  static void Start(j_decompress_ptr info);
  static boolean Fill(j_decompress_ptr info);
  static void Skip(j_decompress_ptr info, long count);  // NOLINT(google-runtime-int): libjpeg's
  static void End(j_decompress_ptr info);
  static JpegFileSource& Of(j_decompress_ptr info);

  // What libjpeg holds (info.src), with the way back to this source.
  struct Manager {
    jpeg_source_mgr fields{};  // first: libjpeg hands back a pointer to it
    JpegFileSource* owner = nullptr;
  };
  static_assert(std::is_standard_layout_v<Manager>, "Of() casts libjpeg's pointer back");

  Manager manager_;
  std::FILE* file_;
  std::unique_ptr<JOCTET[]> block_;
  bool at_start_ = true;
};

}  // namespace pixfleet
