// BatchCatalog: a batch's output is probed for writes once, when the batch is first met; a
// refusal is remembered and returned before any input is read, a store that cannot be reached
// is probed again later.
#include "worker/batch_catalog.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "results/memory/in_memory_result_store.h"
#include "storage/fault_injecting_object_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "storage/object_store_wrapper.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

constexpr const char* kRecipe = R"(name: test
outputs:
  - name: thumb
    ops: [{resize: {fit: inside, width: 16, height: 16}}]
    format: webp
)";

class BatchCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Batch batch;
    batch.id = "b-1";
    batch.source_url = "mem://in";
    batch.output_url = "mem://out";
    batch.recipe_yaml = kRecipe;
    ASSERT_TRUE(results_.PutBatch(batch).ok());
  }

  FakeClock clock_;
  InMemoryResultStore results_{clock_};
  FaultInjectingObjectStore inputs_{std::make_unique<InMemoryObjectStore>()};
  FaultInjectingObjectStore outputs_{std::make_unique<InMemoryObjectStore>()};
  int stores_made_ = 0;
  // Set to make the factory refuse to open the output.
  Status output_open_failure_;
  BatchCatalog catalog_{results_,
                        [this](std::string_view url) -> Result<std::unique_ptr<ObjectStore>> {
                          ++stores_made_;
                          if (url == "mem://out" && !output_open_failure_.ok()) {
                            return output_open_failure_;
                          }
                          return std::unique_ptr<ObjectStore>(std::make_unique<ObjectStoreWrapper>(
                              url == "mem://in" ? static_cast<ObjectStore&>(inputs_) : outputs_));
                        }};
};

TEST_F(BatchCatalogTest, AWritableOutputIsProbedOnceForTheBatch) {
  for (int i = 0; i < 3; ++i) {
    auto context = catalog_.Get("b-1");
    ASSERT_TRUE(context.ok()) << context.status().ToString();
    EXPECT_EQ((*context)->batch.id, "b-1");
  }
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kCheckWritable), 1);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kCheckWritable), 0);  // inputs are only read
  EXPECT_EQ(stores_made_, 2);
}

TEST_F(BatchCatalogTest, AnOutputThatRefusesWritesIsRefusedForTheBatchAndRemembered) {
  outputs_.FailNext(ObjectOperation::kCheckWritable, 1,
                    FailedPrecondition("s3://out refuses writes: bucket does not exist"));
  const auto first = catalog_.Get("b-1");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(first.error().message(),
            "the output of batch b-1: s3://out refuses writes: bucket does not exist");
  // The verdict stands for the batch: no second probe, no second store, nothing read.
  const auto second = catalog_.Get("b-1");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), first.error());
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kCheckWritable), 1);
  EXPECT_EQ(stores_made_, 2);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kGet), 0);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kFetch), 0);
}

TEST_F(BatchCatalogTest, AnOutputThatCannotBeReachedIsProbedAgainLater) {
  outputs_.FailNext(ObjectOperation::kCheckWritable, 1, Unavailable("connection refused"));
  const auto first = catalog_.Get("b-1");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(first.error().IsRetryable());
  const auto second = catalog_.Get("b-1");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kCheckWritable), 2);
}

TEST_F(BatchCatalogTest, AnOutputThatCannotEvenBeOpenedForWritingIsRemembered) {
  output_open_failure_ =
      FailedPrecondition("cannot create local object store root /out: Read-only file system");
  EXPECT_EQ(catalog_.Get("b-1").status(), output_open_failure_);
  EXPECT_EQ(catalog_.Get("b-1").status(), output_open_failure_);
  EXPECT_EQ(stores_made_, 2);  // the input store once, the refused output once
}

TEST_F(BatchCatalogTest, AMissingBatchIsNotFound) {
  EXPECT_EQ(catalog_.Get("b-none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kCheckWritable), 0);
}

}  // namespace
}  // namespace pixfleet
