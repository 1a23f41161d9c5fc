// KEDA YAML: ScaledObjects and ScaledJobs as written for Kubernetes, alone or inside a
// multi-document kustomize render, their defaults, and a table of refused documents whose
// messages must name the source, the line and the field path.
#include "scaling/keda_yaml.h"

#include <string>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::seconds;

// A ScaledObject with `spec_lines` added under spec (indented 2) and `metadata_lines` under the
// trigger's metadata (indented 8).
std::string ScaledObjectYaml(const std::string& spec_lines, const std::string& metadata_lines) {
  return "apiVersion: keda.sh/v1alpha1\n"
         "kind: ScaledObject\n"
         "metadata:\n"
         "  name: workers\n"
         "spec:\n"
         "  scaleTargetRef:\n"
         "    name: worker\n" +
         spec_lines +
         "  triggers:\n"
         "    - type: rabbitmq\n"
         "      metadata:\n"
         "        host: amqp://guest:guest@localhost:5672/\n"
         "        queueName: tasks\n" +
         metadata_lines;
}

ScaledObjectSpec ParseObject(const std::string& text) {
  const Result<KedaObject> parsed = ParseKedaYaml(text, "so.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  EXPECT_TRUE(std::holds_alternative<ScaledObjectSpec>(*parsed));
  return std::get<ScaledObjectSpec>(*parsed);
}

TEST(KedaYamlTest, MinimalScaledObjectTakesKedasDefaults) {
  const ScaledObjectSpec spec = ParseObject(ScaledObjectYaml("", ""));
  EXPECT_EQ(spec.name, "workers");
  EXPECT_EQ(spec.scale_target_name, "worker");
  EXPECT_EQ(spec.polling_interval, seconds(30));
  EXPECT_EQ(spec.cooldown_period, seconds(300));
  EXPECT_EQ(spec.initial_cooldown_period, seconds(0));
  EXPECT_EQ(spec.min_replica_count, 0);
  EXPECT_EQ(spec.max_replica_count, 100);
  EXPECT_FALSE(spec.idle_replica_count);
  EXPECT_FALSE(spec.fallback);
  EXPECT_FALSE(spec.behavior);
  ASSERT_EQ(spec.triggers.size(), 1u);
  const RabbitMqTrigger& trigger = spec.triggers[0];
  EXPECT_EQ(trigger.host, "amqp://guest:guest@localhost:5672/");
  EXPECT_EQ(trigger.queue_name, "tasks");
  EXPECT_EQ(trigger.protocol, RabbitMqProtocol::kAuto);
  // Neither mode, value nor queueLength: QueueLength 20.
  EXPECT_EQ(trigger.mode, RabbitMqMode::kQueueLength);
  EXPECT_EQ(trigger.value, 20);
  EXPECT_EQ(trigger.activation_value, 0);
  EXPECT_EQ(trigger.metric_type, MetricTargetType::kAverageValue);
  EXPECT_FALSE(trigger.exclude_unacknowledged);
  EXPECT_FALSE(trigger.timeout_ms);
}

TEST(KedaYamlTest, KedasOwnEndToEndSettings) {
  const ScaledObjectSpec spec = ParseObject(ScaledObjectYaml(
      "  pollingInterval: 5\n  cooldownPeriod: 10\n  minReplicaCount: 0\n  maxReplicaCount: 4\n",
      "        mode: QueueLength\n        value: \"10\"\n        activationValue: \"5\"\n"));
  EXPECT_EQ(spec.polling_interval, seconds(5));
  EXPECT_EQ(spec.cooldown_period, seconds(10));
  EXPECT_EQ(spec.max_replica_count, 4);
  EXPECT_EQ(spec.triggers[0].value, 10);
  EXPECT_EQ(spec.triggers[0].activation_value, 5);
}

TEST(KedaYamlTest, EveryScaledObjectField) {
  const std::string text =
      "apiVersion: keda.sh/v1alpha1\n"
      "kind: ScaledObject\n"
      "metadata:\n"
      "  name: workers\n"
      "  namespace: batch\n"
      "  labels: {app: pixfleet}\n"
      "  annotations: {owner: images}\n"
      "spec:\n"
      "  scaleTargetRef: {name: worker, kind: Deployment, apiVersion: apps/v1}\n"
      "  pollingInterval: 15\n"
      "  cooldownPeriod: 120\n"
      "  initialCooldownPeriod: 60\n"
      "  idleReplicaCount: 0\n"
      "  minReplicaCount: 1\n"
      "  maxReplicaCount: 50\n"
      "  fallback:\n"
      "    failureThreshold: 3\n"
      "    replicas: 6\n"
      "    behavior: currentReplicasIfHigher\n"
      "  advanced:\n"
      "    restoreToOriginalReplicaCount: true\n"
      "    horizontalPodAutoscalerConfig:\n"
      "      name: workers-hpa\n"
      "      behavior:\n"
      "        scaleUp:\n"
      "          stabilizationWindowSeconds: 0\n"
      "          selectPolicy: Min\n"
      "          policies:\n"
      "            - {type: Pods, value: 2, periodSeconds: 30}\n"
      "            - {type: Percent, value: 50, periodSeconds: 60}\n"
      "        scaleDown:\n"
      "          selectPolicy: Disabled\n"
      "  triggers:\n"
      "    - type: rabbitmq\n"
      "      name: rate\n"
      "      metricType: Value\n"
      "      useCachedMetrics: false\n"
      "      metadata:\n"
      "        hostFromEnv: RABBITMQ_API\n"
      "        protocol: http\n"
      "        queueName: tasks\n"
      "        vhostName: images\n"
      "        mode: MessageRate\n"
      "        value: 2.5\n"
      "        activationValue: \"1\"\n"
      "        excludeUnacknowledged: \"true\"\n"
      "        timeout: \"500\"\n"
      "        useRegex: \"false\"\n";
  const ScaledObjectSpec spec = ParseObject(text);
  EXPECT_EQ(spec.polling_interval, seconds(15));
  EXPECT_EQ(spec.cooldown_period, seconds(120));
  EXPECT_EQ(spec.initial_cooldown_period, seconds(60));
  EXPECT_EQ(spec.idle_replica_count, 0);
  EXPECT_EQ(spec.min_replica_count, 1);
  EXPECT_EQ(spec.max_replica_count, 50);
  ASSERT_TRUE(spec.fallback);
  EXPECT_EQ(spec.fallback->failure_threshold, 3);
  EXPECT_EQ(spec.fallback->replicas, 6);
  EXPECT_EQ(spec.fallback->behavior, FallbackBehavior::kCurrentReplicasIfHigher);
  ASSERT_TRUE(spec.behavior);
  EXPECT_EQ(spec.behavior->scale_up.stabilization_window, seconds(0));
  EXPECT_EQ(spec.behavior->scale_up.select_policy, SelectPolicy::kMin);
  ASSERT_EQ(spec.behavior->scale_up.policies.size(), 2u);
  EXPECT_EQ(spec.behavior->scale_up.policies[0].type, HpaPolicy::Type::kPods);
  EXPECT_EQ(spec.behavior->scale_up.policies[0].value, 2);
  EXPECT_EQ(spec.behavior->scale_up.policies[0].period, seconds(30));
  EXPECT_EQ(spec.behavior->scale_up.policies[1].type, HpaPolicy::Type::kPercent);
  EXPECT_EQ(spec.behavior->scale_down.select_policy, SelectPolicy::kDisabled);
  EXPECT_FALSE(spec.behavior->scale_down.stabilization_window);  // the HPA's default applies
  EXPECT_TRUE(spec.behavior->scale_down.policies.empty());
  const RabbitMqTrigger& trigger = spec.triggers.at(0);
  EXPECT_EQ(trigger.name, "rate");
  EXPECT_EQ(trigger.metric_type, MetricTargetType::kValue);
  EXPECT_EQ(trigger.host_from_env, "RABBITMQ_API");
  EXPECT_EQ(trigger.protocol, RabbitMqProtocol::kHttp);
  EXPECT_EQ(trigger.vhost_name, "images");
  EXPECT_EQ(trigger.mode, RabbitMqMode::kMessageRate);
  EXPECT_EQ(trigger.value, 2.5);
  EXPECT_EQ(trigger.activation_value, 1);
  EXPECT_TRUE(trigger.exclude_unacknowledged);
  EXPECT_EQ(trigger.timeout_ms, 500);
}

TEST(KedaYamlTest, PicksTheKedaObjectOutOfAKustomizeRender) {
  const std::string text =
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata: {name: worker}\n"
      "spec: {replicas: 0, template: {spec: {containers: [{name: w, image: pixfleet}]}}}\n"
      "---\n"
      "apiVersion: v1\n"
      "kind: Secret\n"
      "metadata: {name: rabbit}\n"
      "stringData: {host: 'amqp://guest:guest@rabbit:5672/'}\n"
      "---\n"
      "apiVersion: keda.sh/v1alpha1\n"
      "kind: TriggerAuthentication\n"
      "metadata: {name: rabbit-auth}\n"
      "spec: {secretTargetRef: [{parameter: host, name: rabbit, key: host}]}\n"
      "---\n"
      "apiVersion: keda.sh/v1alpha1\n"
      "kind: ScaledObject\n"
      "metadata: {name: workers, namespace: batch}\n"
      "spec:\n"
      "  scaleTargetRef: {name: worker}\n"
      "  triggers:\n"
      "    - type: rabbitmq\n"
      "      authenticationRef: {name: rabbit-auth}\n"
      "      metadata: {queueName: tasks, mode: QueueLength, value: '5'}\n"
      "---\n";
  const ScaledObjectSpec spec = ParseObject(text);
  EXPECT_EQ(spec.name, "workers");
  ASSERT_EQ(spec.triggers.size(), 1u);
  // The host is in the cluster's TriggerAuthentication: kept empty for the caller to report.
  EXPECT_EQ(spec.triggers[0].host, "");
  EXPECT_EQ(spec.triggers[0].host_from_env, "");
  EXPECT_EQ(spec.triggers[0].value, 5);
}

TEST(KedaYamlTest, DeprecatedQueueLengthMeansQueueLengthMode) {
  const ScaledObjectSpec spec = ParseObject(ScaledObjectYaml("", "        queueLength: \"15\"\n"));
  EXPECT_EQ(spec.triggers.at(0).mode, RabbitMqMode::kQueueLength);
  EXPECT_EQ(spec.triggers.at(0).value, 15);
}

TEST(KedaYamlTest, ScaledJob) {
  const std::string text =
      "apiVersion: keda.sh/v1alpha1\n"
      "kind: ScaledJob\n"
      "metadata: {name: jobs}\n"
      "spec:\n"
      "  jobTargetRef:\n"
      "    template: {spec: {containers: [{name: w, image: pixfleet}]}}\n"
      "  pollingInterval: 10\n"
      "  minReplicaCount: 1\n"
      "  maxReplicaCount: 8\n"
      "  successfulJobsHistoryLimit: 5\n"
      "  failedJobsHistoryLimit: 2\n"
      "  scalingStrategy:\n"
      "    strategy: custom\n"
      "    customScalingQueueLengthDeduction: 1\n"
      "    customScalingRunningJobPercentage: \"0.5\"\n"
      "    multipleScalersCalculation: sum\n"
      "    pendingPodConditions: [Ready, PodScheduled]\n"
      "  triggers:\n"
      "    - type: rabbitmq\n"
      "      metadata: {host: 'amqp://localhost/', queueName: tasks, mode: QueueLength, "
      "value: '1'}\n";
  const Result<KedaObject> parsed = ParseKedaYaml(text, "job.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ScaledJobSpec>(*parsed));
  const ScaledJobSpec& job = std::get<ScaledJobSpec>(*parsed);
  EXPECT_EQ(job.name, "jobs");
  EXPECT_EQ(job.polling_interval, seconds(10));
  EXPECT_EQ(job.min_replica_count, 1);
  EXPECT_EQ(job.max_replica_count, 8);
  EXPECT_FALSE(job.max_replica_count_defaulted);
  EXPECT_EQ(job.successful_jobs_history_limit, 5);
  EXPECT_EQ(job.failed_jobs_history_limit, 2);
  EXPECT_EQ(job.strategy, ScaledJobStrategy::kCustom);
  EXPECT_EQ(job.custom_queue_length_deduction, 1);
  EXPECT_EQ(job.custom_running_job_percentage, 0.5);
  EXPECT_EQ(job.multiple_scalers_calculation, MultipleScalersCalculation::kSum);
  EXPECT_EQ(job.triggers.at(0).value, 1);
}

TEST(KedaYamlTest, ScaledJobDefaultsAndAnUnparsablePercentage) {
  const std::string text =
      "apiVersion: keda.sh/v1alpha1\n"
      "kind: ScaledJob\n"
      "metadata: {name: jobs}\n"
      "spec:\n"
      "  jobTargetRef: {template: {}}\n"
      "  scalingStrategy: {strategy: custom, customScalingRunningJobPercentage: half}\n"
      "  triggers:\n"
      "    - type: rabbitmq\n"
      "      metadata: {host: 'amqp://localhost/', queueName: tasks}\n";
  const Result<KedaObject> parsed = ParseKedaYaml(text, "job.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ScaledJobSpec& job = std::get<ScaledJobSpec>(*parsed);
  EXPECT_EQ(job.polling_interval, seconds(30));
  EXPECT_EQ(job.min_replica_count, 0);
  EXPECT_EQ(job.max_replica_count, 100);
  EXPECT_TRUE(job.max_replica_count_defaulted);
  EXPECT_EQ(job.successful_jobs_history_limit, 100);
  EXPECT_EQ(job.failed_jobs_history_limit, 100);
  EXPECT_EQ(job.multiple_scalers_calculation, MultipleScalersCalculation::kMax);
  // KEDA falls back to `default` when the percentage does not parse.
  EXPECT_FALSE(job.custom_running_job_percentage);
}

TEST(KedaYamlTest, RefusedDocumentsNameTheSourceLineAndField) {
  struct Row {
    std::string text;
    const char* expected;  // a substring of the message
  };
  const std::string base = ScaledObjectYaml("", "");
  const Row rows[] = {
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n",
       "so.yaml: no ScaledObject or ScaledJob of apiVersion keda.sh/v1alpha1"},
      {base + "---\n" + base, "2 ScaledObject/ScaledJob documents (lines 1 and 14)"},
      {"spec: [unclosed\n", "not valid YAML"},
      {ScaledObjectYaml("  coolDownPeriod: 10\n", ""),
       "so.yaml:8: spec.coolDownPeriod: unknown key"},
      {ScaledObjectYaml("  pollingInterval: 0\n", ""), "so.yaml:8: spec.pollingInterval: must be"},
      {ScaledObjectYaml("  pollingInterval: \"30\"\n", ""), "spec.pollingInterval: must be"},
      {ScaledObjectYaml("  minReplicaCount: 5\n  maxReplicaCount: 3\n", ""),
       "spec.minReplicaCount: 5 is above maxReplicaCount 3"},
      {ScaledObjectYaml("  minReplicaCount: 1\n  idleReplicaCount: 1\n", ""),
       "spec.idleReplicaCount: must be less than minReplicaCount (1)"},
      {ScaledObjectYaml("  fallback: {failureThreshold: 3}\n", ""),
       "spec.fallback.replicas: is required"},
      {ScaledObjectYaml("  advanced: {scalingModifiers: {formula: x}}\n", ""),
       "spec.advanced.scalingModifiers: is not supported"},
      {ScaledObjectYaml("  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n"
                        "        scaleUp: {policies: [{type: Pod, value: 1, periodSeconds: 15}]}\n",
                        ""),
       "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].type: must be "
       "one of Pods, Percent"},
      {ScaledObjectYaml("", "        value: ten\n        mode: QueueLength\n"),
       "so.yaml:13: spec.triggers[0].metadata.value: must be a number, got 'ten'"},
      {ScaledObjectYaml("", "        mode: QueueLength\n"),
       "spec.triggers[0].metadata.value: is required when mode is given"},
      {ScaledObjectYaml("", "        value: \"5\"\n"),
       "spec.triggers[0].metadata.mode: is required when value is given"},
      {ScaledObjectYaml("", "        mode: DeliverGetRate\n        value: \"1\"\n"),
       "DeliverGetRate is not supported; supported: QueueLength, MessageRate"},
      {ScaledObjectYaml("", "        queueLength: \"5\"\n        value: \"5\"\n"),
       "spec.triggers[0].metadata.queueLength: is deprecated and cannot be combined"},
      {ScaledObjectYaml("", "        useRegex: \"true\"\n"),
       "spec.triggers[0].metadata.useRegex: is not supported"},
      {ScaledObjectYaml("", "        excludeUnacknowledged: \"true\"\n"),
       "excludeUnacknowledged needs protocol http"},
      {ScaledObjectYaml("", "        mode: MessageRate\n        value: \"1\"\n"),
       "MessageRate needs protocol http"},
      {ScaledObjectYaml("", "        pageSize: \"10\"\n"),
       "spec.triggers[0].metadata.pageSize: is not supported"},
      {ScaledObjectYaml("", "        queue: tasks\n"),
       "spec.triggers[0].metadata.queue: unknown key"},
      {"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n"
       "  scaleTargetRef: {name: w}\n  triggers:\n    - type: kafka\n      metadata: {}\n",
       "spec.triggers[0].type: only rabbitmq triggers are supported"},
      {"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n"
       "  scaleTargetRef: {name: w}\n  triggers:\n    - type: rabbitmq\n      metadata: "
       "{queueName: q}\n",
       "spec.triggers[0].metadata.host: is required"},
      {"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n"
       "  scaleTargetRef: {name: w}\n  triggers:\n    - type: rabbitmq\n      metricType: "
       "Utilization\n      metadata: {host: 'amqp://h/', queueName: q}\n",
       "spec.triggers[0].metricType: must be one of AverageValue, Value"},
      {"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n"
       "  scaleTargetRef: {name: w}\n",
       "spec.triggers: is required"},
      {"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\n  annotations:\n"
       "    autoscaling.keda.sh/paused: \"true\"\nspec: {scaleTargetRef: {name: w}}\n",
       "metadata.annotations.autoscaling.keda.sh/paused: KEDA's pause"},
  };
  for (const Row& row : rows) {
    const Result<KedaObject> parsed = ParseKedaYaml(row.text, "so.yaml");
    ASSERT_FALSE(parsed.ok()) << row.expected;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find(row.expected), std::string::npos)
        << "expected: " << row.expected << "\n     got: " << parsed.error().message();
  }
}

}  // namespace
}  // namespace pixfleet
