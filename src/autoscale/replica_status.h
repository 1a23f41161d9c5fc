// The status-pipe protocol between `pixfleet scale` and the processes it runs (the writer side
// is `pixfleet worker`'s). Each replica gets PIXFLEET_STATUS_FD=<fd>, the write end of a pipe,
// and writes one line per change of state (and one at start):
//   `idle`        ready, no task in flight
//   `busy N`      ready, N >= 1 tasks in flight
//   `stopping N`  a stop was requested (or the worker is leaving on its own); N in flight
// A replica that never wrote is kUnknown. Anything else on a line is ignored (the state stays).
// Scale-down prefers, in order: idle, stopping (it is leaving anyway), unknown, busy; and among
// equals the newest (as a ReplicaSet does). Pure.
#pragma once

#include <optional>
#include <string_view>

namespace pixfleet {

enum class ReplicaState { kUnknown, kIdle, kBusy, kStopping };

struct ReplicaStatus {
  ReplicaState state = ReplicaState::kUnknown;
  int in_flight = 0;
  // Ready as a pod is: it reported and is taking work.
  bool Ready() const { return state == ReplicaState::kIdle || state == ReplicaState::kBusy; }
  friend bool operator==(const ReplicaStatus&, const ReplicaStatus&) = default;
};

// One line of the protocol, without its newline; nullopt when it is not one.
std::optional<ReplicaStatus> ParseStatusLine(std::string_view line);

// The order in which replicas are stopped: lower first.
int StopRank(ReplicaState state);

// "idle", "busy", "stopping", "unknown": for log lines.
std::string_view StateName(ReplicaState state);

}  // namespace pixfleet
