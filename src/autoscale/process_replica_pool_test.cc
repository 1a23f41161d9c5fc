// ProcessReplicaPool with real /bin/sh children: the status pipe, SIGTERM, the grace period and
// SIGKILL, exits as they happen. Waits are bounded polls (a child is slow on a busy machine),
// never assertions on how long something took.
#include "autoscale/process_replica_pool.h"

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Polls `pool` until `done` says so (at most 30 s); returns every exit seen.
template <typename Done>
std::vector<ReplicaExit> PollUntil(ProcessReplicaPool& pool, Done done) {
  std::vector<ReplicaExit> exits;
  const auto limit = std::chrono::steady_clock::now() + seconds(30);
  while (!done(pool, exits) && std::chrono::steady_clock::now() < limit) {
    for (ReplicaExit& exited : pool.Poll()) exits.push_back(std::move(exited));
    std::this_thread::sleep_for(milliseconds(10));
  }
  return exits;
}

std::vector<std::string> Shell(const std::string& script) { return {"sh", "-c", script}; }

TEST(ProcessReplicaPoolTest, ReadsTheStatusPipeAndStopsWithSigterm) {
  ProcessReplicaPool pool(
      Shell("echo idle >&$PIXFLEET_STATUS_FD; echo 'busy 2' >&$PIXFLEET_STATUS_FD; exec sleep 60"),
      seconds(30), RealClock::Instance());
  const Result<int> id = pool.Start();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1);
  PollUntil(pool, [](ProcessReplicaPool& p, const std::vector<ReplicaExit>&) {
    return p.Replicas().front().status.state == ReplicaState::kBusy;
  });
  ASSERT_EQ(pool.Replicas().size(), 1u);
  EXPECT_EQ(pool.Replicas().front().status, (ReplicaStatus{ReplicaState::kBusy, 2}));
  EXPECT_FALSE(pool.Replicas().front().terminating);

  pool.Stop(*id);
  EXPECT_TRUE(pool.Replicas().front().terminating);
  const auto exits = PollUntil(
      pool, [](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) { return !e.empty(); });
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].id, 1);
  EXPECT_TRUE(exits[0].requested);
  EXPECT_EQ(exits[0].description, "killed by signal 15 (Terminated)");
  EXPECT_TRUE(pool.Replicas().empty());
}

TEST(ProcessReplicaPoolTest, KillsAChildThatOutlivesItsGracePeriod) {
  // Ignores SIGTERM, as a worker stuck in an image would.
  ProcessReplicaPool pool(Shell("trap '' TERM; echo idle >&$PIXFLEET_STATUS_FD; "
                                "while :; do sleep 0.05; done"),
                          milliseconds(300), RealClock::Instance());
  const Result<int> id = pool.Start();
  ASSERT_TRUE(id.ok());
  PollUntil(pool, [](ProcessReplicaPool& p, const std::vector<ReplicaExit>&) {
    return p.Replicas().front().status.state == ReplicaState::kIdle;
  });
  pool.Stop(*id);
  const auto exits = PollUntil(
      pool, [](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) { return !e.empty(); });
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].description, "killed by signal 9 (Killed)");
}

TEST(ProcessReplicaPoolTest, HurrySignalsATerminatingChildAgain) {
  // Like `pixfleet worker`: the first SIGTERM starts a drain (it says `stopping 0`), the second
  // ends it (exit 7 here, so the exit tells it apart from the grace period's SIGKILL, far away).
  ProcessReplicaPool pool(
      Shell("n=0; trap 'n=$((n+1)); [ $n -ge 2 ] && exit 7; echo \"stopping 0\" "
            ">&$PIXFLEET_STATUS_FD' TERM; echo idle >&$PIXFLEET_STATUS_FD; "
            "while :; do sleep 0.05; done"),
      seconds(120), RealClock::Instance());
  const Result<int> id = pool.Start();
  ASSERT_TRUE(id.ok());
  const auto state = [&pool] { return pool.Replicas().front().status.state; };
  PollUntil(pool, [&](ProcessReplicaPool&, const std::vector<ReplicaExit>&) {
    return state() == ReplicaState::kIdle;
  });
  ASSERT_EQ(state(), ReplicaState::kIdle);
  pool.Hurry(*id);  // not terminating: no signal
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_TRUE(pool.Poll().empty());
  EXPECT_EQ(state(), ReplicaState::kIdle);

  pool.Stop(*id);
  // Its first SIGTERM seen (two signals sent before it ran would have been one).
  const auto before = PollUntil(pool, [&](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) {
    return !e.empty() || state() == ReplicaState::kStopping;
  });
  ASSERT_TRUE(before.empty()) << before.front().description;
  ASSERT_EQ(state(), ReplicaState::kStopping);
  pool.Hurry(*id);
  const auto exits = PollUntil(
      pool, [](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) { return !e.empty(); });
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exit_code, 7) << exits[0].description;
}

TEST(ProcessReplicaPoolTest, AnExitNobodyAskedForIsNotRequested) {
  ProcessReplicaPool pool(Shell("echo 'could not start' >&2; exit 3"), seconds(30),
                          RealClock::Instance());
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(pool.Start().ok());
  const auto exits = PollUntil(
      pool, [](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) { return e.size() == 2; });
  ASSERT_EQ(exits.size(), 2u);
  for (const ReplicaExit& exited : exits) {
    EXPECT_FALSE(exited.requested);
    EXPECT_EQ(exited.exit_code, 3);
    EXPECT_FALSE(exited.Clean());
  }
}

TEST(ProcessReplicaPoolTest, ACommandNotOnPathExits127) {
  ProcessReplicaPool pool({"pixfleet-no-such-command-anywhere"}, seconds(30),
                          RealClock::Instance());
  ASSERT_TRUE(pool.Start().ok());
  const auto exits = PollUntil(
      pool, [](ProcessReplicaPool&, const std::vector<ReplicaExit>& e) { return !e.empty(); });
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exit_code, 127);
}

}  // namespace
}  // namespace pixfleet
