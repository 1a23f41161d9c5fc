// `pixfleet scale --scaledobject FILE [--grace-period 30s] -- WORKER COMMAND...`: sizes a set of
// local WORKER COMMAND processes the way KEDA and the HPA size a Deployment (a ScaledObject) or
// start Jobs (a ScaledJob), from the same YAML file a cluster would get (src/autoscale).
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "autoscale/process_replica_pool.h"
#include "autoscale/rabbitmq_metric_source.h"
#include "autoscale/run_scaler.h"
#include "autoscale/scaled_job_loop.h"
#include "autoscale/scaled_object_loop.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/read_file.h"
#include "scaling/keda_yaml.h"

namespace pixfleet {
namespace {

// A KEDA file is a few kilobytes; anything this large is the wrong file.
constexpr uint64_t kMaxYamlBytes = 1 << 20;

struct ScaleFlags {
  std::string file;
  int64_t grace_ms = 30'000;  // Kubernetes' terminationGracePeriodSeconds default
  std::vector<std::string> command;
};

int Fail(int code, const std::string& message) {
  PrintFatalLine("scale", message);
  return code;
}

// Opens one metric source per trigger; their effective protocols go to `protocols`.
Result<std::vector<std::unique_ptr<QueueMetricSource>>> OpenSources(
    const std::vector<RabbitMqTrigger>& triggers, std::vector<RabbitMqProtocol>& protocols) {
  std::vector<std::unique_ptr<QueueMetricSource>> sources;
  for (size_t i = 0; i < triggers.size(); ++i) {
    Result<TriggerSource> opened = OpenRabbitMqMetricSource(triggers[i], [](const char* name) {
      // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists
      return static_cast<const char*>(std::getenv(name));
    });
    if (!opened.ok()) {
      return opened.status().WithContext("spec.triggers[" + std::to_string(i) + "]");
    }
    protocols.push_back(opened->protocol);
    sources.push_back(std::move(opened->source));
  }
  return sources;
}

std::vector<QueueMetricSource*> Borrow(
    const std::vector<std::unique_ptr<QueueMetricSource>>& owned) {
  std::vector<QueueMetricSource*> borrowed;
  borrowed.reserve(owned.size());
  for (const auto& source : owned) borrowed.push_back(source.get());
  return borrowed;
}

int RunScale(const ScaleFlags& flags) {
  const std::chrono::milliseconds grace(flags.grace_ms);
  Result<std::string> text = ReadWholeFile(flags.file, kMaxYamlBytes);
  if (!text.ok()) return Fail(2, text.status().message());
  Result<KedaObject> object = ParseKedaYaml(*text, flags.file);
  if (!object.ok()) return Fail(2, object.status().message());

  Clock& clock = RealClock::Instance();
  const auto origin = clock.MonotonicNow();
  ProcessReplicaPool pool(flags.command, grace, clock);
  InstallScalerSignalHandlers();
  if (const auto* so = std::get_if<ScaledObjectSpec>(&*object)) {
    std::vector<RabbitMqProtocol> protocols;
    auto sources = OpenSources(so->triggers, protocols);
    if (!sources.ok()) return Fail(2, flags.file + ": " + sources.status().message());
    spdlog::info(
        "scale: ScaledObject {}: min {} max {} replicas, polling every {} s, cooldown {} s, grace "
        "{} ms",
        so->name, so->min_replica_count, so->max_replica_count, so->polling_interval.count(),
        so->cooldown_period.count(), grace.count());
    ScaledObjectLoop loop(ScaledObjectController(*so, protocols, ScaleTime(0)), Borrow(*sources),
                          pool);
    return RunScaler({[&](ScaleTime now) { loop.Tick(now); }, [&] { return loop.NextWake(); }},
                     pool, clock, origin);
  }
  const auto& job = std::get<ScaledJobSpec>(*object);
  std::vector<RabbitMqProtocol> protocols;
  auto sources = OpenSources(job.triggers, protocols);
  if (!sources.ok()) return Fail(2, flags.file + ": " + sources.status().message());
  spdlog::info("scale: ScaledJob {}: max {} jobs, polling every {} s, grace {} ms", job.name,
               job.max_replica_count, job.polling_interval.count(), grace.count());
  ScaledJobLoop loop(job, protocols, Borrow(*sources), pool, ScaleTime(0));
  return RunScaler({[&](ScaleTime now) { loop.Tick(now); }, [&] { return loop.NextWake(); }}, pool,
                   clock, origin);
}

}  // namespace

CommandRunner AddScaleCommand(CLI::App& app) {
  auto flags = std::make_shared<ScaleFlags>();
  CLI::App* scale = app.add_subcommand(
      "scale",
      "Run WORKER COMMAND as local processes, as many as a KEDA ScaledObject (or one per job for "
      "a ScaledJob) asks for, polling its RabbitMQ trigger; the same YAML file serves a "
      "Kubernetes cluster unchanged. Usage: pixfleet scale --scaledobject FILE -- WORKER "
      "COMMAND...");
  scale
      ->add_option("--scaledobject,-f", flags->file,
                   "KEDA ScaledObject or ScaledJob YAML (apiVersion keda.sh/v1alpha1, one "
                   "rabbitmq trigger or more)")
      ->required()
      ->check(CLI::ExistingFile);
  scale
      ->add_option("--grace-period", flags->grace_ms,
                   "Time a stopped worker gets between SIGTERM and SIGKILL (30s, 500ms, 2m; a "
                   "bare number is seconds)")
      ->transform(Duration())
      ->default_str("30s");
  scale
      ->add_option("COMMAND", flags->command,
                   "The worker command and its arguments, after --; it is looked up on PATH")
      ->required();
  return [flags] { return RunScale(*flags); };
}

}  // namespace pixfleet
