// pixfleet: batch image processing. Dispatches to the subcommands in commands.h.
#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/recipe_lookup.h"
#include "core/log.h"
#include "core/redact.h"
#include "imaging/malloc_tuning.h"

namespace {

// The path of this binary, so `run` can start workers that are exactly this program.
std::string SelfExecutable(const char* argv0) {
  std::array<char, 4096> buffer{};
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return length > 0 ? std::string(buffer.data(), static_cast<size_t>(length)) : std::string(argv0);
}

// The log format asked for, read before parsing so that a parse error already follows it.
pixfleet::LogFormat LogFormatBeforeParsing(int argc, char** argv) {
  std::string_view format;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists
  if (const char* from_environment = std::getenv("PIXFLEET_LOG_FORMAT")) format = from_environment;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--log-format" && i + 1 < argc) format = argv[i + 1];
    if (arg.starts_with("--log-format=")) format = arg.substr(arg.find('=') + 1);
  }
  return pixfleet::ParseLogFormat(format);
}

// "run", "db migrate": the subcommands chosen so far, for messages.
std::string ChosenCommand(const CLI::App& app) {
  std::string path;
  for (const CLI::App* at = &app; !at->get_subcommands().empty();) {
    at = at->get_subcommands().front();
    path += (path.empty() ? "" : " ") + at->get_name();
  }
  return path;
}

// Every value given on the command line or through the environment may be a connection string:
// its secrets are masked in every line this process prints.
void RegisterSecretsOfValues(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& value : option->results()) pixfleet::RegisterSecretsOf(value);
  }
  for (const CLI::App* chosen : app.get_subcommands()) RegisterSecretsOfValues(*chosen);
}

// "pixfleet 0.1.0", with " (commit 1a2b3c4d5e6f)" when built from a git checkout.
std::string VersionLine() {
  std::string line = "pixfleet ";
  line += pixfleet::kVersion;
  if (!pixfleet::kCommit.empty()) {
    line += " (commit ";
    line += pixfleet::kCommit;
    line += ")";
  }
  return line;
}

}  // namespace

// Library exceptions are caught at the backend edges (errors are values); one that reaches
// main() is a bug, and std::terminate's abort, with its core dump, is the report it deserves.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  pixfleet::TuneMallocForImages();  // first: no other thread exists yet
  pixfleet::RegisterEnvironmentSecrets();
  pixfleet::InitLogging(LogFormatBeforeParsing(argc, argv), "info");

  CLI::App app{"pixfleet: batch image processing that scales from one machine to a fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionLine());
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->transform(pixfleet::LogLevel())
      ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text (readable lines) or json (one object per line)")
      ->envname("PIXFLEET_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.fallthrough();  // global flags may follow the subcommand
  const std::map<std::string, pixfleet::CommandRunner> runners = {
      {"run", pixfleet::AddRunCommand(app, SelfExecutable(argv[0]))},
      {"process", pixfleet::AddProcessCommand(app)},
      {"worker", pixfleet::AddWorkerCommand(app)},
      {"submit", pixfleet::AddSubmitCommand(app)},
      {"status", pixfleet::AddStatusCommand(app)},
      {"db", pixfleet::AddDbCommand(app)},
      {"scale", pixfleet::AddScaleCommand(app)},
      {"simulate", pixfleet::AddSimulateCommand(app)},
  };
  // Every command's --recipe also takes the name of an installed recipe (cli/recipe_lookup.h).
  const std::filesystem::path installed_recipes =
      pixfleet::InstalledRecipesDir(SelfExecutable(argv[0]));
  for (CLI::App* command : app.get_subcommands({})) {
    if (CLI::Option* recipe = command->get_option_no_throw("--recipe")) {
      recipe->transform([installed_recipes](const std::string& value) {
        return pixfleet::ResolveRecipe(value, installed_recipes);
      });
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help, --version: on stdout, exit 0
    }
    const std::string command = ChosenCommand(app);
    pixfleet::PrintFatalLine(command, std::string(e.what()) + " (pixfleet " + command +
                                          (command.empty() ? "" : " ") +
                                          "--help lists the options)");
    return 2;
  }
  RegisterSecretsOfValues(app);
  pixfleet::InitLogging(pixfleet::ParseLogFormat(log_format), log_level);
  // Workers started by `run` log as their parent does.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread reads the environment at this point
  setenv("PIXFLEET_LOG_FORMAT", log_format.c_str(), /*overwrite=*/1);
  for (CLI::App* chosen : app.get_subcommands()) return runners.at(chosen->get_name())();
  return 2;
}
