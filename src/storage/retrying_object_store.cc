// RetryingObjectStore: see the header.
#include "storage/retrying_object_store.h"

#include <algorithm>
#include <random>

namespace pixfleet {
namespace {

Status StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}

// Replaces the error of a failed Result with `status` (same code, more context).
Status WithError(const Status&, Status status) { return status; }
template <typename T>
Result<T> WithError(const Result<T>&, Status status) {
  return status;
}

// For calls whose every retryable failure comes from the store.
constexpr auto kNeverFinal = [] { return false; };

}  // namespace

RetryingObjectStore::RetryingObjectStore(std::unique_ptr<ObjectStore> base, Clock& clock,
                                         RetryOptions options, std::stop_token cancel)
    : ObjectStoreWrapper(std::move(base)),
      clock_(clock),
      policy_(options.backoff),
      cancel_(std::move(cancel)),
      random_(options.jitter_seed.has_value() ? *options.jitter_seed : std::random_device()()) {}

bool RetryingObjectStore::Backoff(int failed_attempts) {
  double unit_random = 0;
  {
    std::lock_guard lock(random_mutex_);
    unit_random = std::generate_canonical<double, 53>(random_);
  }
  return clock_.WaitFor(BackoffDelay(policy_, failed_attempts, unit_random), cancel_);
}

template <typename Fn, typename IsFinal>
auto RetryingObjectStore::Retry(std::string_view what, Fn&& attempt, IsFinal&& is_final)
    -> decltype(attempt()) {
  const int max_attempts = std::max(1, policy_.max_attempts);
  for (int attempt_number = 1;; ++attempt_number) {
    auto result = attempt();
    const Status status = StatusOf(result);
    if (status.ok() || !status.IsRetryable() || is_final()) return result;
    if (attempt_number >= max_attempts) {
      return WithError(result, status.WithContext(std::string(what) + " failed after " +
                                                  std::to_string(attempt_number) + " attempts"));
    }
    if (!Backoff(attempt_number)) {
      return WithError(result,
                       Cancelled(std::string(what) + " was cancelled while waiting to retry"));
    }
  }
}

Result<std::string> RetryingObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  return Retry(
      "get " + std::string(key), [&] { return Target().Get(key, max_bytes); }, kNeverFinal);
}

Result<LocalObject> RetryingObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  return Retry(
      "fetch " + std::string(key), [&] { return Target().Fetch(key, max_bytes); }, kNeverFinal);
}

Status RetryingObjectStore::Put(std::string_view key, std::string_view bytes,
                                std::string_view content_type) {
  return Retry(
      "put " + std::string(key), [&] { return Target().Put(key, bytes, content_type); },
      kNeverFinal);
}

Result<std::optional<ObjectInfo>> RetryingObjectStore::Head(std::string_view key) {
  return Retry(
      "head " + std::string(key), [&] { return Target().Head(key); }, kNeverFinal);
}

Status RetryingObjectStore::Delete(std::string_view key) {
  return Retry(
      "delete " + std::string(key), [&] { return Target().Delete(key); }, kNeverFinal);
}

Status RetryingObjectStore::List(std::string_view prefix,
                                 const std::function<Status(const ObjectInfo&)>& visit) {
  // Keys arrive in order, so a retried listing skips everything up to the last key visited.
  std::optional<std::string> last_visited;
  bool visitor_failed = false;
  const std::function<Status(const ObjectInfo&)> resuming_visit =
      [&](const ObjectInfo& info) -> Status {
    if (last_visited.has_value() && info.key <= *last_visited) return Status::Ok();
    Status status = visit(info);
    if (!status.ok()) {
      visitor_failed = true;
      return status;
    }
    last_visited = info.key;
    return Status::Ok();
  };
  // The visitor's own error ends the listing as it is, even a retryable one: it belongs to the
  // caller, not to the store.
  return Retry(
      "list " + std::string(prefix), [&] { return Target().List(prefix, resuming_visit); },
      [&] { return visitor_failed; });
}

Status RetryingObjectStore::CheckWritable() {
  return Retry(
      "write probe", [&] { return Target().CheckWritable(); }, kNeverFinal);
}

}  // namespace pixfleet
