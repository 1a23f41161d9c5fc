// `pixfleet process IMAGE --recipe FILE --out DIR`: one image, no queue, for trying a recipe.
// Writes the outputs under DIR with the recipe's key templates (the input key is the file name)
// and prints the outputs and the analysis as JSON on stdout.
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/command_failure.h"
#include "cli/commands.h"
#include "cli/engine_flags.h"
#include "cli/flag_checks.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/terminal_text.h"
#include "model/key_template.h"
#include "model/recipe_yaml.h"
#include "results/result_json.h"
#include "wiring/backends.h"
#include "wiring/url.h"

namespace pixfleet {
namespace {

struct ProcessFlags {
  std::string image;
  std::string recipe_path;
  std::string out_dir;
  EngineFlags engine;
};

int RunProcess(const ProcessFlags& flags) {
  EngineOptions engine_options;
  engine_options.allow_untrusted_loaders = flags.engine.allow_untrusted;
  engine_options.vips_threads_per_image =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));  // one image: every core
  if (Status init = InitImageEngine(engine_options); !init.ok()) {
    return FailCommand("process", 2, init.ToString());
  }
  auto recipe_text = ReadWholeFile(flags.recipe_path, 1 << 20);
  if (!recipe_text.ok()) return FailCommand("process", 2, recipe_text.error().message());
  auto recipe = ParseRecipeYaml(*recipe_text, flags.recipe_path);
  if (!recipe.ok()) return FailCommand("process", 2, recipe.error().message());
  const EngineLimits limits = flags.engine.Limits();
  const std::string input_key = std::filesystem::path(flags.image).filename().string();
  // Streamed from the file: a gigapixel input is never held whole in memory.
  auto processed = ProcessImageFile(flags.image, flags.image, *recipe, limits);
  if (!processed.ok()) return FailCommand("process", 1, processed.error().message());
  auto out = MakeObjectStore(FileUrl(flags.out_dir), /*create=*/true, RealClock::Instance());
  if (!out.ok()) return FailCommand("process", 2, out.error().ToString());

  std::vector<OutputRecord> written;
  for (size_t i = 0; i < processed->outputs.size(); ++i) {
    const EncodedOutput& output = processed->outputs[i];
    const std::string key = ExpandKeyTemplate(recipe->outputs[i], input_key);
    if (Status put = (*out)->Put(key, output.bytes, output.content_type); !put.ok()) {
      return FailCommand("process", 1, put.ToString());
    }
    written.push_back(OutputRecord{output.name, key, output.bytes.size(), output.width,
                                   output.height, output.format});
  }
  // The file name may be any bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
  const std::string input_json =
      nlohmann::json(flags.image).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::cout << TerminalSafeJson("{\"input\":" + input_json +
                                ",\"outputs\":" + OutputsToJson(written) +
                                ",\"analysis\":" + AnalysisToJson(processed->analysis) + "}")
            << "\n";
  return 0;
}

}  // namespace

CommandRunner AddProcessCommand(CLI::App& app) {
  auto flags = std::make_shared<ProcessFlags>();
  CLI::App* process =
      app.add_subcommand("process", "Run a recipe on one image (no queue), to try a recipe");
  const std::string local_only = "pixfleet process reads and writes local files";
  process->add_option("IMAGE", flags->image, "Input image: a path or file:///path")
      ->required()
      ->transform(LocalLocation(local_only))
      ->check(CLI::ExistingFile);
  process->add_option("--recipe,-r", flags->recipe_path, "Recipe YAML file")
      ->required()
      ->transform(LocalLocation("a recipe is a local file"))
      ->check(CLI::ExistingFile);
  process->add_option("--out,-o", flags->out_dir, "Output folder: a path or file:///path")
      ->required()
      ->transform(LocalLocation(local_only));
  flags->engine.AddTo(*process);
  return [flags] { return RunProcess(*flags); };
}

}  // namespace pixfleet
