// Logging: spdlog, readable lines on stderr by default or one JSON object per line. Task-scoped
// lines carry the task id and batch id as fields (see LogTask).
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace pixfleet {

enum class LogFormat { kText, kJson };

// Configures the default logger once per process. `level` is an spdlog level name ("info").
void InitLogging(LogFormat format, std::string_view level);

}  // namespace pixfleet
