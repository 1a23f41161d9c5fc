// KEDA YAML: reads a ScaledObject or ScaledJob (apiVersion keda.sh/v1alpha1) exactly as written
// for Kubernetes, so the same file serves `pixfleet scale`, `pixfleet simulate` and a cluster.
// The rabbitmq trigger's metadata is read as KEDA reads it (strings: value: "10"), with the
// deprecated queueLength accepted; other trigger types, and fields with no meaning outside a
// cluster, are refused or ignored as documented in docs/autoscaling.md. Every error names the
// source and the field ("so.yaml: spec.triggers[0].metadata.value: must be a number, got
// 'ten'"); errors are kInvalidArgument. Pure: parses the text it is given.
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
