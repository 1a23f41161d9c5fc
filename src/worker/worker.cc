#include "worker/worker.h"

#include <algorithm>
#include <condition_variable>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/log.h"

namespace pixfleet {

Worker::Worker(TaskQueue& queue, TaskProcessor& processor, Clock& clock, WorkerOptions options)
    : queue_(queue),
      processor_(processor),
      clock_(clock),
      options_(std::move(options)),
      leases_left_(options_.max_tasks) {}

void Worker::Stop() {
  stop_request_.request_stop();
  // The queue is told from Run()'s thread (ServeGracePeriod), not here: Stop() runs on the
  // caller's thread, a signal handler's, which must not wait on a broker that may not answer.
  CeaseLeasing();
}

void Worker::StopLeasing() {
  CeaseLeasing();
  TellQueueLeasingStopped();
}

void Worker::CeaseLeasing() {
  stop_leasing_.request_stop();
  ReportState();
}

void Worker::TellQueueLeasingStopped() {
  // Once, after the slots were told: what the queue received ahead of LeaseNext (a broker's
  // prefetch) goes to the other workers now, not when this one exits.
  if (told_queue_.exchange(true)) return;
  if (Status stopped = queue_.StopLeasing(); !stopped.ok()) {
    spdlog::warn(
        "the queue could not hand back the tasks it received for this worker ({}); "
        "they go back when the worker exits",
        stopped.ToString());
  }
}

void Worker::StopBecause(const Status& reason) {
  bool first = false;
  {
    std::lock_guard lock(stop_reason_mutex_);
    first = stop_reason_.ok();
    if (first) stop_reason_ = reason;
  }
  if (first) {
    spdlog::error("stopping: {}; the tasks in flight finish or go back to the queue",
                  reason.ToString());
  }
  StopLeasing();
}

namespace {

// Errors after which this worker must take no more tasks: the queue refuses its configuration
// (kInvalidArgument), or the environment refuses (kFailedPrecondition).
bool MustStop(const Status& error) {
  return error.code() == StatusCode::kInvalidArgument ||
         error.code() == StatusCode::kFailedPrecondition;
}

// Blocks until `a` or `b` is requested or, when `limit` is set, that much of `clock`'s time has
// passed. True when the limit passed.
bool WaitForEither(Clock& clock, std::optional<std::chrono::milliseconds> limit,
                   const std::stop_token& a, const std::stop_token& b) {
  std::stop_source either;
  const std::stop_callback on_a(a, [&either] { either.request_stop(); });
  const std::stop_callback on_b(b, [&either] { either.request_stop(); });
  if (limit.has_value()) return clock.WaitFor(*limit, either.get_token());
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock(mutex);
  never_notified.wait(lock, either.get_token(), [] { return false; });
  return false;
}

}  // namespace

int64_t Worker::InFlight() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(in_flight_.size());
}

void Worker::ReportState() {
  if (!options_.on_state) return;
  std::lock_guard lock(state_mutex_);
  const WorkerState now{Stopping(), InFlight()};
  if (reported_ == now) return;
  reported_ = now;
  options_.on_state(now);
}

bool Worker::QueueDrained() {
  Result<QueueDepth> depth = queue_.Depth();
  if (!depth.ok()) return false;
  return depth->ready == 0 && depth->delayed == 0 && depth->leased == 0;
}

void Worker::StopReceiving() {
  std::call_once(stop_receiving_once_, [this] {
    if (Status stopped = queue_.StopReceiving(); !stopped.ok()) {
      spdlog::warn(
          "the queue could not stop receiving tasks for this worker ({}); any it received go "
          "back when the worker exits",
          stopped.ToString());
    }
    receiving_stopped_ = true;
  });
}

std::chrono::milliseconds Worker::LeaseWait(bool slot_was_busy) const {
  if (!options_.exit_when_idle) return options_.lease_wait;
  if (slot_was_busy) return std::chrono::milliseconds(0);
  return std::min(options_.lease_wait, options_.idle_check_interval);
}

bool Worker::ReserveLease() {
  if (options_.max_tasks <= 0) return true;
  int64_t left = leases_left_.load();
  while (left > 0 && !leases_left_.compare_exchange_weak(left, left - 1)) {
  }
  return left > 0;
}

void Worker::ReturnReservation() {
  if (options_.max_tasks > 0) ++leases_left_;
}

void Worker::SlotLoop() {
  bool busy = true;  // until the queue first has nothing for this slot
  while (!Stopping()) {
    // With max_tasks, a slot that finds every remaining lease reserved by the others ends: they
    // take the rest (a reservation that leases nothing is given back to its own slot's loop).
    if (!ReserveLease()) break;
    // Once the queue receives nothing more, it holds only what it had received: no waiting.
    const bool receiving_stopped = receiving_stopped_.load();
    Result<std::optional<Lease>> leased =
        queue_.LeaseNext(receiving_stopped ? std::chrono::milliseconds(0) : LeaseWait(busy));
    if (!leased.ok() || !leased->has_value()) ReturnReservation();
    if (!leased.ok() && MustStop(leased.error())) {
      StopBecause(leased.error().WithContext("the queue refused this worker"));
      break;
    }
    if (!leased.ok()) {
      spdlog::warn("leasing a task failed: {}", leased.error().ToString());
      (void)clock_.WaitFor(options_.queue_error_backoff, stop_leasing_.get_token());
      continue;
    }
    busy = leased->has_value();
    if (!leased->has_value()) {
      NoteIdle();
      if (receiving_stopped) {
        spdlog::info("the queue is drained; exiting");
        StopLeasing();
      } else if (options_.exit_when_idle && QueueDrained()) {
        StopReceiving();
      }
      continue;
    }
    RunTask(std::move(**leased), options_.max_tasks > 0 && ++leased_ == options_.max_tasks);
  }
}

void Worker::NoteIdle() {
  if (!options_.on_idle) return;
  {
    // With the task's entry into in_flight_, which re-arms the call: a slot that has leased but
    // not yet put its task in flight lets this call through early (costing that task only the
    // memory it takes again), and the idle spell after that task is still told.
    std::lock_guard lock(mutex_);
    if (!in_flight_.empty() || idle_told_) return;
    idle_told_ = true;
  }
  options_.on_idle();
}

void Worker::RunTask(Lease lease, bool last) {
  TaskInterruption interruption;
  {
    std::lock_guard lock(mutex_);
    in_flight_.emplace(lease.token, InFlightTask{lease, &interruption});
    idle_told_ = false;
  }
  if (last) {
    spdlog::info("leased its {} tasks (--max-tasks); exiting once they are settled",
                 options_.max_tasks);
    StopLeasing();  // reports the state, this task counted
  } else {
    ReportState();
  }
  const Disposition disposition = processor_.Handle(lease, &interruption);
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(lease.token);  // already gone if the worker interrupted it
  }
  ReportState();
  if (disposition == Disposition::kHandedBack) StopBecause(processor_.Refusal());
}

void Worker::HeartbeatLoop() {
  // Not the stop request: during a drain the tasks in flight still need their leases, or a slow
  // one would lapse and run again elsewhere. The beats end when the last slot has.
  while (clock_.WaitFor(options_.heartbeat_interval, slots_ended_.get_token())) {
    Status refused;
    {
      std::lock_guard lock(mutex_);
      for (auto& [token, task] : in_flight_) {
        // The heartbeat is a quick write; holding the lock keeps the map stable while it runs.
        if (Status beat = queue_.Heartbeat(task.lease); !beat.ok()) {
          const TaskLogScope log_scope(task.lease.task.task_id, task.lease.task.batch_id);
          spdlog::warn("heartbeat failed: {}", beat.ToString());
          if (beat.code() == StatusCode::kFailedPrecondition && refused.ok()) refused = beat;
        }
      }
    }
    if (!refused.ok()) StopBecause(refused);  // outside mutex_: it reports the state
  }
}

void Worker::ServeGracePeriod() {
  (void)WaitForEither(clock_, std::nullopt, stop_request_.get_token(), slots_ended_.get_token());
  if (slots_ended_.stop_requested()) return;
  TellQueueLeasingStopped();
  if (!hand_back_now_.stop_requested() && InFlight() > 0) {
    spdlog::info("stopping: {} task(s) in flight may finish within the grace period", InFlight());
  }
  (void)WaitForEither(clock_, options_.grace_period, hand_back_now_.get_token(),
                      slots_ended_.get_token());
  if (slots_ended_.stop_requested()) return;
  HandBackInFlight();
}

void Worker::HandBackInFlight() {
  std::vector<Lease> interrupted;
  {
    std::lock_guard lock(mutex_);
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      // A task whose processor is already recording or settling it is left to finish.
      if (it->second.interruption->Interrupt()) {
        interrupted.push_back(it->second.lease);
        it = in_flight_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // After every task's own interruption, so that a store wait this ends is always one of an
  // interrupted task (TaskProcessor::Settle hands back any other all the same).
  grace_over_.request_stop();
  ReportState();
  for (const Lease& lease : interrupted) {
    const TaskLogScope log_scope(lease.task.task_id, lease.task.batch_id);
    if (Status released = queue_.Release(lease, "its worker stopped"); !released.ok()) {
      spdlog::warn("input={} could not be handed back ({}); its lease will lapse",
                   lease.task.input_key, released.ToString());
      continue;
    }
    spdlog::info("input={} handed back to the queue: the grace period is over",
                 lease.task.input_key);
  }
}

Status Worker::Run(const std::stop_token& stop, const std::stop_token& hand_back_now) {
  const std::stop_callback forward_stop(stop, [this] { Stop(); });
  const std::stop_callback forward_now(hand_back_now, [this] {
    hand_back_now_.request_stop();
    Stop();
  });
  ReportState();
  std::thread heartbeat([this] { HeartbeatLoop(); });
  std::vector<std::thread> slots;
  slots.reserve(static_cast<size_t>(options_.concurrency));
  live_slots_ = options_.concurrency;
  for (int i = 0; i < options_.concurrency; ++i) {
    slots.emplace_back([this] {
      SlotLoop();
      if (--live_slots_ == 0) slots_ended_.request_stop();
    });
  }
  ServeGracePeriod();
  for (auto& slot : slots) slot.join();
  StopLeasing();
  heartbeat.join();
  std::lock_guard lock(stop_reason_mutex_);
  return stop_reason_;
}

}  // namespace pixfleet
