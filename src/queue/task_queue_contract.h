// The TaskQueue contract as a reusable piece: the fixture, the factory type a backend provides
// and helpers. The TEST_Ps themselves are in task_queue_contract.cc (the object library
// pixfleet_queue_contract); a test binary links it and instantiates them with its factories:
//   INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueContractTest, ::testing::ValuesIn(MyFactories()),
//                            contract::FactoryName);
// Backends differ where the port leaves room (RabbitMQ has no lease expiry, pushes deliveries
// asynchronously and cannot de-duplicate publishes): QueueCapabilities says which semantics a
// backend has, and cases needing a missing one are skipped with the reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/status.h"
#include "queue/dead_task.h"
#include "queue/task_queue.h"
#include "queue/task_queue_options.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {

// In the namespace of QueueDepth, where gtest looks for it.
void PrintTo(const QueueDepth& d, std::ostream* os);

namespace contract {

struct QueueCapabilities {
  // Leases lapse on the injected Clock (a FakeClock moves expiry), after which the task is
  // delivered again and the delivery limit applies.
  bool lease_expiry = true;
  // Retry delays and LeaseNext's max_wait are measured on the injected Clock.
  bool delays_follow_clock = true;
  // Publish de-duplicates by task id (and revives dead tasks in place).
  bool deduplicates_publish = true;
  // ReleaseLeases(consumer) returns that consumer's leases at once.
  bool releases_leases = true;
  // LeaseNext(0) sees every ready task at once, and a task counts as ready until leased (a
  // push-based broker prefetches deliveries, which then leave "ready").
  bool instant_delivery = true;
};

struct QueueFactory {
  std::string name;
  std::function<Result<std::unique_ptr<TaskQueue>>(const TempDir&, Clock&, const TaskQueueOptions&)>
      open;
  // ListDead is not on the port; each backend has its own.
  std::function<Result<std::vector<DeadTask>>(TaskQueue&)> list_dead;
  QueueCapabilities capabilities;
  // How long the fixture's LeaseNow waits (0 for backends with instant delivery).
  std::chrono::milliseconds lease_now_wait{0};
  // Non-empty: every case is skipped with this message (e.g. the service is not running).
  std::function<std::string()> skip_reason;
  // Called at the end of each case with the last queue opened (e.g. deletes broker queues).
  std::function<void(TaskQueue&)> tear_down;
};

inline void PrintTo(const QueueFactory& factory, std::ostream* os) { *os << factory.name; }
inline std::string FactoryName(const ::testing::TestParamInfo<QueueFactory>& info) {
  return info.param.name;
}

inline constexpr std::chrono::milliseconds kLease{10'000};

TaskQueueOptions DefaultOptions();
std::vector<TaskSpec> MakeTasks(int count, const std::string& prefix = "t");
QueueDepth Depth(int64_t ready, int64_t delayed, int64_t leased, int64_t dead);

class TaskQueueContractTest : public ::testing::TestWithParam<QueueFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<TaskQueue> Open(const TaskQueueOptions& options);
  // Leases waiting at most the factory's lease_now_wait; nullopt (and a failure) on error.
  std::optional<Lease> LeaseNow(TaskQueue& queue);
  std::optional<Lease> LeaseNow() { return LeaseNow(*queue_); }
  QueueDepth CurrentDepth();
  std::vector<DeadTask> ListDead();
  int64_t NowMillis() { return clock_.NowMillis(); }

  FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<TaskQueue> queue_;
};

}  // namespace contract
}  // namespace pixfleet
