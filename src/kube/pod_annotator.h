// PodAnnotator: the port through which a worker writes annotations on its own pod. One call is
// one merge patch of metadata.annotations: the named key is set, every other annotation (and the
// rest of the pod) is left as it is, and setting the value it already has is harmless, so a call
// may be repeated after any failure.
//
// Errors say what the caller may do:
//   kUnavailable, kDeadlineExceeded  the API server is unreachable, busy (429, 5xx) or refused a
//                                    token that is re-read on the next call (401): retry later;
//   kFailedPrecondition              refused until an operator acts (403: RBAC; the API server's
//                                    certificate not trusted): retrying at a slow pace is fine;
//   kNotFound                        the pod does not exist (a wrong POD_NAME or namespace);
//   kInvalidArgument                 the API server rejected the patch itself;
//   kCancelled                       `stop` was requested during the call.
// The message names the pod and, for a refusal, what to change. A call never outlives `stop` by
// more than a moment. Implementations are thread-safe.
#pragma once

#include <stop_token>
#include <string_view>

#include "core/status.h"

namespace pixfleet::kube {

// The annotation that the ReplicaSet controller ranks pods by when it scales down: lower cost
// first. Its value is a decimal int32 in a string.
inline constexpr std::string_view kPodDeletionCost = "controller.kubernetes.io/pod-deletion-cost";

class PodAnnotator {
 public:
  virtual ~PodAnnotator() = default;
  virtual Status Annotate(std::string_view key, std::string_view value,
                          const std::stop_token& stop) = 0;
};

}  // namespace pixfleet::kube
