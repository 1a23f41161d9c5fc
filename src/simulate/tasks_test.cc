#include "simulate/tasks.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace pixfleet::simulate {
namespace {

using std::chrono::milliseconds;

TEST(TasksTest, ArrivalsOfEachKindInTimeOrder) {
  Workload workload;
  workload.arrivals = {BatchArrival{2, milliseconds(5000)},
                       SteadyArrival{2, milliseconds(0), milliseconds(2000)},
                       BurstArrival{1, milliseconds(1000), milliseconds(3000), 2}};
  workload.duration = FixedDuration{milliseconds(700)};
  const auto tasks = MakeTasks(workload, 1);
  // steady: 2/s for 2 s → 4 tasks at 0, 0.5, 1, 1.5 s; bursts: 1 at 1 s and 1 at 4 s; batch: 2 at 5
  // s.
  const int64_t expected[] = {0, 500, 1000, 1000, 1500, 4000, 5000, 5000};
  ASSERT_EQ(tasks.size(), std::size(expected));
  for (size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i].arrival.count(), expected[i]) << i;
    EXPECT_EQ(tasks[i].duration.count(), 700) << i;
  }
}

TEST(TasksTest, SameSeedSameTasksOtherSeedOtherDurations) {
  Workload workload;
  workload.arrivals = {BatchArrival{200, milliseconds(0)}};
  workload.duration = LognormalDuration{milliseconds(2000), milliseconds(8000)};
  const auto a = MakeTasks(workload, 42);
  const auto b = MakeTasks(workload, 42);
  const auto c = MakeTasks(workload, 43);
  ASSERT_EQ(a.size(), 200U);
  bool any_differs = false;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].duration, b[i].duration);
    any_differs = any_differs || a[i].duration != c[i].duration;
  }
  EXPECT_TRUE(any_differs);
}

TEST(TasksTest, LognormalHasTheGivenMedianAndP95Roughly) {
  Workload workload;
  workload.arrivals = {BatchArrival{4000, milliseconds(0)}};
  workload.duration = LognormalDuration{milliseconds(2000), milliseconds(8000)};
  auto tasks = MakeTasks(workload, 3);
  std::vector<int64_t> ms;
  for (const auto& t : tasks) ms.push_back(t.duration.count());
  std::sort(ms.begin(), ms.end());
  // 4000 samples: the sample quantiles are within ~10 % of the true ones with overwhelming odds.
  EXPECT_NEAR(static_cast<double>(ms[2000]), 2000, 200);
  EXPECT_NEAR(static_cast<double>(ms[3800]), 8000, 800);
}

TEST(TasksTest, UniformStaysInRangeAndEmpiricalDrawsOnlyItsSamples) {
  Workload workload;
  workload.arrivals = {BatchArrival{500, milliseconds(0)}};
  workload.duration = UniformDuration{milliseconds(1000), milliseconds(3000)};
  for (const auto& t : MakeTasks(workload, 9)) {
    EXPECT_GE(t.duration.count(), 1000);
    EXPECT_LE(t.duration.count(), 3000);
  }
  EmpiricalDuration empirical;
  empirical.samples = {milliseconds(111), milliseconds(222)};
  workload.duration = empirical;
  int seen_111 = 0;
  for (const auto& t : MakeTasks(workload, 9)) {
    ASSERT_TRUE(t.duration.count() == 111 || t.duration.count() == 222);
    seen_111 += t.duration.count() == 111 ? 1 : 0;
  }
  EXPECT_GT(seen_111, 150);  // about half of 500
  EXPECT_LT(seen_111, 350);
}

}  // namespace
}  // namespace pixfleet::simulate
