#include "worker/task_processor.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "core/log.h"
#include "model/key_template.h"

namespace pixfleet {
namespace {

int64_t MillisSince(Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.MonotonicNow() - start)
      .count();
}

}  // namespace

const char* DispositionName(Disposition disposition) {
  switch (disposition) {
    case Disposition::kSucceeded:
      return "succeeded";
    case Disposition::kFailed:
      return "failed";
    case Disposition::kRetried:
      return "retried";
    case Disposition::kLeaseLost:
      return "lease_lost";
    case Disposition::kStalled:
      return "stalled";
    case Disposition::kHandedBack:
      return "handed_back";
    case Disposition::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

TaskProcessor::TaskProcessor(TaskQueue& queue, ResultStore& results, BatchCatalog& catalog,
                             Clock& clock, TaskProcessorOptions options, WorkerMetrics* metrics)
    : queue_(queue),
      results_(results),
      catalog_(catalog),
      clock_(clock),
      options_(options),
      metrics_(metrics),
      random_(std::random_device{}()) {
  if (metrics_ == nullptr) return;
  // Every outcome and error class exists from the start, at 0: a counter that first appears at 1
  // loses that increment to rate() and increase(), so a fleet's first failures would not show.
  for (int d = 0; d <= static_cast<int>(kLastDisposition); ++d) {
    metrics_->tasks.With({DispositionName(static_cast<Disposition>(d))});
  }
  for (int c = static_cast<int>(StatusCode::kOk) + 1; c <= static_cast<int>(kLastStatusCode); ++c) {
    metrics_->errors.With({std::string(StatusCodeName(static_cast<StatusCode>(c)))});
  }
}

template <typename Step>
auto TaskProcessor::Timed(const char* stage, Step&& step) {
  const auto start = clock_.MonotonicNow();
  auto result = step();
  if (metrics_ != nullptr) {
    metrics_->stage_seconds.With({stage}).Observe(
        std::chrono::duration<double>(clock_.MonotonicNow() - start).count());
  }
  return result;
}

double TaskProcessor::NextUnitRandom() {
  std::lock_guard lock(random_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

namespace {

Status CheckNotCancelled(const std::stop_token& cancel) {
  if (cancel.stop_requested()) {
    return Cancelled("the task was interrupted (the worker is stopping)");
  }
  return Status::Ok();
}

}  // namespace

Result<TaskResult> TaskProcessor::Execute(const Lease& lease, const std::stop_token& cancel) {
  const TaskSpec& task = lease.task;
  PIXFLEET_ASSIGN_OR_RETURN(std::shared_ptr<const BatchContext> batch, catalog_.Get(task.batch_id));
  uint64_t input_bytes = 0;
  EngineResult processed;
  {
    // The input as a local file (a local folder's own file, or a temporary copy of a remote
    // object): the engine decodes it in blocks, so even a gigapixel input is never held whole
    // in memory. A copy is removed at the end of this block, before the uploads.
    Result<LocalObject> input = Timed("fetch", [&] {
      return batch->inputs->Fetch(task.input_key, options_.limits.max_input_bytes);
    });
    PIXFLEET_RETURN_IF_ERROR(CheckNotCancelled(cancel));
    if (!input.ok()) return input.error().WithContext(task.input_key);
    input_bytes = input->Size();
    counters_.bytes_in += static_cast<int64_t>(input_bytes);
    if (metrics_ != nullptr) {
      metrics_->bytes.With({"in"}).Increment(static_cast<double>(input_bytes));
    }
    PIXFLEET_ASSIGN_OR_RETURN(processed, Timed("process", [&] {
                                return ProcessImageFile(input->Path().string(), task.input_key,
                                                        batch->recipe, options_.limits, cancel);
                              }));
  }

  TaskResult row;
  row.task_id = task.task_id;
  row.batch_id = task.batch_id;
  row.input_key = task.input_key;
  row.outcome = TaskOutcome::kSucceeded;
  row.attempts = lease.attempt;
  row.input_bytes = input_bytes;
  row.analysis = std::move(processed.analysis);
  Status uploaded = Timed("upload", [&] {
    for (size_t i = 0; i < processed.outputs.size(); ++i) {
      PIXFLEET_RETURN_IF_ERROR(CheckNotCancelled(cancel));
      const EncodedOutput& output = processed.outputs[i];
      const std::string key =
          ExpandKeyTemplate(batch->recipe.outputs[i], task.input_key, task.keep_extension);
      Status put = batch->outputs->Put(key, output.bytes, output.content_type);
      if (!put.ok()) return put.WithContext("writing output " + key);
      counters_.bytes_out += static_cast<int64_t>(output.bytes.size());
      if (metrics_ != nullptr) {
        metrics_->bytes.With({"out"}).Increment(static_cast<double>(output.bytes.size()));
      }
      row.outputs.push_back(OutputRecord{output.name, key, output.bytes.size(), output.width,
                                         output.height, output.format});
    }
    return Status::Ok();
  });
  if (!uploaded.ok()) return uploaded;
  return row;
}

Disposition TaskProcessor::Handle(const Lease& lease, TaskInterruption* interruption) {
  const TaskLogScope log_scope(lease.task.task_id, lease.task.batch_id);
  TaskInterruption never_interrupted;
  TaskInterruption& control = interruption != nullptr ? *interruption : never_interrupted;
  if (metrics_ == nullptr) return HandleUnrecorded(lease, control);
  const auto start = clock_.MonotonicNow();
  metrics_->in_flight.With().Add(1);
  const Disposition disposition = HandleUnrecorded(lease, control);
  metrics_->in_flight.With().Add(-1);
  metrics_->tasks.With({DispositionName(disposition)}).Increment();
  metrics_->task_seconds.With({DispositionName(disposition)})
      .Observe(std::chrono::duration<double>(clock_.MonotonicNow() - start).count());
  return disposition;
}

Disposition TaskProcessor::HandleUnrecorded(const Lease& lease, TaskInterruption& interruption) {
  const auto start = clock_.MonotonicNow();
  // Transient failures stop at max_attempts explicitly, so a delivery beyond it means the last
  // ones never finished: the worker died on this input (a crash in a decoder, an OOM kill).
  // Fail it rather than take down worker after worker.
  if (lease.attempt > options_.retry.max_attempts) {
    return Settle(lease,
                  Internal(lease.task.input_key + ": delivered " + std::to_string(lease.attempt) +
                           " times without finishing (its worker crashed or was killed each time)"),
                  0, interruption);
  }
  Result<TaskResult> executed = Execute(lease, interruption.Token());
  if (!executed.ok()) {
    return Settle(lease, executed.error(), MillisSince(clock_, start), interruption);
  }
  if (!interruption.ClaimForSettling()) return Interrupted(lease);

  TaskResult& row = *executed;
  row.finished_ms = clock_.NowMillis();
  row.process_ms = MillisSince(clock_, start);
  if (Status recorded = Timed("database",
                              [&] {
                                return results_.RecordResults({&row, 1});
                              });
      !recorded.ok()) {
    // Outputs are written under deterministic keys, so running the task again is harmless.
    return Settle(lease, recorded.WithContext("recording the result"), row.process_ms,
                  interruption);
  }
  if (Status acked = queue_.Ack(lease); !acked.ok()) {
    if (acked.code() != StatusCode::kFailedPrecondition) ++counters_.lease_lost;
    spdlog::warn("input={} ack failed ({}); it may run again, with no new effect",
                 lease.task.input_key, acked.ToString());
    return Unsettled(lease, acked);
  }
  ++counters_.succeeded;
  spdlog::debug("input={} succeeded in {} ms", lease.task.input_key, row.process_ms);
  return Disposition::kSucceeded;
}

Disposition TaskProcessor::RetryLater(const Lease& lease, const Status& error) {
  const auto delay = BackoffDelay(options_.retry, lease.attempt, NextUnitRandom());
  spdlog::warn("input={} attempt {} failed, retrying in {} ms: {}", lease.task.input_key,
               lease.attempt, delay.count(), error.ToString());
  if (Status retried = queue_.Retry(lease, delay, error.ToString()); !retried.ok()) {
    spdlog::warn("could not be returned to the queue ({}); its lease will lapse",
                 retried.ToString());
    return Unsettled(lease, retried);
  }
  ++counters_.retried;
  return Disposition::kRetried;
}

Disposition TaskProcessor::HandBack(const Lease& lease, const Status& refusal) {
  {
    std::lock_guard lock(refusal_mutex_);
    if (refusal_.ok()) refusal_ = refusal;
  }
  ++counters_.handed_back;
  spdlog::warn("input={} handed back to the queue, not failed: {}", lease.task.input_key,
               refusal.ToString());
  // Released, not retried: the task is not to blame, so this delivery does not count toward its
  // attempts (a disk that stays full over several runs must not make it look like a crash loop),
  // and another worker whose environment is fine may take it at once. If the queue refuses this
  // too, the lease ends with the worker and the task comes back all the same.
  ReleaseOrLetLapse(lease, refusal);
  return Disposition::kHandedBack;
}

void TaskProcessor::ReleaseOrLetLapse(const Lease& lease, const Status& why) {
  if (Status returned = queue_.Release(lease, why.ToString()); !returned.ok()) {
    spdlog::warn("could not be handed back ({}); its lease will lapse", returned.ToString());
  }
}

Disposition TaskProcessor::Unsettled(const Lease& lease, const Status& error) {
  if (error.code() == StatusCode::kFailedPrecondition) return HandBack(lease, error);
  return error.code() == StatusCode::kAborted ? Disposition::kLeaseLost : Disposition::kStalled;
}

Status TaskProcessor::Refusal() const {
  std::lock_guard lock(refusal_mutex_);
  return refusal_;
}

Disposition TaskProcessor::Interrupted(const Lease& lease) {
  ++counters_.interrupted;
  spdlog::info("input={} interrupted at the grace deadline; its worker handed it back",
               lease.task.input_key);
  return Disposition::kInterrupted;
}

Disposition TaskProcessor::Settle(const Lease& lease, const Status& error, int64_t elapsed_ms,
                                  TaskInterruption& interruption) {
  // Whatever the work returned once interrupted (kCancelled, or a failure the cancellation
  // caused) is not the task's: the worker holds it now.
  if (!interruption.ClaimForSettling()) return Interrupted(lease);
  if (error.code() == StatusCode::kCancelled) {
    // Cancelled by a stop that reached this task's work before the worker interrupted the task
    // itself: not the task's fault either, so it goes back as the worker would have sent it.
    ReleaseOrLetLapse(lease, error);
    return Interrupted(lease);
  }
  if (metrics_ != nullptr) {
    metrics_->errors.With({std::string(StatusCodeName(error.code()))}).Increment();
  }
  if (error.code() == StatusCode::kFailedPrecondition) return HandBack(lease, error);
  if (error.IsRetryable() && lease.attempt < options_.retry.max_attempts) {
    return RetryLater(lease, error);
  }
  TaskResult row;
  row.task_id = lease.task.task_id;
  row.batch_id = lease.task.batch_id;
  row.input_key = lease.task.input_key;
  row.outcome = TaskOutcome::kFailed;
  row.error_code = error.code();
  row.error_message = error.message();
  if (error.IsRetryable()) {
    row.error_message += " (gave up after " + std::to_string(lease.attempt) + " attempts)";
  }
  row.attempts = lease.attempt;
  row.finished_ms = clock_.NowMillis();
  row.process_ms = elapsed_ms;
  if (Status recorded = results_.RecordResults({&row, 1}); !recorded.ok()) {
    // The failure cannot be recorded now (the database is down or refuses writes): keep the task
    // alive rather than dead-letter it without a trace.
    const Status unrecorded = recorded.WithContext("recording a failure");
    if (recorded.code() == StatusCode::kFailedPrecondition) return HandBack(lease, unrecorded);
    return RetryLater(lease, unrecorded);
  }
  spdlog::warn("input={} failed: {}", lease.task.input_key, error.ToString());
  if (Status dead = queue_.DeadLetter(lease, error.ToString()); !dead.ok()) {
    spdlog::warn("could not be dead-lettered ({})", dead.ToString());
    return Unsettled(lease, dead);
  }
  ++counters_.failed;
  return Disposition::kFailed;
}

}  // namespace pixfleet
