// S3ObjectStore over https against the test services' https s3rver (tools/services/up.sh writes
// PIXFLEET_TEST_S3_HTTPS_ENDPOINT and PIXFLEET_TEST_CA_FILE, the CA that signed its certificate,
// into build/services/env.sh; bucket and keys as for the http tests). Runs the ObjectStore
// contract over https with the certificate verified against that CA (AWS_CA_BUNDLE), once
// path-style on https://127.0.0.1:PORT and once virtual-hosted on
// https://pixfleet-test.s3.localhost:PORT; then the failures a user meets: a CA bundle that did
// not sign the certificate, none at all (the system store), a certificate for another name; and
// verification turned off. Skipped with the reason when the variables are unset.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "s3_test_support.h"
#include "storage/object_store_contract.h"
#include "storage/s3/s3_object_store.h"

namespace pixfleet {
namespace {

// A CA bundle that exists on Debian but did not sign the test server's certificate. (s3rver
// sends its certificate without the CA, so OpenSSL's reason is "unable to get local issuer
// certificate".)
constexpr char kSystemBundle[] = "/etc/ssl/certs/ca-certificates.crt";

using s3_test::Env;

std::string Endpoint() { return Env("PIXFLEET_TEST_S3_HTTPS_ENDPOINT"); }
std::string CaFile() { return Env("PIXFLEET_TEST_CA_FILE"); }
std::string Bucket() { return Env("PIXFLEET_TEST_S3_BUCKET"); }

std::string SkipReason() {
  if (Endpoint().empty() || CaFile().empty() || Bucket().empty() ||
      Env("AWS_ACCESS_KEY_ID").empty() || Env("AWS_SECRET_ACCESS_KEY").empty()) {
    return "https S3 test service not configured: run tools/services/up.sh and source "
           "build/services/env.sh (PIXFLEET_TEST_S3_HTTPS_ENDPOINT, PIXFLEET_TEST_CA_FILE, "
           "PIXFLEET_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";
  }
  return "";
}

std::string FreshUrl() { return s3_test::FreshUrl("pixfleet-https-it"); }

// The process environment with the https endpoint and AWS_CA_BUNDLE set, as a user would set
// them: the options come through S3OptionsFromEnvironment.
Result<S3ObjectStoreOptions> HttpsOptions(const std::string& ca_bundle) {
  const std::map<std::string, std::string> overrides = {{"AWS_ENDPOINT_URL", Endpoint()},
                                                        {"AWS_CA_BUNDLE", ca_bundle}};
  const EnvLookup process = ProcessEnv();
  PIXFLEET_ASSIGN_OR_RETURN(
      S3ObjectStoreOptions options, S3OptionsFromEnvironment([&](std::string_view name) {
        const auto it = overrides.find(std::string(name));
        return it != overrides.end() ? std::optional(it->second) : process(name);
      }));
  options.addressing = S3Addressing::kPathStyle;
  return options;
}

// "https://127.0.0.1:PORT" -> "https://s3.localhost:PORT": the https s3rver runs with
// --service-endpoint localhost, so BUCKET.s3.localhost names the bucket (curl resolves
// *.localhost to loopback, and the certificate names pixfleet-test.s3.localhost).
std::string VirtualHostEndpoint() {
  const std::string endpoint = Endpoint();
  return "https://s3.localhost" + endpoint.substr(endpoint.rfind(':'));
}

Result<std::unique_ptr<ObjectStore>> Store(S3ObjectStoreOptions options) {
  PIXFLEET_ASSIGN_OR_RETURN(auto store, S3ObjectStore::Open(FreshUrl(), std::move(options)));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

Result<std::unique_ptr<ObjectStore>> MakePathStyle(const ObjectStoreContractContext& context) {
  PIXFLEET_ASSIGN_OR_RETURN(S3ObjectStoreOptions options, HttpsOptions(CaFile()));
  options.temp_folder = context.fetch_temp_folder.string();
  return Store(std::move(options));
}

Result<std::unique_ptr<ObjectStore>> MakeVirtualHosted(const ObjectStoreContractContext& context) {
  PIXFLEET_ASSIGN_OR_RETURN(S3ObjectStoreOptions options, HttpsOptions(CaFile()));
  options.temp_folder = context.fetch_temp_folder.string();
  options.endpoint = VirtualHostEndpoint();
  options.addressing = S3Addressing::kVirtualHosted;
  return Store(std::move(options));
}

// s3rver's listing order is not S3's (see s3_object_store_test.cc); strict only on request.
const bool kStrictOrder = Env("PIXFLEET_TEST_S3_STRICT_ORDER") == "1";

INSTANTIATE_TEST_SUITE_P(S3Https, ObjectStoreContractTest,
                         ::testing::Values(ObjectStoreContractBackend{"s3_https", MakePathStyle,
                                                                      SkipReason, kStrictOrder},
                                           ObjectStoreContractBackend{"s3_https_virtual_hosted",
                                                                      MakeVirtualHosted, SkipReason,
                                                                      kStrictOrder}),
                         ObjectStoreContractTestName);

class S3HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = SkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }

  // Put through a store with `options`: the first request makes the TLS handshake.
  static Status PutWith(S3ObjectStoreOptions options) {
    auto store = Store(std::move(options));
    if (!store.ok()) return store.error();
    return (*store)->Put("probe.txt", "hello", "text/plain");
  }

  // A refused certificate: permanent, naming the endpoint, the reason and the remedy.
  static void ExpectRefused(const Status& status, const std::string& origin,
                            const std::string& reason) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_FALSE(status.IsRetryable());
    EXPECT_NE(status.message().find("PUT probe.txt: TLS to " + origin), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find(reason), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("AWS_CA_BUNDLE"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find(Env("AWS_SECRET_ACCESS_KEY")), std::string::npos);
  }
};

TEST_F(S3HttpsTest, RoundTripVerifiedWithAwsCaBundle) {
  auto options = HttpsOptions(CaFile());
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->ca_bundle, CaFile());
  auto store = Store(*options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Put("a/b.txt", "over TLS", "text/plain").ok());
  Result<std::string> back = (*store)->Get("a/b.txt");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "over TLS");
}

TEST_F(S3HttpsTest, ABundleThatDidNotSignTheCertificateIsRefused) {
  if (!std::filesystem::exists(kSystemBundle)) GTEST_SKIP() << kSystemBundle << " is missing";
  auto options = HttpsOptions(kSystemBundle);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  ExpectRefused(PutWith(*options), Endpoint(), "unable to get local issuer certificate");
}

TEST_F(S3HttpsTest, WithoutAwsCaBundleTheSystemStoreRefusesTheTestCa) {
  auto options = HttpsOptions("");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->ca_bundle.empty());
  ExpectRefused(PutWith(*options), Endpoint(), "unable to get local issuer certificate");
}

TEST_F(S3HttpsTest, ACertificateForAnotherNameIsRefused) {
  // Virtual-hosted on https://localhost:PORT: the host is pixfleet-test.localhost, which the
  // certificate does not name (it names pixfleet-test.s3.localhost).
  auto options = HttpsOptions(CaFile());
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  const std::string endpoint = Endpoint();
  options->endpoint = "https://localhost" + endpoint.substr(endpoint.rfind(':'));
  options->addressing = S3Addressing::kVirtualHosted;
  ExpectRefused(PutWith(*options),
                "https://" + Bucket() + ".localhost" + endpoint.substr(endpoint.rfind(':')),
                "no alternative certificate subject name matches");
}

TEST_F(S3HttpsTest, VerificationOffStillEncrypts) {
  auto options = HttpsOptions("");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  options->verify_tls = false;
  EXPECT_TRUE(PutWith(*options).ok());
}

}  // namespace
}  // namespace pixfleet
