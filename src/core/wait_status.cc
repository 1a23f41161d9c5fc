#include "core/wait_status.h"

#include <cstring>

#include <sys/wait.h>

namespace pixfleet {

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    // sigdescr_np, unlike strsignal, is thread-safe (a supervisor's threads describe exits).
    const char* name = sigdescr_np(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           (name != nullptr ? name : "unknown signal") + ")";
  }
  return "stopped";
}

}  // namespace pixfleet
