#include "imaging/webp_writer.h"

#include <algorithm>
#include <string>

#include <webp/encode.h>

namespace pixfleet {
namespace {

// The picture (its YUV planes) and the written bytes, released on every way out.
struct Encoding {
  WebPPicture picture{};
  WebPMemoryWriter writer{};

  Encoding() {
    WebPPictureInit(&picture);
    WebPMemoryWriterInit(&writer);
  }
  ~Encoding() {
    WebPPictureFree(&picture);
    WebPMemoryWriterClear(&writer);
  }
  Encoding(const Encoding&) = delete;
  Encoding& operator=(const Encoding&) = delete;
};

}  // namespace

Result<std::string> EncodeWebp(const PixelRows& pixels, int quality, int method) {
  if (pixels.bands != 3 && pixels.bands != 4) {
    return InvalidArgument("WebP writer: 3 or 4 bands, not " + std::to_string(pixels.bands));
  }
  if (pixels.width < 1 || pixels.height < 1 || pixels.width > WEBP_MAX_DIMENSION ||
      pixels.height > WEBP_MAX_DIMENSION) {
    return InvalidArgument("WebP writer: cannot write " + std::to_string(pixels.width) + "x" +
                           std::to_string(pixels.height) + " pixels (at most " +
                           std::to_string(WEBP_MAX_DIMENSION) + " a side)");
  }
  WebPConfig config;
  const auto factor = static_cast<float>(std::clamp(quality, 1, 100));
  if (WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, factor) == 0) {
    return Internal("WebP writer: libwebp's version does not match its header");
  }
  config.method = std::clamp(method, 0, 6);
  config.alpha_quality = 100;
  if (WebPValidateConfig(&config) == 0) return Internal("WebP writer: invalid configuration");
  Encoding encoding;
  WebPPicture& picture = encoding.picture;
  picture.width = pixels.width;
  picture.height = pixels.height;
  const int stride = static_cast<int>(pixels.row_bytes);
  const int imported = pixels.bands == 4 ? WebPPictureImportRGBA(&picture, pixels.data, stride)
                                         : WebPPictureImportRGB(&picture, pixels.data, stride);
  if (imported == 0) return Internal("WebP writer: out of memory importing the pixels");
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &encoding.writer;
  if (WebPEncode(&config, &picture) == 0) {
    return Internal("WebP writer: libwebp failed with error " +
                    std::to_string(static_cast<int>(picture.error_code)));
  }
  return std::string(reinterpret_cast<const char*>(encoding.writer.mem), encoding.writer.size);
}

}  // namespace pixfleet
