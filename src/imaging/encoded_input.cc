// Both kinds of input reach libvips through the same few calls: bytes as a borrowed buffer (as
// before), a file as a VipsSource opened on its path, which libvips reads in blocks as it decodes.
#include "imaging/encoded_input.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "core/hash.h"
#include "core/read_file.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

constexpr size_t kHashBlock = 1 << 20;

vips::VSource FileSource(const std::string& path) {
  return vips::VSource::new_from_file(path.c_str());
}

}  // namespace

EncodedInput EncodedInput::FromBytes(std::string_view bytes) {
  EncodedInput input;
  input.bytes_ = bytes;
  input.size_ = bytes.size();
  return input;
}

Result<EncodedInput> EncodedInput::FromFile(std::string path) {
  PIXFLEET_ASSIGN_OR_RETURN(const uint64_t size, RegularFileSize(path));
  EncodedInput input;
  input.size_ = size;
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailedPrecondition(path + ": cannot open for reading");
  input.file_head_.resize(static_cast<size_t>(std::min<uint64_t>(size, kHeadBytes)));
  in.read(input.file_head_.data(), static_cast<std::streamsize>(input.file_head_.size()));
  if (!in) return FailedPrecondition(path + ": cannot read");
  input.path_ = std::move(path);
  return input;
}

std::string_view EncodedInput::Head() const {
  return path_.empty() ? bytes_.substr(0, kHeadBytes) : std::string_view(file_head_);
}

Result<std::string> EncodedInput::Sha256Hex() const {
  if (path_.empty()) return pixfleet::Sha256Hex(bytes_);
  std::ifstream in(path_, std::ios::binary);
  if (!in) return FailedPrecondition(path_ + ": cannot open for reading");
  Sha256Stream stream;
  std::vector<char> block(kHashBlock);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    stream.Update(std::string_view(block.data(), static_cast<size_t>(in.gcount())));
  }
  if (!in.eof()) return FailedPrecondition(path_ + ": read failed");
  return stream.HexDigest();
}

const char* EncodedInput::FindLoader() const {
  if (path_.empty()) return vips_foreign_find_load_buffer(bytes_.data(), bytes_.size());
  return vips_foreign_find_load_source(FileSource(path_).get_source());
}

vips::VImage EncodedInput::Open(vips::VOption* options, const std::string& option_string) const {
  if (path_.empty()) {
    return vips::VImage::new_from_buffer(bytes_.data(), bytes_.size(), option_string.c_str(),
                                         options);
  }
  return vips::VImage::new_from_source(FileSource(path_), option_string.c_str(), options);
}

vips::VImage EncodedInput::OpenWith(std::string_view buffer_loader, vips::VOption* options) const {
  vips::VImage image;
  std::string loader(buffer_loader);
  if (path_.empty()) {
    const BorrowedBlob blob(bytes_);
    vips::VImage::call(loader.c_str(), options->set("buffer", blob.Get())->set("out", &image));
  } else {
    loader = loader.substr(0, loader.rfind('_')) + "_source";  // "tiffload_buffer" -> _source
    vips::VImage::call(loader.c_str(),
                       options->set("source", FileSource(path_))->set("out", &image));
  }
  return image;
}

vips::VImage EncodedInput::Thumbnail(int width, vips::VOption* options) const {
  if (path_.empty()) {
    const BorrowedBlob blob(bytes_);  // the image keeps its own reference to the blob
    return vips::VImage::thumbnail_buffer(blob.Get(), width, options);
  }
  return vips::VImage::thumbnail_source(FileSource(path_), width, options);
}

}  // namespace pixfleet
