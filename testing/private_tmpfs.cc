// RunOnPrivateTmpfs: see the header.
#include "testing/private_tmpfs.h"

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pixfleet {
namespace {

// The first byte of the child's report: the rest is what `body` returned, or why it could not run.
constexpr char kRan = 'R';
constexpr char kUnsupported = 'U';

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

bool WriteProcFile(const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = WriteAll(fd, text);
  ::close(fd);
  return ok;
}

// Enters new user and mount namespaces, mapping this process's ids to root inside, and mounts
// the tmpfs. False when the machine does not allow it.
bool EnterPrivateTmpfs(const std::filesystem::path& mount_point, const TmpfsOptions& options) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return false;
  if (!WriteProcFile("/proc/self/setgroups", "deny") ||
      !WriteProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !WriteProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
    return false;
  }
  // Nothing mounted here may propagate back to the machine.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  const std::string data = "size=" + std::to_string(options.size_bytes) + ",mode=0755";
  const unsigned long flags = options.read_only ? MS_RDONLY : 0;
  return ::mount("tmpfs", mount_point.c_str(), "tmpfs", flags, data.c_str()) == 0;
}

}  // namespace

std::optional<std::string> RunOnPrivateTmpfs(const std::filesystem::path& mount_point,
                                             TmpfsOptions options,
                                             const std::function<std::string()>& body) {
  std::error_code ec;
  std::filesystem::create_directories(mount_point, ec);
  if (ec) return "cannot create the mount point " + mount_point.string() + ": " + ec.message();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string report(1, kUnsupported);
    if (EnterPrivateTmpfs(mount_point, options)) report = kRan + body();
    _exit(WriteAll(fds[1], report) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fds[0], buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    report.append(buffer, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (report.empty()) {
    return "the child died before reporting (wait status " + std::to_string(wait_status) + ")";
  }
  if (report.front() == kUnsupported) return std::nullopt;
  return report.substr(1);
}

}  // namespace pixfleet
