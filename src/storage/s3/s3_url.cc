// S3 URL parsing and SigV4-canonical percent-encoding; see s3_url.h.
#include "storage/s3/s3_url.h"

#include <algorithm>

namespace pixfleet {
namespace {

constexpr std::string_view kScheme = "s3://";

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsValidBucketName(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (const char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(bucket.front()) && alnum(bucket.back());
}

}  // namespace

Result<S3Location> ParseS3Url(std::string_view url) {
  if (!url.starts_with(kScheme)) {
    return InvalidArgument("not an s3:// URL: " + std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (!IsValidBucketName(location.bucket)) {
    return InvalidArgument("bad S3 bucket name in " + std::string(url));
  }
  if (slash == std::string_view::npos) return location;
  std::string_view prefix = rest.substr(slash + 1);
  if (prefix.empty()) return location;
  if (prefix.back() == '/') prefix.remove_suffix(1);
  // Every segment must be a valid key segment, so prefix + key is a valid key.
  size_t start = 0;
  while (start <= prefix.size()) {
    const size_t end = std::min(prefix.find('/', start), prefix.size());
    const std::string_view segment = prefix.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find('\\') != std::string_view::npos) {
      return InvalidArgument("bad S3 prefix in " + std::string(url));
    }
    start = end + 1;
  }
  location.prefix = std::string(prefix) + "/";
  return location;
}

std::string DefaultS3Endpoint(std::string_view region) {
  return "https://s3." + std::string(region) + ".amazonaws.com";
}

std::string S3UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

std::string S3CanonicalQuery(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = S3UriEncode(name, false);
    value = S3UriEncode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

Result<S3UrlBuilder> S3UrlBuilder::Create(std::string_view endpoint, std::string bucket,
                                          S3Addressing addressing, bool is_default_aws_endpoint) {
  std::string_view scheme;
  if (endpoint.starts_with("https://")) {
    scheme = "https://";
  } else if (endpoint.starts_with("http://")) {
    scheme = "http://";
  } else {
    return InvalidArgument("S3 endpoint must start with http:// or https://: " +
                           std::string(endpoint));
  }
  std::string_view host = endpoint.substr(scheme.size());
  while (!host.empty() && host.back() == '/') host.remove_suffix(1);
  if (host.empty() || host.find_first_of("/?#@ ") != std::string_view::npos) {
    return InvalidArgument("S3 endpoint must be scheme://host[:port]: " + std::string(endpoint));
  }
  bool path_style = addressing == S3Addressing::kPathStyle;
  if (addressing == S3Addressing::kAuto) {
    path_style = !is_default_aws_endpoint || bucket.find('.') != std::string::npos;
  }
  std::string base(scheme);
  if (!path_style) base += bucket + ".";
  base += host;
  return S3UrlBuilder(std::move(base), std::move(bucket), path_style);
}

std::string S3UrlBuilder::ObjectUrl(std::string_view full_key, std::string_view query) const {
  std::string url = base_ + "/";
  if (path_style_) url += bucket_ + "/";
  url += S3UriEncode(full_key, /*keep_slash=*/true);
  if (!query.empty()) {
    url.push_back('?');
    url += query;
  }
  return url;
}

std::string S3UrlBuilder::BucketUrl(std::string_view query) const {
  std::string url = base_ + "/";
  if (path_style_) url += bucket_;
  if (!query.empty()) {
    url.push_back('?');
    url += query;
  }
  return url;
}

}  // namespace pixfleet
