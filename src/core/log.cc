#include "core/log.h"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>

namespace pixfleet {

void InitLogging(LogFormat format, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("pixfleet");
  if (format == LogFormat::kJson) {
    // Messages are written by callers as `key=value` pairs; JSON mode wraps the whole line.
    logger->set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","pid":%P,"message":"%v"})");
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%P] %v");
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace pixfleet
