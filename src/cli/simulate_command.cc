// `pixfleet simulate --scaledobject FILE --workload FILE [--seed N] [--values 1,2,5,...]
// [--within PERCENT] [--svg FILE] [--json FILE]`: runs the workload against the KEDA object as
// written and against the variants of simulate/variants.h, prints the comparison table and the
// recommended `value`, and draws the time series as SVG. The I/O lives here: reading the two files,
// the trigger's hostFromEnv variable (only to resolve `protocol: auto`), and, for `duration:
// results:`, the process_ms of a finished batch's succeeded rows in its result store.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/command_failure.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/read_file.h"
#include "scaling/keda_yaml.h"
#include "simulate/model.h"
#include "simulate/report_json.h"
#include "simulate/report_svg.h"
#include "simulate/report_text.h"
#include "simulate/tasks.h"
#include "simulate/variants.h"
#include "simulate/workload_yaml.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

struct SimulateFlags {
  std::string scaled_object_path;
  std::string workload_path;
  std::optional<uint64_t> seed;
  std::vector<double> values = {1, 2, 5, 10, 20, 50};
  double within_percent = 10;
  std::string svg_path;
  std::string json_path;
};

// The protocol each trigger uses, as KEDA would resolve it from the host URL's scheme.
Result<std::vector<RabbitMqProtocol>> ResolveProtocols(const std::vector<RabbitMqTrigger>& triggers,
                                                       const std::string& source) {
  std::vector<RabbitMqProtocol> protocols;
  for (size_t i = 0; i < triggers.size(); ++i) {
    const RabbitMqTrigger& trigger = triggers[i];
    std::string host = trigger.host;
    if (host.empty() && !trigger.host_from_env.empty()) {
      // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists
      if (const char* value = std::getenv(trigger.host_from_env.c_str())) host = value;
    }
    if (host.empty() && trigger.protocol == RabbitMqProtocol::kAuto) {
      return InvalidArgument(source + ": spec.triggers[" + std::to_string(i) +
                             "]: protocol auto needs the host URL: set " + trigger.host_from_env +
                             " or write protocol: amqp|http");
    }
    auto protocol = EffectiveProtocol(trigger, host);
    if (!protocol.ok()) {
      return protocol.error().WithContext(source + ": spec.triggers[" + std::to_string(i) + "]");
    }
    protocols.push_back(*protocol);
  }
  return protocols;
}

// The process_ms of every succeeded row of the batch (named by id or name) in `db_url`.
Status LoadMeasuredDurations(simulate::EmpiricalDuration& empirical) {
  Clock& clock = RealClock::Instance();
  PIXFLEET_ASSIGN_OR_RETURN(auto store, MakeResultStore(empirical.results_db, clock));
  PIXFLEET_ASSIGN_OR_RETURN(const auto batches, store->ListBatches());
  std::string batch_id;
  for (const Batch& batch : batches) {
    if (batch.id == empirical.batch_id || batch.name == empirical.batch_id) batch_id = batch.id;
  }
  if (batch_id.empty()) {
    return NotFound("duration.results: no batch named '" + empirical.batch_id + "'");
  }
  PIXFLEET_ASSIGN_OR_RETURN(const auto rows, store->ListResults(batch_id, TaskOutcome::kSucceeded));
  for (const TaskResult& row : rows) empirical.samples.emplace_back(row.process_ms);
  if (empirical.samples.empty()) {
    return NotFound("duration.results: batch '" + empirical.batch_id + "' has no succeeded rows");
  }
  return Status::Ok();
}

int RunSimulate(const SimulateFlags& flags) {
  auto keda_text = ReadWholeFile(flags.scaled_object_path);
  if (!keda_text.ok()) return FailCommand("simulate", 2, keda_text.error().ToString());
  auto object = ParseKedaYaml(*keda_text, flags.scaled_object_path);
  if (!object.ok()) return FailCommand("simulate", 2, object.error().ToString());
  const auto& triggers = std::visit(
      [](const auto& spec) -> const std::vector<RabbitMqTrigger>& { return spec.triggers; },
      *object);
  auto protocols = ResolveProtocols(triggers, flags.scaled_object_path);
  if (!protocols.ok()) return FailCommand("simulate", 2, protocols.error().ToString());

  auto workload_text = ReadWholeFile(flags.workload_path);
  if (!workload_text.ok()) return FailCommand("simulate", 2, workload_text.error().ToString());
  auto workload = simulate::ParseWorkloadYaml(*workload_text, flags.workload_path);
  if (!workload.ok()) return FailCommand("simulate", 2, workload.error().ToString());
  if (auto* empirical = std::get_if<simulate::EmpiricalDuration>(&workload->duration)) {
    const Status loaded = LoadMeasuredDurations(*empirical);
    if (!loaded.ok()) {
      return FailCommand("simulate", 2, flags.workload_path + ": " + loaded.ToString());
    }
  }

  const uint64_t seed = flags.seed.value_or(workload->seed.value_or(1));
  const auto tasks = simulate::MakeTasks(*workload, seed);
  simulate::VariantOptions options;
  options.values = flags.values;
  const auto variants = simulate::BuildVariants(*object, *protocols, options);
  std::vector<simulate::SimResult> results;
  results.reserve(variants.size());
  for (const auto& variant : variants) {
    results.push_back(simulate::Simulate(variant, tasks, *workload));
  }
  const auto recommendation = simulate::Recommend(variants, results, flags.within_percent);

  std::cout << tasks.size() << " tasks, seed " << seed << "\n"
            << simulate::TextReport(variants, results, recommendation);
  if (!flags.svg_path.empty()) {
    std::ofstream svg(flags.svg_path, std::ios::binary | std::ios::trunc);
    svg << simulate::SvgChart(
        results, "pixfleet simulate: " + flags.scaled_object_path + " × " + flags.workload_path);
    if (!svg.flush()) return FailCommand("simulate", 1, "cannot write " + flags.svg_path);
  }
  if (!flags.json_path.empty()) {
    std::ofstream json(flags.json_path, std::ios::binary | std::ios::trunc);
    json << simulate::JsonReport(variants, results, recommendation, seed);
    if (!json.flush()) return FailCommand("simulate", 1, "cannot write " + flags.json_path);
  }
  return 0;
}

}  // namespace

CommandRunner AddSimulateCommand(CLI::App& app) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* simulate = app.add_subcommand("simulate",
                                          "Predict what a KEDA ScaledObject/ScaledJob does for a "
                                          "workload, compare variants, recommend a value");
  simulate
      ->add_option("--scaledobject", flags->scaled_object_path,
                   "KEDA ScaledObject or ScaledJob YAML")
      ->required()
      ->check(CLI::ExistingFile);
  simulate
      ->add_option("--workload", flags->workload_path, "Workload YAML (see docs/autoscaling.md)")
      ->required()
      ->check(CLI::ExistingFile);
  simulate->add_option("--seed", flags->seed,
                       "Seed for task durations (default: the workload's, else 1)");
  simulate->add_option("--values", flags->values, "Value targets to compare for the recommendation")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  simulate
      ->add_option("--within", flags->within_percent,
                   "Recommend the cheapest value whose drain time is within this % of the fastest")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  simulate->add_option("--svg", flags->svg_path, "Write the time series chart (SVG) here");
  simulate->add_option("--json", flags->json_path, "Write the comparison as JSON here");
  return [flags] { return RunSimulate(*flags); };
}

}  // namespace pixfleet
