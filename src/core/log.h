// Logging: spdlog on stderr, readable lines by default or one JSON object per line
// (--log-format json). A thread that works on a task sets a TaskLogScope; every line it logs
// meanwhile carries the task id and batch id (as `task=… batch=…` in text, as fields in JSON).
// Every line, log or fatal, is scrubbed of the process's secrets (core/redact.h) and safe for a
// terminal (core/terminal_text.h): a message may quote a file name or a connection string.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace pixfleet {

enum class LogFormat { kText, kJson };

// Configures the default logger and the format of fatal lines. `level` is an spdlog level name
// ("info"). May be called again (the command line's format is known before its level).
void InitLogging(LogFormat format, std::string_view level);

// The line that ends a command, on stderr, whatever the log level: in text
// "pixfleet COMMAND: MESSAGE" ("pixfleet: MESSAGE" when `command` is empty); in JSON one object
// of the log lines' shape, level "critical", with that text as its message.
void PrintFatalLine(std::string_view command, std::string_view message);
// The same line, without its newline (exposed for tests).
std::string FormatFatalLine(LogFormat format, std::string_view command, std::string_view message);

// The formatter InitLogging gives the logger (exposed for tests).
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

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
// "batch":…,"message":…} with every string escaped, invalid UTF-8 replaced by U+FFFD and the
// characters a terminal obeys written as \uXXXX. The message is not scrubbed here.
std::string FormatJsonLogLine(std::string_view time, std::string_view level, int pid,
                              std::string_view task, std::string_view batch,
                              std::string_view message);

}  // namespace pixfleet
