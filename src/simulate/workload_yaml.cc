#include "simulate/workload_yaml.h"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace pixfleet::simulate {
namespace {

// One node and the path that names it in messages.
struct Field {
  const YAML::Node& node;
  std::string path;
};

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const std::string& path, const std::string& what) const {
    return InvalidArgument(std::string(source_) + ": " + path + ": " + what);
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // The node must be a map whose keys are all among `allowed`.
  Status ExpectMap(const YAML::Node& node, const std::string& path,
                   std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) return Error(path.empty() ? "(top level)" : path, "must be a mapping");
    for (const auto& entry : node) {
      const auto key = entry.first.as<std::string>();
      bool known = false;
      for (const std::string_view name : allowed) known = known || key == name;
      if (!known) {
        std::string names;
        for (const std::string_view name : allowed) {
          names += (names.empty() ? "" : ", ") + std::string(name);
        }
        return Error(Join(path, key), "unknown key (expected one of: " + names + ")");
      }
    }
    return Status::Ok();
  }

  Result<Millis> Duration(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) return Error(path, "must be a duration such as 10s");
    auto parsed = ParseDurationText(node.Scalar());
    if (!parsed.ok()) return Error(path, parsed.status().message());
    return parsed;
  }

  Result<double> Number(const YAML::Node& node, const std::string& path,
                        double min_exclusive) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error == std::errc() && end == text.data() + text.size() && std::isfinite(value) &&
          value > min_exclusive) {
        return value;
      }
    }
    return Error(path, "must be a number > " + std::to_string(static_cast<int>(min_exclusive)) +
                           ", got '" +
                           (node.IsScalar() ? node.Scalar() : std::string("(not a scalar)")) + "'");
  }

  Result<int64_t> Whole(const YAML::Node& node, const std::string& path, int64_t min) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      int64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error == std::errc() && end == text.data() + text.size() && value >= min) return value;
    }
    return Error(path, "must be a whole number >= " + std::to_string(min) + ", got '" +
                           (node.IsScalar() ? node.Scalar() : std::string("(not a scalar)")) + "'");
  }

  Result<std::string> Text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar() || node.Scalar().empty()) return Error(path, "must be a non-empty string");
    return node.Scalar();
  }

  Status Require(const YAML::Node& map, const std::string& path, std::string_view key) const {
    if (!map[std::string(key)]) return Error(Join(path, std::string(key)), "is required");
    return Status::Ok();
  }

  Result<Arrival> ReadArrival(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_RETURN_IF_ERROR(ExpectMap(node, path, {"batch", "steady", "bursts"}));
    if (node.size() != 1) return Error(path, "must have exactly one of batch, steady, bursts");
    if (const YAML::Node b = node["batch"]) {
      const std::string p = path + ".batch";
      PIXFLEET_RETURN_IF_ERROR(ExpectMap(b, p, {"tasks", "at"}));
      PIXFLEET_RETURN_IF_ERROR(Require(b, p, "tasks"));
      BatchArrival batch;
      PIXFLEET_ASSIGN_OR_RETURN(batch.tasks, Whole(b["tasks"], p + ".tasks", 0));
      if (b["at"]) {
        PIXFLEET_ASSIGN_OR_RETURN(batch.at, Duration(b["at"], p + ".at"));
      }
      return Arrival(batch);
    }
    if (const YAML::Node s = node["steady"]) {
      const std::string p = path + ".steady";
      PIXFLEET_RETURN_IF_ERROR(ExpectMap(s, p, {"rate", "for", "start"}));
      PIXFLEET_RETURN_IF_ERROR(Require(s, p, "rate"));
      PIXFLEET_RETURN_IF_ERROR(Require(s, p, "for"));
      SteadyArrival steady;
      PIXFLEET_ASSIGN_OR_RETURN(steady.rate, Number(s["rate"], p + ".rate", 0));
      PIXFLEET_ASSIGN_OR_RETURN(steady.duration, Duration(s["for"], p + ".for"));
      if (s["start"]) {
        PIXFLEET_ASSIGN_OR_RETURN(steady.start, Duration(s["start"], p + ".start"));
      }
      return Arrival(steady);
    }
    const YAML::Node b = node["bursts"];
    const std::string p = path + ".bursts";
    PIXFLEET_RETURN_IF_ERROR(ExpectMap(b, p, {"tasks", "every", "count", "start"}));
    for (const std::string_view key : {"tasks", "every", "count"}) {
      PIXFLEET_RETURN_IF_ERROR(Require(b, p, key));
    }
    BurstArrival bursts;
    PIXFLEET_ASSIGN_OR_RETURN(bursts.tasks, Whole(b["tasks"], p + ".tasks", 0));
    PIXFLEET_ASSIGN_OR_RETURN(bursts.every, Duration(b["every"], p + ".every"));
    PIXFLEET_ASSIGN_OR_RETURN(bursts.count, Whole(b["count"], p + ".count", 1));
    if (b["start"]) {
      PIXFLEET_ASSIGN_OR_RETURN(bursts.start, Duration(b["start"], p + ".start"));
    }
    return Arrival(bursts);
  }

  Result<DurationSpec> ReadDuration(const YAML::Node& node) const {
    const std::string path = "duration";
    PIXFLEET_RETURN_IF_ERROR(ExpectMap(node, path, {"fixed", "uniform", "lognormal", "results"}));
    if (node.size() != 1) {
      return Error(path, "must have exactly one of fixed, uniform, lognormal, results");
    }
    if (const YAML::Node f = node["fixed"]) {
      FixedDuration fixed;
      PIXFLEET_ASSIGN_OR_RETURN(fixed.value, Duration(f, "duration.fixed"));
      return DurationSpec(fixed);
    }
    if (const YAML::Node u = node["uniform"]) {
      PIXFLEET_ASSIGN_OR_RETURN(const auto range,
                                DurationPair(u, "duration.uniform", "min", "max"));
      return DurationSpec(UniformDuration{range.first, range.second});
    }
    if (const YAML::Node l = node["lognormal"]) {
      PIXFLEET_ASSIGN_OR_RETURN(const auto pair,
                                DurationPair(l, "duration.lognormal", "median", "p95"));
      if (pair.first.count() <= 0) return Error("duration.lognormal.median", "must be > 0");
      return DurationSpec(LognormalDuration{pair.first, pair.second});
    }
    const YAML::Node r = node["results"];
    PIXFLEET_RETURN_IF_ERROR(ExpectMap(r, "duration.results", {"db", "batch"}));
    for (const std::string_view key : {"db", "batch"}) {
      PIXFLEET_RETURN_IF_ERROR(Require(r, "duration.results", key));
    }
    EmpiricalDuration empirical;
    PIXFLEET_ASSIGN_OR_RETURN(empirical.results_db, Text(r["db"], "duration.results.db"));
    PIXFLEET_ASSIGN_OR_RETURN(empirical.batch_id, Text(r["batch"], "duration.results.batch"));
    return DurationSpec(empirical);
  }

  // A map of exactly two durations, `low` and `high`, with high >= low.
  Result<std::pair<Millis, Millis>> DurationPair(const YAML::Node& node, const std::string& path,
                                                 const std::string& low,
                                                 const std::string& high) const {
    PIXFLEET_RETURN_IF_ERROR(ExpectMap(node, path, {low, high}));
    PIXFLEET_RETURN_IF_ERROR(Require(node, path, low));
    PIXFLEET_RETURN_IF_ERROR(Require(node, path, high));
    std::pair<Millis, Millis> pair;
    PIXFLEET_ASSIGN_OR_RETURN(pair.first, Duration(node[low], path + "." + low));
    PIXFLEET_ASSIGN_OR_RETURN(pair.second, Duration(node[high], path + "." + high));
    if (pair.second < pair.first) return Error(path + "." + high, "must be >= " + low);
    return pair;
  }

  Status ReadWorker(const YAML::Node& node, PodSpec& pod) const {
    PIXFLEET_RETURN_IF_ERROR(
        ExpectMap(node, "worker", {"startup", "slots", "grace_period", "db_connections"}));
    if (node["startup"]) {
      PIXFLEET_ASSIGN_OR_RETURN(pod.startup, Duration(node["startup"], "worker.startup"));
    }
    if (node["grace_period"]) {
      PIXFLEET_ASSIGN_OR_RETURN(pod.grace_period,
                                Duration(node["grace_period"], "worker.grace_period"));
    }
    if (node["slots"]) {
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t slots, Whole(node["slots"], "worker.slots", 1));
      pod.slots = static_cast<int>(slots);
    }
    if (node["db_connections"]) {
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t n,
                                Whole(node["db_connections"], "worker.db_connections", 0));
      pod.db_connections = static_cast<int>(n);
    }
    return Status::Ok();
  }

 private:
  std::string_view source_;
};

}  // namespace

Result<Millis> ParseDurationText(std::string_view text) {
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  double scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (error != std::errc() || scale == 0 || !std::isfinite(number) || number < 0) {
    return InvalidArgument("must be a duration with a unit (500ms, 10s, 2m, 1h), got '" +
                           std::string(text) + "'");
  }
  return Millis(std::llround(number * scale));
}

Result<Workload> ParseWorkloadYaml(std::string_view yaml_text, std::string_view source_name) {
  const Reader reader(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source_name) + ": not valid YAML: " + e.what());
  }
  PIXFLEET_RETURN_IF_ERROR(reader.ExpectMap(
      root, "", {"arrivals", "duration", "worker", "pgbouncer", "horizon", "seed"}));
  Workload workload;
  const YAML::Node arrivals = root["arrivals"];
  if (!arrivals || !arrivals.IsSequence() || arrivals.size() == 0) {
    return reader.Error("arrivals", "is required: a list of batch, steady or bursts entries");
  }
  for (size_t i = 0; i < arrivals.size(); ++i) {
    PIXFLEET_ASSIGN_OR_RETURN(
        Arrival arrival, reader.ReadArrival(arrivals[i], "arrivals[" + std::to_string(i) + "]"));
    workload.arrivals.push_back(arrival);
  }
  if (!root["duration"]) return reader.Error("duration", "is required");
  PIXFLEET_ASSIGN_OR_RETURN(workload.duration, reader.ReadDuration(root["duration"]));
  if (root["worker"]) PIXFLEET_RETURN_IF_ERROR(reader.ReadWorker(root["worker"], workload.pod));
  if (const YAML::Node pgbouncer = root["pgbouncer"]) {
    PIXFLEET_RETURN_IF_ERROR(reader.ExpectMap(pgbouncer, "pgbouncer", {"pool_size"}));
    if (pgbouncer["pool_size"]) {
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t n,
                                reader.Whole(pgbouncer["pool_size"], "pgbouncer.pool_size", 1));
      workload.pgbouncer_pool_size = static_cast<int>(n);
    }
  }
  if (root["horizon"]) {
    PIXFLEET_ASSIGN_OR_RETURN(workload.horizon, reader.Duration(root["horizon"], "horizon"));
  }
  if (root["seed"]) {
    PIXFLEET_ASSIGN_OR_RETURN(const int64_t seed, reader.Whole(root["seed"], "seed", 0));
    workload.seed = static_cast<uint64_t>(seed);
  }
  return workload;
}

}  // namespace pixfleet::simulate
