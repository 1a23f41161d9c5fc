#include "scaling/keda_yaml.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace pixfleet {
namespace {

constexpr std::string_view kApiVersion = "keda.sh/v1alpha1";
constexpr int kMaxInt32 = std::numeric_limits<int32_t>::max();

template <typename E>
using Names = std::initializer_list<std::pair<std::string_view, E>>;

std::string Join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string Child(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

// What a value looked like, for messages: 'ten', a list, a mapping.
std::string Describe(const YAML::Node& node) {
  if (node.IsScalar()) {
    std::string text = node.Scalar();
    if (text.size() > 40) text = text.substr(0, 40) + "...";
    return "'" + text + "'";
  }
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

// Reads one KEDA object. Every method returning an error names the source, the line and the
// field path; each reads one level of the document.
class KedaParser {
 public:
  explicit KedaParser(std::string_view source) : source_(source) {}

  Result<KedaObject> Parse(std::string_view text) {
    std::vector<YAML::Node> documents;
    try {
      documents = YAML::LoadAll(std::string(text));
    } catch (const YAML::Exception& e) {
      return InvalidArgument(
          fmt::format("{}:{}: not valid YAML: {}", source_, std::max(e.mark.line, 0) + 1, e.msg));
    }
    std::vector<YAML::Node> found;
    for (const YAML::Node& document : documents) {
      if (!document.IsMap()) continue;
      const YAML::Node kind = document["kind"];
      const YAML::Node api = document["apiVersion"];
      if (kind.IsScalar() && (kind.Scalar() == "ScaledObject" || kind.Scalar() == "ScaledJob") &&
          api.IsScalar() && api.Scalar() == kApiVersion) {
        found.push_back(document);
      }
    }
    if (found.empty()) {
      return InvalidArgument(fmt::format(
          "{}: no ScaledObject or ScaledJob of apiVersion {} among its {} YAML document(s)",
          source_, kApiVersion, documents.size()));
    }
    if (found.size() > 1) {
      return InvalidArgument(fmt::format(
          "{}: {} ScaledObject/ScaledJob documents (lines {} and {}); give a file with one",
          source_, found.size(), found[0].Mark().line + 1, found[1].Mark().line + 1));
    }
    return ParseObject(found[0]);
  }

 private:
  Status Error(const YAML::Node& at, std::string_view path, std::string_view message) const {
    const int line = at.IsDefined() ? at.Mark().line : -1;
    const std::string where = line >= 0 ? fmt::format("{}:{}", source_, line + 1) : source_;
    return InvalidArgument(fmt::format("{}: {}: {}", where, path, message));
  }

  // Refuses keys outside `allowed`: a misspelt key would silently change scaling.
  Status CheckKeys(const YAML::Node& map, std::string_view path,
                   std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) return Error(map, path, "must be a mapping, got " + Describe(map));
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(it->first, Child(path, key), "unknown key; allowed here: " + Join(allowed));
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& node, std::string_view path) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node, path, "must be a non-empty string, got " + Describe(node));
    }
    return node.Scalar();
  }

  // A Kubernetes integer field: a plain YAML integer ("30" quoted is a string to the API server).
  Result<int> Int(const YAML::Node& node, std::string_view path, int min) const {
    const std::string range =
        min == 0 ? "a whole number >= 0" : fmt::format("a whole number >= {}", min);
    if (!node.IsScalar() || node.Tag() == "!") {
      return Error(node, path, "must be " + range + ", got " + Describe(node));
    }
    const std::string& text = node.Scalar();
    long long number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || number < min ||
        number > kMaxInt32) {
      return Error(node, path, "must be " + range + ", got " + Describe(node));
    }
    return static_cast<int>(number);
  }

  // KEDA metadata values are strings ("10"); YAML numbers are accepted as well.
  Result<double> Number(const YAML::Node& node, std::string_view path) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      double number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (!text.empty() && error == std::errc() && end == text.data() + text.size() &&
          std::isfinite(number)) {
        return number;
      }
    }
    return Error(node, path, "must be a number, got " + Describe(node));
  }

  // Go's strconv.ParseBool, which KEDA uses: 1, t, true, 0, f, false in any usual case.
  Result<bool> Bool(const YAML::Node& node, std::string_view path) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"}) {
        if (text == yes) return true;
      }
      for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False"}) {
        if (text == no) return false;
      }
    }
    return Error(node, path, "must be true or false, got " + Describe(node));
  }

  template <typename E>
  Result<E> Enum(const YAML::Node& node, std::string_view path, Names<E> names) const {
    std::string all;
    for (const auto& [name, value] : names) {
      if (node.IsScalar() && node.Scalar() == name) return value;
      all += all.empty() ? std::string(name) : ", " + std::string(name);
    }
    return Error(node, path, "must be one of " + all + ", got " + Describe(node));
  }

  Result<KedaObject> ParseObject(const YAML::Node& document) {
    PIXFLEET_RETURN_IF_ERROR(
        CheckKeys(document, "", {"apiVersion", "kind", "metadata", "spec", "status"}));
    const YAML::Node metadata = document["metadata"];
    if (!metadata.IsDefined()) return Error(document, "metadata", "is required (metadata.name)");
    if (!metadata.IsMap()) return Error(metadata, "metadata", "must be a mapping");
    PIXFLEET_ASSIGN_OR_RETURN(std::string name, String(metadata["name"], "metadata.name"));
    PIXFLEET_RETURN_IF_ERROR(CheckAnnotations(metadata["annotations"]));
    const YAML::Node spec = document["spec"];
    if (!spec.IsMap()) {
      return Error(spec.IsDefined() ? spec : document, "spec", "must be a mapping");
    }
    if (document["kind"].Scalar() == "ScaledJob") {
      PIXFLEET_ASSIGN_OR_RETURN(ScaledJobSpec job, ParseScaledJob(spec));
      job.name = std::move(name);
      return KedaObject(std::move(job));
    }
    PIXFLEET_ASSIGN_OR_RETURN(ScaledObjectSpec object, ParseScaledObject(spec));
    object.name = std::move(name);
    return KedaObject(std::move(object));
  }

  // KEDA's control annotations change scaling; a local scaler has no place for them.
  Status CheckAnnotations(const YAML::Node& annotations) const {
    if (!annotations.IsDefined() || annotations.IsNull()) return Status::Ok();
    if (!annotations.IsMap()) {
      return Error(annotations, "metadata.annotations", "must be a mapping");
    }
    for (auto it = annotations.begin(); it != annotations.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (key.starts_with("autoscaling.keda.sh/")) {
        return Error(it->first, Child("metadata.annotations", key),
                     "KEDA's pause and force-activation annotations are not supported");
      }
    }
    return Status::Ok();
  }

  // An optional whole-number field of spec, read into an int or a duration in seconds.
  struct IntField {
    const char* key;
    int min;
    std::variant<int*, std::chrono::seconds*> out;
  };

  Status OptionalInts(const YAML::Node& spec, std::initializer_list<IntField> fields) const {
    for (const IntField& field : fields) {
      const YAML::Node node = spec[field.key];
      if (!node.IsDefined()) continue;
      PIXFLEET_ASSIGN_OR_RETURN(const int value, Int(node, Child("spec", field.key), field.min));
      if (int* const* number = std::get_if<int*>(&field.out)) {
        **number = value;
      } else {
        *std::get<std::chrono::seconds*>(field.out) = std::chrono::seconds(value);
      }
    }
    return Status::Ok();
  }

  Result<ScaledObjectSpec> ParseScaledObject(const YAML::Node& spec) {
    PIXFLEET_RETURN_IF_ERROR(
        CheckKeys(spec, "spec",
                  {"scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod",
                   "idleReplicaCount", "minReplicaCount", "maxReplicaCount", "fallback", "advanced",
                   "triggers"}));
    ScaledObjectSpec out;
    const YAML::Node target = spec["scaleTargetRef"];
    if (!target.IsDefined()) return Error(spec, "spec.scaleTargetRef", "is required");
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(target, "spec.scaleTargetRef",
                                       {"name", "kind", "apiVersion", "envSourceContainerName"}));
    PIXFLEET_ASSIGN_OR_RETURN(out.scale_target_name,
                              String(target["name"], "spec.scaleTargetRef.name"));
    PIXFLEET_RETURN_IF_ERROR(
        OptionalInts(spec, {{"pollingInterval", 1, &out.polling_interval},
                            {"cooldownPeriod", 0, &out.cooldown_period},
                            {"initialCooldownPeriod", 0, &out.initial_cooldown_period},
                            {"minReplicaCount", 0, &out.min_replica_count},
                            {"maxReplicaCount", 1, &out.max_replica_count}}));
    if (out.min_replica_count > out.max_replica_count) {
      return Error(spec["minReplicaCount"], "spec.minReplicaCount",
                   fmt::format("{} is above maxReplicaCount {}", out.min_replica_count,
                               out.max_replica_count));
    }
    if (const YAML::Node idle = spec["idleReplicaCount"]; idle.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(out.idle_replica_count, Int(idle, "spec.idleReplicaCount", 0));
      if (*out.idle_replica_count >= out.min_replica_count) {
        return Error(idle, "spec.idleReplicaCount",
                     fmt::format("must be less than minReplicaCount ({})", out.min_replica_count));
      }
    }
    if (const YAML::Node fallback = spec["fallback"]; fallback.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(out.fallback, ParseFallback(fallback));
    }
    if (const YAML::Node advanced = spec["advanced"]; advanced.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(out.behavior, ParseAdvanced(advanced));
    }
    PIXFLEET_ASSIGN_OR_RETURN(out.triggers, ParseTriggers(spec));
    return out;
  }

  Result<Fallback> ParseFallback(const YAML::Node& node) const {
    const std::string path = "spec.fallback";
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(node, path, {"failureThreshold", "replicas", "behavior"}));
    Fallback fallback;
    for (auto [key, field] : {std::pair{"failureThreshold", &fallback.failure_threshold},
                              std::pair{"replicas", &fallback.replicas}}) {
      if (!node[key].IsDefined()) return Error(node, Child(path, key), "is required");
      PIXFLEET_ASSIGN_OR_RETURN(*field, Int(node[key], Child(path, key), 0));
    }
    if (const YAML::Node behavior = node["behavior"]; behavior.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(
          fallback.behavior,
          Enum<FallbackBehavior>(
              behavior, Child(path, "behavior"),
              {{"static", FallbackBehavior::kStatic},
               {"currentReplicas", FallbackBehavior::kCurrentReplicas},
               {"currentReplicasIfHigher", FallbackBehavior::kCurrentReplicasIfHigher},
               {"currentReplicasIfLower", FallbackBehavior::kCurrentReplicasIfLower}}));
    }
    return fallback;
  }

  Result<std::optional<HpaBehavior>> ParseAdvanced(const YAML::Node& node) const {
    const std::string path = "spec.advanced";
    if (node["scalingModifiers"].IsDefined()) {
      return Error(node["scalingModifiers"], Child(path, "scalingModifiers"), "is not supported");
    }
    PIXFLEET_RETURN_IF_ERROR(
        CheckKeys(node, path, {"horizontalPodAutoscalerConfig", "restoreToOriginalReplicaCount"}));
    if (const YAML::Node restore = node["restoreToOriginalReplicaCount"]; restore.IsDefined()) {
      PIXFLEET_RETURN_IF_ERROR(
          Bool(restore, Child(path, "restoreToOriginalReplicaCount")).status());
    }
    const YAML::Node config = node["horizontalPodAutoscalerConfig"];
    if (!config.IsDefined()) return std::optional<HpaBehavior>();
    const std::string config_path = Child(path, "horizontalPodAutoscalerConfig");
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(config, config_path, {"name", "behavior"}));
    const YAML::Node behavior = config["behavior"];
    if (!behavior.IsDefined()) return std::optional<HpaBehavior>();
    const std::string behavior_path = Child(config_path, "behavior");
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(behavior, behavior_path, {"scaleUp", "scaleDown"}));
    HpaBehavior out;
    for (auto [key, rules] :
         {std::pair{"scaleUp", &out.scale_up}, std::pair{"scaleDown", &out.scale_down}}) {
      if (behavior[key].IsDefined()) {
        PIXFLEET_ASSIGN_OR_RETURN(*rules, ParseRules(behavior[key], Child(behavior_path, key)));
      }
    }
    return std::optional<HpaBehavior>(std::move(out));
  }

  Result<HpaScalingRules> ParseRules(const YAML::Node& node, const std::string& path) const {
    if (node["tolerance"].IsDefined()) {
      return Error(node["tolerance"], Child(path, "tolerance"),
                   "is not supported (the HPAConfigurableTolerance feature); the tolerance is 0.1");
    }
    PIXFLEET_RETURN_IF_ERROR(
        CheckKeys(node, path, {"stabilizationWindowSeconds", "selectPolicy", "policies"}));
    HpaScalingRules rules;
    if (const YAML::Node window = node["stabilizationWindowSeconds"]; window.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(const int seconds,
                                Int(window, Child(path, "stabilizationWindowSeconds"), 0));
      if (seconds > 3600) {
        return Error(window, Child(path, "stabilizationWindowSeconds"), "must be at most 3600");
      }
      rules.stabilization_window = std::chrono::seconds(seconds);
    }
    if (const YAML::Node select = node["selectPolicy"]; select.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(rules.select_policy,
                                Enum<SelectPolicy>(select, Child(path, "selectPolicy"),
                                                   {{"Max", SelectPolicy::kMax},
                                                    {"Min", SelectPolicy::kMin},
                                                    {"Disabled", SelectPolicy::kDisabled}}));
    }
    if (const YAML::Node policies = node["policies"]; policies.IsDefined()) {
      const std::string list_path = Child(path, "policies");
      if (!policies.IsSequence() || policies.size() == 0) {
        return Error(policies, list_path,
                     "must be a non-empty list of {type, value, periodSeconds}");
      }
      for (size_t i = 0; i < policies.size(); ++i) {
        PIXFLEET_ASSIGN_OR_RETURN(HpaPolicy policy,
                                  ParsePolicy(policies[i], fmt::format("{}[{}]", list_path, i)));
        rules.policies.push_back(policy);
      }
    }
    return rules;
  }

  Result<HpaPolicy> ParsePolicy(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(node, path, {"type", "value", "periodSeconds"}));
    HpaPolicy policy;
    for (const char* key : {"type", "value", "periodSeconds"}) {
      if (!node[key].IsDefined()) return Error(node, Child(path, key), "is required");
    }
    PIXFLEET_ASSIGN_OR_RETURN(policy.type,
                              Enum<HpaPolicy::Type>(node["type"], Child(path, "type"),
                                                    {{"Pods", HpaPolicy::Type::kPods},
                                                     {"Percent", HpaPolicy::Type::kPercent}}));
    PIXFLEET_ASSIGN_OR_RETURN(policy.value, Int(node["value"], Child(path, "value"), 1));
    PIXFLEET_ASSIGN_OR_RETURN(const int period,
                              Int(node["periodSeconds"], Child(path, "periodSeconds"), 1));
    if (period > 1800) {
      return Error(node["periodSeconds"], Child(path, "periodSeconds"), "must be at most 1800");
    }
    policy.period = std::chrono::seconds(period);
    return policy;
  }

  Result<std::vector<RabbitMqTrigger>> ParseTriggers(const YAML::Node& spec) const {
    const YAML::Node triggers = spec["triggers"];
    if (!triggers.IsDefined()) return Error(spec, "spec.triggers", "is required");
    if (!triggers.IsSequence() || triggers.size() == 0) {
      return Error(triggers, "spec.triggers", "must be a non-empty list");
    }
    std::vector<RabbitMqTrigger> out;
    for (size_t i = 0; i < triggers.size(); ++i) {
      PIXFLEET_ASSIGN_OR_RETURN(RabbitMqTrigger trigger,
                                ParseTrigger(triggers[i], fmt::format("spec.triggers[{}]", i)));
      out.push_back(std::move(trigger));
    }
    return out;
  }

  Result<RabbitMqTrigger> ParseTrigger(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(
        node, path,
        {"type", "name", "metricType", "authenticationRef", "metadata", "useCachedMetrics"}));
    PIXFLEET_ASSIGN_OR_RETURN(const std::string type, String(node["type"], Child(path, "type")));
    if (type != "rabbitmq") {
      return Error(node["type"], Child(path, "type"),
                   "only rabbitmq triggers are supported, got " + Describe(node["type"]));
    }
    RabbitMqTrigger trigger;
    if (node["name"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(trigger.name, String(node["name"], Child(path, "name")));
    }
    if (node["metricType"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(
          trigger.metric_type,
          Enum<MetricTargetType>(node["metricType"], Child(path, "metricType"),
                                 {{"AverageValue", MetricTargetType::kAverageValue},
                                  {"Value", MetricTargetType::kValue}}));
    }
    if (const YAML::Node cached = node["useCachedMetrics"]; cached.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(const bool use, Bool(cached, Child(path, "useCachedMetrics")));
      if (use) {
        return Error(cached, Child(path, "useCachedMetrics"),
                     "true is not supported: the HPA loop queries the queue live");
      }
    }
    const YAML::Node auth = node["authenticationRef"];
    if (auth.IsDefined()) {
      PIXFLEET_RETURN_IF_ERROR(CheckKeys(auth, Child(path, "authenticationRef"), {"name", "kind"}));
      if (const YAML::Node name = auth["name"]; name.IsScalar()) {
        trigger.authentication_ref = name.Scalar();
      }
    }
    const YAML::Node metadata = node["metadata"];
    if (!metadata.IsDefined()) return Error(node, Child(path, "metadata"), "is required");
    PIXFLEET_RETURN_IF_ERROR(
        ParseMetadata(metadata, Child(path, "metadata"), auth.IsDefined(), trigger));
    return trigger;
  }

  Status ParseMetadata(const YAML::Node& node, const std::string& path, bool has_auth,
                       RabbitMqTrigger& trigger) const {
    if (const YAML::Node regex = node["useRegex"]; regex.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(const bool use, Bool(regex, Child(path, "useRegex")));
      if (use) return Error(regex, Child(path, "useRegex"), "is not supported: name one queue");
    }
    // Keys KEDA knows that have no use here: say so rather than "unknown".
    for (const char* key : {"pageSize", "operation", "unsafeSsl", "metricName"}) {
      if (node[key].IsDefined()) {
        return Error(node[key], Child(path, key),
                     "is not supported (only one named queue, no regex, no TLS options)");
      }
    }
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(
        node, path,
        {"host", "hostFromEnv", "protocol", "queueName", "vhostName", "mode", "value",
         "activationValue", "excludeUnacknowledged", "timeout", "queueLength", "useRegex"}));
    for (auto [key, field] :
         {std::pair{"host", &trigger.host}, std::pair{"hostFromEnv", &trigger.host_from_env},
          std::pair{"vhostName", &trigger.vhost_name}}) {
      if (node[key].IsDefined()) {
        PIXFLEET_ASSIGN_OR_RETURN(*field, String(node[key], Child(path, key)));
      }
    }
    if (!trigger.host.empty() && !trigger.host_from_env.empty()) {
      return Error(node["hostFromEnv"], Child(path, "hostFromEnv"),
                   "give host or hostFromEnv, not both");
    }
    if (trigger.host.empty() && trigger.host_from_env.empty() && !has_auth) {
      return Error(node, Child(path, "host"),
                   "is required (or hostFromEnv, or an authenticationRef that provides it)");
    }
    PIXFLEET_ASSIGN_OR_RETURN(trigger.queue_name,
                              String(node["queueName"], Child(path, "queueName")));
    if (node["protocol"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(trigger.protocol,
                                Enum<RabbitMqProtocol>(node["protocol"], Child(path, "protocol"),
                                                       {{"auto", RabbitMqProtocol::kAuto},
                                                        {"amqp", RabbitMqProtocol::kAmqp},
                                                        {"http", RabbitMqProtocol::kHttp}}));
    }
    PIXFLEET_RETURN_IF_ERROR(ParseModeAndValue(node, path, trigger));
    if (node["activationValue"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(trigger.activation_value,
                                Number(node["activationValue"], Child(path, "activationValue")));
    }
    if (node["excludeUnacknowledged"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(
          trigger.exclude_unacknowledged,
          Bool(node["excludeUnacknowledged"], Child(path, "excludeUnacknowledged")));
    }
    if (const YAML::Node timeout = node["timeout"]; timeout.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(const double ms, Number(timeout, Child(path, "timeout")));
      if (ms <= 0 || ms != std::floor(ms) || ms > kMaxInt32) {
        return Error(timeout, Child(path, "timeout"), "must be a whole number of milliseconds > 0");
      }
      trigger.timeout_ms = static_cast<int>(ms);
    }
    // The protocol is known now unless it is auto and the host comes from the environment.
    if (trigger.protocol != RabbitMqProtocol::kAuto || !trigger.host.empty()) {
      const Result<RabbitMqProtocol> protocol = EffectiveProtocol(trigger, trigger.host);
      if (!protocol.ok()) return Error(node, path, protocol.error().message());
    }
    return Status::Ok();
  }

  // rabbitmq_scaler.go's rules: nothing given → QueueLength 20; the deprecated queueLength
  // stands for mode QueueLength with that value and excludes mode/value; otherwise both.
  Status ParseModeAndValue(const YAML::Node& node, const std::string& path,
                           RabbitMqTrigger& trigger) const {
    const YAML::Node mode = node["mode"];
    const YAML::Node value = node["value"];
    const YAML::Node queue_length = node["queueLength"];
    if (queue_length.IsDefined()) {
      if (mode.IsDefined() || value.IsDefined()) {
        return Error(queue_length, Child(path, "queueLength"),
                     "is deprecated and cannot be combined with mode or value; give mode: "
                     "QueueLength and value instead");
      }
      PIXFLEET_ASSIGN_OR_RETURN(trigger.value, Number(queue_length, Child(path, "queueLength")));
      if (trigger.value <= 0) return Error(queue_length, Child(path, "queueLength"), "must be > 0");
      trigger.mode = RabbitMqMode::kQueueLength;
      return Status::Ok();
    }
    if (!mode.IsDefined() && !value.IsDefined()) return Status::Ok();  // the defaults
    if (!mode.IsDefined()) {
      return Error(node, Child(path, "mode"), "is required when value is given");
    }
    if (!value.IsDefined()) {
      return Error(node, Child(path, "value"), "is required when mode is given");
    }
    if (mode.IsScalar()) {
      for (std::string_view other :
           {"DeliverGetRate", "PublishedToDeliveredRatio", "ExpectedQueueConsumptionTime"}) {
        if (mode.Scalar() == other) {
          return Error(
              mode, Child(path, "mode"),
              std::string(other) + " is not supported; supported: QueueLength, MessageRate");
        }
      }
    }
    PIXFLEET_ASSIGN_OR_RETURN(trigger.mode,
                              Enum<RabbitMqMode>(mode, Child(path, "mode"),
                                                 {{"QueueLength", RabbitMqMode::kQueueLength},
                                                  {"MessageRate", RabbitMqMode::kMessageRate}}));
    PIXFLEET_ASSIGN_OR_RETURN(trigger.value, Number(value, Child(path, "value")));
    if (trigger.value <= 0) return Error(value, Child(path, "value"), "must be > 0");
    return Status::Ok();
  }

  Result<ScaledJobSpec> ParseScaledJob(const YAML::Node& spec) const {
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(
        spec, "spec",
        {"jobTargetRef", "pollingInterval", "successfulJobsHistoryLimit", "failedJobsHistoryLimit",
         "minReplicaCount", "maxReplicaCount", "scalingStrategy", "triggers", "rollout",
         "rolloutStrategy", "envSourceContainerName"}));
    ScaledJobSpec out;
    if (!spec["jobTargetRef"].IsDefined()) return Error(spec, "spec.jobTargetRef", "is required");
    PIXFLEET_RETURN_IF_ERROR(
        OptionalInts(spec, {{"pollingInterval", 1, &out.polling_interval},
                            {"minReplicaCount", 0, &out.min_replica_count},
                            {"maxReplicaCount", 0, &out.max_replica_count},
                            {"successfulJobsHistoryLimit", 0, &out.successful_jobs_history_limit},
                            {"failedJobsHistoryLimit", 0, &out.failed_jobs_history_limit}}));
    out.max_replica_count_defaulted = !spec["maxReplicaCount"].IsDefined();
    if (const YAML::Node strategy = spec["scalingStrategy"]; strategy.IsDefined()) {
      PIXFLEET_RETURN_IF_ERROR(ParseScalingStrategy(strategy, out));
    }
    PIXFLEET_ASSIGN_OR_RETURN(out.triggers, ParseTriggers(spec));
    return out;
  }

  Status ParseScalingStrategy(const YAML::Node& node, ScaledJobSpec& out) const {
    const std::string path = "spec.scalingStrategy";
    PIXFLEET_RETURN_IF_ERROR(CheckKeys(
        node, path,
        {"strategy", "customScalingQueueLengthDeduction", "customScalingRunningJobPercentage",
         "multipleScalersCalculation", "pendingPodConditions"}));
    if (node["strategy"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(out.strategy,
                                Enum<ScaledJobStrategy>(node["strategy"], Child(path, "strategy"),
                                                        {{"default", ScaledJobStrategy::kDefault},
                                                         {"custom", ScaledJobStrategy::kCustom},
                                                         {"accurate", ScaledJobStrategy::kAccurate},
                                                         {"eager", ScaledJobStrategy::kEager}}));
    }
    if (const YAML::Node deduction = node["customScalingQueueLengthDeduction"];
        deduction.IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(
          out.custom_queue_length_deduction,
          Int(deduction, Child(path, "customScalingQueueLengthDeduction"), 0));
    }
    // A string in KEDA; one that does not parse as a number makes KEDA use `default`.
    if (const YAML::Node percentage = node["customScalingRunningJobPercentage"];
        percentage.IsDefined()) {
      const Result<double> number = Number(percentage, "");
      if (number.ok()) out.custom_running_job_percentage = *number;
    }
    if (node["multipleScalersCalculation"].IsDefined()) {
      PIXFLEET_ASSIGN_OR_RETURN(
          out.multiple_scalers_calculation,
          Enum<MultipleScalersCalculation>(node["multipleScalersCalculation"],
                                           Child(path, "multipleScalersCalculation"),
                                           {{"max", MultipleScalersCalculation::kMax},
                                            {"min", MultipleScalersCalculation::kMin},
                                            {"avg", MultipleScalersCalculation::kAvg},
                                            {"sum", MultipleScalersCalculation::kSum}}));
    }
    return Status::Ok();
  }

  std::string source_;
};

}  // namespace

Result<KedaObject> ParseKedaYaml(std::string_view yaml_text, std::string_view source_name) {
  return KedaParser(source_name).Parse(yaml_text);
}

}  // namespace pixfleet
