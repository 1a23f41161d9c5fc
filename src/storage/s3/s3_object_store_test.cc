// S3ObjectStore against an in-process fake S3 (cpp-httplib on loopback): every request's SigV4
// signature is recomputed independently (sigv4_verifier.h) — the check s3rver cannot make —
// plus error mapping, early abort over max_bytes, pagination, multipart uploads, and Fetch
// streaming a body into its temporary file as it arrives (removed on every failure).
#include "storage/s3/s3_object_store.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "storage/retrying_object_store.h"
#include "storage/s3/sigv4_verifier.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

constexpr char kKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kRegion[] = "eu-central-1";

// A loopback HTTP server that records each request and answers with `handler`.
class FakeS3 {
 public:
  using Handler = std::function<void(const ReceivedRequest&, httplib::Response&)>;

  FakeS3() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      ReceivedRequest received{req.method, req.target, {}, req.body};
      for (const auto& [name, value] : req.headers) {
        std::string lower;
        for (const char c : name) lower.push_back(static_cast<char>(std::tolower(c)));
        received.headers[lower] = value;
      }
      Handler handler;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(received);
        handler = handler_;
      }
      if (handler) handler(received, res);
    };
    const std::string all = ".*";
    server_.Get(all, handle);
    server_.Put(all, handle);
    server_.Post(all, handle);
    server_.Delete(all, handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FakeS3(const FakeS3&) = delete;
  FakeS3& operator=(const FakeS3&) = delete;
  ~FakeS3() {
    server_.stop();
    thread_.join();
  }

  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }
  std::vector<ReceivedRequest> Requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  Handler handler_;
  std::vector<ReceivedRequest> requests_;
};

void Reply(httplib::Response& res, int status, const std::string& body = "",
           const std::string& type = "application/xml") {
  res.status = status;
  res.set_content(body, type.c_str());
}

// 200 with 1200 bytes of 'c' in two chunks, and no Content-Length to check beforehand.
void ReplyChunkedWithoutLength(httplib::Response& res) {
  res.status = 200;
  res.set_chunked_content_provider("application/octet-stream", [](size_t, httplib::DataSink& sink) {
    const std::string chunk(600, 'c');
    sink.write(chunk.data(), chunk.size());
    sink.write(chunk.data(), chunk.size());
    sink.done();
    return true;
  });
}

std::string ErrorXml(const std::string& code) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
         "</Code><Message>m</Message></Error>";
}

// Holds a server handler until Release() (or 30 s), saying when it has started waiting.
// Release() returns only once the handler has stopped reading the Stall, so that a test's Stall
// never goes out of scope under a server thread still waiting on it; the destructor releases.
class Stall {
 public:
  Stall() = default;
  Stall(const Stall&) = delete;
  Stall& operator=(const Stall&) = delete;
  ~Stall() { Release(); }

  void Wait() {
    started_ = true;
    for (int wait = 0; wait < 3000 && !released_; ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    left_ = true;
  }
  void WaitUntilStarted() const {
    while (!started_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Release() {
    released_ = true;
    while (started_ && !left_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  std::atomic<bool> started_{false};
  std::atomic<bool> released_{false};
  std::atomic<bool> left_{false};
};

class S3ObjectStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3ObjectStore> Open(const std::string& url = "s3://bkt/pre/fix",
                                      S3ObjectStoreOptions options = {}) {
    options.endpoint = server_.Endpoint();
    options.region = kRegion;
    if (options.credentials.access_key_id.empty()) options.credentials = {kKeyId, kSecret, ""};
    auto store = S3ObjectStore::Open(url, std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Every request the fake saw carries a valid signature for kSecret.
  void ExpectAllSigned() {
    const auto requests = server_.Requests();
    ASSERT_FALSE(requests.empty());
    for (const ReceivedRequest& request : requests) {
      const SigV4Check check = VerifySigV4(request, kSecret, kRegion);
      EXPECT_TRUE(check.ok) << request.method << " " << request.target << ": " << check.problem
                            << "\ncanonical request:\n"
                            << check.canonical_request;
    }
  }

  FakeS3 server_;
};

TEST(SigV4VerifierTest, MatchesTheAwsPublishedGetObjectExample) {
  // "Example: GET Object" from the AWS S3 SigV4 header-based authentication documentation.
  ReceivedRequest request{
      "GET",
      "/test.txt",
      {{"host", "examplebucket.s3.amazonaws.com"},
       {"range", "bytes=0-9"},
       {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
       {"x-amz-date", "20130524T000000Z"},
       {"authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}},
      ""};
  const SigV4Check check =
      VerifySigV4(request, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
  EXPECT_TRUE(check.ok) << check.problem << "\n" << check.canonical_request;
  EXPECT_FALSE(VerifySigV4(request, "wrong-secret", "us-east-1").ok);
}

TEST_F(S3ObjectStoreTest, PutSendsASignedRequestWithThePayloadHash) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) { Reply(res, 200); });
  auto store = Open();
  constexpr char kBinary[] = "binary\0\xff\x01 data";  // with the NUL and what follows it
  std::string bytes(kBinary, sizeof(kBinary) - 1);
  bytes.push_back('\0');
  const std::string key = "dir/a b+c=d&e\xC3\xA9!*(x)'~.bin";
  ASSERT_TRUE(store->Put(key, bytes, "image/jpeg").ok());
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].body, bytes);
  EXPECT_EQ(requests[0].target, "/bkt/pre/fix/dir/a%20b%2Bc%3Dd%26e%C3%A9%21%2A%28x%29%27~.bin");
  EXPECT_EQ(requests[0].headers.at("content-type"), "image/jpeg");
  ExpectAllSigned();
  // The verifier is not vacuous: the same request fails for another secret.
  EXPECT_FALSE(VerifySigV4(requests[0], "another-secret", kRegion).ok);
  ReceivedRequest tampered = requests[0];
  tampered.body.back() = 'X';
  EXPECT_FALSE(VerifySigV4(tampered, kSecret, kRegion).ok);
  tampered = requests[0];
  tampered.target += "x";
  EXPECT_FALSE(VerifySigV4(tampered, kSecret, kRegion).ok);
}

TEST_F(S3ObjectStoreTest, LargeSinglePutWithExpectContinueIsSigned) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) { Reply(res, 200); });
  auto store = Open();
  std::string bytes(2 * 1024 * 1024 + 3, '\0');  // over curl's 1 MiB Expect: 100-continue mark
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 251);
  ASSERT_TRUE(store->Put("large.bin", bytes, "").ok());
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].body == bytes);
  ExpectAllSigned();
}

TEST_F(S3ObjectStoreTest, GetHeadDeleteAndListAreSigned) {
  server_.SetHandler([](const ReceivedRequest& req, httplib::Response& res) {
    if (req.target.find("list-type=2") != std::string::npos) {
      Reply(res, 200,
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>pre/fix/a b/c"
            "</Key><Size>3</Size></Contents></ListBucketResult>");
    } else if (req.method == "DELETE") {
      Reply(res, 204);
    } else {
      Reply(res, 200, "abc", "application/octet-stream");
    }
  });
  auto store = Open();
  auto got = store->Get("a b/c");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "abc");
  auto head = store->Head("a b/c");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->size, 3u);
  EXPECT_TRUE(store->Delete("a b/c").ok());
  std::vector<ObjectInfo> seen;
  ASSERT_TRUE(store
                  ->List("a b/",
                         [&](const ObjectInfo& info) {
                           seen.push_back(info);
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<ObjectInfo>{{"a b/c", 3}}));
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].target, "/bkt?list-type=2&max-keys=1000&prefix=pre%2Ffix%2Fa%20b%2F");
  ExpectAllSigned();
}

TEST_F(S3ObjectStoreTest, SessionTokenIsSentAndSigned) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) { Reply(res, 200, "x"); });
  S3ObjectStoreOptions options;
  options.credentials = {kKeyId, kSecret, "the-session-token"};
  auto store = Open("s3://bkt", std::move(options));
  ASSERT_TRUE(store->Get("k").ok());
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("x-amz-security-token"), "the-session-token");
  EXPECT_NE(VerifySigV4(requests[0], kSecret, kRegion).signed_headers.find("x-amz-security-token"),
            std::string::npos);
  ExpectAllSigned();
}

TEST_F(S3ObjectStoreTest, HttpErrorsMapToRetryableOrPermanentCodes) {
  struct Case {
    int http;
    std::string code;
    StatusCode expected;
    // HEAD responses carry no body, so only the HTTP status can classify them.
    StatusCode expected_for_head;
  };
  const std::vector<Case> cases = {
      {500, "InternalError", StatusCode::kUnavailable, StatusCode::kUnavailable},
      {503, "SlowDown", StatusCode::kUnavailable, StatusCode::kUnavailable},
      {429, "", StatusCode::kUnavailable, StatusCode::kUnavailable},
      {502, "", StatusCode::kUnavailable, StatusCode::kUnavailable},
      {400, "RequestTimeout", StatusCode::kUnavailable, StatusCode::kInvalidArgument},
      {403, "InvalidObjectState", StatusCode::kInvalidArgument, StatusCode::kFailedPrecondition},
      {404, "NoSuchKey", StatusCode::kNotFound, StatusCode::kNotFound},
      {400, "InvalidRequest", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
      {307, "TemporaryRedirect", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
  };
  auto store = Open();
  for (const Case& c : cases) {
    server_.SetHandler([&c](const ReceivedRequest&, httplib::Response& res) {
      Reply(res, c.http, c.code.empty() ? "" : ErrorXml(c.code));
    });
    const Status get = store->Get("k/x.jpg").status();
    EXPECT_EQ(get.code(), c.expected) << c.http << " " << c.code << " " << get.ToString();
    EXPECT_NE(get.message().find("k/x.jpg"), std::string::npos) << get.ToString();
    EXPECT_EQ(get.message().find(kSecret), std::string::npos);
    if (c.http != 404) {
      EXPECT_EQ(store->Put("k/x.jpg", "v", "").code(), c.expected) << c.http;
      EXPECT_EQ(store->Head("k/x.jpg").status().code(), c.expected_for_head) << c.http;
      EXPECT_EQ(store->Delete("k/x.jpg").code(), c.expected) << c.http;
      EXPECT_EQ(store->List("", [](const ObjectInfo&) { return Status::Ok(); }).code(), c.expected)
          << c.http;
    }
  }
}

TEST_F(S3ObjectStoreTest, RefusalsOfTheBucketOrTheCredentialsNameTheRemedyAndAreNeverRetried) {
  struct Case {
    int http;
    std::string code;
    std::string remedy;  // a part of the message that tells the operator what to do
  };
  const std::vector<Case> cases = {
      {404, "NoSuchBucket", "does not exist: create it"},
      {400, "InvalidBucketName", "invalid name"},
      {403, "AccessDenied", "grant these credentials access"},
      {403, "InvalidAccessKeyId", "AWS_ACCESS_KEY_ID"},
      {403, "SignatureDoesNotMatch", "AWS_SECRET_ACCESS_KEY"},
      {400, "ExpiredToken", "AWS_SESSION_TOKEN"},
      {403, "AllAccessDisabled", "all access"},
      {403, "AccountProblem", "account"},
      {301, "PermanentRedirect", "AWS_REGION"},
      {400, "AuthorizationHeaderMalformed", "AWS_REGION"},
  };
  std::atomic<int> calls{0};
  FakeClock clock;
  RetryingObjectStore retrying(Open(), clock, RetryOptions{.backoff = {}, .jitter_seed = 1});
  for (const Case& c : cases) {
    server_.SetHandler([&c, &calls](const ReceivedRequest&, httplib::Response& res) {
      ++calls;
      Reply(res, c.http, ErrorXml(c.code));
    });
    calls = 0;
    const Status put = retrying.Put("k/x.jpg", "v", "");
    EXPECT_EQ(put.code(), StatusCode::kFailedPrecondition) << c.code << ": " << put.ToString();
    EXPECT_EQ(calls.load(), 1) << c.code << ": a refusal is not retried";
    EXPECT_NE(put.message().find(c.remedy), std::string::npos) << put.ToString();
    EXPECT_NE(put.message().find("\"bkt\""), std::string::npos) << put.ToString();
    EXPECT_NE(put.message().find(server_.Endpoint()), std::string::npos) << put.ToString();
    EXPECT_EQ(put.message().find(kSecret), std::string::npos) << put.ToString();
    for (const Status& status : {retrying.Get("k/x.jpg").status(), retrying.Delete("k/x.jpg"),
                                 retrying.List("", [](const ObjectInfo&) { return Status::Ok(); }),
                                 retrying.CheckWritable()}) {
      EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition)
          << c.code << ": " << status.ToString();
    }
  }
  // HEAD of a forbidden bucket: a 403 without a body is a refusal too.
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) { Reply(res, 403); });
  EXPECT_EQ(retrying.Head("k").status().code(), StatusCode::kFailedPrecondition);
}

// Answers as AWS does, checking each signature for real: a key id it does not know is
// InvalidAccessKeyId, a signature made with another secret is SignatureDoesNotMatch.
FakeS3::Handler ServeAsAwsWould() {
  return [](const ReceivedRequest& req, httplib::Response& res) {
    const auto authorization = req.headers.find("authorization");
    if (authorization == req.headers.end() ||
        authorization->second.find("Credential=" + std::string(kKeyId) + "/") ==
            std::string::npos) {
      return Reply(res, 403, ErrorXml("InvalidAccessKeyId"));
    }
    if (!VerifySigV4(req, kSecret, kRegion).ok) {
      return Reply(res, 403, ErrorXml("SignatureDoesNotMatch"));
    }
    if (req.target.ends_with("?uploads=")) {
      return Reply(res, 200,
                   "<InitiateMultipartUploadResult><UploadId>u-1</UploadId>"
                   "</InitiateMultipartUploadResult>");
    }
    Reply(res, req.method == "DELETE" ? 204 : 200);
  };
}

TEST_F(S3ObjectStoreTest, TheWriteProbeFindsWrongCredentials) {
  server_.SetHandler(ServeAsAwsWould());
  S3ObjectStoreOptions wrong_secret;
  wrong_secret.credentials = {kKeyId, "not-the-secret", ""};
  const Status bad_signature = Open("s3://bkt/out", wrong_secret)->CheckWritable();
  EXPECT_EQ(bad_signature.code(), StatusCode::kFailedPrecondition) << bad_signature.ToString();
  EXPECT_NE(bad_signature.message().find("s3://bkt/out/"), std::string::npos);
  EXPECT_NE(bad_signature.message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_EQ(bad_signature.message().find("not-the-secret"), std::string::npos);

  S3ObjectStoreOptions unknown_key;
  unknown_key.credentials = {"AKIDUNKNOWN", kSecret, ""};
  const Status bad_key = Open("s3://bkt/out", unknown_key)->CheckWritable();
  EXPECT_EQ(bad_key.code(), StatusCode::kFailedPrecondition) << bad_key.ToString();
  EXPECT_NE(bad_key.message().find("AWS_ACCESS_KEY_ID"), std::string::npos);

  const size_t refused_requests = server_.Requests().size();
  const Status good = Open("s3://bkt/out")->CheckWritable();
  EXPECT_TRUE(good.ok()) << good.ToString();
  const auto requests = server_.Requests();
  // An upload of the probe key, started and aborted: no object ever appears.
  ASSERT_EQ(requests.size(), refused_requests + 2);
  EXPECT_EQ(requests[refused_requests].method, "POST");
  EXPECT_EQ(requests[refused_requests].target, "/bkt/out/.pixfleet-write-probe?uploads=");
  EXPECT_EQ(requests[refused_requests + 1].method, "DELETE");
  EXPECT_EQ(requests[refused_requests + 1].target, "/bkt/out/.pixfleet-write-probe?uploadId=u-1");
}

TEST_F(S3ObjectStoreTest, TheWriteProbePassesWhenOnlyItsRemovalIsRefused) {
  server_.SetHandler([](const ReceivedRequest& req, httplib::Response& res) {
    if (req.method == "DELETE") return Reply(res, 403, ErrorXml("AccessDenied"));
    Reply(res, 200,
          "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>");
  });
  const Status probe = Open()->CheckWritable();
  EXPECT_TRUE(probe.ok()) << probe.ToString();
}

TEST_F(S3ObjectStoreTest, TheWriteProbeOfAnUnreachableStoreIsRetryable) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 503, ErrorXml("SlowDown"));
  });
  EXPECT_EQ(Open()->CheckWritable().code(), StatusCode::kUnavailable);
  S3ObjectStoreOptions options;
  options.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  options.credentials = {kKeyId, kSecret, ""};
  auto refused = S3ObjectStore::Open("s3://bkt", options);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ((*refused)->CheckWritable().code(), StatusCode::kUnavailable);
}

TEST_F(S3ObjectStoreTest, NotFoundIsAbsenceForHeadAndSuccessForDelete) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 404, ErrorXml("NoSuchKey"));
  });
  auto store = Open();
  auto head = store->Head("gone");
  ASSERT_TRUE(head.ok());
  EXPECT_FALSE(head->has_value());
  EXPECT_TRUE(store->Delete("gone").ok());
}

TEST_F(S3ObjectStoreTest, MalformedResponsesAreDataLoss) {
  auto store = Open();
  auto list_all = [&] { return store->List("", [](const ObjectInfo&) { return Status::Ok(); }); };
  server_.SetHandler(
      [](const ReceivedRequest&, httplib::Response& res) { Reply(res, 200, "<Lis"); });
  EXPECT_EQ(list_all().code(), StatusCode::kDataLoss);
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 200, "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  });
  EXPECT_EQ(list_all().code(), StatusCode::kDataLoss);  // truncated without a token
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 200,
          "<ListBucketResult><Contents><Key>elsewhere/x</Key><Size>1</Size></Contents>"
          "</ListBucketResult>");
  });
  EXPECT_EQ(list_all().code(), StatusCode::kDataLoss);  // outside the prefix
}

TEST_F(S3ObjectStoreTest, GetOverMaxBytesAbortsOnContentLength) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 200, std::string(100000, 'x'), "application/octet-stream");
  });
  auto store = Open();
  auto too_big = store->Get("big", 999);
  ASSERT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.error().message().find("100000"), std::string::npos);
  EXPECT_NE(too_big.error().message().find("999"), std::string::npos);
  EXPECT_TRUE(store->Get("big", 100000).ok());
}

TEST_F(S3ObjectStoreTest, GetOverMaxBytesAbortsAChunkedBodyToo) {
  server_.SetHandler(
      [](const ReceivedRequest&, httplib::Response& res) { ReplyChunkedWithoutLength(res); });
  auto store = Open();
  EXPECT_EQ(store->Get("chunked", 1000).status().code(), StatusCode::kResourceExhausted);
  auto whole = store->Get("chunked", 1200);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->size(), 1200u);
}

// The files in `folder`: Fetch's temporary copies.
std::vector<std::filesystem::path> CopiesIn(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    files.push_back(it->path());
  }
  return files;
}

class S3FetchTest : public S3ObjectStoreTest {
 protected:
  std::unique_ptr<S3ObjectStore> OpenFetching() {
    S3ObjectStoreOptions options;
    options.temp_folder = copies_.path().string();
    return Open("s3://bkt/pre/fix", std::move(options));
  }
  TempDir copies_;
};

TEST_F(S3FetchTest, TheBodyIsWrittenToTheFileAsItArrives) {
  const std::string first(64 * 1024, 'a');
  const std::string second(64 * 1024, 'b');
  std::atomic<bool> on_disk_before_the_end{false};
  const std::filesystem::path folder = copies_.path();
  server_.SetHandler([&](const ReceivedRequest&, httplib::Response& res) {
    res.status = 200;
    res.set_chunked_content_provider(
        "application/octet-stream", [&](size_t, httplib::DataSink& sink) {
          sink.write(first.data(), first.size());
          // The first half must reach the file while the second is still unsent.
          for (int wait = 0; wait < 500 && !on_disk_before_the_end; ++wait) {
            for (const auto& file : CopiesIn(folder)) {
              std::error_code ec;
              if (std::filesystem::file_size(file, ec) >= first.size())
                on_disk_before_the_end = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
          sink.write(second.data(), second.size());
          sink.done();
          return true;
        });
  });
  auto store = OpenFetching();
  auto fetched = store->Fetch("big/photo.jpg");
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_TRUE(on_disk_before_the_end) << "the body was held until the transfer ended";
  EXPECT_TRUE(fetched->IsTemporary());
  EXPECT_EQ(fetched->Size(), first.size() + second.size());
  EXPECT_EQ(ReadFileForTest(fetched->Path()), first + second);
  EXPECT_EQ(fetched->Path().parent_path(), copies_.path());
  EXPECT_EQ(server_.Requests().at(0).target, "/bkt/pre/fix/big/photo.jpg");
  ExpectAllSigned();
  fetched = Internal("released");
  EXPECT_TRUE(CopiesIn(copies_.path()).empty());
}

TEST_F(S3FetchTest, ACancelAbandonsADownloadMidBodyAndLeavesNoFile) {
  // Half the body, then nothing until the test ends.
  const std::string first(size_t{64} * 1024, 'a');
  Stall stall;
  server_.SetHandler([&](const ReceivedRequest&, httplib::Response& res) {
    res.status = 200;
    res.set_chunked_content_provider("application/octet-stream",
                                     [&](size_t, httplib::DataSink& sink) {
                                       sink.write(first.data(), first.size());
                                       stall.Wait();
                                       sink.done();
                                       return true;
                                     });
  });
  std::stop_source cancel;
  S3ObjectStoreOptions options;
  options.temp_folder = copies_.path().string();
  options.cancel = cancel.get_token();
  auto store = Open("s3://bkt/pre/fix", std::move(options));
  std::thread canceller([&] {
    stall.WaitUntilStarted();
    cancel.request_stop();
  });
  const Status status = store->Fetch("big/photo.jpg").status();
  canceller.join();
  stall.Release();
  EXPECT_EQ(status.code(), StatusCode::kCancelled) << status.ToString();
  EXPECT_NE(status.message().find("cancelled mid-transfer"), std::string::npos)
      << status.ToString();
  EXPECT_TRUE(CopiesIn(copies_.path()).empty());
}

TEST_F(S3FetchTest, OverMaxBytesStopsTheTransferAndLeavesNoFile) {
  auto store = OpenFetching();
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    Reply(res, 200, std::string(100000, 'x'), "application/octet-stream");
  });
  const Status by_length = store->Fetch("big", 999).status();
  EXPECT_EQ(by_length.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(by_length, store->Get("big", 999).status());  // word for word
  EXPECT_TRUE(CopiesIn(copies_.path()).empty());
  server_.SetHandler(
      [](const ReceivedRequest&, httplib::Response& res) { ReplyChunkedWithoutLength(res); });
  EXPECT_EQ(store->Fetch("chunked", 1000).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(CopiesIn(copies_.path()).empty());
  auto whole = store->Fetch("chunked", 1200);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(ReadFileForTest(whole->Path()), std::string(1200, 'c'));
}

TEST_F(S3FetchTest, ErrorsAreGetsAndLeaveNoFile) {
  struct Case {
    int http;
    std::string code;
    StatusCode expected;
  };
  auto store = OpenFetching();
  for (const Case& c : std::vector<Case>{{404, "NoSuchKey", StatusCode::kNotFound},
                                         {503, "SlowDown", StatusCode::kUnavailable},
                                         {403, "AccessDenied", StatusCode::kFailedPrecondition}}) {
    server_.SetHandler([&c](const ReceivedRequest&, httplib::Response& res) {
      Reply(res, c.http, ErrorXml(c.code));
    });
    const Status fetched = store->Fetch("k/x.jpg").status();
    EXPECT_EQ(fetched.code(), c.expected) << fetched.ToString();
    EXPECT_EQ(fetched, store->Get("k/x.jpg").status());
    EXPECT_TRUE(CopiesIn(copies_.path()).empty()) << c.http;
  }
}

TEST_F(S3FetchTest, ABodyCutShortIsRetryableAndLeavesNoFile) {
  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    res.status = 200;
    // Announces 100000 bytes, sends half, then drops the connection.
    res.set_content_provider(100000, "application/octet-stream",
                             [](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= 50000) return false;
                               const std::string half(50000, 'h');
                               sink.write(half.data(), half.size());
                               return true;
                             });
  });
  auto store = OpenFetching();
  const Status cut = store->Fetch("k").status();
  EXPECT_EQ(cut.code(), StatusCode::kUnavailable) << cut.ToString();
  EXPECT_TRUE(CopiesIn(copies_.path()).empty());
}

TEST_F(S3FetchTest, NoRoomForTheCopyRefusesBeforeAnyRequest) {
  const std::string missing = (copies_.path() / "missing").string();
  S3ObjectStoreOptions options;
  options.temp_folder = missing;
  auto store = Open("s3://bkt", std::move(options));
  const Status refused = store->Fetch("k").status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find(missing), std::string::npos) << refused.ToString();
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_F(S3ObjectStoreTest, RetryingDecoratorRetriesThrottlingThenSucceeds) {
  std::atomic<int> calls{0};
  server_.SetHandler([&calls](const ReceivedRequest&, httplib::Response& res) {
    if (++calls <= 2) return Reply(res, 503, ErrorXml("SlowDown"));
    Reply(res, 200, "finally", "application/octet-stream");
  });
  FakeClock clock;
  RetryingObjectStore store(Open(), clock, RetryOptions{.backoff = {}, .jitter_seed = 1});
  auto got = store.Get("k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "finally");
  EXPECT_EQ(calls.load(), 3);
}

TEST_F(S3ObjectStoreTest, ListFollowsContinuationTokensInOrder) {
  server_.SetHandler([](const ReceivedRequest& req, httplib::Response& res) {
    if (req.target.find("continuation-token=") == std::string::npos) {
      Reply(res, 200,
            "<ListBucketResult><IsTruncated>true</IsTruncated>"
            "<NextContinuationToken>tok/en+1=</NextContinuationToken>"
            "<Contents><Key>pre/fix/a</Key><Size>1</Size></Contents>"
            "<Contents><Key>pre/fix/b</Key><Size>2</Size></Contents></ListBucketResult>");
    } else {
      Reply(res, 200,
            "<ListBucketResult><IsTruncated>false</IsTruncated>"
            "<Contents><Key>pre/fix/c</Key><Size>3</Size></Contents></ListBucketResult>");
    }
  });
  S3ObjectStoreOptions options;
  options.list_page_size = 2;
  auto store = Open("s3://bkt/pre/fix", std::move(options));
  std::vector<ObjectInfo> seen;
  ASSERT_TRUE(store
                  ->List("",
                         [&](const ObjectInfo& info) {
                           seen.push_back(info);
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<ObjectInfo>{{"a", 1}, {"b", 2}, {"c", 3}}));
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target,
            "/bkt?continuation-token=tok%2Fen%2B1%3D&list-type=2&max-keys=2&prefix=pre%2Ffix%2F");
  ExpectAllSigned();

  // A visitor error stops the listing without fetching the next page.
  seen.clear();
  const Status stopped = store->List("", [&](const ObjectInfo& info) {
    seen.push_back(info);
    return Cancelled("enough");
  });
  EXPECT_EQ(stopped, Cancelled("enough"));
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(server_.Requests().size(), 3u);
}

// Serves CreateMultipartUpload / UploadPart / CompleteMultipartUpload / Abort, failing the
// part numbered `fail_part` (0: none) with a 500.
FakeS3::Handler MultipartHandler(std::map<int, std::string>* parts, bool* completed, bool* aborted,
                                 int fail_part, std::mutex* mutex) {
  return [=](const ReceivedRequest& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(*mutex);
    if (req.method == "POST" && req.target.ends_with("?uploads=")) {
      Reply(res, 200,
            "<InitiateMultipartUploadResult><UploadId>up/1+x</UploadId>"
            "</InitiateMultipartUploadResult>");
    } else if (req.method == "PUT") {
      const size_t at = req.target.find("partNumber=");
      const int number = std::stoi(req.target.substr(at + 11));
      EXPECT_NE(req.target.find("uploadId=up%2F1%2Bx"), std::string::npos);
      if (number == fail_part) return Reply(res, 500, ErrorXml("InternalError"));
      (*parts)[number] = req.body;
      res.set_header("ETag", "\"etag-" + std::to_string(number) + "\"");
      Reply(res, 200);
    } else if (req.method == "POST") {
      EXPECT_NE(req.body.find("<PartNumber>3</PartNumber><ETag>&quot;etag-3&quot;</ETag>"),
                std::string::npos)
          << req.body;
      *completed = true;
      Reply(res, 200, "<CompleteMultipartUploadResult/>");
    } else if (req.method == "DELETE") {
      *aborted = true;
      Reply(res, 204);
    }
  };
}

TEST_F(S3ObjectStoreTest, LargePutsUseSignedMultipartUploads) {
  std::mutex mutex;
  std::map<int, std::string> parts;
  bool completed = false;
  bool aborted = false;
  server_.SetHandler(MultipartHandler(&parts, &completed, &aborted, 0, &mutex));
  S3ObjectStoreOptions options;
  options.multipart_threshold = 1000;
  options.part_size = 400;
  auto store = Open("s3://bkt/pre/fix", std::move(options));
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes.push_back(static_cast<char>(i * 7));
  ASSERT_TRUE(store->Put("big.bin", bytes, "").ok());
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1] + parts[2] + parts[3], bytes);
  EXPECT_EQ(parts[3].size(), 200u);
  EXPECT_TRUE(completed);
  EXPECT_FALSE(aborted);
  ExpectAllSigned();
}

TEST_F(S3ObjectStoreTest, AFailedPartAbortsTheUpload) {
  std::mutex mutex;
  std::map<int, std::string> parts;
  bool completed = false;
  bool aborted = false;
  server_.SetHandler(MultipartHandler(&parts, &completed, &aborted, 2, &mutex));
  S3ObjectStoreOptions options;
  options.multipart_threshold = 10;
  options.part_size = 10;
  auto store = Open("s3://bkt", std::move(options));
  const Status status = store->Put("big.bin", std::string(35, 'z'), "");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_TRUE(aborted);
  EXPECT_FALSE(completed);
}

TEST_F(S3ObjectStoreTest, ACancelAbandonsAPartInFlightAndTheUploadIsStillAborted) {
  // The second part gets no answer until the test ends: the client sits waiting for it, which
  // only the cancel can end.
  Stall stall;
  std::atomic<bool> aborted{false};
  server_.SetHandler([&](const ReceivedRequest& req, httplib::Response& res) {
    if (req.method == "POST") {
      Reply(res, 200,
            "<InitiateMultipartUploadResult><UploadId>u</UploadId>"
            "</InitiateMultipartUploadResult>");
    } else if (req.method == "PUT" && req.target.find("partNumber=2") != std::string::npos) {
      stall.Wait();
      Reply(res, 500);
    } else if (req.method == "PUT") {
      res.set_header("ETag", "\"e\"");
      Reply(res, 200);
    } else if (req.method == "DELETE") {
      aborted = true;
      Reply(res, 204);
    }
  });
  std::stop_source cancel;
  S3ObjectStoreOptions options;
  options.multipart_threshold = 10;
  options.part_size = 10;
  options.cancel = cancel.get_token();
  auto store = Open("s3://bkt", std::move(options));
  std::thread canceller([&] {
    stall.WaitUntilStarted();
    cancel.request_stop();  // as the worker's grace period runs out
  });
  const Status status = store->Put("big.bin", std::string(35, 'z'), "");
  canceller.join();
  stall.Release();
  EXPECT_EQ(status.code(), StatusCode::kCancelled) << status.ToString();
  EXPECT_NE(status.message().find("UploadPart 2"), std::string::npos) << status.ToString();
  EXPECT_TRUE(aborted) << "the multipart upload must be aborted despite the cancel";
  // And nothing new starts.
  const size_t requests = server_.Requests().size();
  EXPECT_EQ(store->Get("other").status().code(), StatusCode::kCancelled);
  EXPECT_EQ(server_.Requests().size(), requests);
}

TEST_F(S3ObjectStoreTest, CompleteReturningAnErrorDocumentIsRetryable) {
  server_.SetHandler([](const ReceivedRequest& req, httplib::Response& res) {
    if (req.target.ends_with("?uploads=")) {
      Reply(res, 200,
            "<InitiateMultipartUploadResult><UploadId>u</UploadId>"
            "</InitiateMultipartUploadResult>");
    } else if (req.method == "PUT") {
      res.set_header("ETag", "\"e\"");
      Reply(res, 200);
    } else {
      Reply(res, req.method == "DELETE" ? 204 : 200, ErrorXml("InternalError"));
    }
  });
  S3ObjectStoreOptions options;
  options.multipart_threshold = 5;
  options.part_size = 5;
  auto store = Open("s3://bkt", std::move(options));
  EXPECT_EQ(store->Put("k", "0123456789", "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_.Requests().back().method, "DELETE");  // aborted
}

TEST_F(S3ObjectStoreTest, TransportFailuresAreRetryable) {
  S3ObjectStoreOptions options;
  options.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  options.credentials = {kKeyId, kSecret, ""};
  auto refused = S3ObjectStore::Open("s3://bkt", options);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ((*refused)->Get("k").status().code(), StatusCode::kUnavailable);

  server_.SetHandler([](const ReceivedRequest&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    Reply(res, 200, "late");
  });
  S3ObjectStoreOptions slow;
  slow.low_speed_time = std::chrono::seconds(1);
  auto store = Open("s3://bkt", std::move(slow));
  EXPECT_EQ(store->Get("k").status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(S3ObjectStoreTest, InvalidKeysNeverReachTheServer) {
  auto store = Open();
  EXPECT_EQ(store->Put("../x", "d", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Get("/abs").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.Requests().empty());
}

TEST(S3ObjectStoreOpenTest, RejectsBadConfiguration) {
  S3ObjectStoreOptions options;
  EXPECT_EQ(S3ObjectStore::Open("s3://bkt", options).status().code(),
            StatusCode::kInvalidArgument);  // no credentials
  options.credentials = {kKeyId, kSecret, ""};
  EXPECT_EQ(S3ObjectStore::Open("gs://bkt", options).status().code(), StatusCode::kInvalidArgument);
  options.endpoint = "localhost:9000";
  EXPECT_EQ(S3ObjectStore::Open("s3://bkt", options).status().code(), StatusCode::kInvalidArgument);
}

TEST(S3ObjectStoreOpenTest, AnUnreadableCaBundleIsFoundAtOpen) {
  S3ObjectStoreOptions options;
  options.credentials = {kKeyId, kSecret, ""};
  options.endpoint = "https://s3.example:9000";
  options.ca_bundle = "/nonexistent/ca.pem";
  auto store = S3ObjectStore::Open("s3://bkt", options);
  ASSERT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.error().message().find("/nonexistent/ca.pem (AWS_CA_BUNDLE) cannot be read"),
            std::string::npos)
      << store.error().message();
}

}  // namespace
}  // namespace pixfleet
