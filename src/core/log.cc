#include "core/log.h"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>

namespace pixfleet {

void InitLogging(std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("pixfleet");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%P] %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace pixfleet
