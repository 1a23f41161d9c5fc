// Encoders: one function turning a processed image into the bytes of a recipe's format. Images
// are first made encodable (8-bit sRGB or grey; JPEG has no alpha, so it is flattened on white).
// Throws vips::VError on libvips failure; the engine converts that to a Status.
#pragma once

#include <string>

#include <vips/vips8>

#include "imaging/deadline.h"
#include "model/recipe.h"

namespace pixfleet {

// AVIF effort (libvips 0..9; aom speed = 9 - effort). 2 costs ~0.4 s for a 2 MP image on one core
// here, against ~2.2 s at the libvips default of 4, for ~15 % larger files.
inline constexpr int kAvifEffort = 2;

// The image as the encoder will receive it: colour made encodable, alpha flattened for JPEG.
vips::VImage PrepareForEncoding(const vips::VImage& in, const EncodeOptions& options);

// Encodes an image returned by PrepareForEncoding. 8-bit sRGB (and grey for JPEG) JPEG and WebP
// outputs without metadata are written by the own writers (jpeg_writer.h, webp_writer.h), their
// pixels computed on the calling thread under `deadline`; the rest by libvips' savers.
std::string Encode(const vips::VImage& prepared, const EncodeOptions& options,
                   const Deadline& deadline);

}  // namespace pixfleet
