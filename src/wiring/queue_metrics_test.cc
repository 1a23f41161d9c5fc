#include "wiring/queue_metrics.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(QueueMetricsTest, CountsMalformedMessagesFromZero) {
  metrics::Registry registry;
  QueueMetrics queue_metrics(registry);
  EXPECT_NE(registry.RenderText().find("pixfleet_queue_malformed_messages_total 0"),
            std::string::npos)
      << registry.RenderText();
  QueueObserver& observer = queue_metrics;
  observer.OnMalformedMessage({"id-1", 16, "not JSON (syntax error at byte 2)"});
  observer.OnMalformedMessage({"", 3, "JSON, but not an object"});
  EXPECT_NE(registry.RenderText().find("pixfleet_queue_malformed_messages_total 2"),
            std::string::npos)
      << registry.RenderText();
}

}  // namespace
}  // namespace pixfleet
