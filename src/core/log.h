// Logging: spdlog on stderr, readable lines by default or one JSON object per line
// (--log-format json). A thread that works on a task sets a TaskLogScope; every line it logs
// meanwhile carries the task id and batch id (as `task=… batch=…` in text, as fields in JSON).
#pragma once

#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace pixfleet {

enum class LogFormat { kText, kJson };

// Configures the default logger once per process. `level` is an spdlog level name ("info").
void InitLogging(LogFormat format, std::string_view level);

// "text" or "json"; kText for anything else is the caller's problem (CLI11 checks the choice).
LogFormat ParseLogFormat(std::string_view name);

// Tags this thread's log lines with a task while it lives. Not copyable; nests (restores the
// previous tag).
class TaskLogScope {
 public:
  TaskLogScope(std::string task_id, std::string batch_id);
  ~TaskLogScope();
  TaskLogScope(const TaskLogScope&) = delete;
  TaskLogScope& operator=(const TaskLogScope&) = delete;

 private:
  std::string previous_task_;
  std::string previous_batch_;
};

// The JSON line for one record (exposed for tests): {"time":…,"level":…,"pid":…,"task":…,
// "batch":…,"message":…} with every string escaped.
std::string FormatJsonLogLine(std::string_view time, std::string_view level, int pid,
                              std::string_view task, std::string_view batch,
                              std::string_view message);

}  // namespace pixfleet
