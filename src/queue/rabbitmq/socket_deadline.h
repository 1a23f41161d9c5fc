// Time in the RabbitMQ backend. The rule: time that decides something is read from the injected
// Clock — the deadline of a call (LeaseNext's max_wait, a Publish's publish_timeout), the backoff
// between reconnects, lease stamps — so that it follows a FakeClock under test. But a wait on the
// socket blocks the thread in the kernel, in real time, and a FakeClock does not move while it
// does: a loop that re-waited until the Clock said "late enough" would spin forever on a
// FakeClock nobody advances. So a SocketDeadline also adds up the socket waits it allowed that
// ran their whole slice (a wait cut short by a frame is not counted: frames come from finite
// work) and is over when either the Clock has reached the deadline or those waits add up to the
// whole budget. On the real clock the two agree; on a frozen FakeClock a call still ends after
// its duration of real time; a FakeClock moved past the deadline ends it at once.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace pixfleet::amqp {

class SocketDeadline {
 public:
  // `clock` must outlive the deadline.
  SocketDeadline(Clock& clock, std::chrono::microseconds budget);

  // Starts a socket wait: returns how long it may block, which is what is left of the budget on
  // both counts, at most `cap`; zero once the deadline has passed (a zero wait only polls).
  std::chrono::microseconds BeginWait(std::chrono::microseconds cap);
  // The wait begun last blocked for all of its length (it timed out).
  void WaitedOut();
  bool Passed() const { return Left() <= std::chrono::microseconds(0); }

 private:
  std::chrono::microseconds Left() const;

  Clock& clock_;
  const std::chrono::microseconds budget_;
  const std::chrono::steady_clock::time_point deadline_;
  std::chrono::microseconds unseen_{0};  // blocked time the Clock did not show
  std::chrono::microseconds wait_{0};
  std::chrono::steady_clock::time_point wait_began_{};
};

// The pause between attempts to replace a lost connection: after the n-th failure in a row the
// next attempt waits min(min_backoff * 2^(n-1), max_backoff) on the Clock. Not thread-safe.
class ReconnectBackoff {
 public:
  ReconnectBackoff(Clock& clock, std::chrono::milliseconds min_backoff,
                   std::chrono::milliseconds max_backoff)
      : clock_(clock), min_backoff_(min_backoff), max_backoff_(max_backoff) {}

  // Whether an attempt may be made now.
  bool Ready() const { return failures_ == 0 || clock_.MonotonicNow() >= next_attempt_; }
  void Succeeded() { failures_ = 0; }
  void Failed();
  int Failures() const { return failures_; }

 private:
  Clock& clock_;
  const std::chrono::milliseconds min_backoff_;
  const std::chrono::milliseconds max_backoff_;
  int failures_ = 0;
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace pixfleet::amqp
