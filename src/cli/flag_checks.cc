#include "cli/flag_checks.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "wiring/url.h"

namespace pixfleet {

CLI::Validator NonEmpty() {
  return CLI::Validator(
      [](const std::string& value) {
        return value.empty() ? std::string("must not be empty") : std::string();
      },
      "NONEMPTY");
}

CLI::Validator PositiveInteger() {
  return CLI::Validator(
      [](const std::string& value) {
        const std::string_view digits =
            std::string_view(value).substr(value.starts_with('+') ? 1 : 0);
        const bool whole = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        });
        if (whole && digits.find_first_not_of('0') != std::string_view::npos) return std::string();
        return "must be a whole number of at least 1, not '" + value + "'";
      },
      "POSITIVE");
}

CLI::Validator Duration() {
  return CLI::Validator(
      [](std::string& value) {
        std::string refusal =
            "must be a duration such as 25s, 1.5s, 500ms or 2m, not '" + value + "'";
        const size_t unit_at = value.find_first_not_of("0123456789.");
        const std::string number = value.substr(0, unit_at);
        const std::string unit = unit_at == std::string::npos ? "s" : value.substr(unit_at);
        double per_unit_ms = 0;
        if (unit == "ms") per_unit_ms = 1;
        if (unit == "s") per_unit_ms = 1000;
        if (unit == "m") per_unit_ms = 60'000;
        if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1 ||
            per_unit_ms == 0) {
          return refusal;
        }
        const double ms = std::stod(number) * per_unit_ms;
        if (ms > 86'400'000.0) return "must be at most a day, not '" + value + "'";
        value = std::to_string(static_cast<int64_t>(ms));
        return std::string();
      },
      "DURATION");
}

CLI::Validator LocalLocation(const std::string& instead) {
  return CLI::Validator(
      [instead](std::string& value) {
        if (const Result<BackendUrl> parsed = ParseBackendUrl(value); !parsed.ok()) {
          return parsed.error().message();
        }
        Result<std::string> path = LocalPath(value);  // fails only for a scheme other than file
        if (!path.ok()) return path.error().message() + "; " + instead;
        value = std::move(*path);
        return std::string();
      },
      "PATH");
}

CLI::Validator BatchLocation() {
  return CLI::Validator(
      [](std::string& value) {
        Result<std::string> url = LocationUrl(value);
        if (!url.ok()) return url.error().message();
        value = std::move(*url);
        return std::string();
      },
      "PATH|URL");
}

CLI::Validator ConnectionUrl() {
  return CLI::Validator(
      [](const std::string& value) {
        const Result<BackendUrl> parsed = ParseBackendUrl(value);
        return parsed.ok() ? std::string() : parsed.error().message();
      },
      "URL");
}

CLI::Validator LogLevel() {
  return CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"},
                       CLI::ignore_case);
}

}  // namespace pixfleet
