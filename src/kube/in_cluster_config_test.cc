// LoadInClusterConfig with a made-up environment and service account folder.
#include "kube/in_cluster_config.h"

#include <map>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace pixfleet::kube {
namespace {

struct InClusterConfigTest : ::testing::Test {
  TempDir dir;
  std::map<std::string, std::string> env;

  void SetUp() override {
    WriteFileForTest(dir.path() / "token", "eyJhbGciOi.token\n");
    WriteFileForTest(dir.path() / "ca.crt", "-----BEGIN CERTIFICATE-----\n");
    WriteFileForTest(dir.path() / "namespace", "from-file\n");
    env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
           {"KUBERNETES_SERVICE_PORT", "443"},
           {"POD_NAME", "pixfleet-worker-5d8c7-x2x9q"},
           {"POD_NAMESPACE", "images"},
           {kServiceAccountDirEnv, dir.path().string()}};
  }
  Result<InClusterConfig> Load() {
    return LoadInClusterConfig([this](const char* name) -> const char* {
      const auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    });
  }
};

TEST_F(InClusterConfigTest, InAPod) {
  const Result<InClusterConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->api_server, "https://10.96.0.1:443");
  EXPECT_EQ(config->PodUrl(),
            "https://10.96.0.1:443/api/v1/namespaces/images/pods/pixfleet-worker-5d8c7-x2x9q");
  EXPECT_EQ(config->PodRef(), "images/pixfleet-worker-5d8c7-x2x9q");
  EXPECT_EQ(config->token_path, dir.Join("token"));
  EXPECT_EQ(config->ca_path, dir.Join("ca.crt"));
}

TEST_F(InClusterConfigTest, NamespaceFromTheServiceAccountWhenNotInTheEnvironment) {
  env.erase("POD_NAMESPACE");
  const Result<InClusterConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->pod_namespace, "from-file");
}

TEST_F(InClusterConfigTest, Ipv6HostIsBracketed) {
  env["KUBERNETES_SERVICE_HOST"] = "fd00:10:96::1";
  const Result<InClusterConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->api_server, "https://[fd00:10:96::1]:443");
}

TEST_F(InClusterConfigTest, DefaultServiceAccountFolder) {
  env.erase(kServiceAccountDirEnv);
  const Result<InClusterConfig> config = Load();
  // This machine is no pod: the token is missing, and the message says where it was looked for.
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("/var/run/secrets/kubernetes.io/serviceaccount/token"),
            std::string::npos)
      << config.error().message();
}

// What is missing → what the message must name.
TEST_F(InClusterConfigTest, OutsideAPodSaysWhatIsMissing) {
  const struct {
    const char* remove_env;
    const char* remove_file;
    const char* named;
  } cases[] = {
      {"KUBERNETES_SERVICE_HOST", nullptr, "KUBERNETES_SERVICE_HOST"},
      {"KUBERNETES_SERVICE_PORT", nullptr, "KUBERNETES_SERVICE_PORT"},
      {nullptr, "token", "service account token"},
      {nullptr, "ca.crt", "cluster CA certificate"},
      {"POD_NAME", nullptr,
       "POD_NAME is not set (give the container the env POD_NAME from "
       "fieldRef metadata.name)"},
  };
  for (const auto& c : cases) {
    SetUp();
    if (c.remove_env != nullptr) env.erase(c.remove_env);
    if (c.remove_file != nullptr) std::filesystem::remove(dir.path() / c.remove_file);
    const Result<InClusterConfig> config = Load();
    ASSERT_FALSE(config.ok()) << c.named;
    EXPECT_EQ(config.error().code(), StatusCode::kFailedPrecondition) << c.named;
    const std::string& message = config.error().message();
    EXPECT_EQ(message.rfind("--pod-deletion-cost needs to run in a Kubernetes pod: ", 0), 0U)
        << message;
    EXPECT_NE(message.find(c.named), std::string::npos) << message;
  }
}

TEST_F(InClusterConfigTest, NoNamespaceAnywhere) {
  env.erase("POD_NAMESPACE");
  std::filesystem::remove(dir.path() / "namespace");
  const Result<InClusterConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("POD_NAMESPACE"), std::string::npos);
}

}  // namespace
}  // namespace pixfleet::kube
