#include "autoscale/rabbitmq_metric_source.h"

#include <chrono>
#include <string>

#include "autoscale/rabbitmq_host.h"
#include "core/redact.h"
#include "queue/rabbitmq/amqp_connection.h"
#include "queue/rabbitmq/management_api.h"
#include "queue/rabbitmq/topology.h"

namespace pixfleet {
namespace {

// KEDA_HTTP_DEFAULT_TIMEOUT: what KEDA waits for a scaler's query when the trigger says nothing.
constexpr std::chrono::milliseconds kDefaultTimeout{3'000};

class AmqpMetricSource final : public QueueMetricSource {
 public:
  AmqpMetricSource(std::string url, std::string queue, std::chrono::milliseconds timeout)
      : url_(std::move(url)), queue_(std::move(queue)) {
    // Polls can be minutes apart and nothing services heartbeats between them: without this the
    // broker would close the idle connection after two missed beats.
    options_.heartbeat = std::chrono::seconds(0);
    options_.connect_timeout = timeout;
    options_.rpc_timeout = timeout;
  }

  Result<QueueSample> Sample() override {
    const bool kept = connection_ != nullptr && !connection_->Broken();
    Result<QueueSample> sample = SampleOnce();
    // A connection kept between polls may have been closed while idle (between heartbeats, or
    // by a proxy): one fresh try before the poll counts as failed.
    if (!sample.ok() && kept && sample.status().code() == StatusCode::kUnavailable) {
      sample = SampleOnce();
    }
    return sample;
  }

 private:
  Result<QueueSample> SampleOnce() {
    if (connection_ == nullptr || connection_->Broken()) {
      connection_.reset();
      Result<std::unique_ptr<amqp::Connection>> opened =
          amqp::Connection::Open(url_, /*channels=*/1, options_);
      if (!opened.ok()) return opened.status();
      connection_ = std::move(*opened);
    }
    Result<int64_t> ready = amqp::ReadyCount(*connection_, /*channel=*/1, queue_);
    if (!ready.ok()) {
      // A missing queue closes the channel (404), which leaves the connection unusable too.
      connection_.reset();
      return ready.status();
    }
    return QueueSample{.ready = *ready, .unacknowledged = 0, .publish_rate = 0};
  }

  std::string url_;
  std::string queue_;
  amqp::ConnectionOptions options_;
  std::unique_ptr<amqp::Connection> connection_;
};

class HttpMetricSource final : public QueueMetricSource {
 public:
  HttpMetricSource(ManagementApiLocation location, std::string queue,
                   std::chrono::milliseconds timeout)
      : location_(std::move(location)), queue_(std::move(queue)), timeout_(timeout) {}

  Result<QueueSample> Sample() override {
    Result<QueueCounts> counts =
        ManagementApiCounts(location_.api_url, queue_, location_.vhost, timeout_);
    if (!counts.ok()) return counts.status();
    return QueueSample{.ready = counts->ready,
                       .unacknowledged = counts->unacknowledged,
                       .publish_rate = counts->publish_rate};
  }

 private:
  ManagementApiLocation location_;
  std::string queue_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

Result<TriggerSource> OpenRabbitMqMetricSource(
    const RabbitMqTrigger& trigger, const std::function<const char*(const char*)>& getenv_fn) {
  Result<std::string> host = ResolveTriggerHost(trigger, getenv_fn);
  if (!host.ok()) return host.status();
  RegisterSecretsOf(*host);  // whatever a library quotes back, no line shows its password
  Result<RabbitMqProtocol> protocol = EffectiveProtocol(trigger, *host);
  if (!protocol.ok()) return protocol.status();
  const std::chrono::milliseconds timeout =
      trigger.timeout_ms ? std::chrono::milliseconds(*trigger.timeout_ms) : kDefaultTimeout;
  if (*protocol == RabbitMqProtocol::kAmqp) {
    return TriggerSource{
        std::make_unique<AmqpMetricSource>(AmqpUrlWithVhost(*host, trigger.vhost_name),
                                           trigger.queue_name, timeout),
        *protocol};
  }
  return TriggerSource{std::make_unique<HttpMetricSource>(
                           ManagementApiOf(*host, trigger.vhost_name), trigger.queue_name, timeout),
                       *protocol};
}

}  // namespace pixfleet
