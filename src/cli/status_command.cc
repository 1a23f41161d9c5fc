// `pixfleet status --db URL [--queue URL [--queue-api URL]] [--batch NAME|ID] [--all]`: the
// queue's depth when a queue is given (once: one queue serves every batch), then progress,
// rate, ETA and failures by reason of the newest batches (all of them with --all).
#include <iostream>
#include <memory>

#include "cli/command_failure.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/terminal_text.h"
#include "status/batch_status.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

struct StatusFlags {
  std::string db_url;
  std::string queue_url;
  std::string queue_api_url;
  std::string batch;
  bool failures = false;
  bool all = false;
};

// Batches shown without --all or --batch, newest first.
constexpr int kDefaultBatchesShown = 10;

int RunStatus(const StatusFlags& flags) {
  Clock& clock = RealClock::Instance();
  auto results = MakeResultStore(flags.db_url, clock);
  if (!results.ok()) return FailCommand("status", 2, results.error().ToString());
  if (!flags.queue_url.empty()) {
    auto queue = MakeTaskQueue(flags.queue_url, TaskQueueOptions{}, clock);
    if (!queue.ok()) return FailCommand("status", 2, queue.error().ToString());
    auto depth = (*queue)->Depth();
    if (!depth.ok()) return FailCommand("status", 1, depth.error().ToString());
    auto name = QueueName(flags.queue_url);
    if (!name.ok()) return FailCommand("status", 2, name.error().ToString());
    auto in_flight = FleetInFlight(flags.queue_url, flags.queue_api_url, *depth);
    if (!in_flight.ok()) return FailCommand("status", 1, in_flight.error().ToString());
    std::cout << FormatQueueStatus(QueueStatus{*name, *depth, *in_flight});
    if (!in_flight->has_value()) {
      std::cout << "  (in flight across the fleet needs the management API: --queue-api URL)\n";
    }
  }
  auto batches = (*results)->ListBatches();
  if (!batches.ok()) return FailCommand("status", 1, batches.error().ToString());
  int shown = 0;
  int hidden = 0;
  for (const Batch& batch : *batches) {
    if (!flags.batch.empty() && batch.id != flags.batch && batch.name != flags.batch) continue;
    if (flags.batch.empty() && !flags.all && shown == kDefaultBatchesShown) {
      ++hidden;
      continue;
    }
    auto counts = (*results)->CountResults(batch.id);
    if (!counts.ok()) return FailCommand("status", 1, counts.error().ToString());
    BatchStatus status{batch, *counts, clock.NowMillis()};
    std::cout << FormatBatchStatus(status);
    if (flags.failures) {
      auto failed = (*results)->ListResults(batch.id, TaskOutcome::kFailed);
      if (!failed.ok()) return FailCommand("status", 1, failed.error().ToString());
      for (const TaskResult& row : *failed) {
        std::cout << "    " << TerminalText(row.input_key) << ": "
                  << TerminalText(row.error_message) << "\n";
      }
    }
    ++shown;
  }
  if (hidden > 0) {
    std::cout << hidden << " older batch" << (hidden == 1 ? "" : "es")
              << " not shown (--all shows every batch)\n";
  }
  if (shown == 0) {
    std::cout << (flags.batch.empty() ? "no batches\n"
                                      : "no batch named " + TerminalText(flags.batch) + "\n");
    return flags.batch.empty() ? 0 : 1;
  }
  return 0;
}

}  // namespace

CommandRunner AddStatusCommand(CLI::App& app) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* status = app.add_subcommand(
      "status", "Show each batch's progress, rate, ETA, failures by reason and queue depth");
  status->add_option("--db", flags->db_url, "Result store URL (sqlite:///path/results.db)")
      ->envname("PIXFLEET_DB")
      ->required()
      ->check(ConnectionUrl());
  status->add_option("--queue", flags->queue_url, "Queue URL, for ready/in-flight/dead counts")
      ->envname("PIXFLEET_QUEUE")
      ->check(ConnectionUrl());
  status
      ->add_option("--queue-api", flags->queue_api_url,
                   "RabbitMQ management API (http[s]://user:pass@host:15672), for the count of "
                   "tasks in flight across the fleet")
      ->envname("PIXFLEET_QUEUE_API")
      ->check(ConnectionUrl());
  status->add_option("--batch", flags->batch, "Only this batch (id or name)")->check(NonEmpty());
  status->add_flag("--all", flags->all, "Every batch, not only the newest ten");
  status->add_flag("--failures", flags->failures, "List every failed input with its reason");
  return [flags] { return RunStatus(*flags); };
}

}  // namespace pixfleet
