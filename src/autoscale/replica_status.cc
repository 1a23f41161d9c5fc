#include "autoscale/replica_status.h"

#include <charconv>

namespace pixfleet {
namespace {

// "N" after the word, a whole number >= `minimum`.
std::optional<int> CountAfter(std::string_view line, std::string_view word, int minimum) {
  if (!line.starts_with(word) || line.size() <= word.size() || line[word.size()] != ' ') {
    return std::nullopt;
  }
  const std::string_view digits = line.substr(word.size() + 1);
  int count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size() || count < minimum) {
    return std::nullopt;
  }
  return count;
}

}  // namespace

std::optional<ReplicaStatus> ParseStatusLine(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line == "idle") return ReplicaStatus{ReplicaState::kIdle, 0};
  if (const auto busy = CountAfter(line, "busy", 1)) {
    return ReplicaStatus{ReplicaState::kBusy, *busy};
  }
  if (const auto stopping = CountAfter(line, "stopping", 0)) {
    return ReplicaStatus{ReplicaState::kStopping, *stopping};
  }
  return std::nullopt;
}

int StopRank(ReplicaState state) {
  switch (state) {
    case ReplicaState::kIdle:
      return 0;
    case ReplicaState::kStopping:
      return 1;
    case ReplicaState::kUnknown:
      return 2;
    case ReplicaState::kBusy:
      return 3;
  }
  return 3;
}

std::string_view StateName(ReplicaState state) {
  switch (state) {
    case ReplicaState::kIdle:
      return "idle";
    case ReplicaState::kStopping:
      return "stopping";
    case ReplicaState::kUnknown:
      return "unknown";
    case ReplicaState::kBusy:
      return "busy";
  }
  return "unknown";
}

}  // namespace pixfleet
