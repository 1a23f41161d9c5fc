// TaskInterruption: who settles one task in flight, the slot that runs it or the worker that
// interrupts it when its grace period runs out. Exactly one of them does, the first to claim it:
//   the TaskProcessor calls ClaimForSettling() before it writes a result row or settles the
//     lease (ack, retry, dead letter, hand back); once it holds the claim, the task runs to its
//     end even if the worker stops meanwhile (recording and settling are short);
//   the Worker calls Interrupt() at the grace deadline; when it wins, it hands the lease back to
//     the queue itself, at once, and Token() is requested so that the work still under way stops
//     (libvips killed, waits ended). The processor then finds its claim refused and leaves the
//     task alone: no row, no settling call, whatever its work returned.
// Without this, a slot finishing just as the worker hands its task back could ack a released
// lease or record a row for a task that is now someone else's. Thread-safe.
#pragma once

#include <atomic>
#include <stop_token>

namespace pixfleet {

class TaskInterruption {
 public:
  // Requested once the task was interrupted: for the engine and the waits of the task's work.
  std::stop_token Token() const { return cancel_.get_token(); }

  // The processor's claim: true unless the task was interrupted first (then it must not touch the
  // task any more).
  bool ClaimForSettling() { return Claim(State::kSettling); }

  // The worker's claim: true when the task is now the worker's to hand back (the processor had
  // not claimed it); Token() is requested then. False when the processor is settling it.
  bool Interrupt() {
    if (!Claim(State::kInterrupted)) return false;
    cancel_.request_stop();
    return true;
  }

  bool Interrupted() const { return state_.load() == State::kInterrupted; }

 private:
  enum class State { kRunning, kSettling, kInterrupted };

  bool Claim(State to) {
    State expected = State::kRunning;
    return state_.compare_exchange_strong(expected, to) || expected == to;
  }

  std::atomic<State> state_{State::kRunning};
  std::stop_source cancel_;
};

}  // namespace pixfleet
