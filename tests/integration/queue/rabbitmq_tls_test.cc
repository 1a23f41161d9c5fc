// RabbitMqTaskQueue over amqps:// against the test broker's TLS listener (tools/services/up.sh
// writes PIXFLEET_TEST_AMQPS_URL, PIXFLEET_TEST_RABBITMQ_API_HTTPS and PIXFLEET_TEST_CA_FILE, the
// CA that signed the broker's certificate, into build/services/env.sh). Runs the whole TaskQueue
// contract over TLS with verify_peer against that CA, then the failures a user meets: a CA that
// did not sign the certificate, a certificate for another name, a missing CA file, a TLS client
// on the plain port; and what must work: verify_none, naming the broker by
// server_name_indication, queue= next to TLS options through the composition root, and the
// management API over https. Skipped with the reason when the variables are unset.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "queue/rabbitmq/management_api.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "queue/task_queue_contract.h"
#include "rabbitmq_test_support.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

using contract::MakeTasks;
using contract::TaskQueueContractTest;
using rabbitmq_test::Env;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A CA bundle that exists on Debian but did not sign the test broker's certificate.
constexpr char kSystemBundle[] = "/etc/ssl/certs/ca-certificates.crt";

std::string AmqpsUrl() { return Env("PIXFLEET_TEST_AMQPS_URL"); }
std::string CaFile() { return Env("PIXFLEET_TEST_CA_FILE"); }

// The TLS URL with extra query parameters, e.g. WithQuery("verify=verify_none").
std::string WithQuery(const std::string& query) {
  return AmqpsUrl() + (query.empty() ? "" : "?" + query);
}
std::string VerifiedUrl() { return WithQuery("cacertfile=" + CaFile()); }

std::string SkipReason() {
  if (AmqpsUrl().empty() || CaFile().empty()) {
    return "PIXFLEET_TEST_AMQPS_URL or PIXFLEET_TEST_CA_FILE is not set: run "
           "tools/services/up.sh and source build/services/env.sh";
  }
  return "";
}

INSTANTIATE_TEST_SUITE_P(Amqps, TaskQueueContractTest,
                         ::testing::Values(rabbitmq_test::ContractFactory("rabbitmq_amqps",
                                                                          VerifiedUrl, SkipReason)),
                         contract::FactoryName);

class RabbitMqTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = SkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    options_.queue_name = rabbitmq_test::UniqueQueueName();
    options_.connect_timeout = milliseconds(3'000);
  }
  void TearDown() override {
    if (opened_) {
      auto queue = RabbitMqTaskQueue::Open(VerifiedUrl(), options_, RealClock::Instance());
      if (queue.ok()) {
        EXPECT_TRUE((*queue)->DeleteQueues().ok());
      }
    }
  }

  Result<std::unique_ptr<RabbitMqTaskQueue>> Open(const std::string& url) {
    auto queue = RabbitMqTaskQueue::Open(url, options_, RealClock::Instance());
    opened_ = opened_ || queue.ok();
    return queue;
  }

  // Publishes one task and leases it back: the connection really carries AMQP.
  static void ExpectRoundTrip(RabbitMqTaskQueue& queue) {
    ASSERT_TRUE(queue.Publish(MakeTasks(1)).ok());
    Result<std::optional<Lease>> lease = queue.LeaseNext(seconds(5));
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    ASSERT_TRUE(lease->has_value());
    EXPECT_EQ((*lease)->task.task_id, "t0");
    EXPECT_TRUE(queue.Ack(**lease).ok());
  }

  // A refused certificate: permanent (kInvalidArgument), naming the broker and the reason,
  // without the password.
  static void ExpectRefused(const Result<std::unique_ptr<RabbitMqTaskQueue>>& queue,
                            const std::string& reason) {
    ASSERT_FALSE(queue.ok());
    const std::string& message = queue.error().message();
    EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument) << message;
    EXPECT_NE(message.find("127.0.0.1:"), std::string::npos) << message;
    EXPECT_NE(message.find("TLS certificate was refused"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_EQ(message.find("guest:guest"), std::string::npos) << message;
  }

  RabbitMqOptions options_;
  bool opened_ = false;
};

TEST_F(RabbitMqTlsTest, VerifiedAgainstTheTestCa) {
  auto queue = Open(VerifiedUrl());
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ExpectRoundTrip(**queue);
}

TEST_F(RabbitMqTlsTest, ACaThatDidNotSignTheCertificateIsRefused) {
  if (!std::filesystem::exists(kSystemBundle)) GTEST_SKIP() << kSystemBundle << " is missing";
  ExpectRefused(Open(WithQuery(std::string("cacertfile=") + kSystemBundle)),
                "self-signed certificate in certificate chain");
}

TEST_F(RabbitMqTlsTest, WithoutCacertfileTheSystemStoreIsUsedAndRefusesTheTestCa) {
  ExpectRefused(Open(WithQuery("")), "self-signed certificate in certificate chain");
}

TEST_F(RabbitMqTlsTest, ACertificateForAnotherNameIsRefused) {
  ExpectRefused(
      Open(WithQuery("cacertfile=" + CaFile() + "&server_name_indication=rabbit.example")),
      "it is not valid for 'rabbit.example'");
}

TEST_F(RabbitMqTlsTest, ServerNameIndicationChoosesTheNameChecked) {
  // Connected by address, checked by name: the certificate names localhost too.
  auto queue = Open(WithQuery("cacertfile=" + CaFile() + "&server_name_indication=localhost"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ExpectRoundTrip(**queue);
}

TEST_F(RabbitMqTlsTest, VerifyNoneEncryptsWithoutChecking) {
  auto queue = Open(WithQuery("verify=verify_none"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ExpectRoundTrip(**queue);
}

TEST_F(RabbitMqTlsTest, AMissingCaFileIsAConfigurationError) {
  auto queue = Open(WithQuery("cacertfile=/nonexistent/ca.pem"));
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument) << queue.error().ToString();
  EXPECT_NE(queue.error().message().find("cannot load cacertfile /nonexistent/ca.pem"),
            std::string::npos)
      << queue.error().message();
}

TEST_F(RabbitMqTlsTest, TlsToThePlainPortIsAnUnavailableHandshake) {
  // Not a certificate problem: indistinguishable from a connection cut mid-handshake.
  const std::string plain = Env("PIXFLEET_TEST_AMQP_URL");
  if (plain.empty()) GTEST_SKIP() << "PIXFLEET_TEST_AMQP_URL is not set";
  auto queue = Open("amqps" + plain.substr(plain.find("://")) + "?cacertfile=" + CaFile());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kUnavailable) << queue.error().ToString();
  EXPECT_NE(queue.error().message().find("amqps connect (127.0.0.1:"), std::string::npos)
      << queue.error().message();
}

TEST_F(RabbitMqTlsTest, QueueNameAndTlsOptionsTogetherThroughTheCompositionRoot) {
  const std::string url = AmqpsUrl() + "?cacertfile=" + CaFile() + "&queue=" + options_.queue_name +
                          "&verify=verify_peer";
  Result<TaskQueueHandle> queue = MakeTaskQueue(url, TaskQueueOptions{}, RealClock::Instance());
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  opened_ = true;
  // RabbitMQ keeps the port's promises and has none of the capabilities beyond them.
  EXPECT_EQ(queue->AsExpiringLeases(), nullptr);
  EXPECT_EQ(queue->AsLeaseReleaser(), nullptr);
  EXPECT_EQ(queue->AsDeduplicatingPublish(), nullptr);
  auto& rabbit = dynamic_cast<RabbitMqTaskQueue&>(**queue);
  EXPECT_EQ(rabbit.Topology().work, options_.queue_name);
  ExpectRoundTrip(rabbit);
}

TEST_F(RabbitMqTlsTest, ManagementApiOverHttps) {
  const std::string api = Env("PIXFLEET_TEST_RABBITMQ_API_HTTPS");
  if (api.empty()) GTEST_SKIP() << "PIXFLEET_TEST_RABBITMQ_API_HTTPS is not set";
  auto queue = Open(VerifiedUrl());
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();

  Result<QueueCounts> counts =
      ManagementApiCounts(api + "?cacertfile=" + CaFile(), options_.queue_name);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(*counts, (QueueCounts{0, 0}));

  // The system store does not trust the test CA: permanent, clear, no password.
  Result<QueueCounts> refused = ManagementApiCounts(api, options_.queue_name);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument) << refused.error().ToString();
  EXPECT_NE(refused.error().message().find("TLS"), std::string::npos) << refused.error().message();
  EXPECT_EQ(refused.error().message().find("guest:guest"), std::string::npos);

  Result<QueueCounts> unchecked =
      ManagementApiCounts(api + "?verify=verify_none", options_.queue_name);
  EXPECT_TRUE(unchecked.ok()) << unchecked.status().ToString();
}

}  // namespace
}  // namespace pixfleet
