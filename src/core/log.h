// Logging: spdlog, one readable line per event on stderr ("time level [pid] message"). Task-scoped
// lines carry the task id and batch id as `task=… batch=…` fields.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace pixfleet {

// Configures the default logger once per process. `level` is an spdlog level name ("info").
void InitLogging(std::string_view level);

}  // namespace pixfleet
