// How a child process ended, in words, from waitpid's status: for the messages of whoever
// supervises processes (`pixfleet run`'s workers, `pixfleet scale`'s replicas).
#pragma once

#include <string>

namespace pixfleet {

// "exited with status 1", "killed by signal 9 (Killed)", or "stopped". Thread-safe.
std::string DescribeWaitStatus(int status);

}  // namespace pixfleet
