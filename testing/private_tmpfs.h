// RunOnPrivateTmpfs: lets a test meet a file system that is really full or really read-only.
// `body` runs in a child process that has mount and user namespaces of its own, with a fresh
// tmpfs of `size_bytes` mounted at `mount_point` (read-only if asked): the machine's mounts are
// untouched, and no privilege is needed where the kernel allows unprivileged user namespaces.
// Inside, the child is root of its namespace, so file permissions do not refuse it.
// `mount_point` is created (with its parents) if it does not exist.
//
// Returns what `body` returned, or nullopt when this machine refuses the namespaces or the
// mount (the test should then skip, saying kNoPrivateTmpfs). Under ThreadSanitizer it always
// does: its runtime thread makes the forked child multi-threaded, and unshare(CLONE_NEWUSER)
// refuses a multi-threaded process. The child must not use GoogleTest assertions (they would not
// reach the parent): `body` describes what it saw in its string and the parent checks it. Call
// it while the test process has a single thread, as with any fork.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace pixfleet {

// Why a test that needs RunOnPrivateTmpfs skipped.
inline constexpr const char* kNoPrivateTmpfs =
    "no private tmpfs here: user and mount namespaces refused (always under ThreadSanitizer)";

struct TmpfsOptions {
  size_t size_bytes = size_t{64} * 1024;
  bool read_only = false;
};

std::optional<std::string> RunOnPrivateTmpfs(const std::filesystem::path& mount_point,
                                             TmpfsOptions options,
                                             const std::function<std::string()>& body);

}  // namespace pixfleet
