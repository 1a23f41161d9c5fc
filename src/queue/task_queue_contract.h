// The TaskQueue contracts as a reusable piece: the fixture, the factory a backend provides and
// helpers. The TEST_Ps are in the object library pixfleet_queue_contract:
//   task_queue_contract.cc             the port (task_queue.h): every backend runs every case
//   expiring_leases_contract.cc        ExpiringLeases, for the backends that have it
//   lease_releaser_contract.cc         LeaseReleaser, likewise
//   deduplicating_publish_contract.cc  DeduplicatingPublish, likewise
// A test binary links it and instantiates each suite its backends claim, e.g.
//   INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueContractTest, ::testing::ValuesIn(MyFactories()),
//                            contract::FactoryName);
// A capability suite instantiated for a backend that lacks the capability fails; nothing is
// skipped for a missing capability. What differs between backends without being a capability is
// how the test drives them, which the factory says: how time passes for them (virtual time on a
// FakeClock, or the broker's real time), how long a delivery takes to arrive, and how to make
// them lose their consumer's leases.
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
#include "queue/task_queue_handle.h"
#include "queue/task_queue_options.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {

// In the namespace of QueueDepth, where gtest looks for it.
void PrintTo(const QueueDepth& d, std::ostream* os);

namespace contract {

inline constexpr std::chrono::milliseconds kLease{10'000};

struct QueueFactory {
  std::string name;
  // Opens the backend on `clock` (see real_time) with `options`. Within one test case every call
  // must open the same queue (a broker queue name per case, a file in the case's TempDir).
  std::function<Result<TaskQueueHandle>(const TempDir&, Clock&, const TaskQueueOptions&)> open;
  // ListDead is not on the port; each backend has its own.
  std::function<Result<std::vector<DeadTask>>(TaskQueue&)> list_dead;
  // Makes `queue` lose every lease taken through it, as the death of its consumer would: the
  // expiring-lease backends by moving `clock` past the lease (LapseLeases), a broker by cutting
  // the consumer's connection.
  std::function<void(TaskQueue& queue, FakeClock& clock)> lose_leases;
  // The backend's delays and waits run on real time (a broker's TTLs and sockets): it is opened
  // on the real clock, and the cases measure with it. Otherwise on the fixture's FakeClock.
  bool real_time = false;
  // How long LeaseNext may take to return a task that is known to be deliverable (a broker
  // pushes deliveries asynchronously): a generous bound, not a delay.
  std::chrono::milliseconds ready_wait{0};
  // How long LeaseNext waits before the cases conclude that nothing is deliverable.
  std::chrono::milliseconds quiet_wait{0};
  // Non-empty: every case is skipped with this message (the service is not running).
  std::function<std::string()> skip_reason;
  // Called at the end of each case with the last queue opened (e.g. deletes broker queues).
  std::function<void(TaskQueue&)> tear_down;
};

inline void PrintTo(const QueueFactory& factory, std::ostream* os) { *os << factory.name; }
inline std::string FactoryName(const ::testing::TestParamInfo<QueueFactory>& info) {
  return info.param.name;
}

// QueueFactory::lose_leases of the expiring-lease backends.
void LapseLeases(TaskQueue& queue, FakeClock& clock);

TaskQueueOptions DefaultOptions();
std::vector<TaskSpec> MakeTasks(int count, const std::string& prefix = "t");
QueueDepth Depth(int64_t ready, int64_t delayed, int64_t leased, int64_t dead);

class TaskQueueContractTest : public ::testing::TestWithParam<QueueFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the case's queue (a failure if it does not open). Every case opens it once, first: a
  // broker refuses to declare one queue again with other options.
  bool Open(const TaskQueueOptions& options = DefaultOptions());
  // REQUIRES: Open succeeded.
  TaskQueue& Queue() { return *handle_; }
  TaskQueueHandle& Handle() { return handle_; }

  // A task known to be deliverable, waiting up to the factory's ready_wait (a failure if none).
  std::optional<Lease> LeaseReady();
  // True when LeaseNext delivers nothing within the factory's quiet_wait (fails otherwise).
  void ExpectNothingDeliverable(const std::string& why);
  QueueDepth CurrentDepth();
  // The depth once it equals `expected` (a broker applies some effects after replying), or the
  // last one read after a generous while.
  QueueDepth DepthBecomes(const QueueDepth& expected);
  std::vector<DeadTask> ListDead();
  void LoseLeases() { GetParam().lose_leases(Queue(), fake_clock_); }
  int64_t NowMillis() { return BackendClock().NowMillis(); }
  // The clock the backend runs on: the FakeClock, or the real one (QueueFactory::real_time).
  Clock& BackendClock();

  FakeClock fake_clock_;
  TempDir dir_;

 private:
  TaskQueueHandle handle_;
};

// The capability suites: SetUp opens the queue with DefaultOptions() and asserts that the
// backend has the capability.
class ExpiringLeasesContractTest : public TaskQueueContractTest {
 protected:
  void SetUp() override;
  ExpiringLeases& Leases() { return *Handle().AsExpiringLeases(); }
};

class LeaseReleaserContractTest : public TaskQueueContractTest {
 protected:
  void SetUp() override;
  LeaseReleaser& Releaser() { return *Handle().AsLeaseReleaser(); }
};

class DeduplicatingPublishContractTest : public TaskQueueContractTest {
 protected:
  void SetUp() override;
  DeduplicatingPublish& Publisher() { return *Handle().AsDeduplicatingPublish(); }
};

}  // namespace contract
}  // namespace pixfleet
