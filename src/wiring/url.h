// Backend URLs: "scheme://rest". sqlite:///abs/path.db, file:///abs/dir, amqp[s]://…,
// postgresql://…, s3://bucket/prefix. A bare path is taken as file:// for object stores.
// Everything a user writes as a location or a backend goes through ParseBackendUrl first, so a
// mistyped URL is refused here, with a message that never holds a password, rather than taken
// for a local folder named "s3:" or handed to a library that would misread it.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

struct BackendUrl {
  std::string scheme;  // lower-case, "" for a bare path
  std::string rest;    // everything after "://" (for file/sqlite: the path)

  // A local folder or file: a bare path or a file:// URL (`rest` is then the path).
  bool IsLocalPath() const { return scheme.empty() || scheme == "file"; }
};

// kInvalidArgument, naming the URL with its secrets masked, for: an empty text; a malformed
// scheme; nothing after "scheme://"; a bare path that reads as a URL with a mistyped separator
// ("s3:/bucket", "sqlite:q.db": a local path holding ':' in its first part is written
// "./s3:x"); and, for every scheme but file, sqlite and s3 (whose paths may hold '@'), a
// user-info that can be read more than one way (core/redact.h, CheckUserinfoUnambiguous).
// file://localhost/abs is read as file:///abs.
Result<BackendUrl> ParseBackendUrl(std::string_view url);

// The local path a location names: a bare path as it is; file:///abs/path as /abs/path
// (file://localhost/abs/path too; file://rel/path as rel/path, as the local store reads it).
// kInvalidArgument naming the scheme for any other URL, and ParseBackendUrl's refusals.
Result<std::string> LocalPath(std::string_view location);

// A location as the URL a batch records: a bare path or a file:// URL as an absolute file://
// URL, any other URL as written with its scheme lower-cased. ParseBackendUrl's refusals.
Result<std::string> LocationUrl(std::string_view location);

// "file://" + absolute form of `path`.
std::string FileUrl(std::string_view path);
std::string SqliteUrl(std::string_view path);

}  // namespace pixfleet
