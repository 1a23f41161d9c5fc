#include "scaling/scaled_object.h"

#include <algorithm>

#include <fmt/format.h>

#include "scaling/scale_format.h"

namespace pixfleet {
namespace {

HpaSpec HpaFor(const ScaledObjectSpec& spec, HpaSpec hpa) {
  // What KEDA writes into the HPA it creates (controllers/keda/hpa.go).
  hpa.min_replicas = std::max(1, spec.min_replica_count);
  hpa.max_replicas = spec.max_replica_count;
  hpa.behavior = spec.behavior;
  return hpa;
}

std::string Append(std::string text, const std::string& more) {
  if (more.empty()) return text;
  return text.empty() ? more : text + "; " + more;
}

}  // namespace

ScaledObjectController::ScaledObjectController(ScaledObjectSpec spec,
                                               std::vector<RabbitMqProtocol> resolved_protocols,
                                               ScaleTime created, const HpaSpec& hpa_defaults)
    : spec_(std::move(spec)),
      protocols_(std::move(resolved_protocols)),
      created_(created),
      hpa_(HpaFor(spec_, hpa_defaults)),
      next_keda_(created),
      next_hpa_(created + hpa_defaults.sync_period),
      consecutive_failures_(spec_.triggers.size(), 0) {
  // A caller that resolved fewer protocols than triggers gets AMQP (ready messages) for the
  // rest rather than a read past the end.
  protocols_.resize(spec_.triggers.size(), RabbitMqProtocol::kAmqp);
}

ScaleTime ScaledObjectController::NextDue() const { return std::min(next_keda_, next_hpa_); }

ScaledObjectController::Query ScaledObjectController::QueryTriggers(
    std::span<const TriggerSample> samples, const PodCounts& pods) {
  Query query;
  for (size_t i = 0; i < spec_.triggers.size(); ++i) {
    const RabbitMqTrigger& trigger = spec_.triggers[i];
    const std::string label = fmt::format("trigger {}", i);
    if (i < samples.size() && samples[i].ok()) {
      consecutive_failures_[i] = 0;
      const TriggerReading reading = ReadTrigger(trigger, protocols_[i], *samples[i]);
      query.metrics.push_back({trigger.metric_type, trigger.value, reading.metric});
      if (i == 0) query.metric = reading.metric;
      if (reading.active) {
        query.active = true;
        if (query.activity.empty()) {
          query.activity =
              fmt::format("metric {} > activationValue {}", FormatMetric(reading.metric),
                          FormatMetric(trigger.activation_value));
        }
      }
      continue;
    }
    const int failures = ++consecutive_failures_[i];
    const std::string error =
        i < samples.size() ? samples[i].error().ToString() : std::string("no sample given");
    std::optional<double> served = FallbackMetric(trigger, failures, pods);
    if (served) {
      // A trigger on its fallback counts as active (scale_handler.go), so no scale to zero.
      query.fallback = true;
      query.active = true;
      query.metrics.push_back({trigger.metric_type, trigger.value, *served});
      if (i == 0) query.metric = *served;
      query.activity = Append(
          query.activity,
          fmt::format("{} failed {} times in a row (> failureThreshold {}): fallback metric {}",
                      label, failures, spec_.fallback->failure_threshold, FormatMetric(*served)));
      continue;
    }
    query.error = true;
    query.metrics.push_back({trigger.metric_type, trigger.value, std::nullopt});
    if (query.failure.empty()) {
      query.failure = fmt::format("{} failed ({}{})", label, error,
                                  failures > 1 ? fmt::format(", {} times in a row", failures) : "");
    }
  }
  if (query.activity.empty() && !spec_.triggers.empty() && !query.error) {
    query.activity = fmt::format("metric {} <= activationValue {}", FormatMetric(query.metric),
                                 FormatMetric(spec_.triggers[0].activation_value));
  }
  return query;
}

std::optional<double> ScaledObjectController::FallbackMetric(const RabbitMqTrigger& trigger,
                                                             int failures,
                                                             const PodCounts& pods) const {
  // pkg/fallback/fallback.go: strictly more failures than the threshold.
  if (!spec_.fallback || failures <= spec_.fallback->failure_threshold) return std::nullopt;
  const Fallback& fallback = *spec_.fallback;
  double replicas = fallback.replicas;
  switch (fallback.behavior) {
    case FallbackBehavior::kStatic:
      break;
    case FallbackBehavior::kCurrentReplicas:
      replicas = pods.current;
      break;
    case FallbackBehavior::kCurrentReplicasIfHigher:
      replicas = std::max(pods.current, fallback.replicas);
      break;
    case FallbackBehavior::kCurrentReplicasIfLower:
      replicas = std::min(pods.current, fallback.replicas);
      break;
  }
  if (trigger.metric_type == MetricTargetType::kValue) {
    // A Value target is compared with the whole metric, so it is spread over the ready pods;
    // KEDA reports an error when none is ready.
    if (pods.ready <= 0) return std::nullopt;
    replicas /= pods.ready;
  }
  return trigger.value * replicas;
}

std::string ScaledObjectController::KedaStep(ScaleTime now, const Query& query, int& replicas) {
  // RequestScale (pkg/scaling/executor/scale_scaledobjects.go).
  const int current = replicas;
  const int min = spec_.min_replica_count;
  const std::optional<int> idle = spec_.idle_replica_count;
  if (query.active) {
    if ((idle && current < min) || current == 0) {
      replicas = min > 0 ? min : 1;
      last_active_ = now;
      return fmt::format("activated ({}): {} -> {}", query.activity, current, replicas);
    }
    if (query.error) {
      return fmt::format("active ({}), but {}: last active time not refreshed", query.activity,
                         query.failure);
    }
    last_active_ = now;
    return fmt::format("active ({})", query.activity);
  }
  if (query.error && spec_.fallback && spec_.fallback->replicas != 0) {
    return fmt::format(
        "{}; waiting for the fallback (after more than {} failures), not "
        "scaling to zero meanwhile",
        query.failure, spec_.fallback->failure_threshold);
  }
  if (query.error && !spec_.fallback) {
    return query.failure + " and there is no fallback: never scales to zero on an error";
  }
  if ((idle && current > *idle) || (current > 0 && min == 0)) {
    const int to = idle.value_or(min);
    // scaleToZeroOrIdle: initialCooldownPeriod counts from creation only while the object has
    // never been active, and cooldownPeriod is not added to it.
    const ScaleTime since = last_active_.value_or(created_);
    const ScaleTime wait =
        last_active_ ? ScaleTime(spec_.cooldown_period) : ScaleTime(spec_.initial_cooldown_period);
    const char* what = last_active_ ? "cooldownPeriod" : "initialCooldownPeriod";
    const char* from = last_active_ ? "last active" : "created";
    if (since + wait < now) {
      replicas = to;
      return fmt::format("inactive ({}) and {} {} passed ({} {} ago): {} -> {}", query.activity,
                         what, FormatScaleTime(wait), from, FormatScaleTime(now - since), current,
                         to);
    }
    return fmt::format("inactive ({}); waiting out {} {} ({} {} ago)", query.activity, what,
                       FormatScaleTime(wait), from, FormatScaleTime(now - since));
  }
  if (!idle && current < min) {
    replicas = min;
    return fmt::format("inactive ({}), below minReplicaCount: {} -> {}", query.activity, current,
                       min);
  }
  return Append(fmt::format("inactive ({})", query.activity), query.failure);
}

ScaleDecision ScaledObjectController::Step(ScaleTime now, std::span<const TriggerSample> samples,
                                           const PodCounts& pods) {
  ScaleDecision decision;
  decision.replicas = pods.current;
  const bool keda_due = now >= next_keda_;
  const bool hpa_due = now >= next_hpa_;
  if (!keda_due && !hpa_due) {
    decision.reason = fmt::format("nothing due before {}", FormatScaleTime(NextDue()));
    return decision;
  }
  PodCounts after = pods;
  std::string reason;
  if (keda_due) {
    const Query query = QueryTriggers(samples, after);
    reason = "keda: " + KedaStep(now, query, after.current);
    decision.loop = "keda";
    decision.metric = query.metric;
    decision.active = query.active;
    decision.error = query.error;
    decision.fallback = query.fallback;
    // KEDA sleeps pollingInterval after each check.
    next_keda_ = now + spec_.polling_interval;
  }
  if (hpa_due) {
    const HpaSpec& hpa = hpa_.spec();
    // The HPA reads the metrics only when it computes (it does nothing at 0 replicas and
    // clamps without reading outside [min, max]); each read is a live query of the trigger.
    Query query;
    const bool reads =
        after.current > 0 && after.current >= hpa.min_replicas && after.current <= hpa.max_replicas;
    if (reads) query = QueryTriggers(samples, after);
    const HpaDecision hpa_decision =
        hpa_.Reconcile(now, after.current, after.status, after.ready, query.metrics);
    decision.hpa_desired = hpa_decision.metric_desired;
    std::string line = "hpa: " + hpa_decision.reason;
    if (reads && (query.error || query.fallback)) {
      line += " (" + Append(query.failure, query.fallback ? query.activity : "") + ")";
    }
    reason = Append(reason, line);
    // The HPA decides when it acts on running pods, or when it alone was due.
    if (after.current > 0 || !keda_due) decision.loop = "hpa";
    if (!keda_due && reads) {
      decision.metric = query.metric;
      decision.active = query.active;
      decision.error = query.error;
      decision.fallback = query.fallback;
    }
    after.current = hpa_decision.replicas;
    // The HPA controller resyncs on a fixed period, whenever it is asked.
    while (next_hpa_ <= now) next_hpa_ += hpa.sync_period;
  }
  decision.replicas = after.current;
  decision.changed = decision.replicas != pods.current;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace pixfleet
