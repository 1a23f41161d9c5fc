// S3 credentials and client settings from the environment, in the AWS CLI's order: the
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN variables, else the profile
// AWS_PROFILE (default "default") of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
// default ~/.aws/credentials). AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL set the
// region and endpoint; AWS_CA_BUNDLE, as for the AWS CLI and SDKs, names a PEM file of the CA
// certificates to trust for https endpoints instead of the system store. The secret never appears
// in a Status message or in ToString-like output.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

struct S3Environment {
  S3Credentials credentials;
  std::string region;     // "us-east-1" when unset
  std::string endpoint;   // empty when unset (use the default AWS endpoint)
  std::string ca_bundle;  // AWS_CA_BUNDLE; empty when unset (the system CA store)
};

// Reads a variable; nullopt when unset. Injected so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// kNotFound when no credentials are configured anywhere; kInvalidArgument when the profile is
// missing from the file or lacks a key (the message names the file and profile, never a secret).
Result<S3Environment> LoadS3Environment(const EnvLookup& env = ProcessEnv());

// Parses the INI text of a shared credentials file and returns `profile`'s keys; kNotFound if
// the profile is absent, kInvalidArgument if it lacks aws_access_key_id or the secret.
Result<S3Credentials> ParseSharedCredentials(std::string_view ini_text, std::string_view profile);

}  // namespace pixfleet
