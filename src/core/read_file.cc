#include "core/read_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pixfleet {

Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return NotFound(path + ": cannot read: " + error.message());
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
