// How a subcommand ends on an error: the fatal line (core/log.h, PrintFatalLine) on stderr, then
// the exit code, which the subcommand returns.
#pragma once

#include <string_view>

#include "core/log.h"

namespace pixfleet {

inline int FailCommand(std::string_view command, int exit_code, std::string_view message) {
  PrintFatalLine(command, message);
  return exit_code;
}

}  // namespace pixfleet
