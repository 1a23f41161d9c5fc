// Helpers for tests that start and kill processes.
#pragma once

#include <sys/types.h>

namespace pixfleet {

// True once `pid` is gone or a zombie (dead, waiting for whoever adopted it to reap it).
bool ProcessIsDead(pid_t pid);

}  // namespace pixfleet
