#include "simulate/report_json.h"

#include <nlohmann/json.hpp>

namespace pixfleet::simulate {

std::string JsonReport(const std::vector<Variant>& variants, const std::vector<SimResult>& results,
                       const Recommendation& recommendation, uint64_t seed) {
  nlohmann::json doc;
  doc["tasks"] = results.empty() ? 0 : results.front().tasks;
  doc["seed"] = seed;
  doc["variants"] = nlohmann::json::array();
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    const SimResult& r = results[i];
    nlohmann::json row;
    row["label"] = v.label;
    row["kind"] = VariantKindName(v.kind);
    row["protocol"] = v.protocols.empty()                              ? "-"
                      : v.protocols.front() == RabbitMqProtocol::kHttp ? "http"
                                                                       : "amqp";
    row["value"] = v.value;
    row["drain_s"] = r.drain_time.has_value()
                         ? nlohmann::json(static_cast<double>(r.drain_time->count()) / 1000)
                         : nlohmann::json(nullptr);
    row["paid_s"] = r.paid_seconds;
    row["busy_s"] = r.busy_seconds;
    row["idle_s"] = r.paid_seconds - r.busy_seconds;
    row["interrupted"] = r.interrupted;
    row["busy_stopped"] = r.busy_stopped;
    row["deletion_cost"] = v.deletion_cost.has_value();
    row["peak_pods"] = r.peak_pods;
    row["peak_replicas"] = r.peak_replicas;
    row["pgbouncer_clients"] = r.peak_db_clients;
    row["pgbouncer_servers"] = r.peak_db_servers;
    doc["variants"].push_back(std::move(row));
  }
  doc["recommendation"] = {
      {"value", recommendation.value.has_value() ? nlohmann::json(*recommendation.value)
                                                 : nlohmann::json(nullptr)},
      {"rule", recommendation.rule},
      {"why", recommendation.why}};
  return doc.dump(2) + "\n";
}

}  // namespace pixfleet::simulate
