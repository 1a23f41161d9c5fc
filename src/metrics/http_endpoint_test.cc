#include "metrics/http_endpoint.h"

#include <atomic>

#include <gtest/gtest.h>
#include <httplib.h>

namespace pixfleet::metrics {
namespace {

TEST(HttpEndpointTest, ServesMetricsAndProbes) {
  Registry registry;
  registry.AddCounter("pixfleet_tasks_total", "Tasks.", {"outcome"})
      .With({"succeeded"})
      .Increment(4);
  std::atomic<bool> ready{false};
  Probes probes;
  probes.ready = [&ready] { return ready ? Status::Ok() : Unavailable("queue not connected"); };
  auto endpoint = HttpEndpoint::Start("127.0.0.1", 0, registry, probes);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  httplib::Client client("127.0.0.1", (*endpoint)->Port());

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("pixfleet_tasks_total{outcome=\"succeeded\"} 4"), std::string::npos);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  auto not_ready = client.Get("/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("queue not connected"), std::string::npos);
  ready = true;
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  EXPECT_EQ(client.Get("/nothing")->status, 404);
}

TEST(HttpEndpointTest, ParsesListenAddresses) {
  EXPECT_EQ(*ParseListenAddress("127.0.0.1:9090"), std::make_pair(std::string("127.0.0.1"), 9090));
  EXPECT_EQ(*ParseListenAddress(":9090"), std::make_pair(std::string("0.0.0.0"), 9090));
  EXPECT_FALSE(ParseListenAddress("9090").ok());
  EXPECT_FALSE(ParseListenAddress("host:port").ok());
  EXPECT_FALSE(ParseListenAddress("host:70000").ok());
}

}  // namespace
}  // namespace pixfleet::metrics
