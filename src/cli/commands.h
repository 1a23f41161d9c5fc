// The subcommands of the pixfleet binary. Each Add*Command registers a subcommand and its flags
// on `app` and returns the function to call when that subcommand was chosen; the function
// returns the process exit code.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace pixfleet {

using CommandRunner = std::function<int()>;

CommandRunner AddRunCommand(CLI::App& app, const std::string& self_executable);
CommandRunner AddProcessCommand(CLI::App& app);
CommandRunner AddWorkerCommand(CLI::App& app);
CommandRunner AddSubmitCommand(CLI::App& app);
CommandRunner AddStatusCommand(CLI::App& app);
CommandRunner AddDbCommand(CLI::App& app);
CommandRunner AddScaleCommand(CLI::App& app);
CommandRunner AddSimulateCommand(CLI::App& app);

}  // namespace pixfleet
