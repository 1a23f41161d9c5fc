// EncodedInput: the encoded image one ProcessImage call reads, either bytes already in memory or
// a local file that libvips reads as it decodes (through a VipsSource), so that a large file is
// never held whole in memory: a gigapixel JPEG costs the memory of its shrunk decode, not its
// size. Every libvips entry point that reads the input (loader lookup, header, thumbnail) goes
// through here so that both kinds take the same path. Internal to the imaging module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <vips/vips8>

#include "core/status.h"

namespace pixfleet {

class EncodedInput {
 public:
  // `bytes` must outlive the EncodedInput and every image made from it.
  static EncodedInput FromBytes(std::string_view bytes);
  // Opens nothing yet: reads the size and the first bytes. kNotFound when the file is absent,
  // kFailedPrecondition when it cannot be read (permissions, a folder), naming the reason.
  static Result<EncodedInput> FromFile(std::string path);

  uint64_t size() const { return size_; }
  // A file's path, or empty for bytes in memory; the bytes, or empty for a file. For decoders
  // other than libvips' (jpeg_reader.h).
  const std::string& path() const { return path_; }
  std::string_view Bytes() const { return bytes_; }
  // The first bytes (up to kHeadBytes), for recognising a format by its signature.
  std::string_view Head() const;
  static constexpr size_t kHeadBytes = 64;

  // The SHA-256 of every byte, hex; a file is read in blocks. kFailedPrecondition if a file read
  // fails.
  Result<std::string> Sha256Hex() const;

  // The libvips loader class that would read the input, or nullptr (libvips' error buffer is
  // left to the caller, as vips_foreign_find_load_buffer does).
  const char* FindLoader() const;
  // Opens the input with the loader libvips picks (header only until pixels are asked for).
  // `option_string` is a loader option string ("fail_on=warning"), applied before `options`.
  vips::VImage Open(vips::VOption* options, const std::string& option_string = {}) const;
  // Opens the input with the named loader, given as its buffer operation ("tiffload_buffer").
  vips::VImage OpenWith(std::string_view buffer_loader, vips::VOption* options) const;
  // vips thumbnail of the input (thumbnail_buffer or thumbnail_source).
  vips::VImage Thumbnail(int width, vips::VOption* options) const;

 private:
  EncodedInput() = default;

  std::string_view bytes_;  // in memory; empty for a file
  std::string path_;        // a file; empty for bytes
  std::string file_head_;   // a file's first bytes
  uint64_t size_ = 0;
};

}  // namespace pixfleet
