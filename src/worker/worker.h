// Worker: the long-running consumer. `concurrency` slots each lease a task and hand it to the
// TaskProcessor; a heartbeat thread extends every in-flight lease so that long tasks keep them.
//
// Stopping. A stop request (Stop(), or the stop_token given to Run(), which the CLI wires to
// SIGTERM and SIGINT) stops leasing at once and makes Stopping() true (not ready) at once; tasks
// in flight go on, their heartbeats too, until they end or the grace period (measured from the
// request) runs out. At that deadline, or at once on a second request (the `hand_back_now` token
// of Run(), the CLI's second signal), the worker interrupts every task still in flight
// (task_interruption.h): it hands its lease straight back to the queue (Release: deliverable at
// once, the delivery not counted as an attempt), cancels the work under way (libvips killed,
// the stores' retry waits ended), and no row is written for it. Then Run() returns OK: a drained
// stop is a clean stop.
//
// The worker also stops leasing on its own, without a grace deadline (its tasks in flight finish
// whatever they take, unless a stop request comes too): with exit_when_idle once the queue has
// nothing left that could become deliverable (no ready, delayed or leased task; then the queue
// is told to receive nothing more, TaskQueue::StopReceiving, and the slots lease what it had
// received, which a broker may have pushed while the depth was read, before they stop); with
// max_tasks once it has leased that many tasks (a slot never leases beyond the remainder), Run()
// returning when they are all settled, whatever became of each (succeeded, failed, retried,
// handed back); and when the environment refuses (a task handed back, or the queue answering
// kFailedPrecondition: a full disk, a read-only output, storage refusing writes) or the queue
// refuses its configuration (kInvalidArgument): see Run().
//
// Whatever the reason, the moment leasing stops the worker tells the queue once
// (TaskQueue::StopLeasing), so that a broker hands the deliveries it pushed ahead to this worker
// to the others at once and uncounted, rather than when this worker's connection closes. After a
// stop request it is Run()'s thread that tells the queue, never the thread calling Stop(): that
// call may wait on a broker that does not answer, and the caller (the CLI's signal thread) must
// stay free to take a second signal.
//
// Every pause (the heartbeat interval, the backoff after a queue error, the grace period) is a
// wait on the Clock that the relevant request ends, so tests run the worker in virtual time.
// WorkerOptions::on_state hears each change of (stopping, tasks in flight), for the status pipe;
// WorkerOptions::on_idle hears when the worker runs out of work, for giving back its memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "core/clock.h"
#include "queue/task_queue.h"
#include "worker/task_interruption.h"
#include "worker/task_processor.h"

namespace pixfleet {

// What a supervisor needs to know of a worker: whether it still takes work, and how many tasks
// it holds.
struct WorkerState {
  bool stopping = false;
  int64_t in_flight = 0;
  friend bool operator==(const WorkerState&, const WorkerState&) = default;
};

struct WorkerOptions {
  int concurrency = 1;
  std::chrono::milliseconds lease_wait{500};  // how long one LeaseNext call may block
  std::chrono::milliseconds heartbeat_interval{10'000};
  bool exit_when_idle = false;
  // With exit_when_idle, how long an idle slot waits for a task before it asks the queue whether
  // it is drained: short, so that the other workers of a batch exit within about this much of the
  // last task settling rather than a whole lease_wait or two later (a Depth() call per check,
  // made only while the slot finds nothing to lease but tasks are still leased: at a batch's
  // tail; a few tens of microseconds on SQLite, which keeps the counts). A slot that has just
  // started, or just settled a task, does not wait: it asks at once when the queue has nothing for
  // it, so that the worker that settles a batch's last task exits straight after.
  std::chrono::milliseconds idle_check_interval{25};
  std::chrono::milliseconds queue_error_backoff{1000};  // pause after the queue itself failed
  // How long tasks in flight may go on after a stop request before they are interrupted and
  // handed back; unset: as long as they take.
  std::optional<std::chrono::milliseconds> grace_period;
  int64_t max_tasks = 0;  // leases taken in all before the worker stops leasing; 0: no limit
  // Called with the state at the start of Run() and at each change (from the thread that made
  // it, one call at a time, in order). Must not call back into the worker.
  std::function<void(const WorkerState&)> on_state;
  // Called when the worker runs out of work: a slot finds nothing to lease while no task is in
  // flight. Once per idle spell (not again until a task has been leased), from that slot's
  // thread. For giving back what the work held: an idle worker need not keep the memory its
  // largest image took. Must not call back into the worker.
  std::function<void()> on_idle;
};

class Worker {
 public:
  // All references must outlive the worker.
  Worker(TaskQueue& queue, TaskProcessor& processor, Clock& clock, WorkerOptions options);

  // Runs until a stop request (Stop() or `stop`) has been served as the file comment says, with
  // exit_when_idle until the queue is drained, with max_tasks until that many are settled, or
  // until the worker must stop on its own. Returns OK in the first three cases; otherwise why it
  // stopped: kFailedPrecondition when the environment refused mid-work (the tasks it held went
  // back to the queue, none was failed for it), kInvalidArgument when the queue refused the
  // worker's configuration (e.g. a TLS certificate refused on reconnection). No retry mends
  // either; an operator must act. `hand_back_now` ends the grace period at once (it implies a
  // stop request). Call once.
  Status Run(const std::stop_token& stop = {}, const std::stop_token& hand_back_now = {});

  // Asks Run() to return after the tasks in flight finish or the grace period runs out.
  // Async-signal-unsafe: call it from a normal thread (the CLI waits for the signals on one).
  // Returns at once: it does no I/O.
  void Stop();

  int64_t InFlight() const;
  bool Stopping() const { return stop_leasing_.stop_requested(); }
  // Requested when the grace period ran out (or was cut short): for the waits of the tasks' work
  // that a task's own token cannot reach (the object stores' retry backoff).
  std::stop_token GraceOver() const { return grace_over_.get_token(); }

 private:
  struct InFlightTask {
    Lease lease;
    TaskInterruption* interruption;  // the slot's, alive while the task is in in_flight_
  };

  void SlotLoop();
  // A slot found nothing to lease: calls on_idle when no task is in flight, once per idle spell.
  void NoteIdle();
  // Handles one lease in this slot, tracked in in_flight_ meanwhile; `last` (the max_tasks-th
  // lease) stops leasing.
  void RunTask(Lease lease, bool last);
  // Extends every in-flight lease each heartbeat_interval until the slots have all ended.
  void HeartbeatLoop();
  // From a stop request to the grace deadline; then interrupts the tasks still in flight.
  void ServeGracePeriod();
  void HandBackInFlight();
  bool QueueDrained();
  // The queue looked drained: it is told to receive nothing more (TaskQueue::StopReceiving), once,
  // every slot calling this waiting until that is done; the slots then lease without waiting
  // until the queue has nothing left for them.
  void StopReceiving();
  // How long one LeaseNext call may block: lease_wait, or idle_check_interval with exit_when_idle
  // (nothing, when the slot has just started or settled a task).
  std::chrono::milliseconds LeaseWait(bool slot_was_busy) const;
  // With max_tasks: takes one of the leases left (false when none is); without: true.
  bool ReserveLease();
  void ReturnReservation();
  // Leasing stops, and the queue is told so (TaskQueue::StopLeasing); tasks in flight finish
  // (no grace deadline unless Stop() is called too).
  void StopLeasing();
  // The slots stop leasing and the state is reported; the queue is not told.
  void CeaseLeasing();
  // TaskQueue::StopLeasing, the first time only; may wait on the broker.
  void TellQueueLeasingStopped();
  // Records why the worker stops on its own (the first reason wins) and stops it.
  void StopBecause(const Status& reason);
  // Tells on_state of the current state if it changed. Call without holding mutex_.
  void ReportState();

  TaskQueue& queue_;
  TaskProcessor& processor_;
  Clock& clock_;
  WorkerOptions options_;
  std::stop_source stop_leasing_;        // any reason to stop taking tasks
  std::stop_source stop_request_;        // a stop request: starts the grace period
  std::stop_source hand_back_now_;       // ends the grace period at once
  std::stop_source grace_over_;          // the tasks still in flight were interrupted
  std::stop_source slots_ended_;         // every slot has returned
  std::atomic<bool> told_queue_{false};  // queue_.StopLeasing() was called
  std::once_flag stop_receiving_once_;
  std::atomic<bool> receiving_stopped_{false};  // queue_.StopReceiving() has returned
  std::atomic<int> live_slots_{0};
  std::atomic<int64_t> leases_left_{0};  // with max_tasks: not yet reserved
  std::atomic<int64_t> leased_{0};       // leases taken in all
  mutable std::mutex mutex_;
  std::map<std::string, InFlightTask> in_flight_;  // by lease token; guarded by mutex_
  bool idle_told_ = false;  // on_idle called, no task put in flight since; guarded by mutex_
  // Its own mutex: recording a reason never waits for the heartbeats.
  std::mutex stop_reason_mutex_;
  Status stop_reason_;                   // guarded by stop_reason_mutex_
  std::mutex state_mutex_;               // taken before mutex_, never while holding it
  std::optional<WorkerState> reported_;  // guarded by state_mutex_
};

}  // namespace pixfleet
