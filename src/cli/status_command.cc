// `pixfleet status --db URL [--queue URL] [--batch NAME|ID]`: progress, rate, ETA and failures
// by reason of each batch, and the queue's depth when a queue is given.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/clock.h"
#include "status/batch_status.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

struct StatusFlags {
  std::string db_url;
  std::string queue_url;
  std::string batch;
  bool failures = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "pixfleet status: " << message << "\n";
  return code;
}

int RunStatus(const StatusFlags& flags) {
  Clock& clock = RealClock::Instance();
  auto results = MakeResultStore(flags.db_url, clock);
  if (!results.ok()) return Fail(2, results.error().ToString());
  std::optional<QueueDepth> depth;
  if (!flags.queue_url.empty()) {
    auto queue = MakeTaskQueue(flags.queue_url, TaskQueueOptions{}, clock);
    if (!queue.ok()) return Fail(2, queue.error().ToString());
    auto counted = (*queue)->Depth();
    if (!counted.ok()) return Fail(1, counted.error().ToString());
    depth = *counted;
  }
  auto batches = (*results)->ListBatches();
  if (!batches.ok()) return Fail(1, batches.error().ToString());
  int shown = 0;
  for (const Batch& batch : *batches) {
    if (!flags.batch.empty() && batch.id != flags.batch && batch.name != flags.batch) continue;
    auto counts = (*results)->CountResults(batch.id);
    if (!counts.ok()) return Fail(1, counts.error().ToString());
    BatchStatus status{batch, *counts, depth, clock.NowMillis()};
    std::cout << FormatBatchStatus(status);
    if (flags.failures) {
      auto failed = (*results)->ListResults(batch.id, TaskOutcome::kFailed);
      if (!failed.ok()) return Fail(1, failed.error().ToString());
      for (const TaskResult& row : *failed) {
        std::cout << "    " << row.input_key << ": " << row.error_message << "\n";
      }
    }
    ++shown;
  }
  if (shown == 0) {
    std::cout << (flags.batch.empty() ? "no batches\n" : "no batch named " + flags.batch + "\n");
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
      ->required();
  status->add_option("--queue", flags->queue_url, "Queue URL, for ready/in-flight/dead counts")
      ->envname("PIXFLEET_QUEUE");
  status->add_option("--batch", flags->batch, "Only this batch (id or name)");
  status->add_flag("--failures", flags->failures, "List every failed input with its reason");
  return [flags] { return RunStatus(*flags); };
}

}  // namespace pixfleet
