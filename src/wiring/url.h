// Backend URLs: "scheme://rest". sqlite:///abs/path.db, file:///abs/dir (later amqp://,
// postgresql://, s3://bucket/prefix). A bare path is taken as file:// for object stores.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

struct BackendUrl {
  std::string scheme;  // lower-case, "" for a bare path
  std::string rest;    // everything after "://" (for file/sqlite: the path)
};

// kInvalidArgument naming the URL when the scheme is malformed or the rest is empty.
Result<BackendUrl> ParseBackendUrl(std::string_view url);

// "file://" + absolute form of `path`.
std::string FileUrl(std::string_view path);
std::string SqliteUrl(std::string_view path);

}  // namespace pixfleet
