// `pixfleet scale --scaledobject FILE [--grace-period 30s] -- WORKER COMMAND...`: sizes a set of
// local WORKER COMMAND processes the way KEDA and the HPA size a Deployment (a ScaledObject) or
// start Jobs (a ScaledJob), from the same YAML file a cluster would get (src/autoscale).
// `pixfleet scale --check --scaledobject FILE` only reads and validates the file and prints what
// a run would do, without contacting the broker or starting anything (exit 0; 2 for a file it
// would refuse): deploy/check runs it on the rendered Kubernetes manifests.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "autoscale/process_replica_pool.h"
#include "autoscale/rabbitmq_host.h"
#include "autoscale/rabbitmq_metric_source.h"
#include "autoscale/run_scaler.h"
#include "autoscale/scaled_job_loop.h"
#include "autoscale/scaled_object_loop.h"
#include "cli/command_failure.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/terminal_text.h"
#include "scaling/keda_yaml.h"
#include "scaling/rabbitmq_trigger.h"
#include "scaling/scale_format.h"
#include "scaling/scaled_job.h"

namespace pixfleet {
namespace {

// A KEDA file is a few kilobytes; anything this large is the wrong file.
constexpr uint64_t kMaxYamlBytes = 1 << 20;

struct ScaleFlags {
  std::string file;
  bool check = false;
  int64_t grace_ms = 30'000;  // Kubernetes' terminationGracePeriodSeconds default
  std::vector<std::string> command;
};

const char* GetEnv(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists
  return std::getenv(name);
}

// Opens one metric source per trigger; their effective protocols go to `protocols`.
Result<std::vector<std::unique_ptr<QueueMetricSource>>> OpenSources(
    const std::vector<RabbitMqTrigger>& triggers, std::vector<RabbitMqProtocol>& protocols) {
  std::vector<std::unique_ptr<QueueMetricSource>> sources;
  for (size_t i = 0; i < triggers.size(); ++i) {
    Result<TriggerSource> opened = OpenRabbitMqMetricSource(triggers[i], GetEnv);
    if (!opened.ok()) {
      return opened.status().WithContext("spec.triggers[" + std::to_string(i) + "]");
    }
    protocols.push_back(opened->protocol);
    sources.push_back(std::move(opened->source));
  }
  return sources;
}

const char* ProtocolName(RabbitMqProtocol protocol) {
  if (protocol == RabbitMqProtocol::kAuto) return "auto (from the host's scheme)";
  return protocol == RabbitMqProtocol::kHttp ? "http" : "amqp";
}

// One line per trigger for --check, escaped for the terminal. Never the host itself: its URL may
// hold a password. A host that is in the file or the environment decides an `auto` protocol, as a
// run would.
Result<std::string> DescribeTriggers(const std::vector<RabbitMqTrigger>& triggers) {
  std::string lines;
  for (size_t i = 0; i < triggers.size(); ++i) {
    const RabbitMqTrigger& trigger = triggers[i];
    const std::string path = "spec.triggers[" + std::to_string(i) + "]";
    std::string source = "the file";
    if (trigger.host.empty() && !trigger.host_from_env.empty()) {
      source = "$" + trigger.host_from_env;
    } else if (trigger.host.empty()) {
      source = "the TriggerAuthentication " + trigger.authentication_ref +
               " in a cluster, pixfleet's environment here";
    }
    const Result<std::string> resolved = ResolveTriggerHost(trigger, GetEnv);
    const std::string host = resolved.ok() ? *resolved : "";
    if (!resolved.ok()) source += " (a run here needs it: " + resolved.status().message() + ")";
    RabbitMqProtocol protocol = trigger.protocol;
    if (!host.empty()) {
      Result<RabbitMqProtocol> effective = EffectiveProtocol(trigger, host);
      if (!effective.ok()) return effective.status().WithContext(path);
      protocol = *effective;
    }
    lines +=
        TerminalText("  trigger " + std::to_string(i) + ": queue " + trigger.queue_name +
                     ", protocol " + ProtocolName(protocol) + ", " +
                     (trigger.mode == RabbitMqMode::kQueueLength ? "QueueLength" : "MessageRate") +
                     " value " + FormatMetric(trigger.value) + ", active above " +
                     FormatMetric(trigger.activation_value) + "; host from " + source) +
        "\n";
  }
  return lines;
}

// --check: the file is valid; say what a run would do with it.
int CheckOnly(const ScaleFlags& flags, const KedaObject& object) {
  std::string summary;
  Result<std::string> triggers = std::string();
  if (const auto* so = std::get_if<ScaledObjectSpec>(&object)) {
    summary = "ScaledObject " + so->name + ": " + std::to_string(so->min_replica_count) + " to " +
              std::to_string(so->max_replica_count) + " replicas of " + so->scale_target_name +
              ", polling every " + std::to_string(so->polling_interval.count()) + " s, cooldown " +
              std::to_string(so->cooldown_period.count()) + " s" +
              (so->behavior.has_value() ? ", the HPA behavior of the file" : "");
    triggers = DescribeTriggers(so->triggers);
  } else {
    const auto& job = std::get<ScaledJobSpec>(object);
    summary = "ScaledJob " + job.name + ": at most " + std::to_string(job.max_replica_count) +
              " jobs, polling every " + std::to_string(job.polling_interval.count()) +
              " s, strategy " + ScaledJobStrategyName(job.strategy);
    triggers = DescribeTriggers(job.triggers);
  }
  if (!triggers.ok()) {
    return FailCommand("scale", 2, flags.file + ": " + triggers.status().message());
  }
  // Names from the file reach the terminal escaped (core/terminal_text.h).
  std::cout << TerminalText(flags.file + ": " + summary) << "\n"
            << *triggers << "  each replica runs "
            << (flags.command.empty() ? "the worker command given after --"
                                      : TerminalText(flags.command[0]))
            << "\n";
  return 0;
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
  if (!text.ok()) return FailCommand("scale", 2, text.status().message());
  Result<KedaObject> object = ParseKedaYaml(*text, flags.file);
  if (!object.ok()) return FailCommand("scale", 2, object.status().message());
  if (flags.check) return CheckOnly(flags, *object);
  if (flags.command.empty()) {
    return FailCommand("scale", 2, "COMMAND is required: give the worker command after --");
  }

  Clock& clock = RealClock::Instance();
  const auto origin = clock.MonotonicNow();
  ProcessReplicaPool pool(flags.command, grace, clock);
  InstallScalerSignalHandlers();
  if (const auto* so = std::get_if<ScaledObjectSpec>(&*object)) {
    std::vector<RabbitMqProtocol> protocols;
    auto sources = OpenSources(so->triggers, protocols);
    if (!sources.ok()) {
      return FailCommand("scale", 2, flags.file + ": " + sources.status().message());
    }
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
  if (!sources.ok()) return FailCommand("scale", 2, flags.file + ": " + sources.status().message());
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
  scale->add_flag("--check", flags->check,
                  "Only read and validate the file and print what a run would do; contacts no "
                  "broker, starts nothing (COMMAND may be left out)");
  scale->add_option("COMMAND", flags->command,
                    "The worker command and its arguments, after --; it is looked up on PATH");
  return [flags] { return RunScale(*flags); };
}

}  // namespace pixfleet
