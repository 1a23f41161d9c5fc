// The recipe's analyses: the file's checksum (sha256 of its bytes), header facts (upright size,
// format, orientation) and pixel measures (mean colour, dHash) computed from the shared decoded
// image with the pure helpers of analysis.h. Only the analyses the recipe lists are set.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <vips/vips8>

#include "core/status.h"
#include "imaging/deadline.h"
#include "imaging/loader.h"
#include "imaging/resize_sources.h"
#include "model/recipe.h"
#include "model/result.h"

namespace pixfleet {

// True when an analysis in the list needs decoded pixels (mean colour, dHash).
bool NeedsPixels(const std::vector<Analysis>& analyses);

// True when an analysis in the list needs the image header (all but sha256).
bool NeedsHeader(const std::vector<Analysis>& analyses);

// The sha256 of the input's bytes, when listed (a file is read for it in blocks).
// kFailedPrecondition when a file cannot be read.
Status MeasureBytes(const EncodedInput& input, const std::vector<Analysis>& analyses,
                    ImageAnalysis* analysis);

// Width, height (upright, full resolution), format and orientation, from the header.
void MeasureHeader(const ImageHeader& header, const std::vector<Analysis>& analyses,
                   ImageAnalysis* analysis);

// Mean colour of the image as 8-bit sRGB (alpha ignored). Throws vips::VError.
std::array<double, 3> MeanColour(const vips::VImage& decoded);

// dHash of the upright image: alpha dropped, shrunk to 9x8 (ignoring aspect), then hashed.
// `orientation` is the EXIF orientation of `decoded`'s pixels. Throws vips::VError.
uint64_t Dhash(const vips::VImage& decoded, int orientation);

// Mean colour and dHash when listed: from the pixels themselves (analysis.h) when they are 8-bit
// grey or sRGB, computed on the calling thread under `deadline`; through libvips (MeanColour,
// Dhash) otherwise. kInternal if libvips fails on the decoded image.
Status MeasurePixels(const vips::VImage& decoded, const ImageHeader& header,
                     const std::vector<Analysis>& analyses, ImageAnalysis* analysis,
                     const Deadline& deadline);

// The same, from the images a ProcessImage call holds: the smallest that still has
// kMinAnalysisDecodeSide pixels, in the decoded colour. When the outputs resized from their
// shared sRGB conversion (ResizeSources::Srgb), the decoded colour holds only the decoded image;
// it is reduced here to the size those outputs found, which costs less than reading it whole.
Status MeasurePixels(const ResizeSources& sources, const ImageHeader& header,
                     const std::vector<Analysis>& analyses, ImageAnalysis* analysis,
                     const Deadline& deadline);

}  // namespace pixfleet
