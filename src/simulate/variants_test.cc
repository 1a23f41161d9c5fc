#include "simulate/variants.h"

#include <gtest/gtest.h>

namespace pixfleet::simulate {
namespace {

using std::chrono::milliseconds;

ScaledObjectSpec Written() {
  ScaledObjectSpec so;
  so.name = "workers";
  so.max_replica_count = 30;
  RabbitMqTrigger trigger;
  trigger.queue_name = "tasks";
  trigger.host = "amqp://guest:guest@localhost:5672/";
  trigger.value = 10;
  so.triggers = {trigger};
  return so;
}

TEST(VariantsTest, ComparisonsDerivedFromAScaledObject) {
  VariantOptions options;
  options.values = {1, 5};
  const auto variants = BuildVariants(KedaObject(Written()), {RabbitMqProtocol::kAmqp}, options);
  const struct {
    const char* label;
    VariantKind kind;
    RabbitMqProtocol protocol;
    double value;
    bool sweep;
  } expected[] = {
      {"as written", VariantKind::kScaledObject, RabbitMqProtocol::kAmqp, 10, false},
      {"protocol http", VariantKind::kScaledObject, RabbitMqProtocol::kHttp, 10, false},
      {"ScaledJob (value 1)", VariantKind::kScaledJob, RabbitMqProtocol::kAmqp, 1, false},
      {"plain HPA (min 1)", VariantKind::kPlainHpa, RabbitMqProtocol::kAmqp, 10, false},
      {"scale-up 4 pods/60s", VariantKind::kScaledObject, RabbitMqProtocol::kAmqp, 10, false},
      {"pod-deletion-cost", VariantKind::kScaledObject, RabbitMqProtocol::kAmqp, 10, false},
      {"value 1", VariantKind::kScaledObject, RabbitMqProtocol::kAmqp, 1, true},
      {"value 5", VariantKind::kScaledObject, RabbitMqProtocol::kAmqp, 5, true},
  };
  ASSERT_EQ(variants.size(), std::size(expected));
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(variants[i].label, expected[i].label);
    EXPECT_EQ(variants[i].kind, expected[i].kind) << expected[i].label;
    EXPECT_EQ(variants[i].protocols.front(), expected[i].protocol) << expected[i].label;
    EXPECT_EQ(variants[i].value, expected[i].value) << expected[i].label;
    EXPECT_EQ(variants[i].value_sweep, expected[i].sweep) << expected[i].label;
  }
  // The ScaledJob keeps the maximum and the trigger (one message per Job: value 1); the paced
  // variant has exactly one policy.
  EXPECT_EQ(variants[2].scaled_job.max_replica_count, 30);
  EXPECT_EQ(variants[2].scaled_job.triggers.front().queue_name, "tasks");
  ASSERT_TRUE(variants[4].scaled_object.behavior.has_value());
  ASSERT_EQ(variants[4].scaled_object.behavior->scale_up.policies.size(), 1U);
  EXPECT_EQ(variants[4].scaled_object.behavior->scale_up.policies[0].value, 4);
  EXPECT_EQ(variants[1].scaled_object.triggers.front().protocol, RabbitMqProtocol::kHttp);
  // Only the pod-deletion-cost row has its workers write the annotation, at the worker's pace;
  // it is otherwise the file as written.
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(variants[i].deletion_cost.has_value(), i == 5) << variants[i].label;
  }
  EXPECT_EQ(variants[5].deletion_cost, milliseconds(5000));
  EXPECT_EQ(variants[5].scaled_object.max_replica_count, 30);
  EXPECT_FALSE(variants[5].scaled_object.behavior.has_value());
}

TEST(VariantsTest, AFileWithBehaviorIsComparedWithout) {
  ScaledObjectSpec so = Written();
  so.behavior = HpaBehavior{};
  VariantOptions options;
  options.values = {};
  const auto variants = BuildVariants(KedaObject(so), {RabbitMqProtocol::kHttp}, options);
  ASSERT_EQ(variants.size(), 6U);
  EXPECT_EQ(variants[1].label, "protocol amqp");
  EXPECT_EQ(variants[4].label, "no behavior block");
  EXPECT_FALSE(variants[4].scaled_object.behavior.has_value());
}

SimResult Result(Millis drain, double paid) {
  SimResult r;
  r.drain_time = drain;
  r.paid_seconds = paid;
  return r;
}

Variant Sweep(double value) {
  Variant v;
  v.value = value;
  v.value_sweep = true;
  return v;
}

TEST(VariantsTest, RecommendsTheCheapestValueWithinTheBound) {
  // Fastest drain 100 s; within 10 % means ≤ 110 s: values 1 (500 w-s) and 5 (300 w-s) qualify,
  // 10 (150 s) does not although it is cheapest. The "as written" row is not a candidate.
  Variant written = Sweep(2);
  written.value_sweep = false;
  const std::vector<Variant> variants = {written, Sweep(1), Sweep(5), Sweep(10)};
  const std::vector<SimResult> results = {
      Result(milliseconds(50'000), 10), Result(milliseconds(100'000), 500),
      Result(milliseconds(105'000), 300), Result(milliseconds(150'000), 200)};
  const Recommendation r = Recommend(variants, results, 10);
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(*r.value, 5);
  EXPECT_NE(r.rule.find("within 10 %"), std::string::npos) << r.rule;
  EXPECT_NE(r.why.find("value 5 drains in 105 s (fastest 100 s)"), std::string::npos) << r.why;

  // With a 60 % bound value 10 qualifies and is cheapest.
  EXPECT_EQ(Recommend(variants, results, 60).value, 10);
}

TEST(VariantsTest, EqualResultsRecommendTheLargestValueAndSaySo) {
  const std::vector<Variant> variants = {Sweep(1), Sweep(5), Sweep(10)};
  const std::vector<SimResult> results(3, Result(milliseconds(100'000), 400));
  const Recommendation r = Recommend(variants, results, 10);
  EXPECT_EQ(r.value, 10);
  EXPECT_NE(r.why.find("every value from 1 to 10 drains in 100 s for 400 worker-seconds"),
            std::string::npos)
      << r.why;
}

TEST(VariantsTest, NoRecommendationWhenNothingDrained) {
  SimResult not_drained;
  const Recommendation r = Recommend({Sweep(1)}, {not_drained}, 10);
  EXPECT_FALSE(r.value.has_value());
}

}  // namespace
}  // namespace pixfleet::simulate
