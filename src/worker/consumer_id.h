// Consumer ids name who holds a lease: "<hostname>/<pid>". The local supervisor derives the id of
// a worker it started from the worker's pid, to hand its leases back when the worker dies.
#pragma once

#include <string>

#include <sys/types.h>

namespace pixfleet {

std::string ConsumerIdForPid(pid_t pid);
std::string ThisProcessConsumerId();

}  // namespace pixfleet
