// `pixfleet scale` against the real RabbitMQ with KEDA's own end-to-end settings for its RabbitMQ
// scaler (pollingInterval 5, cooldownPeriod 10, minReplicaCount 0, maxReplicaCount 4, mode
// QueueLength, value "10", activationValue "5"), running real `pixfleet worker` processes that
// process real images into PostgreSQL and S3 (harness: distributed_harness.h):
//   * 3 tasks queued (not above the activation value): no worker over four polls (20 s);
//   * 100 more: 4 workers (KEDA activates 0 -> 1, the HPA's next sync goes to max(2 x 1, 4));
//   * the queue drained: back to 0 workers after the cooldown;
//   * every task has exactly one succeeded row, and no worker was killed.
// It prints how long each step took (not asserted: the machine is shared); the bounds below are
// what "it happens at all" means, minutes wider than the expected seconds.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

using ScaleE2eTest = DistributedTest;

// The variable the ScaledObject's hostFromEnv names (the scale process inherits it).
constexpr const char* kHostVariable = "PIXFLEET_SCALE_E2E_AMQP_HOST";

std::string ScaledObjectYaml(const std::string& queue) {
  return R"(apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: pixfleet-worker
spec:
  scaleTargetRef:
    name: pixfleet-worker
  pollingInterval: 5
  cooldownPeriod: 10
  minReplicaCount: 0
  maxReplicaCount: 4
  triggers:
    - type: rabbitmq
      metadata:
        protocol: amqp
        queueName: )" +
         queue + R"(
        mode: QueueLength
        value: "10"
        activationValue: "5"
        hostFromEnv: )" +
         kHostVariable + "\n";
}

// Milliseconds since the epoch of a JSON log line's "time" (2026-12-01T10:12:21.123Z).
std::optional<int64_t> LogTimeMillis(const std::string& time) {
  std::tm utc{};
  std::istringstream in(time);
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  int millis = 0;
  char dot = 0;
  in >> dot >> millis;
  return static_cast<int64_t>(timegm(&utc)) * 1000 + millis;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The messages of the scale process's JSON log lines, with their times.
std::vector<std::pair<int64_t, std::string>> LogMessages(const std::string& err) {
  std::vector<std::pair<int64_t, std::string>> messages;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("message") || !json.contains("time")) continue;
    const auto at = LogTimeMillis(json["time"].get<std::string>());
    if (at) messages.emplace_back(*at, json["message"].get<std::string>());
  }
  return messages;
}

TEST_F(ScaleE2eTest, KedaEndToEndSettingsActivationScaleOutAndBackToZero) {
  ASSERT_EQ(setenv(kHostVariable, Env("PIXFLEET_TEST_AMQP_URL").c_str(), 1), 0);
  const fs::path yaml = dir_.path() / "scaledobject.yaml";
  std::ofstream(yaml) << ScaledObjectYaml(name_);

  // 3 tasks, then the scaler with its workers (which run until stopped, as a Deployment's).
  const std::vector<Input> first = WriteTinyInputs(source_, 3);
  const std::string first_batch = Submit(first.size());
  ASSERT_FALSE(first_batch.empty());
  // Each task takes at least 1.5 s in a worker (the test hook), one at a time: one worker alone
  // would need minutes for 100, so the scale-out is seen, as in KEDA's test with its slow
  // consumer. Only the workers get the hook (they inherit it from the scaler).
  ASSERT_EQ(setenv("PIXFLEET_FAULT_SLOW_INPUT", "tiny/:1500", 1), 0);
  ChildProcess scale(
      PixfleetBinary(),
      {"scale", "--scaledobject", yaml.string(), "--log-format", "json", "--", PixfleetBinary(),
       "worker", "--queue", queue_url_, "--db", db_url_, "--concurrency", "1"},
      scratch_.string());
  ASSERT_EQ(unsetenv("PIXFLEET_FAULT_SLOW_INPUT"), 0);

  // Four polls (pollingInterval 5) below the activation value: no worker at any moment.
  size_t most_children = 0;
  const auto quiet_until = SteadyClock::now() + seconds(20);
  while (SteadyClock::now() < quiet_until) {
    most_children = std::max(most_children, scale.Children().size());
    ASSERT_FALSE(HasExited(scale.Pid())) << scale.Wait(seconds(1)).err;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(most_children, 0u) << "workers started for 3 tasks (activationValue 5)";

  // 100 more.
  const fs::path more = dir_.path() / "more";
  const std::vector<Input> second = WriteTinyInputs(more, 100);
  const auto submitted = RunPixfleet({"submit", more.string(), "--recipe", Std3(), "--queue",
                                      queue_url_, "--db", db_url_, "--out", out_url_},
                                     scratch_.string());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  const std::string second_batch = BatchIdFrom(submitted.out);
  ASSERT_FALSE(second_batch.empty()) << submitted.out;
  const auto published = SteadyClock::now();
  const int64_t published_ms = NowMillis();

  // Up to 4 workers.
  std::optional<double> four_after_s;
  size_t most_after = 0;
  const auto scale_out_limit = published + seconds(120);
  while (SteadyClock::now() < scale_out_limit) {
    const size_t children = scale.Children().size();
    most_after = std::max(most_after, children);
    if (children == 4 && !four_after_s) four_after_s = SecondsSince(published);
    if (FinishedRows(first_batch) + FinishedRows(second_batch) == 103) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(four_after_s.has_value()) << "never 4 workers (at most " << most_after << ")";
  EXPECT_LE(most_after, 4u) << "more workers than maxReplicaCount";

  // Every task done, then back to zero workers.
  const auto drain_limit = published + seconds(300);
  while (FinishedRows(first_batch) + FinishedRows(second_batch) < 103 &&
         SteadyClock::now() < drain_limit) {
    most_after = std::max(most_after, scale.Children().size());
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(FinishedRows(first_batch) + FinishedRows(second_batch), 103);
  const auto drained = SteadyClock::now();
  const double drain_s = SecondsSince(published);
  std::optional<double> zero_after_s;
  while (SteadyClock::now() < drained + seconds(120)) {
    if (scale.Children().empty()) {
      zero_after_s = SecondsSince(drained);
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(zero_after_s.has_value()) << "workers still running 120 s after the queue drained";

  scale.Signal(SIGTERM);
  const ProcessOutcome outcome = scale.Wait(seconds(60));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;

  // The decisions, from the scaler's own log.
  std::optional<int64_t> activation_ms;
  std::optional<int64_t> first_decision_of_four_ms;
  int killed = 0;
  int decisions = 0;
  for (const auto& [at, message] : LogMessages(outcome.err)) {
    if (message.starts_with("scale: metric=")) ++decisions;
    // The scaler's own lines about changes, for the test's log.
    if (message.starts_with("scale: metric=") && message.find(" -> ") != std::string::npos &&
        message.find("<->") == std::string::npos) {
      std::cout << "[ info ] +" << static_cast<double>(at - published_ms) / 1000.0 << " s "
                << message << "\n";
    }
    if (message.starts_with("scale: stopping replica")) {
      std::cout << "[ info ] +" << static_cast<double>(at - published_ms) / 1000.0 << " s "
                << message << "\n";
    }
    if (!activation_ms && at >= published_ms && message.find(" desired=1 ") != std::string::npos) {
      activation_ms = at - published_ms;
    }
    if (!first_decision_of_four_ms && at >= published_ms &&
        message.find(" desired=4 ") != std::string::npos) {
      first_decision_of_four_ms = at - published_ms;
    }
    // Killed by the scaler, or a task handed back by a worker at its grace deadline: both
    // interrupt work (the worker's lines come through as "replica N: ...").
    if (message.find("after the grace period") != std::string::npos ||
        message.find("the grace period is over") != std::string::npos) {
      ++killed;
    }
  }
  EXPECT_GT(decisions, 0) << outcome.err;
  EXPECT_TRUE(first_decision_of_four_ms.has_value()) << outcome.err;
  EXPECT_EQ(killed, 0) << "work was interrupted:\n" << outcome.err;

  std::cout << "[ info ] publish of 100 -> activation (0 -> 1): "
            << (activation_ms ? static_cast<double>(*activation_ms) / 1000.0 : -1)
            << " s; -> first decision of 4: "
            << (first_decision_of_four_ms ? static_cast<double>(*first_decision_of_four_ms) / 1000.0
                                          : -1)
            << " s; -> 4 workers running: " << (four_after_s ? *four_after_s : -1)
            << " s; all 103 done " << drain_s
            << " s after the publish; queue drained -> 0 workers: "
            << (zero_after_s ? *zero_after_s : -1) << " s\n";

  ExpectEveryInputDoneOnce(first_batch, first);
  ExpectEveryInputDoneOnce(second_batch, second);
}

}  // namespace
}  // namespace pixfleet::e2e
