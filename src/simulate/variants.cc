#include "simulate/variants.h"

#include <cmath>
#include <cstdio>
#include <type_traits>
#include <variant>

namespace pixfleet::simulate {
namespace {

std::string FormatNumber(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", x);
  return buffer;
}

const char* ProtocolName(RabbitMqProtocol protocol) {
  return protocol == RabbitMqProtocol::kHttp ? "http" : "amqp";
}

// The other protocol for every trigger, set explicitly (the host URL's scheme no longer decides).
std::vector<RabbitMqProtocol> Flipped(std::vector<RabbitMqTrigger>& triggers,
                                      const std::vector<RabbitMqProtocol>& protocols) {
  std::vector<RabbitMqProtocol> flipped;
  for (size_t i = 0; i < triggers.size(); ++i) {
    const RabbitMqProtocol other =
        protocols[i] == RabbitMqProtocol::kHttp ? RabbitMqProtocol::kAmqp : RabbitMqProtocol::kHttp;
    triggers[i].protocol = other;
    triggers[i].exclude_unacknowledged = false;
    if (other == RabbitMqProtocol::kAmqp) triggers[i].timeout_ms.reset();
    flipped.push_back(other);
  }
  return flipped;
}

double FirstValue(const std::vector<RabbitMqTrigger>& triggers) {
  return triggers.empty() ? 0 : triggers.front().value;
}

void SetValue(std::vector<RabbitMqTrigger>& triggers, double value) {
  for (RabbitMqTrigger& trigger : triggers) trigger.value = value;
}

// A variant running `spec`, a ScaledObjectSpec (kind kScaledObject or kPlainHpa) or a
// ScaledJobSpec.
template <typename Spec>
Variant MakeVariant(std::string label, const Spec& spec, std::vector<RabbitMqProtocol> protocols,
                    VariantKind kind) {
  Variant v;
  v.label = std::move(label);
  v.kind = kind;
  if constexpr (std::is_same_v<Spec, ScaledJobSpec>) {
    v.scaled_job = spec;
  } else {
    v.scaled_object = spec;
  }
  v.protocols = std::move(protocols);
  v.value = FirstValue(spec.triggers);
  return v;
}

// The other kind of KEDA object with the same triggers, polling interval and maximum, from 0.
template <typename To, typename From>
To SameScaling(const From& from) {
  To to;
  to.name = from.name;
  to.polling_interval = from.polling_interval;
  to.min_replica_count = 0;
  to.max_replica_count = from.max_replica_count;
  to.triggers = from.triggers;
  return to;
}

}  // namespace

std::vector<Variant> BuildVariants(const KedaObject& object,
                                   const std::vector<RabbitMqProtocol>& protocols,
                                   const VariantOptions& options) {
  constexpr auto kObject = VariantKind::kScaledObject;
  std::vector<Variant> variants;
  // The file as written, with the other protocol, and as the other kind of object; `so` is the
  // ScaledObject the remaining comparisons start from.
  const ScaledObjectSpec so = std::visit(
      [&](const auto& written) {
        using Written = std::decay_t<decltype(written)>;
        constexpr bool kIsJob = std::is_same_v<Written, ScaledJobSpec>;
        constexpr VariantKind kKind = kIsJob ? VariantKind::kScaledJob : kObject;
        variants.push_back(MakeVariant("as written", written, protocols, kKind));
        Written other = written;
        auto flipped = Flipped(other.triggers, protocols);
        variants.push_back(MakeVariant(std::string("protocol ") + ProtocolName(flipped.front()),
                                       other, flipped, kKind));
        if constexpr (kIsJob) {
          auto as_object = SameScaling<ScaledObjectSpec>(written);
          variants.push_back(MakeVariant("ScaledObject", as_object, protocols, kObject));
          return as_object;
        } else {
          // Each Job runs `pixfleet worker --max-tasks 1`: one message per Job, so value 1.
          auto as_job = SameScaling<ScaledJobSpec>(written);
          SetValue(as_job.triggers, 1);
          variants.push_back(
              MakeVariant("ScaledJob (value 1)", as_job, protocols, VariantKind::kScaledJob));
          return written;
        }
      },
      object);
  variants.push_back(MakeVariant("plain HPA (min 1)", so, protocols, VariantKind::kPlainHpa));
  ScaledObjectSpec paced = so;
  std::string paced_label = "no behavior block";
  if (so.behavior.has_value()) {
    paced.behavior.reset();
  } else {
    const HpaPolicy& p = options.gradual_scale_up;
    paced.behavior.emplace().scale_up.policies = {p};
    paced_label = "scale-up " + std::to_string(p.value) +
                  (p.type == HpaPolicy::Type::kPods ? " pods" : " %") + "/" +
                  std::to_string(p.period.count()) + "s";
  }
  variants.push_back(MakeVariant(paced_label, paced, protocols, kObject));
  Variant spared = MakeVariant("pod-deletion-cost", so, protocols, kObject);
  spared.deletion_cost = options.deletion_cost_interval;
  variants.push_back(std::move(spared));
  for (const double value : options.values) {
    ScaledObjectSpec swept = so;
    SetValue(swept.triggers, value);
    Variant v = MakeVariant("value " + FormatNumber(value), swept, protocols, kObject);
    v.value_sweep = true;
    variants.push_back(std::move(v));
  }
  return variants;
}

Recommendation Recommend(const std::vector<Variant>& variants,
                         const std::vector<SimResult>& results, double within_percent) {
  Recommendation out;
  out.rule =
      "the value with the fewest worker-seconds paid among those whose drain time is within " +
      FormatNumber(within_percent) + " % of the fastest value's";
  std::optional<Millis> fastest;
  for (size_t i = 0; i < variants.size(); ++i) {
    if (!variants[i].value_sweep || !results[i].drain_time.has_value()) continue;
    if (!fastest.has_value() || *results[i].drain_time < *fastest) fastest = results[i].drain_time;
  }
  if (!fastest.has_value()) {
    out.why = "no value drained the workload within the horizon";
    return out;
  }
  const double limit = static_cast<double>(fastest->count()) * (1 + within_percent / 100);
  std::optional<size_t> best;
  std::optional<size_t> smallest_value;
  for (size_t i = 0; i < variants.size(); ++i) {
    if (!variants[i].value_sweep || !results[i].drain_time.has_value()) continue;
    if (!smallest_value.has_value() || variants[i].value < variants[*smallest_value].value) {
      smallest_value = i;
    }
    if (static_cast<double>(results[i].drain_time->count()) > limit) continue;
    if (!best.has_value() || results[i].paid_seconds < results[*best].paid_seconds ||
        (results[i].paid_seconds == results[*best].paid_seconds &&
         variants[i].value > variants[*best].value)) {
      best = i;
    }
  }
  const SimResult& chosen = results[*best];
  out.value = variants[*best].value;
  const SimResult& low = results[*smallest_value];
  const auto secs = [](double s) { return FormatNumber(std::round(s)); };
  out.why = "value " + FormatNumber(*out.value) + " drains in " +
            secs(static_cast<double>(chosen.drain_time->count()) / 1000) + " s (fastest " +
            secs(static_cast<double>(fastest->count()) / 1000) + " s) and pays " +
            secs(chosen.paid_seconds) + " worker-seconds (" +
            secs(chosen.paid_seconds - chosen.busy_seconds) + " idle) with at most " +
            std::to_string(chosen.peak_pods) + " pods, against " + secs(low.paid_seconds) + " (" +
            secs(low.paid_seconds - low.busy_seconds) + " idle, " + std::to_string(low.peak_pods) +
            " pods) at value " + FormatNumber(variants[*smallest_value].value) +
            ": smaller targets start pods that pay their start-up and idle tail without finishing "
            "the queue much sooner";
  if (*best == *smallest_value) {
    out.why = "value " + FormatNumber(*out.value) + " drains in " +
              secs(static_cast<double>(chosen.drain_time->count()) / 1000) +
              " s and no larger target stays within the drain-time bound: here each extra pod "
              "still shortens the drain";
  } else if (chosen.paid_seconds == low.paid_seconds && chosen.drain_time == low.drain_time) {
    out.why = "every value from " + FormatNumber(variants[*smallest_value].value) + " to " +
              FormatNumber(*out.value) + " drains in " +
              secs(static_cast<double>(chosen.drain_time->count()) / 1000) + " s for " +
              secs(chosen.paid_seconds) +
              " worker-seconds here (the fleet is held at the same size, e.g. by "
              "maxReplicaCount); the largest asks for the fewest pods when the queue is shorter";
  }
  return out;
}

}  // namespace pixfleet::simulate
