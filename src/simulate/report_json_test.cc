#include "simulate/report_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pixfleet::simulate {
namespace {

TEST(ReportJsonTest, OneRowPerVariantAndTheRecommendation) {
  Variant drained;
  drained.label = "value 5";
  drained.kind = VariantKind::kScaledObject;
  drained.protocols = {RabbitMqProtocol::kHttp};
  drained.value = 5;
  Variant stuck = drained;
  stuck.label = "ScaledJob (value 1)";
  stuck.kind = VariantKind::kScaledJob;
  stuck.protocols = {RabbitMqProtocol::kAmqp};
  stuck.value = 1;
  drained.deletion_cost = std::chrono::milliseconds(5000);
  SimResult a;
  a.tasks = 10;
  a.drain_time = std::chrono::milliseconds(12'500);
  a.paid_seconds = 40;
  a.busy_seconds = 30;
  a.interrupted = 2;
  a.busy_stopped = 3;
  a.peak_pods = 3;
  a.peak_db_clients = 3;
  SimResult b;
  b.tasks = 10;
  Recommendation rec;
  rec.value = 5;
  rec.rule = "rule";
  rec.why = "why";
  const auto doc = nlohmann::json::parse(JsonReport({drained, stuck}, {a, b}, rec, 7));
  EXPECT_EQ(doc["tasks"], 10);
  EXPECT_EQ(doc["seed"], 7);
  ASSERT_EQ(doc["variants"].size(), 2U);
  const auto& row = doc["variants"][0];
  EXPECT_EQ(row["label"], "value 5");
  EXPECT_EQ(row["kind"], "ScaledObject");
  EXPECT_EQ(row["protocol"], "http");
  EXPECT_EQ(row["drain_s"], 12.5);
  EXPECT_EQ(row["paid_s"], 40.0);
  EXPECT_EQ(row["idle_s"], 10.0);  // 40 paid − 30 busy
  EXPECT_EQ(row["interrupted"], 2);
  EXPECT_EQ(row["busy_stopped"], 3);
  EXPECT_EQ(row["deletion_cost"], true);
  EXPECT_EQ(doc["variants"][1]["deletion_cost"], false);
  EXPECT_EQ(row["pgbouncer_clients"], 3);
  EXPECT_TRUE(doc["variants"][1]["drain_s"].is_null());
  EXPECT_EQ(doc["variants"][1]["kind"], "ScaledJob");
  EXPECT_EQ(doc["recommendation"]["value"], 5.0);
  EXPECT_EQ(doc["recommendation"]["why"], "why");
}

}  // namespace
}  // namespace pixfleet::simulate
