// Status and Result<T>: errors as values. A code says what the caller may do next, not where the
// error came from: kUnavailable and kDeadlineExceeded may be retried; kInvalidArgument,
// kNotFound, kResourceExhausted, kDataLoss and kInternal are permanent for the operation that
// produced them; kAborted means a race was lost (an expired lease) and the work must be
// restarted from a fresh read; kFailedPrecondition means the system around the operation is not
// fit for it (a full disk, a read-only folder, a missing bucket, refused credentials): no retry
// helps until an operator acts, and the input is not to blame, so a task that meets it is handed
// back rather than failed. Neither type throws; both are [[nodiscard]].
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pixfleet {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input (corrupt image, bad recipe, bad URL): never retry
  kNotFound,            // the named thing does not exist
  kResourceExhausted,   // over a safety limit (pixels, bytes, time): never retry
  kUnavailable,         // a dependency is down, throttled or unreachable: retry with backoff
  kDeadlineExceeded,    // an I/O call timed out, outcome unknown: retry idempotent calls
  kAborted,             // lost a race (lease expired, row changed): restart from a fresh read
  kCancelled,           // the caller asked to stop (shutdown)
  kDataLoss,            // stored data is corrupt
  kInternal,            // a bug
  kFailedPrecondition,  // the environment refuses (disk full, read-only, no bucket, bad keys):
                        // stop and tell the operator; not the input's fault, never retried
};

// The last code, for loops over every code.
inline constexpr StatusCode kLastStatusCode = StatusCode::kFailedPrecondition;

// Stable lower-case name of a code ("invalid_argument"), used in logs, result rows and metrics.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True when the same call may succeed later without any change to its input.
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kDeadlineExceeded;
  }

  // Returns a copy whose message is "context: message" (code unchanged).
  Status WithContext(std::string_view context) const;

  // "code_name: message", or "ok".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Helpers naming the code at the call site: return InvalidArgument("bad width").
inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}

// Result<T> holds either a T or a non-OK Status. Vocabulary follows std::expected so that it can
// become an alias once the project moves to C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit by design, as the Status one below: a function returning Result<T> returns a T.
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(state_).ok() && "Result built from an OK status");
  }

  bool ok() const { return state_.index() == 0; }
  bool has_value() const { return ok(); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  // By value, so that `for (auto& x : F().value())` does not iterate a destroyed temporary.
  T value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error, or an OK status when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<1>(state_); }
  // REQUIRES: !ok().
  const Status& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace pixfleet

#define PIXFLEET_CONCAT_INNER(a, b) a##b
#define PIXFLEET_CONCAT(a, b) PIXFLEET_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define PIXFLEET_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::pixfleet::Status pixfleet_status_ = (expr);        \
    if (!pixfleet_status_.ok()) return pixfleet_status_; \
  } while (false)

// `tmp` is a name and `lhs` a declaration or an lvalue: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define PIXFLEET_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.error();                   \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

// Declares or assigns `lhs` from a Result, returning its error from the enclosing function.
#define PIXFLEET_ASSIGN_OR_RETURN(lhs, expr) \
  PIXFLEET_ASSIGN_OR_RETURN_IMPL(PIXFLEET_CONCAT(pixfleet_result_, __LINE__), lhs, expr)
