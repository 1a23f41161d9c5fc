#include "metrics/registry.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet::metrics {
namespace {

TEST(RegistryTest, RendersCountersGaugesAndHistogramsInPrometheusText) {
  Registry registry;
  auto& tasks = registry.AddCounter("pixfleet_tasks_total", "Tasks by outcome.", {"outcome"});
  auto& in_flight = registry.AddGauge("pixfleet_tasks_in_flight", "Tasks being processed.");
  auto& stage =
      registry.AddHistogram("pixfleet_stage_seconds", "Stage latency.", {"stage"}, {0.1, 1});
  tasks.With({"succeeded"}).Increment(3);
  tasks.With({"failed"}).Increment();
  in_flight.With().Set(2);
  stage.With({"fetch"}).Observe(0.05);
  stage.With({"fetch"}).Observe(0.5);
  stage.With({"fetch"}).Observe(7);
  EXPECT_EQ(registry.RenderText(),
            "# HELP pixfleet_tasks_total Tasks by outcome.\n"
            "# TYPE pixfleet_tasks_total counter\n"
            "pixfleet_tasks_total{outcome=\"failed\"} 1\n"
            "pixfleet_tasks_total{outcome=\"succeeded\"} 3\n"
            "# HELP pixfleet_tasks_in_flight Tasks being processed.\n"
            "# TYPE pixfleet_tasks_in_flight gauge\n"
            "pixfleet_tasks_in_flight 2\n"
            "# HELP pixfleet_stage_seconds Stage latency.\n"
            "# TYPE pixfleet_stage_seconds histogram\n"
            "pixfleet_stage_seconds_bucket{stage=\"fetch\",le=\"0.1\"} 1\n"
            "pixfleet_stage_seconds_bucket{stage=\"fetch\",le=\"1\"} 2\n"
            "pixfleet_stage_seconds_bucket{stage=\"fetch\",le=\"+Inf\"} 3\n"
            "pixfleet_stage_seconds_sum{stage=\"fetch\"} 7.55\n"
            "pixfleet_stage_seconds_count{stage=\"fetch\"} 3\n");
}

TEST(RegistryTest, LabelValuesAreEscapedAndCountersNeverGoDown) {
  Registry registry;
  auto& errors = registry.AddCounter("errors_total", "Errors.", {"class"});
  errors.With({"a \"quoted\"\\path\nnext"}).Increment(2);
  errors.With({"a \"quoted\"\\path\nnext"}).Increment(-5);
  EXPECT_NE(registry.RenderText().find(R"(errors_total{class="a \"quoted\"\\path\nnext"} 2)"),
            std::string::npos)
      << registry.RenderText();
}

TEST(RegistryTest, ConcurrentRecordingLosesNothing) {
  Registry registry;
  auto& counter = registry.AddCounter("c_total", "C.", {"k"});
  auto& histogram = registry.AddHistogram("h", "H.", {}, LatencyBuckets());
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        counter.With({i % 2 == 0 ? "even" : "odd"}).Increment();
        histogram.With().Observe(0.003);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.With({"even"}).Value() + counter.With({"odd"}).Value(), 40'000);
  EXPECT_EQ(histogram.With().Count(), 40'000u);
  EXPECT_NEAR(histogram.With().Sum(), 120, 1e-6);
}

}  // namespace
}  // namespace pixfleet::metrics
