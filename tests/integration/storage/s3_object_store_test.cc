// S3ObjectStore against a real S3 protocol server (s3rver from tools/services/up.sh, or MinIO):
// the same ObjectStore contract as the in-process backends, once with default options and once
// with tiny multipart parts and list pages so that every contract test also exercises
// multipart uploads and continuation-token pagination; plus S3-specific round trips and a
// throughput figure, and the refusals the write probe must find before any work (a bucket that
// does not exist, an access key id the server does not know). Configuration:
// PIXFLEET_TEST_S3_ENDPOINT (http://127.0.0.1:54569), PIXFLEET_TEST_S3_BUCKET (pixfleet-test),
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (S3RVER / S3RVER), AWS_REGION (default us-east-1).
// Unset: every test is skipped. Each test works under its own fresh key prefix, so tests are
// independent and may run in parallel.
#include "storage/s3/s3_object_store.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "s3_test_support.h"
#include "storage/object_store_contract.h"
#include "storage/retrying_object_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

using s3_test::Env;

std::string SkipReason() {
  if (Env("PIXFLEET_TEST_S3_ENDPOINT").empty() || Env("PIXFLEET_TEST_S3_BUCKET").empty() ||
      Env("AWS_ACCESS_KEY_ID").empty() || Env("AWS_SECRET_ACCESS_KEY").empty()) {
    return "S3 test service not configured: run tools/services/up.sh and export "
           "PIXFLEET_TEST_S3_ENDPOINT, PIXFLEET_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY";
  }
  return "";
}

std::string FreshUrl() { return s3_test::FreshUrl("pixfleet-it"); }

S3ObjectStoreOptions TestOptions() {
  auto options = S3OptionsFromEnvironment();
  EXPECT_TRUE(options.ok()) << options.status().ToString();
  S3ObjectStoreOptions out = options.ok() ? *options : S3ObjectStoreOptions{};
  out.endpoint = Env("PIXFLEET_TEST_S3_ENDPOINT");
  out.addressing = S3Addressing::kPathStyle;
  return out;
}

Result<std::unique_ptr<ObjectStore>> MakeS3(S3ObjectStoreOptions options) {
  PIXFLEET_ASSIGN_OR_RETURN(auto store, S3ObjectStore::Open(FreshUrl(), std::move(options)));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

// TestOptions, with Fetch's copies in the contract's folder.
S3ObjectStoreOptions ContractOptions(const ObjectStoreContractContext& context) {
  S3ObjectStoreOptions options = TestOptions();
  options.temp_folder = context.fetch_temp_folder.string();
  return options;
}

Result<std::unique_ptr<ObjectStore>> MakeDefaultS3(const ObjectStoreContractContext& context) {
  return MakeS3(ContractOptions(context));
}

Result<std::unique_ptr<ObjectStore>> MakeSmallPartsS3(const ObjectStoreContractContext& context) {
  S3ObjectStoreOptions options = ContractOptions(context);
  options.multipart_threshold = 700;  // AllByteValues (773 bytes) and 10000-byte puts go multipart
  options.part_size = 256;
  options.list_page_size = 2;
  return MakeS3(std::move(options));
}

Result<std::unique_ptr<ObjectStore>> MakeRetryingS3(const ObjectStoreContractContext& context) {
  PIXFLEET_ASSIGN_OR_RETURN(auto base, MakeS3(ContractOptions(context)));
  return std::unique_ptr<ObjectStore>(std::make_unique<RetryingObjectStore>(
      std::move(base), context.clock, RetryOptions{.backoff = {}, .jitter_seed = 1}));
}

// s3rver 3.7.1 lists "a/b/c" before "a/b.jpg" (it walks its folder tree); AWS S3 and MinIO
// sort by bytes: set PIXFLEET_TEST_S3_STRICT_ORDER=1 when testing against them.
const bool kStrictOrder = Env("PIXFLEET_TEST_S3_STRICT_ORDER") == "1";

INSTANTIATE_TEST_SUITE_P(
    S3, ObjectStoreContractTest,
    ::testing::Values(ObjectStoreContractBackend{"s3", MakeDefaultS3, SkipReason, kStrictOrder},
                      ObjectStoreContractBackend{"s3(small parts, pages of 2)", MakeSmallPartsS3,
                                                 SkipReason, kStrictOrder},
                      ObjectStoreContractBackend{"retrying(s3)", MakeRetryingS3, SkipReason,
                                                 kStrictOrder}),
    ObjectStoreContractTestName);

class S3RoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = SkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
  std::unique_ptr<S3ObjectStore> Open(S3ObjectStoreOptions options) {
    auto store = S3ObjectStore::Open(FreshUrl(), std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
};

// s3rver encrypts continuation tokens with DES, which Node 17+ (OpenSSL 3) refuses unless it
// runs with NODE_OPTIONS=--openssl-legacy-provider: every truncated listing is then a 500.
TEST_F(S3RoundTripTest, ServerCanPaginate) {
  S3ObjectStoreOptions options = TestOptions();
  options.list_page_size = 1;
  auto store = Open(options);
  ASSERT_TRUE(store->Put("one", "1", "").ok());
  ASSERT_TRUE(store->Put("two", "2", "").ok());
  int seen = 0;
  const Status status = store->List("", [&](const ObjectInfo&) {
    ++seen;
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString()
                           << "\nIf this is s3rver on Node >= 17, start it with "
                              "NODE_OPTIONS=--openssl-legacy-provider (its continuation tokens "
                              "use DES).";
  EXPECT_EQ(seen, 2);
}

TEST_F(S3RoundTripTest, MultipartUploadOfSeveralMegabytes) {
  S3ObjectStoreOptions options = TestOptions();
  options.multipart_threshold = uint64_t{1024} * 1024;
  options.part_size = uint64_t{512} * 1024;
  auto store = Open(options);
  std::string bytes(3 * 1024 * 1024 + 12345, '\0');
  std::mt19937 random(42);
  for (char& c : bytes) c = static_cast<char>(random());
  ASSERT_TRUE(store->Put("big/blob.bin", bytes, "application/octet-stream").ok());
  auto got = store->Get("big/blob.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == bytes);
  auto head = store->Head("big/blob.bin");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, bytes.size());
  EXPECT_EQ(store->Get("big/blob.bin", 1024).status().code(), StatusCode::kResourceExhausted);
}

TEST_F(S3RoundTripTest, KeysWithSpacesUnicodeAndReservedCharacters) {
  auto store = Open(TestOptions());
  // The second key is split after \xA9 so that the 'e' after it is not read as a hex digit.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  const std::vector<std::string> keys = {"photos/holiday 2024/img 001.jpg",
                                         "photos/caf\xC3\xA9/cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
                                         "e.png",
                                         "photos/\xE6\x97\xA5\xE6\x9C\xAC/\xF0\x9F\x93\xB7.webp",
                                         "photos/a+b=c&d;e,f@g$h!'()*.tif",
                                         "photos/percent%20literal~tilde.gif"};
  // NOLINTEND(bugprone-suspicious-missing-comma)
  for (const std::string& key : keys) {
    ASSERT_TRUE(store->Put(key, "bytes of " + key, "image/jpeg").ok()) << key;
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> listed;
  ASSERT_TRUE(store
                  ->List("photos/",
                         [&](const ObjectInfo& info) {
                           listed.push_back(info.key);
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(listed, sorted);
  for (const std::string& key : keys) {
    auto got = store->Get(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, "bytes of " + key);
    EXPECT_TRUE(store->Delete(key).ok());
  }
}

TEST_F(S3RoundTripTest, PaginationVisitsEveryKeyOnceInOrder) {
  S3ObjectStoreOptions options = TestOptions();
  options.list_page_size = 7;
  auto store = Open(options);
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "p/%03d.jpg", i);
    keys.push_back(name);
    ASSERT_TRUE(store->Put(name, std::string(static_cast<size_t>(i), 'x'), "").ok());
  }
  std::vector<ObjectInfo> seen;
  ASSERT_TRUE(store
                  ->List("p/",
                         [&](const ObjectInfo& info) {
                           seen.push_back(info);
                           return Status::Ok();
                         })
                  .ok());
  ASSERT_EQ(seen.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(seen[i], (ObjectInfo{keys[i], i}));
  }
}

TEST_F(S3RoundTripTest, ABucketThatDoesNotExistIsRefusedNotMissingObjects) {
  const std::string bucket = "pixfleet-no-such-bucket-" + std::to_string(std::random_device()());
  auto opened = S3ObjectStore::Open("s3://" + bucket + "/out/", TestOptions());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ObjectStore& store = **opened;
  const Status probe = store.CheckWritable();
  EXPECT_EQ(probe.code(), StatusCode::kFailedPrecondition) << probe.ToString();
  EXPECT_NE(probe.message().find("\"" + bucket + "\""), std::string::npos) << probe.message();
  EXPECT_NE(probe.message().find("does not exist"), std::string::npos) << probe.message();
  EXPECT_NE(probe.message().find(Env("PIXFLEET_TEST_S3_ENDPOINT")), std::string::npos);
  // An input of such a batch is not "missing": the whole location is unusable.
  EXPECT_EQ(store.Get("a.jpg").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Put("a.jpg", "x", "").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.List("", [](const ObjectInfo&) { return Status::Ok(); }).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(S3RoundTripTest, AnAccessKeyIdTheServerDoesNotKnowIsRefused) {
  S3ObjectStoreOptions options = TestOptions();
  options.credentials.access_key_id = "PIXFLEETUNKNOWNKEY";
  auto store = Open(options);
  const Status probe = store->CheckWritable();
  EXPECT_EQ(probe.code(), StatusCode::kFailedPrecondition) << probe.ToString();
  EXPECT_NE(probe.message().find("AWS_ACCESS_KEY_ID"), std::string::npos) << probe.message();
  EXPECT_EQ(probe.message().find(options.credentials.secret_access_key), std::string::npos);
  EXPECT_EQ(store->Get("a.jpg").status().code(), StatusCode::kFailedPrecondition);
  // The retrying decorator hands the refusal back at once instead of sleeping through retries.
  FakeClock clock;
  const auto start = clock.MonotonicNow();
  RetryingObjectStore retrying(Open(options), clock, RetryOptions{.backoff = {}, .jitter_seed = 1});
  EXPECT_EQ(retrying.CheckWritable().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(clock.MonotonicNow(), start);
}

// Prints PUT+GET pairs of 100 KiB objects per second, sequentially and with 4 threads.
TEST_F(S3RoundTripTest, ThroughputOf100KiBPutAndGet) {
  auto store = Open(TestOptions());
  const std::string bytes(size_t{100} * 1024, 'p');
  constexpr int kPairs = 200;
  for (const int threads_count : {1, 4}) {
    std::atomic<int> failures{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(threads_count));
    for (int t = 0; t < threads_count; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPairs / threads_count; ++i) {
          const std::string key = "tp/" + std::to_string(threads_count) + "/" + std::to_string(t) +
                                  "/" + std::to_string(i);
          if (!store->Put(key, bytes, "").ok()) ++failures;
          auto got = store->Get(key);
          if (!got.ok() || got->size() != bytes.size()) ++failures;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(failures.load(), 0);
    const double pairs_per_second = kPairs / seconds;
    std::cout << "[throughput] " << kPairs << " PUT+GET pairs of 100 KiB, " << threads_count
              << " thread(s): " << seconds << " s, " << pairs_per_second << " pairs/s\n";
    RecordProperty("pairs_per_second_" + std::to_string(threads_count) + "_threads",
                   std::to_string(pairs_per_second));
  }
}

}  // namespace
}  // namespace pixfleet
