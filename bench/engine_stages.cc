// pixfleet-bench-stages: where one recipe's CPU goes, stage by stage, on the engine's own code.
//   pixfleet-bench-stages RECIPE.yaml FILE...
// Runs the steps of ProcessImage (imaging/engine.cc) on each file in turn, one libvips thread,
// and adds up the process CPU time (user+sys, every thread) of each: the header and plan, the
// decode (shrink-on-load and the reduce to the plan's box), each output (operations + encode),
// the pixel analyses. Prints one row per stage with its share. Nothing is written to disk.
// Its purpose is to say which stage an engine change should target and to show the change's
// effect on that stage; bench/engine.sh measures the whole against Pillow.
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <time.h>

#include "imaging/decode.h"
#include "imaging/engine.h"
#include "imaging/loader.h"
#include "imaging/malloc_tuning.h"
#include "imaging/measure.h"
#include "imaging/render.h"
#include "imaging/resize_plan.h"
#include "model/recipe_yaml.h"

namespace {

using pixfleet::Status;

double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Seconds of CPU per stage, in the order stages were first seen.
class StageClock {
 public:
  void Start() { last_ = ProcessCpuSeconds(); }
  void Lap(const std::string& stage) {
    const double now = ProcessCpuSeconds();
    if (!seconds_.contains(stage)) order_.push_back(stage);
    seconds_[stage] += now - last_;
    last_ = now;
  }
  void Print(int images) const {
    double total = 0;
    for (const auto& [stage, seconds] : seconds_) total += seconds;
    std::printf("%-28s %9s %9s %7s\n", "stage", "CPU s", "ms/image", "share");
    for (const std::string& stage : order_) {
      const double seconds = seconds_.at(stage);
      std::printf("%-28s %9.3f %9.1f %6.1f%%\n", stage.c_str(), seconds, 1000 * seconds / images,
                  100 * seconds / total);
    }
    std::printf("%-28s %9.3f %9.1f\n", "total", total, 1000 * total / images);
  }

 private:
  double last_ = 0;
  std::map<std::string, double> seconds_;
  std::vector<std::string> order_;
};

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "pixfleet-bench-stages: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

int Run(const std::string& recipe_path, int count, char** files) {
  std::ifstream recipe_file(recipe_path);
  std::stringstream recipe_text;
  recipe_text << recipe_file.rdbuf();
  const auto recipe = pixfleet::ParseRecipeYaml(recipe_text.str(), recipe_path);
  if (!recipe.ok()) return Fail(recipe_path, recipe.error());
  if (Status started = pixfleet::InitImageEngine({}); !started.ok()) return Fail("init", started);

  const pixfleet::Deadline deadline(std::chrono::hours(1));
  StageClock clock;
  for (int i = 0; i < count; ++i) {
    clock.Start();
    auto input = pixfleet::EncodedInput::FromFile(files[i]);
    if (!input.ok()) return Fail(files[i], input.error());
    const auto header = pixfleet::ReadImageHeader(*input);
    if (!header.ok()) return Fail(files[i], header.error());
    const auto plan = pixfleet::PlanDecode(header->stored, header->orientation, *recipe);
    if (!plan.ok()) return Fail(files[i], plan.error());
    clock.Lap("header and plan");
    auto decoded = pixfleet::DecodeForPlan(*input, header->format, *plan, deadline);
    if (!decoded.ok()) return Fail(files[i], decoded.error());
    clock.Lap("decode to the plan's box");
    pixfleet::ResizeSources sources(std::move(*decoded));
    for (size_t o = 0; o < recipe->outputs.size(); ++o) {
      const auto output =
          pixfleet::RenderOutput(sources, *plan, plan->outputs[o], recipe->outputs[o], deadline);
      if (!output.ok()) return Fail(files[i], output.error());
      clock.Lap("output " + recipe->outputs[o].name);
    }
    pixfleet::ImageAnalysis analysis;
    if (Status status =
            pixfleet::MeasurePixels(sources, *header, recipe->analyses, &analysis, deadline);
        !status.ok()) {
      return Fail(files[i], status);
    }
    clock.Lap("pixel analyses");
  }
  clock.Print(count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  pixfleet::TuneMallocForImages();  // as pixfleet does
  if (argc < 3) {
    std::fprintf(stderr, "usage: pixfleet-bench-stages RECIPE.yaml FILE...\n");
    return 2;
  }
  return Run(argv[1], argc - 2, argv + 2);
}
