#include "storage/local/stray_temp_files.h"

#include <system_error>

#include "storage/local/local_object_store.h"

namespace pixfleet {

namespace fs = std::filesystem;

Result<int64_t> RemoveTempFilesOf(const fs::path& root, const std::set<pid_t>& writers) {
  int64_t removed = 0;
  if (writers.empty()) return removed;
  std::error_code error;
  fs::recursive_directory_iterator walk(root, fs::directory_options::skip_permission_denied, error);
  if (error) {
    return Unavailable("cannot look for temp files in " + root.string() + ": " + error.message());
  }
  for (; walk != fs::recursive_directory_iterator(); walk.increment(error)) {
    if (error) {
      // A folder that vanished or cannot be read mid-walk: go on with the rest.
      error.clear();
      continue;
    }
    const fs::directory_entry& entry = *walk;
    const std::string name = entry.path().filename().string();
    if (walk.depth() == 0 && name == LocalObjectStore::kStateFolder) {
      walk.disable_recursion_pending();
      continue;
    }
    const std::optional<pid_t> writer = LocalObjectStore::TempFileWriter(name);
    if (!writer || !writers.contains(*writer)) continue;
    // A link so named is not a writer's temp file: it is left, and so is its target.
    if (entry.symlink_status(error).type() != fs::file_type::regular) continue;
    const bool gone = fs::remove(entry.path(), error);
    if (error) {
      return Unavailable("cannot remove the temp file " + entry.path().string() + ": " +
                         error.message());
    }
    if (gone) ++removed;
  }
  return removed;
}

}  // namespace pixfleet
