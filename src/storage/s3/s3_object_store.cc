// S3ObjectStore over libcurl; see s3_object_store.h.
#include "storage/s3/s3_object_store.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "core/xml_escape.h"
#include "storage/s3/s3_errors.h"
#include "storage/temp_object_file.h"
#include "storage/write_probe.h"

namespace pixfleet {

namespace {

std::string FullKey(const S3Location& location, std::string_view key) {
  return location.prefix + std::string(key);
}

}  // namespace

Result<S3ObjectStoreOptions> S3OptionsFromEnvironment(const EnvLookup& env) {
  PIXFLEET_ASSIGN_OR_RETURN(S3Environment loaded, LoadS3Environment(env));
  S3ObjectStoreOptions options;
  options.credentials = std::move(loaded.credentials);
  options.region = std::move(loaded.region);
  options.endpoint = std::move(loaded.endpoint);
  options.ca_bundle = std::move(loaded.ca_bundle);
  return options;
}

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(std::string_view url,
                                                           S3ObjectStoreOptions options) {
  PIXFLEET_ASSIGN_OR_RETURN(S3Location location, ParseS3Url(url));
  if (options.region.empty()) return InvalidArgument("S3 region is empty");
  if (options.credentials.access_key_id.empty() || options.credentials.secret_access_key.empty()) {
    return InvalidArgument("S3 credentials are missing");
  }
  if (options.part_size == 0 || options.multipart_threshold == 0 || options.list_page_size < 1) {
    return InvalidArgument("S3 part size, multipart threshold and list page size must be > 0");
  }
  if (!options.ca_bundle.empty() && !std::ifstream(options.ca_bundle).good()) {
    // Found here rather than as a puzzling TLS failure on the first request.
    return InvalidArgument("the CA bundle " + options.ca_bundle +
                           " (AWS_CA_BUNDLE) cannot be read");
  }
  const bool is_default = options.endpoint.empty();
  const std::string endpoint = is_default ? DefaultS3Endpoint(options.region) : options.endpoint;
  PIXFLEET_ASSIGN_OR_RETURN(
      S3UrlBuilder urls,
      S3UrlBuilder::Create(endpoint, location.bucket, options.addressing, is_default));
  return std::unique_ptr<S3ObjectStore>(
      new S3ObjectStore(std::move(location), std::move(urls), endpoint, std::move(options)));
}

S3ObjectStore::S3ObjectStore(S3Location location, S3UrlBuilder urls, std::string endpoint,
                             S3ObjectStoreOptions options)
    : location_(std::move(location)),
      urls_(std::move(urls)),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      http_(S3HttpOptions{.region = options_.region,
                          .credentials = options_.credentials,
                          .connect_timeout = options_.connect_timeout,
                          .low_speed_bytes_per_second = options_.low_speed_bytes_per_second,
                          .low_speed_time = options_.low_speed_time,
                          .verify_tls = options_.verify_tls,
                          .ca_bundle = options_.ca_bundle,
                          .cancel = options_.cancel}) {}

S3ObjectStore::~S3ObjectStore() = default;

S3Target S3ObjectStore::Target() const { return S3Target{location_.bucket, endpoint_}; }

Status S3ObjectStore::CheckWritable() {
  // S3 authorises starting an upload as it does a PUT of the key, but shows nothing for it: no
  // object appears, not even as an old version in a versioned bucket, and probes running side by
  // side share nothing.
  const std::string where =
      "s3://" + location_.bucket + "/" + location_.prefix + " at " + endpoint_;
  const std::string full_key = FullKey(location_, kWriteProbeKey);
  auto upload_id = CreateMultipart(full_key, "text/plain");
  if (!upload_id.ok()) {
    return WriteProbeVerdict(upload_id.error().WithContext("write probe " + full_key), where);
  }
  AbortMultipart(full_key, *upload_id);
  return Status::Ok();
}

Result<S3HttpResponse> S3ObjectStore::GetObject(std::string_view key, uint64_t max_bytes,
                                                std::function<Status(std::string_view)> sink) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  S3HttpRequest request{.method = "GET",
                        .url = urls_.ObjectUrl(FullKey(location_, key)),
                        .what = "GET " + std::string(key),
                        .max_bytes = max_bytes,
                        .body_sink = std::move(sink)};
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, http_.Perform(request));
  if (response.http_status != 200) {
    return S3HttpStatus(response.http_status, response.body, request.what, Target());
  }
  return response;
}

Result<std::string> S3ObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, GetObject(key, max_bytes, nullptr));
  return std::move(response.body);
}

Result<LocalObject> S3ObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  // Created before the request, so that a machine without room for copies refuses at once; any
  // error below destroys it unfinished, which removes the file.
  PIXFLEET_ASSIGN_OR_RETURN(TempObjectFile file, TempObjectFile::Create(options_.temp_folder));
  PIXFLEET_RETURN_IF_ERROR(GetObject(key, max_bytes, [&file](std::string_view piece) {
                             return file.Append(piece);
                           }).status());
  return file.Finish();
}

Status S3ObjectStore::Put(std::string_view key, std::string_view bytes,
                          std::string_view content_type) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string full_key = FullKey(location_, key);
  const std::string type =
      content_type.empty() ? "application/octet-stream" : std::string(content_type);
  if (bytes.size() >= options_.multipart_threshold) {
    return PutMultipart(full_key, bytes, type).WithContext("PUT " + std::string(key));
  }
  S3HttpRequest request{.method = "PUT",
                        .url = urls_.ObjectUrl(full_key),
                        .body = bytes,
                        .content_type = type,
                        .what = "PUT " + std::string(key)};
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, http_.Perform(request));
  if (response.http_status / 100 != 2) {
    return S3HttpStatus(response.http_status, response.body, request.what, Target());
  }
  return Status::Ok();
}

Result<std::string> S3ObjectStore::CreateMultipart(const std::string& full_key,
                                                   std::string_view content_type) {
  S3HttpRequest create{.method = "POST",
                       .url = urls_.ObjectUrl(full_key, S3CanonicalQuery({{"uploads", ""}})),
                       .content_type = std::string(content_type),
                       .what = "CreateMultipartUpload"};
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse created, http_.Perform(create));
  if (created.http_status / 100 != 2) {
    return S3HttpStatus(created.http_status, created.body, create.what, Target());
  }
  pugi::xml_document doc;
  std::string upload_id;
  if (doc.load_buffer(created.body.data(), created.body.size())) {
    upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  }
  if (upload_id.empty()) return DataLoss(create.what + ": response has no UploadId");
  return upload_id;
}

Status S3ObjectStore::PutMultipart(const std::string& full_key, std::string_view bytes,
                                   std::string_view content_type) {
  PIXFLEET_ASSIGN_OR_RETURN(const std::string upload_id, CreateMultipart(full_key, content_type));

  // S3 allows at most 10000 parts: grow the parts of a huge object rather than fail.
  const uint64_t part_size = std::max<uint64_t>(options_.part_size, (bytes.size() + 9999) / 10000);
  std::string complete_xml = "<CompleteMultipartUpload>";
  int part_number = 0;
  for (uint64_t offset = 0; offset < bytes.size(); offset += part_size) {
    ++part_number;
    const std::string number = std::to_string(part_number);
    S3HttpRequest part{
        .method = "PUT",
        .url = urls_.ObjectUrl(full_key,
                               S3CanonicalQuery({{"partNumber", number}, {"uploadId", upload_id}})),
        .body = bytes.substr(offset, part_size),
        .what = "UploadPart " + number};
    auto uploaded = http_.Perform(part);
    Status failure;
    if (!uploaded.ok()) {
      failure = uploaded.error();
    } else if (uploaded->http_status / 100 != 2) {
      failure = S3HttpStatus(uploaded->http_status, uploaded->body, part.what, Target());
    } else if (auto etag = uploaded->headers.find("etag"); etag == uploaded->headers.end()) {
      failure = DataLoss(part.what + ": response has no ETag");
    } else {
      complete_xml += "<Part><PartNumber>" + number + "</PartNumber><ETag>" +
                      XmlEscape(etag->second) + "</ETag></Part>";
    }
    if (!failure.ok()) {
      AbortMultipart(full_key, upload_id);
      return failure;
    }
  }
  complete_xml += "</CompleteMultipartUpload>";

  S3HttpRequest complete{
      .method = "POST",
      .url = urls_.ObjectUrl(full_key, S3CanonicalQuery({{"uploadId", upload_id}})),
      .body = complete_xml,
      .content_type = "application/xml",
      .what = "CompleteMultipartUpload"};
  auto completed = http_.Perform(complete);
  Status failure;
  if (!completed.ok()) {
    failure = completed.error();
  } else if (completed->http_status / 100 != 2) {
    failure = S3HttpStatus(completed->http_status, completed->body, complete.what, Target());
  } else if (const S3ErrorDocument error = ParseS3Error(completed->body); !error.code.empty()) {
    failure =
        S3ErrorCodeStatus(error.code, error.message, complete.what, Target());  // 200 with <Error>
  }
  if (!failure.ok()) {
    AbortMultipart(full_key, upload_id);
    return failure;
  }
  return Status::Ok();
}

void S3ObjectStore::AbortMultipart(const std::string& full_key, const std::string& upload_id) {
  // Best effort: a leftover upload is invisible to readers and expires by bucket lifecycle.
  S3HttpRequest abort{.method = "DELETE",
                      .url = urls_.ObjectUrl(full_key, S3CanonicalQuery({{"uploadId", upload_id}})),
                      .what = "AbortMultipartUpload",
                      .despite_cancel = true};
  static_cast<void>(http_.Perform(abort));
}

Result<std::optional<ObjectInfo>> S3ObjectStore::Head(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  S3HttpRequest request{.method = "HEAD",
                        .url = urls_.ObjectUrl(FullKey(location_, key)),
                        .what = "HEAD " + std::string(key)};
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, http_.Perform(request));
  if (response.http_status == 404) return std::optional<ObjectInfo>();
  if (response.http_status != 200) {
    return S3HttpStatus(response.http_status, response.body, request.what, Target());
  }
  const auto length = response.headers.find("content-length");
  const auto size = length == response.headers.end() ? std::nullopt : ParseDecimal(length->second);
  if (!size) return DataLoss(request.what + ": response has no valid Content-Length");
  return std::optional<ObjectInfo>(ObjectInfo{std::string(key), *size});
}

Status S3ObjectStore::Delete(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  S3HttpRequest request{.method = "DELETE",
                        .url = urls_.ObjectUrl(FullKey(location_, key)),
                        .what = "DELETE " + std::string(key)};
  PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, http_.Perform(request));
  if (response.http_status / 100 == 2) return Status::Ok();
  Status status = S3HttpStatus(response.http_status, response.body, request.what, Target());
  // An absent key is deleted already; an absent bucket is not (kFailedPrecondition).
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

Status S3ObjectStore::List(std::string_view prefix,
                           const std::function<Status(const ObjectInfo&)>& visit) {
  const std::string full_prefix = FullKey(location_, prefix);
  std::string token;
  std::string last_key;
  for (int page = 1;; ++page) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"list-type", "2"},
        {"max-keys", std::to_string(options_.list_page_size)},
        {"prefix", full_prefix}};
    if (!token.empty()) params.emplace_back("continuation-token", token);
    S3HttpRequest request{.method = "GET",
                          .url = urls_.BucketUrl(S3CanonicalQuery(std::move(params))),
                          .what = "LIST " + std::string(prefix) + " page " + std::to_string(page)};
    PIXFLEET_ASSIGN_OR_RETURN(S3HttpResponse response, http_.Perform(request));
    if (response.http_status != 200) {
      return S3HttpStatus(response.http_status, response.body, request.what, Target());
    }
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size())) {
      return DataLoss(request.what + ": malformed ListObjectsV2 XML");
    }
    const pugi::xml_node result = doc.child("ListBucketResult");
    if (!result) return DataLoss(request.what + ": response is not a ListBucketResult");
    for (const pugi::xml_node contents : result.children("Contents")) {
      const std::string full_key = contents.child_value("Key");
      const auto size = ParseDecimal(contents.child_value("Size"));
      if (!full_key.starts_with(full_prefix) || !size) {
        return DataLoss(request.what + ": listed entry outside the prefix or without a size");
      }
      std::string key = full_key.substr(location_.prefix.size());
      if (!last_key.empty() && key <= last_key) {
        return DataLoss(request.what + ": keys out of order");
      }
      PIXFLEET_RETURN_IF_ERROR(visit(ObjectInfo{key, *size}));
      last_key = std::move(key);
    }
    if (std::string_view(result.child_value("IsTruncated")) != "true") return Status::Ok();
    token = result.child_value("NextContinuationToken");
    if (token.empty()) return DataLoss(request.what + ": truncated page without a token");
  }
}

}  // namespace pixfleet
