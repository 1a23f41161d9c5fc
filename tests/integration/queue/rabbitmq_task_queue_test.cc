// RabbitMqTaskQueue against a real broker (tools/services/up.sh starts one and writes
// build/services/env.sh with PIXFLEET_TEST_AMQP_URL and PIXFLEET_TEST_RABBITMQ_API). Runs every
// case of the TaskQueue port's contract (RabbitMQ has none of the capabilities, so it runs none
// of their contracts), then RabbitMQ-specific behaviour: a lost connection requeues its delivery
// with attempt 2, the delivery limit dead-letters a task that keeps crashing its worker, delayed
// retries, a stop of leasing handing the prefetch to another consumer uncounted, DeadLetter's
// reason header, a message that is not a task (dead-lettered, logged escaped, counted), waits on
// the injected Clock, 10,000 confirmed publishes, and depth via passive declare and the
// management API.
// Every test uses its own queue names and deletes its queues at the end.
#include "queue/rabbitmq/rabbitmq_task_queue.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "core/log.h"
#include "queue/queue_observer.h"
#include "queue/rabbitmq/management_api.h"
#include "queue/task_queue_contract.h"
#include "rabbitmq_test_support.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

using contract::MakeTasks;
using contract::QueueFactory;
using contract::TaskQueueContractTest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

using rabbitmq_test::Env;
using rabbitmq_test::UniqueQueueName;

std::string AmqpUrl() { return Env("PIXFLEET_TEST_AMQP_URL"); }
std::string ApiUrl() { return Env("PIXFLEET_TEST_RABBITMQ_API"); }

constexpr char kSkipMessage[] =
    "PIXFLEET_TEST_AMQP_URL is not set: run tools/services/up.sh and source "
    "build/services/env.sh";

std::vector<QueueFactory> Factories() {
  return {rabbitmq_test::ContractFactory(
      "rabbitmq", AmqpUrl, [] { return AmqpUrl().empty() ? std::string(kSkipMessage) : ""; })};
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueContractTest, ::testing::ValuesIn(Factories()),
                         contract::FactoryName);

// --- RabbitMQ only.

class RabbitMqTaskQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (AmqpUrl().empty()) GTEST_SKIP() << kSkipMessage;
    name_ = UniqueQueueName();
    last_options_ = Options();
  }
  void TearDown() override {
    if (name_.empty()) return;
    // With the options of the last queue opened: redeclaring with others would fail.
    auto queue = Open(last_options_);
    if (queue) {
      EXPECT_TRUE(queue->DeleteQueues().ok());
    }
  }

  RabbitMqOptions Options() {
    RabbitMqOptions options;
    options.queue_name = name_;
    options.consumer_id = "test";
    return options;
  }

  std::unique_ptr<RabbitMqTaskQueue> Open(const RabbitMqOptions& options) {
    last_options_ = options;
    auto queue = RabbitMqTaskQueue::Open(AmqpUrl(), options, RealClock::Instance());
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(queue).value() : nullptr;
  }

  static std::optional<Lease> LeaseWithin(TaskQueue& queue, milliseconds wait) {
    Result<std::optional<Lease>> lease = queue.LeaseNext(wait);
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    return lease.ok() ? *lease : std::nullopt;
  }

  static QueueDepth DepthOf(TaskQueue& queue) {
    Result<QueueDepth> depth = queue.Depth();
    EXPECT_TRUE(depth.ok()) << depth.status().ToString();
    return depth.ok() ? *depth : QueueDepth{-1, -1, -1, -1};
  }

  // The depth once it equals `expected`, or the last one read after 5 s. For effects the broker
  // applies after replying (dead-lettering a rejected message happens asynchronously).
  static QueueDepth DepthBecomes(TaskQueue& queue, const QueueDepth& expected) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(5);
    QueueDepth depth = DepthOf(queue);
    while (!(depth == expected) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
      depth = DepthOf(queue);
    }
    return depth;
  }

  // Two consumers with a prefetch of 10 and t0..t3 published: `stopping` has leased t0 (held,
  // nullopt on a failure) and had t1..t3 pushed to it ahead of its LeaseNext, none of them ready;
  // `other` consumes only from its first LeaseNext.
  struct Prefetched {
    std::unique_ptr<RabbitMqTaskQueue> stopping;
    std::unique_ptr<RabbitMqTaskQueue> other;
    std::optional<Lease> held;
  };
  Prefetched OpenTwoAndPrefetch() {
    RabbitMqOptions options = Options();
    options.prefetch = 10;
    Prefetched two{Open(options), Open(options), std::nullopt};
    if (two.stopping == nullptr || two.other == nullptr) return two;
    EXPECT_TRUE(two.stopping->Publish(MakeTasks(4)).ok());
    two.held = LeaseWithin(*two.stopping, seconds(5));
    if (two.held.has_value()) {
      EXPECT_EQ(two.held->task.task_id, "t0");
    }
    if (DepthBecomes(*two.stopping, QueueDepth{0, 0, 1, 0}) != QueueDepth{0, 0, 1, 0}) {
      ADD_FAILURE() << "t1..t3 were not all pushed to the first consumer";
      two.held.reset();
    }
    return two;
  }

  std::string name_;
  RabbitMqOptions last_options_;
};

TEST_F(RabbitMqTaskQueueTest, LostConnectionAbortsTheLeaseAndRedeliversWithAttemptTwo) {
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->attempt, 1);

  queue->DropConsumerConnectionForTesting();  // a network fault with the delivery unacked
  EXPECT_EQ(queue->Ack(*first).code(), StatusCode::kAborted);
  // The next LeaseNext reconnects by itself and gets the requeued delivery.
  std::optional<Lease> second = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->task, first->task);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_NE(second->token, first->token);
  EXPECT_EQ(queue->Heartbeat(*first).code(), StatusCode::kAborted);
  EXPECT_TRUE(queue->Heartbeat(*second).ok());
  EXPECT_TRUE(queue->Ack(*second).ok());
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{0, 0, 0, 0}));
}

TEST_F(RabbitMqTaskQueueTest, EveryCallReconnectsAfterANetworkFault) {
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(1, "a")).ok());
  std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(lease.has_value());
  queue->DropConnectionsForTesting();
  EXPECT_TRUE(queue->Publish(MakeTasks(1, "b")).ok()) << "Publish should reconnect by itself";
  queue->DropConnectionsForTesting();
  Result<QueueDepth> depth = queue->Depth();
  ASSERT_TRUE(depth.ok()) << depth.status().ToString();
  EXPECT_EQ(queue->Retry(*lease, milliseconds(0), "x").code(), StatusCode::kAborted);
  std::vector<std::string> ids;
  while (std::optional<Lease> next = LeaseWithin(*queue, seconds(1))) {
    ids.push_back(next->task.task_id);
    EXPECT_TRUE(queue->Ack(*next).ok());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a0", "b0"}));
}

// Restarts the broker with the command in PIXFLEET_TEST_RABBITMQ_RESTART_CMD (skipped without
// it): queued tasks survive, an outstanding lease is kAborted, and the same queue object
// publishes and leases again once the broker is back (kUnavailable meanwhile).
TEST_F(RabbitMqTaskQueueTest, SurvivesABrokerRestart) {
  const std::string restart = Env("PIXFLEET_TEST_RABBITMQ_RESTART_CMD");
  if (restart.empty()) GTEST_SKIP() << "PIXFLEET_TEST_RABBITMQ_RESTART_CMD is not set";
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(2)).ok());
  std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(lease.has_value());
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the queue's threads do not touch the environment
  ASSERT_EQ(std::system(restart.c_str()), 0) << restart;

  const auto give_up = SteadyClock::now() + seconds(90);
  Status published = Unavailable("not tried");
  int unavailable = 0;
  while (SteadyClock::now() < give_up) {
    published = queue->Publish(MakeTasks(1, "after"));
    if (published.ok()) break;
    EXPECT_TRUE(published.IsRetryable()) << published.ToString();
    ++unavailable;
    std::this_thread::sleep_for(milliseconds(500));
  }
  ASSERT_TRUE(published.ok()) << published.ToString();
  EXPECT_EQ(queue->Ack(*lease).code(), StatusCode::kAborted);
  std::set<std::string> ids;
  while (SteadyClock::now() < give_up && ids.size() < 3) {
    Result<std::optional<Lease>> next = queue->LeaseNext(seconds(1));
    if (!next.ok()) {
      EXPECT_TRUE(next.status().IsRetryable()) << next.status().ToString();
      std::this_thread::sleep_for(milliseconds(500));
      continue;
    }
    if (!next->has_value()) continue;
    ids.insert((*next)->task.task_id);
    EXPECT_TRUE(queue->Ack(**next).ok());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"t0", "t1", "after0"}));
  RecordProperty("unavailable_publishes", unavailable);
}

TEST_F(RabbitMqTaskQueueTest, ClosedConsumerConnectionRequeuesItsDelivery) {
  auto publisher = Open(Options());
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->Publish(MakeTasks(1)).ok());
  {
    auto crashed = Open(Options());
    ASSERT_NE(crashed, nullptr);
    std::optional<Lease> lease = LeaseWithin(*crashed, seconds(5));
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->attempt, 1);
  }  // closes its connection without acking, as a killed worker's socket would
  auto worker = Open(Options());
  ASSERT_NE(worker, nullptr);
  std::optional<Lease> again = LeaseWithin(*worker, seconds(5));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->task.task_id, "t0");
  EXPECT_EQ(again->attempt, 2);
  EXPECT_TRUE(worker->Ack(*again).ok());
}

// A worker that stops leasing while the broker has pushed it deliveries ahead (its prefetch):
// they go to another consumer at once, not when its connection closes, and not counted (attempt
// 1, where a requeue would count a delivery); one published after it never reaches it; the
// lease it holds stays its own.
TEST_F(RabbitMqTaskQueueTest, StopLeasingHandsThePrefetchToAnotherConsumerUncounted) {
  Prefetched two = OpenTwoAndPrefetch();
  ASSERT_TRUE(two.held.has_value());
  auto& [stopping, other, held] = two;

  ASSERT_TRUE(stopping->StopLeasing().ok());
  ASSERT_TRUE(other->Publish(MakeTasks(1, "after")).ok());
  std::set<std::string> ids;
  while (std::optional<Lease> next = LeaseWithin(*other, seconds(2))) {
    ids.insert(next->task.task_id);
    EXPECT_EQ(next->attempt, 1) << next->task.task_id;
    EXPECT_TRUE(other->Ack(*next).ok());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"t1", "t2", "t3", "after0"}));
  const Result<std::optional<Lease>> none = stopping->LeaseNext(milliseconds(100));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(stopping->Heartbeat(*held).ok());
  EXPECT_TRUE(stopping->Ack(*held).ok());
  EXPECT_EQ(DepthBecomes(*other, QueueDepth{0, 0, 0, 0}), (QueueDepth{0, 0, 0, 0}));
}

// StopReceiving keeps what was pushed ahead for this consumer's LeaseNext, as first deliveries,
// and the broker pushes it nothing more: a task published afterwards goes to another consumer.
TEST_F(RabbitMqTaskQueueTest, StopReceivingKeepsThePrefetchForThisConsumer) {
  Prefetched two = OpenTwoAndPrefetch();
  ASSERT_TRUE(two.held.has_value());
  auto& [stopping, other, held] = two;

  ASSERT_TRUE(stopping->StopReceiving().ok());
  ASSERT_TRUE(other->Publish(MakeTasks(1, "after")).ok());
  std::vector<Lease> kept;
  for (int i = 0; i < 4; ++i) {
    Result<std::optional<Lease>> next = stopping->LeaseNext(milliseconds(0));
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!next->has_value()) break;
    EXPECT_EQ((*next)->attempt, 1) << (*next)->task.task_id;
    kept.push_back(std::move(**next));
  }
  ASSERT_EQ(kept.size(), 3U);
  EXPECT_EQ(kept[0].task.task_id, "t1");
  EXPECT_EQ(kept[1].task.task_id, "t2");
  EXPECT_EQ(kept[2].task.task_id, "t3");
  std::optional<Lease> after = LeaseWithin(*other, seconds(5));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->task.task_id, "after0");
  EXPECT_TRUE(other->Ack(*after).ok());
  // Leased counts what this object holds: t0 and the three it kept.
  EXPECT_EQ(DepthBecomes(*stopping, QueueDepth{0, 0, 4, 0}), (QueueDepth{0, 0, 4, 0}));
  EXPECT_TRUE(stopping->Ack(*held).ok());
  for (const Lease& lease : kept) EXPECT_TRUE(stopping->Ack(lease).ok()) << lease.task.task_id;
  ASSERT_TRUE(stopping->StopLeasing().ok());
  EXPECT_EQ(DepthBecomes(*stopping, QueueDepth{0, 0, 0, 0}), (QueueDepth{0, 0, 0, 0}));
}

// Another slot of the worker waiting in LeaseNext when it stops leasing gets nothing and no
// error (the worker would take an error for a refusal), and the stopped object takes no task.
TEST_F(RabbitMqTaskQueueTest, ASlotWaitingWhenLeasingStopsGetsNothing) {
  auto stopping = Open(Options());
  auto other = Open(Options());
  ASSERT_NE(stopping, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(stopping->Publish(MakeTasks(1)).ok());
  std::optional<Lease> held = LeaseWithin(*stopping, seconds(5));
  ASSERT_TRUE(held.has_value());
  Result<std::optional<Lease>> waited = Internal("did not return");
  std::thread slot([&] { waited = stopping->LeaseNext(seconds(5)); });
  std::this_thread::sleep_for(milliseconds(200));  // let it wait on the socket
  ASSERT_TRUE(stopping->StopLeasing().ok());
  ASSERT_TRUE(other->Publish(MakeTasks(1, "after")).ok());
  slot.join();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_FALSE(waited->has_value());
  std::optional<Lease> next = LeaseWithin(*other, seconds(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->task.task_id, "after0");
  EXPECT_TRUE(other->Ack(*next).ok());
  EXPECT_TRUE(stopping->Ack(*held).ok());
}

TEST_F(RabbitMqTaskQueueTest, DeliveryLimitDeadLettersATaskThatKeepsCrashingItsWorker) {
  RabbitMqOptions options = Options();
  options.delivery_limit = 3;
  auto queue = Open(options);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(1, "poison")).ok());
  int deliveries = 0;
  for (int i = 0; i < 10; ++i) {
    std::optional<Lease> lease = LeaseWithin(*queue, seconds(2));
    if (!lease.has_value()) break;
    ++deliveries;
    EXPECT_EQ(lease->attempt, deliveries);
    queue->DropConsumerConnectionForTesting();  // the worker crashed
  }
  EXPECT_EQ(deliveries, 3);
  EXPECT_EQ(DepthBecomes(*queue, QueueDepth{0, 0, 0, 1}), (QueueDepth{0, 0, 0, 1}));
  Result<std::vector<DeadTask>> dead = queue->ListDead();
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].task.task_id, "poison0");
  EXPECT_EQ((*dead)[0].reason.rfind("delivery limit of 3 exceeded", 0), 0u) << (*dead)[0].reason;
  // Counted from the limit: the dead-lettered copy's own x-delivery-count starts again at 0.
  EXPECT_EQ((*dead)[0].attempts, 3);
}

// librabbitmq sends heartbeats only from inside its calls: a worker busy with one task for
// longer than two heartbeat intervals keeps its delivery only by calling Heartbeat.
TEST_F(RabbitMqTaskQueueTest, HeartbeatsKeepABusyWorkersDelivery) {
  RabbitMqOptions options = Options();
  options.heartbeat = seconds(2);
  for (const bool beat : {true, false}) {
    auto queue = Open(options);
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Publish(MakeTasks(1)).ok());
    std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
    ASSERT_TRUE(lease.has_value());
    for (int second = 0; second < 6; ++second) {  // "processing" for 3 heartbeat intervals
      std::this_thread::sleep_for(seconds(1));
      if (beat) {
        EXPECT_TRUE(queue->Heartbeat(*lease).ok()) << "second " << second;
      }
    }
    auto observer = Open(options);
    ASSERT_NE(observer, nullptr);
    if (beat) {
      EXPECT_EQ(DepthOf(*observer).ready, 0) << "the broker dropped a heartbeating consumer";
      EXPECT_TRUE(queue->Ack(*lease).ok());
    } else {
      // The broker drops a consumer after two missed heartbeats, on its own timer, and only then
      // returns its delivery: waited for, not read once (a single read right after the 6 s
      // missed it once, with the machine busy).
      EXPECT_EQ(DepthBecomes(*observer, QueueDepth{1, 0, 0, 0}).ready, 1)
          << "expected the silent consumer to be dropped";
      std::optional<Lease> again = LeaseWithin(*observer, seconds(5));
      ASSERT_TRUE(again.has_value());
      EXPECT_EQ(again->attempt, 2);
      EXPECT_TRUE(observer->Ack(*again).ok());
    }
  }
}

TEST_F(RabbitMqTaskQueueTest, RetryWithADelayComesBackAfterTheDelay) {
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(first.has_value());
  const auto retried_at = SteadyClock::now();
  ASSERT_TRUE(queue->Retry(*first, seconds(1), "storage unavailable").ok());
  EXPECT_EQ(queue->Ack(*first).code(), StatusCode::kAborted) << "settled leases are gone";
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{0, 1, 0, 0}));
  EXPECT_FALSE(LeaseWithin(*queue, milliseconds(600)).has_value()) << "came back early";
  std::optional<Lease> second = LeaseWithin(*queue, seconds(10));
  ASSERT_TRUE(second.has_value());
  EXPECT_GE(SteadyClock::now() - retried_at, milliseconds(950));
  EXPECT_EQ(second->task, first->task);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_TRUE(queue->Ack(*second).ok());
}

TEST_F(RabbitMqTaskQueueTest, DeadLetterLandsInTheDeadQueueWithItsReason) {
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(queue->DeadLetter(*lease, "corrupt JPEG").ok());
  EXPECT_EQ(queue->Ack(*lease).code(), StatusCode::kAborted);
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{0, 0, 0, 1}));
  for (int look = 0; look < 2; ++look) {  // browsing leaves the message where it is
    Result<std::vector<DeadTask>> dead = queue->ListDead();
    ASSERT_TRUE(dead.ok()) << dead.status().ToString();
    EXPECT_EQ(*dead, (std::vector<DeadTask>{{lease->task, 1, "corrupt JPEG"}}));
  }
  EXPECT_FALSE(LeaseWithin(*queue, milliseconds(300)).has_value());
}

// Records what the queue reports.
class RecordingObserver final : public QueueObserver {
 public:
  void OnMalformedMessage(const MalformedMessage& message) override {
    std::lock_guard lock(mutex_);
    malformed_.push_back(message);
  }
  std::vector<MalformedMessage> Malformed() {
    std::lock_guard lock(mutex_);
    return malformed_;
  }

 private:
  std::mutex mutex_;
  std::vector<MalformedMessage> malformed_;
};

// Publishes `body` on the work queue as a stray publisher would, with `message_id` if not empty.
void PublishRaw(const std::string& queue, const std::string& body, const std::string& message_id) {
  auto raw = amqp::Connection::Open(AmqpUrl(), 1, amqp::ConnectionOptions{});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  amqp_basic_properties_t props{};
  if (!message_id.empty()) {
    props._flags = AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = amqp::Bytes(message_id);
  }
  ASSERT_EQ(amqp_basic_publish((*raw)->State(), 1, amqp_empty_bytes, amqp::Bytes(queue), 0, 0,
                               &props, amqp::Bytes(body)),
            AMQP_STATUS_OK);
}

TEST_F(RabbitMqTaskQueueTest, AMessageThatIsNotATaskIsDeadLetteredSaidAndCounted) {
  RecordingObserver observer;
  RabbitMqOptions options = Options();
  options.observer = &observer;
  auto queue = Open(options);
  ASSERT_NE(queue, nullptr);
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  sink->set_formatter(MakeLogFormatter(LogFormat::kText));  // escapes as pixfleet's own log
  spdlog::default_logger()->sinks().push_back(sink);
  PublishRaw(name_, "this is not JSON", "evil\x1b]0;pwned\x07id");
  const std::string wrong_type = R"({"task_id":"t","batch_id":5,"input_key":"k"})";
  PublishRaw(name_, wrong_type, "");
  ASSERT_TRUE(queue->Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
  spdlog::default_logger()->sinks().pop_back();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task.task_id, "t0");
  EXPECT_TRUE(queue->Ack(*lease).ok());

  EXPECT_EQ(DepthBecomes(*queue, QueueDepth{0, 0, 0, 2}), (QueueDepth{0, 0, 0, 2}));
  Result<std::vector<DeadTask>> dead = queue->ListDead();
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[0].reason, "dead-lettered by the broker (rejected)");

  const std::vector<MalformedMessage> reported = observer.Malformed();
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0].message_id, "evil\x1b]0;pwned\x07id") << "as published";
  EXPECT_EQ(reported[0].size, 16);
  EXPECT_EQ(reported[0].reason, "not JSON (syntax error at byte 2)");
  EXPECT_EQ(reported[1].message_id, "");
  EXPECT_EQ(reported[1].reason, "no batch_id string");

  const std::string logged = log.str();
  EXPECT_NE(logged.find("not a pixfleet task (message id evil\\x1b]0;pwned\\x07id, 16 bytes): "
                        "not JSON (syntax error at byte 2)"),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find("(message id none, " + std::to_string(wrong_type.size()) +
                        " bytes): no batch_id string"),
            std::string::npos)
      << logged;
  EXPECT_EQ(logged.find('\x1b'), std::string::npos) << "an escape sequence reached the log";
}

// Deadlines follow the injected Clock (socket_deadline.h): a FakeClock moved past a long wait's
// deadline ends it, and one that never moves cannot make it wait forever.
TEST_F(RabbitMqTaskQueueTest, LeaseNextWaitsOnTheInjectedClockWithoutSpinningOnAFrozenOne) {
  FakeClock clock;
  auto opened = RabbitMqTaskQueue::Open(AmqpUrl(), Options(), clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  RabbitMqTaskQueue& queue = **opened;

  auto start = SteadyClock::now();
  Result<std::optional<Lease>> none = queue.LeaseNext(milliseconds(300));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  // (Socket timeouts may end a little early; a frozen clock must not end it at once.)
  EXPECT_GE(SteadyClock::now() - start, milliseconds(250)) << "a frozen clock ended it early";
  EXPECT_LT(SteadyClock::now() - start, seconds(60)) << "a frozen clock made it hang";

  std::thread mover([&clock] {
    std::this_thread::sleep_for(milliseconds(300));
    clock.Advance(std::chrono::hours(1));
  });
  start = SteadyClock::now();
  none = queue.LeaseNext(std::chrono::minutes(10));
  mover.join();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_LT(SteadyClock::now() - start, seconds(60))
      << "moving the clock past the deadline did not end the wait";
}

// Slots that ack while another slot waits on the consumer socket have their acks queued and
// sent (coalesced) when that wait ends. None may be lost: after the queue object is gone (its
// connections closed, which would requeue anything unacked), nothing is delivered again.
TEST_F(RabbitMqTaskQueueTest, AcksQueuedWhileAnotherSlotWaitsAreAllSent) {
  constexpr int kTasks = 300;
  RabbitMqOptions options = Options();
  options.prefetch = 16;
  {
    auto queue = Open(options);
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Publish(MakeTasks(kTasks)).ok());
    std::mutex mutex;
    std::multiset<std::string> leased;
    constexpr int kSlots = 6;
    std::vector<std::thread> slots;
    slots.reserve(kSlots);
    for (int slot = 0; slot < kSlots; ++slot) {
      slots.emplace_back([&] {
        while (true) {
          Result<std::optional<Lease>> lease = queue->LeaseNext(milliseconds(300));
          ASSERT_TRUE(lease.ok()) << lease.status().ToString();
          if (!lease->has_value()) return;  // 300 ms with nothing: the queue is drained
          ASSERT_TRUE(queue->Ack(**lease).ok());
          std::lock_guard lock(mutex);
          leased.insert((*lease)->task.task_id);
        }
      });
    }
    for (std::thread& slot : slots) slot.join();
    EXPECT_EQ(leased.size(), static_cast<size_t>(kTasks));
    EXPECT_EQ(std::set<std::string>(leased.begin(), leased.end()).size(),
              static_cast<size_t>(kTasks))
        << "a task was delivered twice: an ack was not sent before the next lease";
    EXPECT_EQ(DepthOf(*queue).leased, 0);
  }
  auto reopened = Open(options);
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(LeaseWithin(*reopened, milliseconds(500)).has_value())
      << "an ack was lost with the connection: the broker requeued its task";
  EXPECT_EQ(DepthOf(*reopened), (QueueDepth{0, 0, 0, 0}));
}

TEST_F(RabbitMqTaskQueueTest, PublishesTenThousandTasksWithConfirmsThenLeasesAndAcksThem) {
  constexpr int kTasks = 10'000;
  constexpr int kBatch = 1'000;
  RabbitMqOptions options = Options();
  options.prefetch = 100;
  auto queue = Open(options);
  ASSERT_NE(queue, nullptr);
  const std::vector<TaskSpec> tasks = MakeTasks(kTasks);
  const auto publish_start = SteadyClock::now();
  for (size_t offset = 0; offset < tasks.size(); offset += kBatch) {
    Status published = queue->Publish(std::span<const TaskSpec>(tasks).subspan(offset, kBatch));
    ASSERT_TRUE(published.ok()) << published.ToString();
  }
  const double publish_s =
      std::chrono::duration<double>(SteadyClock::now() - publish_start).count();
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{kTasks, 0, 0, 0}));

  const auto consume_start = SteadyClock::now();
  int acked = 0;
  std::vector<bool> seen(kTasks, false);
  while (acked < kTasks) {
    std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
    ASSERT_TRUE(lease.has_value()) << "only " << acked << " delivered";
    const int index = std::stoi(lease->task.task_id.substr(1));
    EXPECT_FALSE(seen[static_cast<size_t>(index)]) << lease->task.task_id;
    seen[static_cast<size_t>(index)] = true;
    ASSERT_TRUE(queue->Ack(*lease).ok());
    ++acked;
  }
  const double consume_s =
      std::chrono::duration<double>(SteadyClock::now() - consume_start).count();
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{0, 0, 0, 0}));
  const int publish_rate = static_cast<int>(kTasks / publish_s);
  const int consume_rate = static_cast<int>(kTasks / consume_s);
  std::cout << "publish with confirms (batches of " << kBatch << "): " << publish_rate
            << " tasks/s; lease+ack (prefetch 100, one thread): " << consume_rate << " tasks/s\n";
  RecordProperty("publish_tasks_per_s", publish_rate);
  RecordProperty("lease_ack_tasks_per_s", consume_rate);
}

TEST_F(RabbitMqTaskQueueTest, DepthViaPassiveDeclareAndTheManagementApi) {
  if (ApiUrl().empty()) GTEST_SKIP() << "PIXFLEET_TEST_RABBITMQ_API is not set";
  auto queue = Open(Options());  // prefetch 1: one delivery in flight, two ready
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Publish(MakeTasks(3)).ok());
  std::optional<Lease> lease = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(queue->Retry(*lease, seconds(30), "later").ok());
  std::optional<Lease> held = LeaseWithin(*queue, seconds(5));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(DepthOf(*queue), (QueueDepth{1, 1, 1, 0}));

  // The API's statistics lag by up to its collection interval (5 s by default).
  Result<QueueCounts> counts = NotFound("not asked yet");
  const auto give_up = SteadyClock::now() + seconds(20);
  while (SteadyClock::now() < give_up) {
    counts = ManagementApiCounts(ApiUrl(), name_);
    if (counts.ok() && *counts == QueueCounts{1, 1}) break;
    std::this_thread::sleep_for(milliseconds(250));
  }
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->ready, 1);
  EXPECT_EQ(counts->unacknowledged, 1);

  EXPECT_EQ(ManagementApiCounts(ApiUrl(), name_ + ".missing").status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(queue->Ack(*held).ok());
}

TEST_F(RabbitMqTaskQueueTest, ConnectionErrorsAreValuesWithoutThePassword) {
  auto bad = RabbitMqTaskQueue::Open("not a url", Options(), RealClock::Instance());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);

  RabbitMqOptions options = Options();
  options.connect_timeout = milliseconds(500);
  auto down = RabbitMqTaskQueue::Open("amqp://guest:s3cretpw@127.0.0.1:1/%2f", options,
                                      RealClock::Instance());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.error().message().find("s3cretpw"), std::string::npos) << down.error().message();

  auto api = ManagementApiCounts("http://guest:s3cretpw@127.0.0.1:1", "q");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(api.error().message().find("s3cretpw"), std::string::npos) << api.error().message();
}

TEST_F(RabbitMqTaskQueueTest, RedeclaringWithAnotherDeliveryLimitIsAConfigurationError) {
  auto queue = Open(Options());
  ASSERT_NE(queue, nullptr);
  RabbitMqOptions other = Options();
  other.delivery_limit = 4;
  auto conflicting = RabbitMqTaskQueue::Open(AmqpUrl(), other, RealClock::Instance());
  ASSERT_FALSE(conflicting.ok());
  EXPECT_EQ(conflicting.error().code(), StatusCode::kInvalidArgument)
      << conflicting.error().ToString();
}

}  // namespace
}  // namespace pixfleet
