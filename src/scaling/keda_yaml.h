// KEDA YAML: reads a ScaledObject or ScaledJob (apiVersion keda.sh/v1alpha1) exactly as written
// for Kubernetes, so the same file serves `pixfleet scale`, `pixfleet simulate` and a cluster.
//   * The text may hold several YAML documents (a kustomize render: a Deployment, Secrets, a
//     TriggerAuthentication...): the one ScaledObject or ScaledJob of keda.sh/v1alpha1 is read,
//     the other documents are ignored; none or more than one is an error.
//   * The rabbitmq trigger's metadata is read as KEDA reads it: values are strings ("10"), YAML
//     numbers are accepted too; nothing given means QueueLength 20; the deprecated queueLength
//     means mode QueueLength with that value and cannot be combined with mode/value; mode
//     without value (or value without mode) is refused. A trigger with an authenticationRef may
//     leave host and hostFromEnv out (the host is then in the cluster): `host` stays empty and
//     the caller says what it needs locally. The http-only settings are refused when the
//     protocol is known to be amqp (given, or from the host's scheme).
//   * Refused, because ignoring them would silently change scaling: unknown keys under spec
//     (and in the trigger, its metadata, fallback, advanced, behavior), other trigger types,
//     modes other than QueueLength/MessageRate, useRegex: true (and pageSize, operation,
//     unsafeSsl, metricName), useCachedMetrics: true, advanced.scalingModifiers, a behavior
//     tolerance, and KEDA's autoscaling.keda.sh/* annotations (pause, force-activation).
//   * Accepted and not interpreted: metadata.namespace/labels/other annotations,
//     scaleTargetRef kind/apiVersion, horizontalPodAutoscalerConfig.name,
//     restoreToOriginalReplicaCount, authenticationRef, jobTargetRef, rollout,
//     rolloutStrategy, envSourceContainerName, pendingPodConditions.
//   * Checked as the API server and KEDA's webhook do: integers are plain YAML integers in
//     range (pollingInterval >= 1, maxReplicaCount >= 1), minReplicaCount <= maxReplicaCount,
//     idleReplicaCount < minReplicaCount, policies {Pods|Percent, value >= 1, periodSeconds
//     1..1800}, stabilizationWindowSeconds <= 3600.
// Every error names the source, the line and the field ("so.yaml:12:
// spec.triggers[0].metadata.value: must be a number, got 'ten'"); errors are kInvalidArgument.
// Pure: parses the text it is given.
#pragma once

#include <string_view>
#include <variant>

#include "core/status.h"
#include "scaling/scaled_job.h"
#include "scaling/scaled_object.h"

namespace pixfleet {

using KedaObject = std::variant<ScaledObjectSpec, ScaledJobSpec>;

Result<KedaObject> ParseKedaYaml(std::string_view yaml_text, std::string_view source_name);

}  // namespace pixfleet
