// Analyses over libvips images. The dHash shrink happens in the stored orientation (8x9 for
// orientations 5..8) and only the 72-pixel result is rotated upright: same hash, far less work.
#include "imaging/measure.h"

#include <algorithm>
#include <memory>
#include <span>
#include <string>

#include <glib.h>

#include "imaging/analysis.h"
#include "imaging/colour.h"
#include "imaging/compute_here.h"
#include "imaging/encoded_input.h"
#include "imaging/operations.h"
#include "imaging/resize_plan.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

bool Wants(const std::vector<Analysis>& analyses, Analysis wanted) {
  return std::find(analyses.begin(), analyses.end(), wanted) != analyses.end();
}

vips::VImage WithoutAlpha(const vips::VImage& image) {
  if (!image.has_alpha()) return image;
  return image.extract_band(0, vips::VImage::option()->set("n", image.bands() - 1));
}

struct GFreeDeleter {
  void operator()(void* data) const { g_free(data); }
};

// What a libvips failure during the analyses returns: the deadline's status once it has passed
// (the computation was stopped for it), else kInternal with libvips' message.
Status AnalysisFailed(const vips::VError& error, const Deadline& deadline) {
  std::string message = TakeVipsError(error);
  if (deadline.Expired()) return deadline.ExceededStatus();
  return Internal("analysis failed: " + message);
}

}  // namespace

bool NeedsPixels(const std::vector<Analysis>& analyses) {
  return Wants(analyses, Analysis::kMeanColour) || Wants(analyses, Analysis::kDhash);
}

bool NeedsHeader(const std::vector<Analysis>& analyses) {
  return std::any_of(analyses.begin(), analyses.end(),
                     [](Analysis analysis) { return analysis != Analysis::kSha256; });
}

Status MeasureBytes(const EncodedInput& input, const std::vector<Analysis>& analyses,
                    ImageAnalysis* analysis) {
  if (!Wants(analyses, Analysis::kSha256)) return Status::Ok();
  PIXFLEET_ASSIGN_OR_RETURN(analysis->sha256, input.Sha256Hex());
  return Status::Ok();
}

void MeasureHeader(const ImageHeader& header, const std::vector<Analysis>& analyses,
                   ImageAnalysis* analysis) {
  const Size upright = UprightSize(header.stored, header.orientation);
  if (Wants(analyses, Analysis::kWidth)) analysis->width = upright.width;
  if (Wants(analyses, Analysis::kHeight)) analysis->height = upright.height;
  if (Wants(analyses, Analysis::kFormat)) analysis->format = header.format;
  if (Wants(analyses, Analysis::kOrientation)) analysis->orientation = header.orientation;
}

std::array<double, 3> MeanColour(const vips::VImage& decoded) {
  const vips::VImage colour = WithoutAlpha(ToSrgb(decoded));
  // stats(): one row per band after the all-bands row; column 4 is the mean.
  const vips::VImage stats = colour.stats();
  std::vector<double> means;
  means.reserve(static_cast<size_t>(colour.bands()));
  for (int band = 0; band < colour.bands(); ++band) {
    means.push_back(stats.getpoint(4, band + 1)[0]);
  }
  Result<std::array<double, 3>> mean = MeanColourFromBandMeans(means);
  if (!mean.ok()) throw vips::VError(mean.error().message());
  return *mean;
}

uint64_t Dhash(const vips::VImage& decoded, int orientation) {
  const Size stored_target = OrientationSwapsAxes(orientation) ? Size{kDhashHeight, kDhashWidth}
                                                               : Size{kDhashWidth, kDhashHeight};
  vips::VImage small = ResizeExact(WithoutAlpha(decoded), stored_target);
  small = ToEncodable(small, /*strip=*/true);
  small = Upright(small, orientation);
  size_t length = 0;
  const std::unique_ptr<void, GFreeDeleter> memory(small.write_to_memory(&length));
  const std::span<const uint8_t> samples(static_cast<const uint8_t*>(memory.get()), length);
  Result<uint64_t> hash = DifferenceHash(samples, small.bands());
  if (!hash.ok()) throw vips::VError(hash.error().message());
  return *hash;
}

Status MeasurePixels(const vips::VImage& decoded, const ImageHeader& header,
                     const std::vector<Analysis>& analyses, ImageAnalysis* analysis,
                     const Deadline& deadline) {
  const bool mean = Wants(analyses, Analysis::kMeanColour);
  const bool dhash = Wants(analyses, Analysis::kDhash);
  try {
    if ((mean || dhash) && OwnCodeReads(decoded)) {
      const vips::VImage memory = InMemory(decoded, deadline);
      const PixelRows pixels = PixelsOf(memory);
      if (mean) {
        PIXFLEET_ASSIGN_OR_RETURN(analysis->mean_colour,
                                  MeanColourFromBandMeans(BandMeans(pixels)));
      }
      if (dhash) {
        // Both sides at least 9 cover 9x8 and 8x9; a smaller image is enlarged, by libvips.
        if (pixels.width >= kDhashWidth && pixels.height >= kDhashWidth) {
          PIXFLEET_ASSIGN_OR_RETURN(analysis->dhash,
                                    DifferenceHashOfPixels(pixels, header.orientation));
        } else {
          analysis->dhash = Dhash(decoded, header.orientation);
        }
      }
      return Status::Ok();
    }
    if (mean) analysis->mean_colour = MeanColour(decoded);
    if (dhash) analysis->dhash = Dhash(decoded, header.orientation);
  } catch (const vips::VError& error) {
    return AnalysisFailed(error, deadline);
  }
  return Status::Ok();
}

Status MeasurePixels(const ResizeSources& sources, const ImageHeader& header,
                     const std::vector<Analysis>& analyses, ImageAnalysis* analysis,
                     const Deadline& deadline) {
  const vips::VImage& measured = sources.WithLongSideAtLeast(kMinAnalysisDecodeSide);
  const ResizeSources* srgb = sources.Srgb();
  if (srgb == nullptr || !NeedsPixels(analyses)) {
    return MeasurePixels(measured, header, analyses, analysis, deadline);
  }
  const vips::VImage& like = srgb->WithLongSideAtLeast(kMinAnalysisDecodeSide);
  const Size size{like.width(), like.height()};
  if (size.width >= measured.width() || !CanReduceHere(measured, size)) {
    return MeasurePixels(measured, header, analyses, analysis, deadline);
  }
  vips::VImage reduced;
  try {
    reduced = ReduceHere(measured, size, deadline);
  } catch (const vips::VError& error) {
    return AnalysisFailed(error, deadline);
  }
  return MeasurePixels(reduced, header, analyses, analysis, deadline);
}

}  // namespace pixfleet
