// ApiPodAnnotator against an in-process HTTPS API server (cpp-httplib with OpenSSL) whose
// certificate is signed by a CA made for the test: the request as the API server sees it, the
// token read again after a rotation, the answers mapped to codes, and the wrong CA refused.
#include "kube/api_pod_annotator.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/recording_https_server.h"
#include "testing/temp_dir.h"

namespace pixfleet::kube {
namespace {

struct ApiPodAnnotatorTest : ::testing::Test {
  TempDir dir;
  TestCertificates certs = MakeTestCertificates();
  std::unique_ptr<RecordingHttpsServer> server;
  InClusterConfig config;

  void SetUp() override {
    WriteFileForTest(dir.path() / "ca.crt", certs.ca_pem);
    WriteFileForTest(dir.path() / "token", "token-one\n");
    server = std::make_unique<RecordingHttpsServer>(certs, dir.path());
    config.api_server = server->Url();
    config.pod_namespace = "images";
    config.pod_name = "pixfleet-worker-5d8c7-x2x9q";
    config.token_path = dir.Join("token");
    config.ca_path = dir.Join("ca.crt");
  }
};

TEST_F(ApiPodAnnotatorTest, SendsAMergePatchOfTheOneAnnotationWithTheBearerToken) {
  ApiPodAnnotator annotator(config);
  const Status set = annotator.Annotate(kPodDeletionCost, "1000", {});
  ASSERT_TRUE(set.ok()) << set.ToString();
  const std::vector<RecordedRequest> seen = server->Seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "PATCH");
  EXPECT_EQ(seen[0].path, "/api/v1/namespaces/images/pods/pixfleet-worker-5d8c7-x2x9q");
  EXPECT_EQ(seen[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(seen[0].authorization, "Bearer token-one");
  const nlohmann::json expected = {
      {"metadata", {{"annotations", {{"controller.kubernetes.io/pod-deletion-cost", "1000"}}}}}};
  EXPECT_EQ(nlohmann::json::parse(seen[0].body), expected) << seen[0].body;
}

TEST_F(ApiPodAnnotatorTest, ARotatedTokenIsUsedFromTheNextRequestOn) {
  ApiPodAnnotator annotator(config);
  ASSERT_TRUE(annotator.Annotate(kPodDeletionCost, "-1000", {}).ok());
  WriteFileForTest(dir.path() / "token", "token-two");
  ASSERT_TRUE(annotator.Annotate(kPodDeletionCost, "1000", {}).ok());
  const std::vector<RecordedRequest> seen = server->Seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].authorization, "Bearer token-one");
  EXPECT_EQ(seen[1].authorization, "Bearer token-two");
}

TEST_F(ApiPodAnnotatorTest, AClientTrustingAnotherCaRefusesTheServer) {
  WriteFileForTest(dir.path() / "other-ca.crt", MakeTestCertificates().ca_pem);
  config.ca_path = dir.Join("other-ca.crt");
  ApiPodAnnotator annotator(config);
  const Status set = annotator.Annotate(kPodDeletionCost, "1000", {});
  EXPECT_EQ(set.code(), StatusCode::kFailedPrecondition) << set.ToString();
  EXPECT_NE(set.message().find("TLS"), std::string::npos) << set.message();
  EXPECT_NE(set.message().find(dir.Join("other-ca.crt")), std::string::npos) << set.message();
  EXPECT_TRUE(server->Seen().empty());
}

TEST_F(ApiPodAnnotatorTest, ForbiddenSaysWhichRbacIsMissing) {
  server->Answer(403, R"({"kind":"Status","message":"pods \"pixfleet-worker-5d8c7-x2x9q\" is )"
                      R"(forbidden: User \"system:serviceaccount:images:pixfleet-worker\" )"
                      R"(cannot patch resource \"pods\""})");
  ApiPodAnnotator annotator(config);
  const Status set = annotator.Annotate(kPodDeletionCost, "1000", {});
  EXPECT_EQ(set.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(set.message().find("needs a Role allowing get and patch on pods"), std::string::npos)
      << set.message();
  EXPECT_NE(set.message().find("cannot patch resource \"pods\""), std::string::npos)
      << set.message();
}

TEST_F(ApiPodAnnotatorTest, NothingIsSentOnceStopped) {
  std::stop_source stop;
  stop.request_stop();
  ApiPodAnnotator annotator(config);
  EXPECT_EQ(annotator.Annotate(kPodDeletionCost, "1000", stop.get_token()).code(),
            StatusCode::kCancelled);
  EXPECT_TRUE(server->Seen().empty());
}

TEST_F(ApiPodAnnotatorTest, NoServerListeningIsUnavailable) {
  config.api_server = "https://127.0.0.1:1";  // a privileged port nothing here listens on
  ApiPodAnnotator annotator(config);
  EXPECT_EQ(annotator.Annotate(kPodDeletionCost, "1000", {}).code(), StatusCode::kUnavailable);
}

// Each answer of the API server → what the caller may do (pod_annotator.h).
TEST(PatchStatusTest, AnswersMapToCodes) {
  const struct {
    long http;
    StatusCode code;
  } cases[] = {
      {200, StatusCode::kOk},
      {401, StatusCode::kUnavailable},
      {403, StatusCode::kFailedPrecondition},
      {404, StatusCode::kNotFound},
      {408, StatusCode::kUnavailable},
      {422, StatusCode::kInvalidArgument},
      {429, StatusCode::kUnavailable},
      {500, StatusCode::kUnavailable},
      {503, StatusCode::kUnavailable},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(PatchStatus(c.http, R"({"message":"why"})", "ns/pod").code(), c.code) << c.http;
  }
  EXPECT_EQ(PatchStatus(404, R"({"message":"pods \"x\" not found"})", "ns/x").message(),
            "PATCH pod ns/x: HTTP 404 (no such pod: check POD_NAME and POD_NAMESPACE): pods \"x\" "
            "not found");
  EXPECT_EQ(PatchStatus(502, "Bad Gateway", "ns/x").message(),
            "PATCH pod ns/x: HTTP 502 (API server error): Bad Gateway");
}

TEST(AnnotationPatchTest, EscapesAsJson) {
  EXPECT_EQ(AnnotationPatch("example.com/a", "say \"hi\""),
            R"({"metadata":{"annotations":{"example.com/a":"say \"hi\""}}})");
}

}  // namespace
}  // namespace pixfleet::kube
