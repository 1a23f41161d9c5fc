#include "wiring/url.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/redact.h"

namespace pixfleet {
namespace {

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

bool IsScheme(std::string_view text) {
  return !text.empty() && std::isalpha(static_cast<unsigned char>(text.front())) != 0 &&
         std::all_of(text.begin(), text.end(), IsSchemeChar);
}

// "s3:/bucket", "sqlite:q.db", "file:/tmp": a scheme and ':' before any '/', without the "//".
bool LooksLikeMistypedUrl(std::string_view text) {
  const size_t colon = text.find(':');
  return colon != std::string_view::npos && colon < text.find('/') &&
         IsScheme(text.substr(0, colon));
}

std::string Absolute(std::string_view path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(std::filesystem::path(path), error);
  return (error ? std::filesystem::path(path) : absolute.lexically_normal()).string();
}

}  // namespace

Result<BackendUrl> ParseBackendUrl(std::string_view url) {
  if (url.empty()) return InvalidArgument("empty URL or path");
  const size_t separator = url.find("://");
  BackendUrl parsed;
  if (separator == std::string_view::npos) {
    if (LooksLikeMistypedUrl(url)) {
      const std::string scheme(url.substr(0, url.find(':')));
      // Only the scheme is echoed: without "//" nothing tells where a password would be.
      return InvalidArgument("'" + scheme + ":…' looks like a URL without the '//' after '" +
                             scheme + ":': write " + scheme + "://…, or ./" + scheme +
                             ":… for a local path whose first part holds ':'");
    }
    parsed.rest = std::string(url);
    return parsed;
  }
  parsed.scheme = std::string(url.substr(0, separator));
  parsed.rest = std::string(url.substr(separator + 3));
  // Messages show the URL with its secrets masked: the text may hold a password anywhere.
  if (!IsScheme(parsed.scheme)) {
    return InvalidArgument("malformed URL '" + RedactSecrets(url) +
                           "' (a scheme is a letter followed by letters, digits, '+', '-', '.')");
  }
  std::transform(parsed.scheme.begin(), parsed.scheme.end(), parsed.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (parsed.rest.empty()) {
    return InvalidArgument("URL '" + parsed.scheme + "://' names nothing after its scheme");
  }
  if (parsed.scheme == "file" && parsed.rest.starts_with("localhost/")) {
    parsed.rest.erase(0, std::string_view("localhost").size());
  }
  if (parsed.scheme != "file" && parsed.scheme != "sqlite" && parsed.scheme != "s3") {
    PIXFLEET_RETURN_IF_ERROR(CheckUserinfoUnambiguous(url));
  }
  return parsed;
}

Result<std::string> LocalPath(std::string_view location) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(location));
  if (!parsed.IsLocalPath()) {
    return InvalidArgument("the " + parsed.scheme + ":// URL is not a local path (write a " +
                           "path or file:///path)");
  }
  return parsed.rest;
}

Result<std::string> LocationUrl(std::string_view location) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(location));
  if (parsed.IsLocalPath()) return FileUrl(parsed.rest);
  return parsed.scheme + "://" + parsed.rest;
}

std::string FileUrl(std::string_view path) { return "file://" + Absolute(path); }
std::string SqliteUrl(std::string_view path) { return "sqlite://" + Absolute(path); }

}  // namespace pixfleet
