#include "simulate/workload_yaml.h"

#include <gtest/gtest.h>

namespace pixfleet::simulate {
namespace {

using std::chrono::milliseconds;

TEST(WorkloadYamlTest, ReadsEveryField) {
  const auto workload = ParseWorkloadYaml(R"(
arrivals:
  - batch: {tasks: 100, at: 5s}
  - steady: {rate: 2.5, for: 1m, start: 10s}
  - bursts: {tasks: 50, every: 2m, count: 3}
duration:
  lognormal: {median: 2s, p95: 8s}
worker: {startup: 12s, slots: 4, grace_period: 20s, db_connections: 2}
pgbouncer: {pool_size: 30}
horizon: 2h
seed: 7
)",
                                          "w.yaml");
  ASSERT_TRUE(workload.ok()) << workload.error().ToString();
  ASSERT_EQ(workload->arrivals.size(), 3U);
  const auto& batch = std::get<BatchArrival>(workload->arrivals[0]);
  EXPECT_EQ(batch.tasks, 100);
  EXPECT_EQ(batch.at, milliseconds(5000));
  const auto& steady = std::get<SteadyArrival>(workload->arrivals[1]);
  EXPECT_DOUBLE_EQ(steady.rate, 2.5);
  EXPECT_EQ(steady.duration, milliseconds(60000));
  EXPECT_EQ(steady.start, milliseconds(10000));
  const auto& bursts = std::get<BurstArrival>(workload->arrivals[2]);
  EXPECT_EQ(bursts.tasks, 50);
  EXPECT_EQ(bursts.every, milliseconds(120000));
  EXPECT_EQ(bursts.count, 3);
  EXPECT_EQ(bursts.start, milliseconds(0));
  const auto& lognormal = std::get<LognormalDuration>(workload->duration);
  EXPECT_EQ(lognormal.median, milliseconds(2000));
  EXPECT_EQ(lognormal.p95, milliseconds(8000));
  EXPECT_EQ(workload->pod.startup, milliseconds(12000));
  EXPECT_EQ(workload->pod.slots, 4);
  EXPECT_EQ(workload->pod.grace_period, milliseconds(20000));
  EXPECT_EQ(workload->pod.db_connections, 2);
  EXPECT_EQ(workload->pgbouncer_pool_size, 30);
  EXPECT_EQ(workload->horizon, milliseconds(7'200'000));
  EXPECT_EQ(workload->seed, 7U);
}

TEST(WorkloadYamlTest, DefaultsAndResultsSource) {
  const auto workload = ParseWorkloadYaml(
      "arrivals: [{batch: {tasks: 3}}]\nduration: {results: {db: 'sqlite:///r.db', batch: b1}}\n",
      "w.yaml");
  ASSERT_TRUE(workload.ok()) << workload.error().ToString();
  const auto& empirical = std::get<EmpiricalDuration>(workload->duration);
  EXPECT_EQ(empirical.results_db, "sqlite:///r.db");
  EXPECT_EQ(empirical.batch_id, "b1");
  EXPECT_TRUE(empirical.samples.empty());
  EXPECT_EQ(workload->pod.slots, 1);
  EXPECT_EQ(workload->pod.grace_period, milliseconds(25000));
  EXPECT_FALSE(workload->seed.has_value());
}

TEST(WorkloadYamlTest, ErrorsNameTheFileAndTheField) {
  const struct {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"arrivals: [{batch: {tasks: 3}}]\nduration: {fixed: 1s}\nworkers: {}\n",
       "w.yaml: workers: unknown key (expected one of: arrivals, duration, worker, pgbouncer, "
       "horizon, seed)"},
      {"arrivals: [{batch: {tasks: x}}]\nduration: {fixed: 1s}\n",
       "w.yaml: arrivals[0].batch.tasks: must be a whole number >= 0, got 'x'"},
      {"arrivals: [{batch: {tasks: 3, when: 1s}}]\nduration: {fixed: 1s}\n",
       "w.yaml: arrivals[0].batch.when: unknown key (expected one of: tasks, at)"},
      {"arrivals: [{steady: {rate: 2}}]\nduration: {fixed: 1s}\n",
       "w.yaml: arrivals[0].steady.for: is required"},
      {"arrivals: [{batch: {tasks: 3}}]\nduration: {fixed: 10}\n",
       "w.yaml: duration.fixed: must be a duration with a unit (500ms, 10s, 2m, 1h), got '10'"},
      {"arrivals: [{batch: {tasks: 3}}]\nduration: {fixed: 1s, uniform: {min: 1s, max: 2s}}\n",
       "w.yaml: duration: must have exactly one of fixed, uniform, lognormal, results"},
      {"arrivals: [{batch: {tasks: 3}}]\nduration: {lognormal: {median: 5s, p95: 1s}}\n",
       "w.yaml: duration.lognormal.p95: must be >= median"},
      {"arrivals: [{batch: {tasks: 3}}]\nduration: {fixed: 1s}\nworker: {slots: 0}\n",
       "w.yaml: worker.slots: must be a whole number >= 1, got '0'"},
      {"duration: {fixed: 1s}\n",
       "w.yaml: arrivals: is required: a list of batch, steady or bursts entries"},
      {"arrivals: [{batch: {tasks: 3}}]\n", "w.yaml: duration: is required"},
  };
  for (const auto& c : cases) {
    const auto workload = ParseWorkloadYaml(c.yaml, "w.yaml");
    ASSERT_FALSE(workload.ok()) << c.yaml;
    EXPECT_EQ(workload.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(workload.error().message(), c.message) << c.yaml;
  }
}

TEST(WorkloadYamlTest, DurationText) {
  const struct {
    const char* text;
    int64_t ms;
  } good[] = {{"500ms", 500}, {"10s", 10000},  {"1.5s", 1500},
              {"2m", 120000}, {"1h", 3600000}, {"0s", 0}};
  for (const auto& c : good) {
    const auto parsed = ParseDurationText(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed->count(), c.ms) << c.text;
  }
  for (const char* bad : {"10", "s", "-1s", "1d", "", "1 s"})
    EXPECT_FALSE(ParseDurationText(bad).ok()) << bad;
}

}  // namespace
}  // namespace pixfleet::simulate
