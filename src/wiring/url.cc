#include "wiring/url.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace pixfleet {

Result<BackendUrl> ParseBackendUrl(std::string_view url) {
  const size_t separator = url.find("://");
  BackendUrl parsed;
  if (separator == std::string_view::npos) {
    parsed.rest = std::string(url);
  } else {
    parsed.scheme = std::string(url.substr(0, separator));
    parsed.rest = std::string(url.substr(separator + 3));
    const bool valid_scheme =
        !parsed.scheme.empty() &&
        std::all_of(parsed.scheme.begin(), parsed.scheme.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    // Messages name the scheme only: the rest may hold a password.
    if (!valid_scheme) return InvalidArgument("malformed URL scheme '" + parsed.scheme + "'");
    std::transform(parsed.scheme.begin(), parsed.scheme.end(), parsed.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  if (parsed.rest.empty()) {
    return InvalidArgument("URL '" + parsed.scheme + "://' names nothing after its scheme");
  }
  return parsed;
}

namespace {
std::string Absolute(std::string_view path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(std::filesystem::path(path), error);
  return (error ? std::filesystem::path(path) : absolute.lexically_normal()).string();
}
}  // namespace

std::string FileUrl(std::string_view path) { return "file://" + Absolute(path); }
std::string SqliteUrl(std::string_view path) { return "sqlite://" + Absolute(path); }

}  // namespace pixfleet
