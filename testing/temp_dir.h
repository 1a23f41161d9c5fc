// TempDir: a fresh directory under $TMPDIR (or /tmp) named after the running test, removed with
// everything in it when the object is destroyed.
#pragma once

#include <filesystem>
#include <string>

namespace pixfleet {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / relative, as a string.
  std::string Join(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  std::filesystem::path path_;
};

// Writes `bytes` to `path`, creating parent directories. Aborts the test on failure.
void WriteFileForTest(const std::filesystem::path& path, const std::string& bytes);
// Reads a whole file; empty string if it cannot be read.
std::string ReadFileForTest(const std::filesystem::path& path);

}  // namespace pixfleet
