// Decode with the loader's shrink-on-load (JPEG DCT scaling; WebP/HEIF scaled decode and TIFF
// pyramids through vips thumbnail) finished with a Lanczos-3 reduce into the plan's box. Which
// decoder complaints fail the decode is decode_policy.h's rule.
#include "imaging/decode.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "imaging/colour.h"
#include "imaging/compute_here.h"
#include "imaging/decode_policy.h"
#include "imaging/encoded_input.h"
#include "imaging/jpeg_reader.h"
#include "imaging/operations.h"
#include "imaging/vips_util.h"
#include "imaging/vips_warnings.h"

namespace pixfleet {
namespace {

// Rows read at a time when a failed decode is replayed for its decoder's warnings.
constexpr int kReplayRows = 16;

struct Attempt {
  Result<vips::VImage> image;
  std::string vips_message;  // libvips' error text as thrown (all its lines), when it failed
};

// libvips' thumbnail: the loader's shrink-on-load, then a Lanczos-3 reduce into the box.
vips::VImage Thumbnail(const EncodedInput& input, const std::string& options,
                       const DecodePlan& plan) {
  return input.Thumbnail(plan.decode_box.width,
                         vips::VImage::option()
                             ->set("height", plan.decode_box.height)
                             ->set("size", VIPS_SIZE_DOWN)
                             ->set("no_rotate", true)
                             // libvips 8.14.1's thumbnail_buffer ignores its own fail_on argument
                             // (thumbnail from a file honours it); the loader option string does
                             // reach the loader.
                             ->set("option_string", options.c_str()));
}

// Thrown by the own JPEG reader's rows when the reader refuses the rest of a file.
struct JpegReaderRefused {};

Result<std::unique_ptr<JpegRowReader>> OpenJpegReader(const EncodedInput& input, int shrink) {
  return input.path().empty() ? JpegRowReader::FromBytes(input.Bytes(), shrink)
                              : JpegRowReader::FromFile(input.path(), shrink);
}

// The JPEG's rows from the own reader (jpeg_reader.h) reduced into the box, with the metadata
// libvips' loader gives `header` (the file opened with the same shrink, never computed); none
// when the reader refuses the file (CMYK, a warning that may lose pixels, an error), for libvips
// to decode it and judge it (decode_policy.h). Throws as ComputeHere does past the deadline.
std::optional<vips::VImage> DecodeJpegHere(const EncodedInput& input, const vips::VImage& header,
                                           int shrink, Size box, const Deadline& deadline) {
  const bool same_size = header.width() == box.width && header.height() == box.height;
  if (!OwnCodeReads(header) || (!same_size && !CanReduceHere(header, box))) {
    return std::nullopt;
  }
  Result<std::unique_ptr<JpegRowReader>> reader = OpenJpegReader(input, shrink);
  if (!reader.ok()) return std::nullopt;
  JpegRowReader& rows = **reader;
  // libjpeg rounds a scaled size up, the last pixel made from a partial block; the loader keeps
  // only the whole ones (517 px at 1/2: 259 against 258), which are the same pixels.
  if (rows.size().width < header.width() || rows.size().height < header.height() ||
      rows.Bands() != header.bands()) {
    return std::nullopt;
  }
  try {
    vips::VImage reduced = ReduceRowsHere(
        header, box,
        [&rows](int /*y*/) {
          Result<const uint8_t*> row = rows.NextRow();
          if (!row.ok()) throw JpegReaderRefused{};
          return *row;
        },
        deadline);
    if (!rows.Finish().ok()) return std::nullopt;
    return reduced;
  } catch (const JpegReaderRefused&) {
    return std::nullopt;
  }
}

// The image in the plan's box, computed in memory on this thread (compute_here.h). A JPEG is
// opened with the shrink-on-load that stops at the box (JpegShrinkOnLoad) and reduced the rest of
// the way with Lanczos-3: thumbnail would decode every pixel of a photo less than four times the
// box (a 6000-px photo for a 1600-px box), which doubled the cost of the decode. Its pixels come
// from the own reader when it takes the file, else from libvips' loader. CMYK JPEGs still go
// through thumbnail, which converts them to sRGB. WithOwnedBlobs while the loader is alive: see
// vips_util.h.
vips::VImage DecodeToBox(const EncodedInput& input, std::string_view format,
                         const std::string& options, const DecodePlan& plan,
                         const Deadline& deadline) {
  if (format == "jpeg") {
    const int shrink = JpegShrinkOnLoad(plan.stored, plan.decode_box);
    const vips::VImage shrunk = input.Open(
        vips::VImage::option()->set("shrink", shrink)->set("access", VIPS_ACCESS_SEQUENTIAL),
        options);
    if (shrunk.interpretation() != VIPS_INTERPRETATION_CMYK) {
      if (std::optional<vips::VImage> own =
              DecodeJpegHere(input, shrunk, shrink, plan.decode_box, deadline)) {
        return WithOwnedBlobs(*own);
      }
      return WithOwnedBlobs(ResizeHere(shrunk, plan.decode_box, deadline));
    }
  }
  return WithOwnedBlobs(ComputeHere(Thumbnail(input, options, plan), deadline));
}

Attempt Decode(const EncodedInput& input, std::string_view format, std::string_view options,
               const DecodePlan& plan, const Deadline& deadline) {
  try {
    const vips::VImage decoded = DecodeToBox(input, format, std::string(options), plan, deadline);
    return {DropMismatchedProfile(decoded), {}};
  } catch (const vips::VError& error) {
    return {Internal("decode failed"), error.what()};
  }
}

// Reads `input` once more, row strip by row strip on this thread, so that the warnings its
// decoder logs reach a capture here (a failed decode may have run on libvips' worker threads: a
// loader without sequential access decodes the whole file through a thread pool). Stops at
// the first warning, an error or the deadline. Only ever called for an input that failed.
std::vector<std::string> ReplayForWarnings(const EncodedInput& input, const Deadline& deadline) {
  const VipsWarningCapture capture;
  try {
    const vips::VImage image = input.Open(vips::VImage::option()
                                              ->set("access", VIPS_ACCESS_SEQUENTIAL)
                                              ->set("fail_on", VIPS_FAIL_ON_ERROR));
    const vips::VRegion region = image.region();
    for (int top = 0; top < image.height() && capture.Messages().empty() && !deadline.Expired();
         top += kReplayRows) {
      region.prepare(0, top, image.width(), std::min(kReplayRows, image.height() - top));
    }
  } catch (const vips::VError&) {
    vips_error_clear();  // the first decode's message is the one reported
  }
  return capture.Messages();
}

Status Failure(const Attempt& attempt, const EncodedInput& input, std::string_view format,
               const Deadline& deadline) {
  if (deadline.Expired()) return deadline.ExceededStatus();
  const std::vector<std::string> warnings = NamesNoReason(attempt.vips_message, format)
                                                ? ReplayForWarnings(input, deadline)
                                                : std::vector<std::string>();
  return InvalidArgument("corrupt or truncated image: " +
                         FailureReason(attempt.vips_message, format, warnings));
}

// The image an attempt decoded, or its failure in words. (Each attempt is a value of its own:
// vips::VImage's move assignment may throw, so attempts are never assigned over.)
Result<vips::VImage> Outcome(Attempt attempt, const EncodedInput& input, std::string_view format,
                             const Deadline& deadline) {
  if (attempt.image.ok()) return std::move(attempt.image);
  return Failure(attempt, input, format, deadline);
}

}  // namespace

Result<vips::VImage> DecodeForPlan(const EncodedInput& input, std::string_view format,
                                   const DecodePlan& plan, const Deadline& deadline) {
  // libvips' error buffer is the process's: an earlier image's decode may have left its warnings
  // there (a successful one too), and they would be read as this image's reason. Cleared first,
  // it holds this decode's lines only (a decode failing on another slot at this instant may lose
  // the lines it has not thrown yet; it is still reported as corrupt, with libvips' generic line).
  vips_error_clear();
  Attempt first = Decode(input, format, FirstDecodeOptions(format), plan, deadline);
  if (!first.image.ok() && format == "jpeg" && !deadline.Expired() &&
      OnlyHarmlessJpegWarnings(first.vips_message)) {
    vips_error_clear();
    return Outcome(Decode(input, format, TolerantDecodeOptions(), plan, deadline), input, format,
                   deadline);
  }
  return Outcome(std::move(first), input, format, deadline);
}

}  // namespace pixfleet
