// Time in the RabbitMQ backend: see socket_deadline.h.
#include "queue/rabbitmq/socket_deadline.h"

#include <algorithm>

namespace pixfleet::amqp {

using std::chrono::microseconds;

SocketDeadline::SocketDeadline(Clock& clock, microseconds budget)
    : clock_(clock), budget_(budget), deadline_(clock.MonotonicNow() + budget) {}

microseconds SocketDeadline::Left() const {
  const auto on_clock = std::chrono::duration_cast<microseconds>(deadline_ - clock_.MonotonicNow());
  return std::min(on_clock, budget_ - unseen_);
}

microseconds SocketDeadline::BeginWait(microseconds cap) {
  wait_ = std::clamp(Left(), microseconds(0), cap);
  wait_began_ = clock_.MonotonicNow();
  return wait_;
}

void SocketDeadline::WaitedOut() {
  const auto shown = std::chrono::duration_cast<microseconds>(clock_.MonotonicNow() - wait_began_);
  if (shown < wait_) unseen_ += wait_ - shown;
}

void ReconnectBackoff::Failed() {
  ++failures_;
  const int shift = std::min(failures_ - 1, 16);
  const int64_t backoff_ms = std::min(min_backoff_.count() << shift, max_backoff_.count());
  next_attempt_ = clock_.MonotonicNow() + std::chrono::milliseconds(backoff_ms);
}

}  // namespace pixfleet::amqp
