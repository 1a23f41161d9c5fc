#include "kube/in_cluster_config.h"

#include <cstdlib>
#include <fstream>

#include "core/read_file.h"

namespace pixfleet::kube {
namespace {

constexpr const char* kNotInPod = "--pod-deletion-cost needs to run in a Kubernetes pod: ";

std::string Env(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* value = getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The file's first line without surrounding blanks ("" when it cannot be read).
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const size_t begin = line.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return line.substr(begin, line.find_last_not_of(" \t\r\n") - begin + 1);
}

Status Readable(const std::string& path, const char* what, const char* remedy) {
  Result<std::string> read = ReadWholeFile(path, kMaxServiceAccountFileBytes);
  if (!read.ok()) {
    return FailedPrecondition(std::string(kNotInPod) + "cannot read the " + what + " (" +
                              read.error().message() + "); " + remedy);
  }
  if (read->empty()) {
    return FailedPrecondition(std::string(kNotInPod) + "the " + what + " " + path + " is empty");
  }
  return Status::Ok();
}

}  // namespace

std::string InClusterConfig::PodUrl() const {
  return api_server + "/api/v1/namespaces/" + pod_namespace + "/pods/" + pod_name;
}

std::string InClusterConfig::PodRef() const { return pod_namespace + "/" + pod_name; }

Result<InClusterConfig> LoadInClusterConfig(const std::function<const char*(const char*)>& getenv) {
  const std::string host = Env(getenv, "KUBERNETES_SERVICE_HOST");
  const std::string port = Env(getenv, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return FailedPrecondition(std::string(kNotInPod) +
                              "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set "
                              "(the kubelet sets them in every container)");
  }
  InClusterConfig config;
  config.api_server =
      "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  std::string dir = Env(getenv, kServiceAccountDirEnv);
  if (dir.empty()) dir = kDefaultServiceAccountDir;
  config.token_path = dir + "/token";
  config.ca_path = dir + "/ca.crt";
  const char* mount_remedy =
      "the pod needs a service account token mounted (automountServiceAccountToken must not be "
      "false)";
  PIXFLEET_RETURN_IF_ERROR(Readable(config.token_path, "service account token", mount_remedy));
  PIXFLEET_RETURN_IF_ERROR(Readable(config.ca_path, "cluster CA certificate", mount_remedy));
  config.pod_name = Env(getenv, "POD_NAME");
  if (config.pod_name.empty()) {
    return FailedPrecondition(std::string(kNotInPod) +
                              "POD_NAME is not set (give the container the env POD_NAME from "
                              "fieldRef metadata.name)");
  }
  config.pod_namespace = Env(getenv, "POD_NAMESPACE");
  if (config.pod_namespace.empty()) config.pod_namespace = FirstLine(dir + "/namespace");
  if (config.pod_namespace.empty()) {
    return FailedPrecondition(std::string(kNotInPod) +
                              "POD_NAMESPACE is not set (fieldRef metadata.namespace) and " + dir +
                              "/namespace cannot be read");
  }
  return config;
}

Result<InClusterConfig> LoadInClusterConfig() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread writes env
  return LoadInClusterConfig([](const char* name) { return std::getenv(name); });
}

}  // namespace pixfleet::kube
