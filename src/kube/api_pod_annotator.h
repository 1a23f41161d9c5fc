// ApiPodAnnotator: the PodAnnotator on the Kubernetes API server, over libcurl.
//
//   PATCH {api_server}/api/v1/namespaces/{ns}/pods/{name}
//   Content-Type: application/merge-patch+json
//   Authorization: Bearer {the token file's content, read again for every request}
//   {"metadata":{"annotations":{"KEY":"VALUE"}}}
//
// TLS is always verified, against the CA file alone (not the system store): the API server's
// certificate must chain to the cluster CA and name the host. The service account needs `patch`
// on `pods` in the namespace (a Role bound to it); a 403 says so. No retries here: the caller
// paces them. Each request is bounded (connect 5 s, whole request 15 s) and ends at once when
// its stop token is requested. One connection is kept and reused; calls are serialised.
#pragma once

#include <chrono>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>

#include "kube/in_cluster_config.h"
#include "kube/pod_annotator.h"

namespace pixfleet::kube {

class ApiPodAnnotator final : public PodAnnotator {
 public:
  explicit ApiPodAnnotator(InClusterConfig config);
  ~ApiPodAnnotator() override;
  ApiPodAnnotator(const ApiPodAnnotator&) = delete;
  ApiPodAnnotator& operator=(const ApiPodAnnotator&) = delete;

  Status Annotate(std::string_view key, std::string_view value,
                  const std::stop_token& stop) override;

 private:
  const InClusterConfig config_;
  std::mutex mutex_;
  void* curl_ = nullptr;  // a CURL*, guarded by mutex_; kept opaque so callers need no curl.h
};

// The merge patch that sets one annotation: {"metadata":{"annotations":{"KEY":"VALUE"}}}.
std::string AnnotationPatch(std::string_view key, std::string_view value);

// What an API server's answer `http_status` (with its body, a Status object in JSON or text)
// means for a PATCH of `pod_ref`, as pod_annotator.h lists. OK for 2xx.
Status PatchStatus(long http_status, std::string_view body, const std::string& pod_ref);

}  // namespace pixfleet::kube
