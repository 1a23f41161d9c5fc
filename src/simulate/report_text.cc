#include "simulate/report_text.h"

#include <cstdio>

#include "scaling/hpa.h"

namespace pixfleet::simulate {
std::string TextReport(const std::vector<Variant>& variants, const std::vector<SimResult>& results,
                       const Recommendation& recommendation) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line),
                "%-22s %-12s %-5s %6s %10s %10s %9s %9s %12s %11s %9s %11s %11s\n", "variant",
                "kind", "proto", "value", "drain s", "paid w-s", "busy", "idle", "busy stopped",
                "interrupted", "peak pods", "pgb clients", "pgb servers");
  out += line;
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    const SimResult& r = results[i];
    char drain[32];
    if (r.drain_time.has_value()) {
      std::snprintf(drain, sizeof(drain), "%.1f",
                    static_cast<double>(r.drain_time->count()) / 1000);
    } else {
      std::snprintf(drain, sizeof(drain), "not drained");
    }
    const char* proto = v.protocols.empty()
                            ? "-"
                            : (v.protocols.front() == RabbitMqProtocol::kHttp ? "http" : "amqp");
    std::snprintf(line, sizeof(line),
                  "%-22s %-12s %-5s %6g %10s %10.0f %9.0f %9.0f %12lld %11lld %9d %11d %11d\n",
                  v.label.c_str(), VariantKindName(v.kind), proto, v.value, drain, r.paid_seconds,
                  r.busy_seconds, r.paid_seconds - r.busy_seconds,
                  static_cast<long long>(r.busy_stopped), static_cast<long long>(r.interrupted),
                  r.peak_pods, r.peak_db_clients, r.peak_db_servers);
    out += line;
  }
  out +=
      "\npaid: pod-seconds from creation to exit (start-up, idle time and grace periods "
      "included); busy: task time / slots; busy stopped: pods sent SIGTERM by a scale-down "
      "while holding a task; interrupted: tasks still unfinished at the end of the grace period, "
      "handed back and redone from the start; pgb clients: pods past start-up x "
      "db_connections; pgb servers: min(busy pods x db_connections, pool_size), an upper bound "
      "under transaction pooling.\n";
  for (size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].kind != VariantKind::kPlainHpa) continue;
    const auto queued = static_cast<double>(results[i].tasks);
    char note[256];
    std::snprintf(note, sizeof(note),
                  "%s: from 0 replicas the formula ceil(current x metric / value) gives "
                  "ceil(0 x %g / %g) = %d, so it can never leave zero: it is shown from 1 warm "
                  "pod that is never removed.\n",
                  variants[i].label.c_str(), queued, variants[i].value,
                  PlainHpaDesired(0, queued, variants[i].value));
    out += note;
  }
  out += "\nRecommendation (" + recommendation.rule + "): ";
  if (recommendation.value.has_value()) {
    char value[32];
    std::snprintf(value, sizeof(value), "%g", *recommendation.value);
    out += std::string("value: \"") + value + "\"\n  " + recommendation.why + ".\n";
  } else {
    out += "none — " + recommendation.why + ".\n";
  }
  return out;
}

}  // namespace pixfleet::simulate
