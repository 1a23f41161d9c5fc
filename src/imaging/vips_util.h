// Small adapters between libvips and pixfleet: error text out of vips::VError (clearing libvips'
// process-wide error buffer so messages do not pile up), blobs as strings, and ICC profile bytes.
// Internal to the imaging module.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vips/vips8>

namespace pixfleet {

// The message of a libvips failure on one line ("VipsJpeg: Premature end of input file"), with
// repeated lines removed; clears libvips' error buffer. libvips 8.14 keeps one buffer for the
// whole process, so a message may carry lines from a concurrent failure: given the image's
// `format` ("jpeg", "png"), only the lines whose domain names it are kept (all when none does).
std::string TakeVipsError(const vips::VError& error, std::string_view format = {});

// The lines of libvips' error `text` whose domain names `format` ("VipsJpeg: ..." for "jpeg",
// "vipspng: ..." for "png"), '\n'-terminated; "" when none does.
std::string LinesAbout(std::string_view text, std::string_view format);

// Same, for a C API call that failed: reads and clears the buffer.
std::string TakeVipsErrorBuffer();

// `lines` as one line, "; "-separated, without empty or repeated lines.
std::string JoinMessageLines(const std::vector<std::string>& lines);

// A VipsBlob that points at `bytes` without copying; `bytes` must outlive every image made from
// it. Released on destruction.
class BorrowedBlob {
 public:
  explicit BorrowedBlob(std::string_view bytes);
  ~BorrowedBlob();
  BorrowedBlob(const BorrowedBlob&) = delete;
  BorrowedBlob& operator=(const BorrowedBlob&) = delete;

  VipsBlob* Get() const { return blob_; }

 private:
  VipsBlob* blob_;
};

// Copies the bytes of an encoder's blob into a string and releases the blob.
std::string TakeBlob(VipsBlob* blob);

// The embedded ICC profile, or an empty span. Valid while `image` lives.
std::span<const uint8_t> IccProfileOf(const vips::VImage& image);

// Whether `image`'s pixels are all in memory, at get_image()->data (a computed image, or one
// NewHeader made from one).
bool IsMemoryImage(const vips::VImage& image);

// A memory image of width x height pixels over `data` (which libvips reads and never frees),
// with `like`'s bands, format, other fields and metadata. Throws vips::VError when libvips fails.
vips::VImage MemoryImageOver(void* data, const vips::VImage& like, int width, int height);

// A new image header with `image`'s fields and metadata, for metadata to be set or removed
// without touching `image`, sharing its pixels: for a memory image, a memory image over the same
// pixel memory (which it keeps alive); else a lazy copy(). Why not copy() always: a copy of a
// memory image is a lazy image, and computing it into memory again (InMemory, PixelsOf) or
// reading it through a region costs a zeroed buffer and a copy of every strip.
vips::VImage NewHeader(const vips::VImage& image);

// A new image header (sharing pixels) whose blob metadata (EXIF, XMP, ICC, ...) are private
// copies. libvips 8.14.1's heifload attaches blobs that point into memory owned by the loader, so
// an image that outlives its loader (any copy_memory() result) would read freed memory when an
// encoder later parses its EXIF (found with AddressSanitizer). Call while the loader is alive.
vips::VImage WithOwnedBlobs(const vips::VImage& image);

// A new image header (sharing pixels) without the embedded ICC profile.
vips::VImage WithoutIccProfile(const vips::VImage& image);

}  // namespace pixfleet
