// The single decode of a ProcessImage call: shrink-on-load to the plan's decode box, pixels kept
// in the stored orientation, computed into memory once so that every output and analysis reads
// the same pixels. Corrupt or truncated data fails here, as kInvalidArgument, by the rule in
// decode_policy.h (a JPEG whose data ends before its declared size fails; the extraneous bytes
// many cameras write do not), with the decoder's own reason where libvips only logged it.
#pragma once

#include <string_view>

#include <vips/vips8>

#include "core/status.h"
#include "imaging/deadline.h"
#include "imaging/encoded_input.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

// Decodes `input` (already identified as a supported format) to an in-memory image of 8-bit
// sRGB or greyscale (libvips' thumbnail converts CMYK, 16-bit and Lab), alpha kept: the size of
// plan.decode_box, or fitted inside it where libvips' thumbnail decodes (formats other than JPEG,
// CMYK JPEGs). The orientation tag is kept; pixels are not rotated.
// kInvalidArgument "corrupt or truncated image: ..."; kResourceExhausted past the deadline.
// `format` is the loader's format name from the header ("jpeg"), used to keep error messages
// about this image only.
Result<vips::VImage> DecodeForPlan(const EncodedInput& input, std::string_view format,
                                   const DecodePlan& plan, const Deadline& deadline);

}  // namespace pixfleet
