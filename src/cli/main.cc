// pixfleet: batch image processing. Dispatches to the subcommands in commands.h.
#include <array>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/recipe_lookup.h"
#include "core/log.h"

namespace {

// The path of this binary, so `run` can start workers that are exactly this program.
std::string SelfExecutable(const char* argv0) {
  std::array<char, 4096> buffer{};
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return length > 0 ? std::string(buffer.data(), static_cast<size_t>(length)) : std::string(argv0);
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
  // glibc's per-thread arenas fragment under libvips' allocation pattern and RSS creeps up over
  // thousands of images; two arenas keep it flat (jemalloc, when linked, ignores this).
  mallopt(M_ARENA_MAX, 2);  // NOLINT(concurrency-mt-unsafe): no other thread exists yet

  CLI::App app{"pixfleet: batch image processing that scales from one machine to a fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionLine());
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
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
    return app.exit(e);
  }
  pixfleet::InitLogging(pixfleet::ParseLogFormat(log_format), log_level);
  for (CLI::App* chosen : app.get_subcommands()) return runners.at(chosen->get_name())();
  return 2;
}
