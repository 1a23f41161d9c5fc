// Credential and region discovery for the S3 backend; see s3_credentials.h.
#include "storage/s3/s3_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pixfleet {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string NonEmptyOr(const std::optional<std::string>& value, std::string fallback) {
  if (value && !value->empty()) return *value;
  return fallback;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): pixfleet never changes its environment
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<S3Credentials> ParseSharedCredentials(std::string_view ini_text, std::string_view profile) {
  S3Credentials credentials;
  bool in_profile = false;
  bool found = false;
  std::istringstream lines{std::string(ini_text)};
  std::string raw;
  while (std::getline(lines, raw)) {
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = Trim(line.substr(1, line.size() - 2)) == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = Trim(line.substr(0, eq));
    const std::string value(Trim(line.substr(eq + 1)));
    if (name == "aws_access_key_id") credentials.access_key_id = value;
    if (name == "aws_secret_access_key") credentials.secret_access_key = value;
    if (name == "aws_session_token") credentials.session_token = value;
  }
  if (!found) return NotFound("no profile [" + std::string(profile) + "]");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return InvalidArgument("profile [" + std::string(profile) +
                           "] lacks aws_access_key_id or aws_secret_access_key");
  }
  return credentials;
}

Result<S3Environment> LoadS3Environment(const EnvLookup& env) {
  S3Environment out;
  out.region = NonEmptyOr(env("AWS_REGION"), NonEmptyOr(env("AWS_DEFAULT_REGION"), "us-east-1"));
  out.endpoint = NonEmptyOr(env("AWS_ENDPOINT_URL"), "");
  out.ca_bundle = NonEmptyOr(env("AWS_CA_BUNDLE"), "");
  const std::string key_id = NonEmptyOr(env("AWS_ACCESS_KEY_ID"), "");
  const std::string secret = NonEmptyOr(env("AWS_SECRET_ACCESS_KEY"), "");
  if (!key_id.empty() || !secret.empty()) {
    if (key_id.empty() || secret.empty()) {
      return InvalidArgument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    }
    out.credentials = {key_id, secret, NonEmptyOr(env("AWS_SESSION_TOKEN"), "")};
    return out;
  }
  std::string path = NonEmptyOr(env("AWS_SHARED_CREDENTIALS_FILE"), "");
  if (path.empty()) {
    const std::string home = NonEmptyOr(env("HOME"), "");
    if (home.empty()) return NotFound("no AWS credentials: AWS_ACCESS_KEY_ID unset and no HOME");
    path = home + "/.aws/credentials";
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return NotFound("no AWS credentials: AWS_ACCESS_KEY_ID unset and cannot read " + path);
  }
  std::ostringstream text;
  text << file.rdbuf();
  const std::string profile = NonEmptyOr(env("AWS_PROFILE"), "default");
  auto credentials = ParseSharedCredentials(text.str(), profile);
  if (!credentials.ok()) return credentials.error().WithContext(path);
  out.credentials = std::move(credentials).value();
  return out;
}

}  // namespace pixfleet
