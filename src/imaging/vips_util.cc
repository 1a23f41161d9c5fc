// libvips adapters. Blobs are released through their VipsArea base (the first member of
// VipsBlob), which is what the VIPS_AREA() cast macro does.
#include "imaging/vips_util.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace pixfleet {
namespace {

VipsArea* AsArea(VipsBlob* blob) { return reinterpret_cast<VipsArea*>(blob); }

std::string OneLine(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream stream{std::string(text)};
  for (std::string line; std::getline(stream, line);) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    if (!lines.empty() && lines.back() == line) continue;
    lines.push_back(line);
  }
  std::string joined;
  for (const std::string& line : lines) {
    if (!joined.empty()) joined += "; ";
    joined += line;
  }
  return joined.empty() ? std::string("unknown libvips error") : joined;
}

}  // namespace

std::string LinesAbout(std::string_view text, std::string_view format) {
  std::string relevant;
  std::istringstream stream{std::string(text)};
  for (std::string line; std::getline(stream, line);) {
    std::string domain = line.substr(0, line.find(':'));
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (domain.find(format) != std::string::npos) relevant += line + "\n";
  }
  return relevant;
}

std::string TakeVipsError(const vips::VError& error, std::string_view format) {
  std::string text = error.what();
  if (!format.empty()) {
    // libvips keeps one error buffer for the whole process, so a failure on one thread can carry
    // lines from another thread's failure. Keep the lines whose domain ("VipsJpeg", "vipspng",
    // "tiff2vips", "heifload") names this image's format, when there are any.
    std::string relevant = LinesAbout(text, format);
    if (!relevant.empty()) text = std::move(relevant);
  }
  std::string message = OneLine(text);
  vips_error_clear();
  return message;
}

std::string TakeVipsErrorBuffer() {
  std::string message = OneLine(vips_error_buffer());
  vips_error_clear();
  return message;
}

std::string JoinMessageLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return OneLine(text);
}

BorrowedBlob::BorrowedBlob(std::string_view bytes)
    : blob_(vips_blob_new(nullptr, bytes.data(), bytes.size())) {}

BorrowedBlob::~BorrowedBlob() { vips_area_unref(AsArea(blob_)); }

std::string TakeBlob(VipsBlob* blob) {
  if (blob == nullptr) return {};
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  std::string bytes(static_cast<const char*>(data), length);
  vips_area_unref(AsArea(blob));
  return bytes;
}

std::span<const uint8_t> IccProfileOf(const vips::VImage& image) {
  if (image.get_typeof(VIPS_META_ICC_NAME) == 0) return {};
  const void* data = nullptr;
  size_t length = 0;
  if (vips_image_get_blob(image.get_image(), VIPS_META_ICC_NAME, &data, &length) != 0) {
    vips_error_clear();
    return {};
  }
  return {static_cast<const uint8_t*>(data), length};
}

bool IsMemoryImage(const vips::VImage& image) {
  const VipsImage* raw = image.get_image();
  return (raw->dtype == VIPS_IMAGE_SETBUF || raw->dtype == VIPS_IMAGE_SETBUF_FOREIGN) &&
         raw->data != nullptr;
}

vips::VImage MemoryImageOver(void* data, const vips::VImage& like, int width, int height) {
  const size_t bytes = vips_format_sizeof(like.format()) * static_cast<size_t>(like.bands()) *
                       static_cast<size_t>(width) * static_cast<size_t>(height);
  vips::VImage out(
      vips_image_new_from_memory(data, bytes, width, height, like.bands(), like.format()));
  VipsImage* raw = out.get_image();
  if (raw == nullptr) throw vips::VError();
  // The fields and metadata, as libvips' own operations give their outputs the input's.
  if (vips_image_pipelinev(raw, VIPS_DEMAND_STYLE_ANY, like.get_image(), nullptr) != 0) {
    throw vips::VError();
  }
  // pipelinev copied like's size too, and its progress reporting (Deadline::Watch), which would
  // point at an image this one may outlive; nothing computes this image through a thread pool.
  raw->Xsize = width;
  raw->Ysize = height;
  raw->progress_signal = nullptr;
  return out;
}

vips::VImage NewHeader(const vips::VImage& image) {
  if (!IsMemoryImage(image)) return image.copy();
  VipsImage* in = image.get_image();
  vips::VImage out = MemoryImageOver(in->data, image, image.width(), image.height());
  // The pixels' owner lives as long as this image: a reference dropped when it closes.
  g_object_ref(in);
  vips_object_local(out.get_image(), in);
  return out;
}

vips::VImage WithOwnedBlobs(const vips::VImage& image) {
  vips::VImage copy = NewHeader(image);
  VipsImage* raw = copy.get_image();
  gchar** fields = vips_image_get_fields(raw);
  for (gchar** field = fields; *field != nullptr; ++field) {
    if (vips_image_get_typeof(raw, *field) != VIPS_TYPE_BLOB) continue;
    const void* data = nullptr;
    size_t length = 0;
    if (vips_image_get_blob(raw, *field, &data, &length) != 0) {
      vips_error_clear();
      continue;
    }
    vips_image_set_blob_copy(raw, *field, data, length);
  }
  g_strfreev(fields);
  return copy;
}

vips::VImage WithoutIccProfile(const vips::VImage& image) {
  if (image.get_typeof(VIPS_META_ICC_NAME) == 0) return image;
  vips::VImage copy = NewHeader(image);
  copy.remove(VIPS_META_ICC_NAME);
  return copy;
}

}  // namespace pixfleet
