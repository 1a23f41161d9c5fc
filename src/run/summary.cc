#include "run/summary.h"

#include <map>

#include <fmt/format.h>

#include "core/terminal_text.h"
#include "status/human_duration.h"

namespace pixfleet {

const char* FailureReasonLabel(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "unreadable or unsupported image";
    case StatusCode::kResourceExhausted:
      return "over a safety limit (size, pixels or time)";
    case StatusCode::kNotFound:
      return "input missing";
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return "storage or database unavailable (gave up after retries)";
    case StatusCode::kInternal:
      return "internal error or worker crash";
    case StatusCode::kFailedPrecondition:
      return "output or state storage refused (full, read-only or denied)";
    default:
      return "other error";
  }
}

std::string FormatSummary(const RunSummary& s) {
  std::string out;
  const double seconds = std::chrono::duration<double>(s.wall).count();
  const double rate = seconds > 0 ? static_cast<double>(s.processed_now) / seconds : 0;
  out += s.stopped       ? "pixfleet run stopped\n"
         : s.interrupted ? "pixfleet run interrupted\n"
                         : "pixfleet run finished\n";
  out += fmt::format("  inputs:     {}", s.total);
  if (s.skipped > 0) out += fmt::format(" ({} finished by an earlier run, not redone)", s.skipped);
  out += "\n";
  out += fmt::format("  succeeded:  {}\n", s.succeeded);
  out += fmt::format("  failed:     {}\n", s.failed.size());
  std::map<std::string, int64_t> by_reason;
  for (const TaskResult& row : s.failed) ++by_reason[FailureReasonLabel(row.error_code)];
  for (const auto& [reason, count] : by_reason) {
    out += fmt::format("    {:>6}  {}\n", count, reason);
  }
  if (s.unfinished > 0) {
    out +=
        fmt::format("  unfinished: {} (run the same command again to finish them)\n", s.unfinished);
  }
  out += fmt::format("  processed now: {} in {} wall, {} CPU, {:.1f} images/s\n", s.processed_now,
                     HumanDuration(s.wall), HumanDuration(s.cpu), rate);
  if (!s.failed.empty()) {
    out += "failed inputs:\n";
    size_t listed = 0;
    for (const TaskResult& row : s.failed) {
      if (listed++ == s.max_listed_failures) {
        out += fmt::format("  ... and {} more\n", s.failed.size() - s.max_listed_failures);
        break;
      }
      // Messages usually name their input already; avoid "a.jpg: a.jpg: ...". Both come from
      // the files: shown through TerminalText.
      const bool named = row.error_message.starts_with(row.input_key + ":");
      out += named ? fmt::format("  {}\n", TerminalText(row.error_message))
                   : fmt::format("  {}: {}\n", TerminalText(row.input_key),
                                 TerminalText(row.error_message));
    }
  }
  return out;
}

}  // namespace pixfleet
