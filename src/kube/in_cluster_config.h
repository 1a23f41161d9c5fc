// InClusterConfig: where a process running in a Kubernetes pod finds the API server, its
// credentials and its own pod. The conventions are Kubernetes' (the same ones client-go's
// rest.InClusterConfig follows):
//   API server  https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (set in every
//               container by the kubelet; an IPv6 host is bracketed);
//   token       SA_DIR/token, a projected service account token that the kubelet rotates: it is
//               read again before each request, never cached;
//   CA          SA_DIR/ca.crt, the only CA the API server's certificate is verified against;
//   namespace   $POD_NAMESPACE, else SA_DIR/namespace;
//   pod         $POD_NAME (the downward API's metadata.name): there is no fallback, since the
//               hostname is the pod name only while spec.hostname is unset.
// SA_DIR is /var/run/secrets/kubernetes.io/serviceaccount unless $PIXFLEET_SERVICE_ACCOUNT_DIR
// names another folder (for tests, and for running outside a pod against a real cluster).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace pixfleet::kube {

inline constexpr const char* kDefaultServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";
inline constexpr const char* kServiceAccountDirEnv = "PIXFLEET_SERVICE_ACCOUNT_DIR";
// The most read of a token or CA file: far above a token (~1 KiB) or a cluster CA bundle.
inline constexpr uint64_t kMaxServiceAccountFileBytes = uint64_t{64} * 1024;

struct InClusterConfig {
  std::string api_server;  // "https://10.96.0.1:443", no trailing '/'
  std::string pod_namespace;
  std::string pod_name;
  std::string token_path;
  std::string ca_path;

  // "https://HOST:PORT/api/v1/namespaces/NS/pods/NAME"
  std::string PodUrl() const;
  // "NS/NAME", for messages.
  std::string PodRef() const;
};

// Reads the variables through `getenv` (null when unset) and checks that the token and the CA
// file can be read. kFailedPrecondition, naming what is missing and how a pod provides it, when
// the process is not in a pod set up for it.
Result<InClusterConfig> LoadInClusterConfig(const std::function<const char*(const char*)>& getenv);

// The same from the process environment.
Result<InClusterConfig> LoadInClusterConfig();

}  // namespace pixfleet::kube
