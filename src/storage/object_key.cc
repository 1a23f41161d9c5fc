// ValidateObjectKey: the one gate every backend applies before touching storage. Rejecting "..",
// "." and empty segments, absolute keys and backslashes here is what keeps a key from naming a
// file outside the local store's root, and keeps keys portable between the local folder and S3.
#include <string>

#include "storage/object_store.h"

namespace pixfleet {
namespace {

constexpr size_t kMaxKeyBytes = 1024;  // S3's limit on a key

Status BadKey(std::string_view key, std::string_view rule) {
  std::string message = "invalid object key \"";
  // A NUL byte would cut the message short wherever it is printed as a C string.
  for (const char c : key) message += c == '\0' ? std::string("\\0") : std::string(1, c);
  message += "\": ";
  message += rule;
  return InvalidArgument(std::move(message));
}

}  // namespace

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return BadKey(key, "a key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return BadKey(key.substr(0, 64),
                  "a key must be at most 1024 bytes (got " + std::to_string(key.size()) + ")");
  }
  if (key.front() == '/') return BadKey(key, "a key must be relative (no leading '/')");
  if (key.find('\\') != std::string_view::npos) {
    return BadKey(key, "a key must not contain a backslash");
  }
  if (key.find('\0') != std::string_view::npos) {
    return BadKey(key, "a key must not contain a NUL byte");
  }
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const std::string_view segment =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) {
      return BadKey(key, "a key must not contain an empty segment (\"//\" or a trailing '/')");
    }
    if (segment == "." || segment == "..") {
      return BadKey(key, "a key must not contain \".\" or \"..\" segments");
    }
    if (slash == std::string_view::npos) return Status::Ok();
    start = slash + 1;
  }
}

}  // namespace pixfleet
