// See rabbitmq_test_support.h.
#include "rabbitmq_test_support.h"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <utility>

#include <gtest/gtest.h>
#include <unistd.h>

#include "queue/rabbitmq/rabbitmq_task_queue.h"

namespace pixfleet::rabbitmq_test {

std::string Env(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in the tests changes the environment
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string UniqueQueueName() {
  static std::atomic<int> counter{0};
  std::string name = "pftest." + std::to_string(getpid()) + "." + std::to_string(++counter);
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name += ".";
    for (char c : std::string(info->name())) {
      name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
  }
  return name.substr(0, 200);
}

contract::QueueFactory ContractFactory(std::string name, std::function<std::string()> url,
                                       std::function<std::string()> skip_reason) {
  contract::QueueFactory rabbit;
  rabbit.name = std::move(name);
  rabbit.open = [url = std::move(url)](const TempDir&, Clock& clock,
                                       const TaskQueueOptions& options) -> Result<TaskQueueHandle> {
    static std::string queue_name;
    static const ::testing::TestInfo* named_for = nullptr;
    // One queue name per test case, also when a case reopens the queue.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    if (info != named_for) {
      queue_name = UniqueQueueName();
      named_for = info;
    }
    RabbitMqOptions rabbit_options;
    static_cast<TaskQueueOptions&>(rabbit_options) = options;
    rabbit_options.queue_name = queue_name;
    rabbit_options.prefetch = 50;
    // The broker notices a lost consumer when its socket closes, or, when it misses the close
    // (seen now and then over TLS), after two missed heartbeats: keep that short.
    rabbit_options.heartbeat = std::chrono::seconds(5);
    PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<RabbitMqTaskQueue> queue,
                              RabbitMqTaskQueue::Open(url(), rabbit_options, clock));
    return TaskQueueHandle::Of(std::move(queue));
  };
  rabbit.list_dead = [](TaskQueue& queue) {
    return dynamic_cast<RabbitMqTaskQueue&>(queue).ListDead();
  };
  // A lease ends with the consumer's connection; the broker then returns its deliveries.
  rabbit.lose_leases = [](TaskQueue& queue, FakeClock&) {
    dynamic_cast<RabbitMqTaskQueue&>(queue).DropConsumerConnectionForTesting();
  };
  // TTLs and socket waits are the broker's real time; deliveries are pushed asynchronously.
  rabbit.real_time = true;
  rabbit.ready_wait = std::chrono::seconds(60);
  rabbit.quiet_wait = std::chrono::milliseconds(500);
  rabbit.skip_reason = std::move(skip_reason);
  rabbit.tear_down = [](TaskQueue& queue) {
    Status deleted = dynamic_cast<RabbitMqTaskQueue&>(queue).DeleteQueues();
    EXPECT_TRUE(deleted.ok()) << deleted.ToString();
  };
  return rabbit;
}

}  // namespace pixfleet::rabbitmq_test
