#include "kube/deletion_cost_keeper.h"

#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

namespace pixfleet::kube {

DeletionCostKeeper::DeletionCostKeeper(PodAnnotator& annotator, Clock& clock,
                                       DeletionCostOptions options)
    : annotator_(annotator),
      clock_(clock),
      options_(options),
      thread_([this](const std::stop_token& stop) { Loop(stop); }) {}

// thread_, declared last, is destroyed first: its stop request wakes Loop from any wait and
// cancels a request under way, then it is joined.
DeletionCostKeeper::~DeletionCostKeeper() = default;

void DeletionCostKeeper::Report(PodActivity activity) {
  {
    std::lock_guard lock(mutex_);
    activity_ = activity;
  }
  changed_.notify_all();
}

std::optional<int32_t> DeletionCostKeeper::Wanted() {
  if (!activity_.has_value() || *activity_ == PodActivity::kStopping) return std::nullopt;
  const int32_t cost = *activity_ == PodActivity::kBusy ? options_.busy_cost : options_.idle_cost;
  if (written_ == cost) return std::nullopt;
  return cost;
}

void DeletionCostKeeper::Loop(const std::stop_token& stop) {
  int failures = 0;
  std::optional<std::chrono::steady_clock::time_point> next_allowed;  // none before the first
  for (;;) {
    int32_t cost = 0;
    {
      std::unique_lock lock(mutex_);
      if (!changed_.wait(lock, stop, [this] { return Wanted().has_value(); })) return;
      cost = *Wanted();
    }
    const auto now = clock_.MonotonicNow();
    if (next_allowed.has_value() && now < *next_allowed) {
      if (!clock_.WaitFor(*next_allowed - now, stop)) return;
      continue;  // the state may have changed meanwhile: the latest one is sent, or none
    }
    const Status patched = annotator_.Annotate(kPodDeletionCost, std::to_string(cost), stop);
    if (stop.stop_requested()) return;
    std::chrono::milliseconds pause = options_.min_interval;
    if (patched.ok()) {
      if (failures > 0) {
        spdlog::info("pod-deletion-cost set to {} after {} failures", cost, failures);
      }
      failures = 0;
      std::lock_guard lock(mutex_);
      written_ = cost;
    } else {
      // A write that failed may still have been applied (a timeout after the API server took
      // it): the annotation is unknown, so whatever the state is next, it is written.
      {
        std::lock_guard lock(mutex_);
        written_.reset();
      }
      ++failures;
      pause = std::max(pause, BackoffDelay(options_.retry, failures, 1.0));
      // Each failure is logged: at most one line a minute once the backoff is at its cap.
      const auto level = patched.code() == StatusCode::kFailedPrecondition ? spdlog::level::err
                                                                           : spdlog::level::warn;
      spdlog::log(level, "cannot set pod-deletion-cost to {} ({}); retrying in {} s", cost,
                  patched.ToString(), static_cast<double>(pause.count()) / 1000);
    }
    next_allowed = clock_.MonotonicNow() + pause;
  }
}

}  // namespace pixfleet::kube
