// The temp files that writers killed in the middle of a LocalObjectStore::Put leave behind.
// A Put writes a hidden temp file beside its target and renames it over the target, so a writer
// that dies mid-Put leaves its temp file (never a partial object). Nothing else ever removes
// such a file: List passes over it and a later Put of the same key picks a new name. Its name
// carries its writer's pid (LocalObjectStore::TempFileWriter), which is how the process that
// watched that writer die can tidy up after it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>

#include <sys/types.h>

#include "core/status.h"

namespace pixfleet {

// Removes every temp file under `root` (at any depth; links are not followed and the state
// folder .pixfleet is passed over) whose writer is one of `writers`, and returns how many it
// removed. Only files are removed, never folders.
// The caller must know those writers dead and that no other process with one of their pids
// writes under `root` now (pids are reused): `pixfleet run` calls it once all its workers have
// exited, holding its lock on the output folder.
// A folder that cannot be read is passed over; kUnavailable only when `root` itself cannot be
// walked, or a file that matched cannot be removed (with the path and the reason).
Result<int64_t> RemoveTempFilesOf(const std::filesystem::path& root,
                                  const std::set<pid_t>& writers);

}  // namespace pixfleet
