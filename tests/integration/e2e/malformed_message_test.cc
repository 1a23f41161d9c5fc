// A message on the work queue that is not a pixfleet task (issue 7, item 15), seen from a real
// `pixfleet worker` against RabbitMQ (harness: distributed_harness.h): the worker dead-letters
// it, says so in its log (the message id printed escaped, never raw), counts it in
// pixfleet_queue_malformed_messages_total on its /metrics.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <amqp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "queue/rabbitmq/amqp_connection.h"
#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Everything the processes started in `dir` wrote to stderr so far.
std::string StderrIn(const fs::path& dir) {
  std::string all;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".err") continue;
    std::ifstream file(entry.path());
    std::ostringstream text;
    text << file.rdbuf();
    all += text.str();
  }
  return all;
}

using MalformedMessageTest = DistributedTest;

TEST_F(MalformedMessageTest, AWorkerDeadLettersItLogsItEscapedAndCountsItOnMetrics) {
  auto queue = OpenQueue();  // declares the test's queues
  ASSERT_NE(queue, nullptr);
  {
    auto raw = amqp::Connection::Open(Env("PIXFLEET_TEST_AMQP_URL"), 1, amqp::ConnectionOptions{});
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    const std::string message_id = "stray\x1b[2Jpublisher";
    const std::string body = "<xml>not a task</xml>";
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = amqp::Bytes(message_id);
    ASSERT_EQ(amqp_basic_publish((*raw)->State(), 1, amqp_empty_bytes, amqp::Bytes(name_), 0, 0,
                                 &props, amqp::Bytes(body)),
              AMQP_STATUS_OK);
  }

  const fs::path worker_dir = scratch_ / "worker";
  fs::create_directories(worker_dir);
  workers_.push_back(std::make_unique<ChildProcess>(
      PixfleetBinary(),
      std::vector<std::string>{"worker", "--queue", queue_url_, "--db", db_url_, "--listen",
                               "127.0.0.1:0"},
      worker_dir.string()));

  // The endpoint's port, from the worker's log; then the counter, once the message was seen.
  const std::regex serving("serving /metrics, /healthz and /readyz on 127\\.0\\.0\\.1:([0-9]+)");
  const auto deadline = SteadyClock::now() + seconds(60);
  int port = 0;
  std::string metrics;
  while (SteadyClock::now() < deadline) {
    std::smatch match;
    const std::string log = StderrIn(worker_dir);
    if (port == 0 && std::regex_search(log, match, serving)) port = std::stoi(match[1]);
    if (port != 0) {
      httplib::Client client("127.0.0.1", port);
      if (auto response = client.Get("/metrics"); response && response->status == 200) {
        metrics = response->body;
        if (metrics.find("pixfleet_queue_malformed_messages_total 1") != std::string::npos) break;
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_NE(port, 0) << "the worker never served /metrics:\n" << StderrIn(worker_dir);
  EXPECT_NE(metrics.find("pixfleet_queue_malformed_messages_total 1"), std::string::npos)
      << metrics;

  const std::string log = StderrIn(worker_dir);
  EXPECT_NE(log.find("not a pixfleet task (message id stray\\x1b[2Jpublisher, 21 bytes): not JSON "
                     "(syntax error at byte 1)"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << "an escape sequence reached the log";
  // The broker moves a rejected message to the dead-letter queue after replying.
  Result<QueueDepth> depth = queue->Depth();
  while (depth.ok() && depth->dead == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    depth = queue->Depth();
  }
  ASSERT_TRUE(depth.ok()) << depth.status().ToString();
  EXPECT_EQ(depth->dead, 1);
  EXPECT_EQ(depth->ready, 0);
}

}  // namespace
}  // namespace pixfleet::e2e
