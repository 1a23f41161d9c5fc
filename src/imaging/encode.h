// Encoders: one function turning a processed image into the bytes of a recipe's format. Images
// are first made encodable (8-bit sRGB or grey; JPEG has no alpha, so it is flattened on white).
// Throws vips::VError on libvips failure; the engine converts that to a Status.
#pragma once

#include <string>

#include <vips/vips8>

#include "imaging/deadline.h"
#include "model/recipe.h"

namespace pixfleet {

// The image as the encoder will receive it: colour made encodable, alpha flattened for JPEG.
vips::VImage PrepareForEncoding(const vips::VImage& in, const EncodeOptions& options);

// Encodes an image returned by PrepareForEncoding. 8-bit sRGB (and grey for JPEG) JPEG and WebP
// outputs without metadata are written by the own writers (jpeg_writer.h, webp_writer.h), their
// pixels computed on the calling thread under `deadline`; the rest by libvips' savers.
std::string Encode(const vips::VImage& prepared, const EncodeOptions& options,
                   const Deadline& deadline);

}  // namespace pixfleet
