#include "core/read_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pixfleet {

Result<uint64_t> RegularFileSize(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    return NotFound(path +
                    ": cannot read: " + (error ? error.message() : std::string("no such file")));
  }
  // Checked before opening: a folder would fail with a bare "Is a directory", and a pipe could
  // block the read forever.
  if (fs::is_directory(status)) {
    return InvalidArgument(path + " is a folder, not a file: name the file itself");
  }
  if (!fs::is_regular_file(status)) {
    return InvalidArgument(path + " is not a regular file (a pipe, socket or device)");
  }
  const auto size = fs::file_size(path, error);
  if (error) return NotFound(path + ": cannot read: " + error.message());
  return static_cast<uint64_t>(size);
}

Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes) {
  PIXFLEET_ASSIGN_OR_RETURN(const uint64_t size, RegularFileSize(path));
  if (size > max_bytes) {
    return ResourceExhausted(path + ": file is " + std::to_string(size) +
                             " bytes, over the limit of " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace pixfleet
