// Independent SigV4 verification for tests; see sigv4_verifier.h. Follows
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html step by step.
#include "storage/s3/sigv4_verifier.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/percent_decode.h"

namespace pixfleet {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xF]);
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// RFC 3986 encoding as the SigV4 spec defines it.
std::string Encode(std::string_view text, bool keep_slash) {
  std::string out;
  char buffer[4];
  for (const char c : text) {
    const bool unreserved =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      std::snprintf(buffer, sizeof(buffer), "%%%02X", static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out;
}

std::string Trim(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Value of "Name=value" inside the Authorization header, up to ',' or the end.
std::string AuthField(std::string_view authorization, std::string_view name) {
  const std::string needle = std::string(name) + "=";
  const size_t start = authorization.find(needle);
  if (start == std::string_view::npos) return "";
  const size_t begin = start + needle.size();
  const size_t end = authorization.find(',', begin);
  return Trim(authorization.substr(begin, end == std::string_view::npos ? end : end - begin));
}

}  // namespace

SigV4Check VerifySigV4(const ReceivedRequest& request, std::string_view secret_access_key,
                       std::string_view region) {
  SigV4Check check;
  auto header = [&](const std::string& name) -> std::string {
    const auto it = request.headers.find(name);
    return it == request.headers.end() ? "" : it->second;
  };
  const std::string authorization = header("authorization");
  const std::string algorithm = "AWS4-HMAC-SHA256";
  if (!authorization.starts_with(algorithm + " ")) {
    check.problem = "no AWS4-HMAC-SHA256 Authorization header";
    return check;
  }
  const std::string credential = AuthField(authorization, "Credential");
  check.signed_headers = AuthField(authorization, "SignedHeaders");
  check.actual_signature = AuthField(authorization, "Signature");
  const std::string amz_date = header("x-amz-date");  // 20261129T175800Z
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + std::string(region) + "/s3/aws4_request";
  if (credential.find('/') == std::string::npos ||
      credential.substr(credential.find('/') + 1) != scope) {
    check.problem = "credential scope is not " + scope + ": " + credential;
    return check;
  }
  const std::string payload_hash = header("x-amz-content-sha256");
  if (payload_hash != Sha256(request.body)) {
    check.problem = "x-amz-content-sha256 is not the SHA-256 of the body";
    return check;
  }
  std::vector<std::string> signed_names;
  std::stringstream names(check.signed_headers);
  for (std::string name; std::getline(names, name, ';');) signed_names.push_back(name);
  for (const char* required : {"host", "x-amz-date", "x-amz-content-sha256"}) {
    if (std::find(signed_names.begin(), signed_names.end(), required) == signed_names.end()) {
      check.problem = std::string(required) + " is not signed";
      return check;
    }
  }

  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query =
      question == std::string::npos ? "" : request.target.substr(question + 1);
  std::vector<std::pair<std::string, std::string>> params;
  std::stringstream pairs(query);
  for (std::string pair; std::getline(pairs, pair, '&');) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = PercentDecode(pair.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1));
    params.emplace_back(Encode(name, false), Encode(value, false));
  }
  std::sort(params.begin(), params.end());
  std::string canonical_query;
  for (const auto& [name, value] : params) {
    if (!canonical_query.empty()) canonical_query += "&";
    canonical_query.append(name).append("=").append(value);
  }
  std::string canonical_headers;
  for (const std::string& name : signed_names) {
    canonical_headers += name + ":" + Trim(header(name)) + "\n";
  }

  check.canonical_request = request.method + "\n" + Encode(PercentDecode(path), true) + "\n" +
                            canonical_query + "\n" + canonical_headers + "\n" +
                            check.signed_headers + "\n" + payload_hash;
  const std::string string_to_sign =
      algorithm + "\n" + amz_date + "\n" + scope + "\n" + Sha256(check.canonical_request);
  const std::string k_date = Hmac("AWS4" + std::string(secret_access_key), date);
  const std::string k_region = Hmac(k_date, region);
  const std::string k_service = Hmac(k_region, "s3");
  const std::string k_signing = Hmac(k_service, "aws4_request");
  const std::string signature = Hmac(k_signing, string_to_sign);
  check.expected_signature =
      Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  check.ok = check.expected_signature == check.actual_signature;
  if (!check.ok) check.problem = "signature mismatch";
  return check;
}

}  // namespace pixfleet
