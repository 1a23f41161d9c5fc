// RetryingObjectStore: a decorator that retries transient failures (Status::IsRetryable(): the
// backend is unavailable or timed out) with capped exponential backoff and full jitter, timed
// by the injected Clock. Every ObjectStore call is idempotent, so repeating one is safe; a Fetch
// is retried as a Get is (a failed attempt has already removed its temporary copy, and each
// attempt writes a fresh one).
// Permanent errors return at once; after policy.max_attempts attempts the last error returns
// with the context "after N attempts". A List that fails part-way resumes after the last key it
// visited, so the visitor sees each key once; an error returned by the visitor itself is never
// retried. CheckWritable is retried like the rest: only an unreachable store is worth another
// probe, a refusal (kFailedPrecondition) returns at once. Thread-safe; the jitter comes from a
// seeded engine so tests can replay it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>

#include "core/backoff.h"
#include "core/clock.h"
#include "storage/object_store_wrapper.h"

namespace pixfleet {

struct RetryOptions {
  BackoffPolicy backoff;
  // Seeds the jitter engine. Unset: a random seed, so that workers which failed together
  // spread their retries; tests set it to replay the same delays.
  std::optional<uint64_t> jitter_seed;
};

class RetryingObjectStore final : public ObjectStoreWrapper {
 public:
  // `clock` must outlive the store. A request on `cancel` ends the backoff waits: the call under
  // way then returns kCancelled (a worker whose grace period ran out must not wait to retry a
  // fetch nobody needs any more).
  RetryingObjectStore(std::unique_ptr<ObjectStore> base, Clock& clock, RetryOptions options,
                      std::stop_token cancel = {});

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  Status CheckWritable() override;

 private:
  // Runs `attempt` until it succeeds, fails permanently, `is_final()` says its failure must
  // not be retried, or it runs out of attempts. `what` names the call in the final error.
  template <typename Fn, typename IsFinal>
  auto Retry(std::string_view what, Fn&& attempt, IsFinal&& is_final) -> decltype(attempt());

  // Sleeps before the attempt after `failed_attempts` failures.
  // Waits before the next attempt; false when cancelled meanwhile.
  bool Backoff(int failed_attempts);

  Clock& clock_;
  const BackoffPolicy policy_;
  const std::stop_token cancel_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;  // guarded by random_mutex_
};

}  // namespace pixfleet
