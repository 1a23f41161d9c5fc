// The engine where threads meet: images side by side in one process, and a deadline that stops
// libvips' worker threads from the caller's. The ThreadSanitizer run builds these (THREADS); the
// rest of the engine's tests drive the same code on one calling thread and run under ASan only.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only

class EngineThreadsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }
};

TEST_F(EngineThreadsTest, ConcurrentCallsGiveTheSameResultsAsSequentialOnes) {
  // Workers run images side by side in one process: results must not depend on that, and a
  // failure on one thread must not leak its message into another's.
  const std::vector<std::string> inputs = {
      CachedImage(Spec(1200, 900, TestFormat::kJpeg, TestPixels::kRgb, 1, 31)),
      CachedImage(Spec(900, 1200, TestFormat::kPng, TestPixels::kRgba, 1, 32)),
      CachedImage(Spec(1000, 800, TestFormat::kWebp, TestPixels::kRgb, 1, 33)),
      CachedImage(Spec(800, 600, TestFormat::kJpeg, TestPixels::kRgb, 6, 34))};
  const std::string truncated = inputs[0].substr(0, inputs[0].size() / 2);
  std::vector<EngineResult> sequential;
  sequential.reserve(inputs.size());
  for (const std::string& input : inputs) {
    sequential.push_back(ProcessExpectingSuccess(input, Std3()));
  }

  std::vector<Result<EngineResult>> parallel(inputs.size(), Status(StatusCode::kInternal, "unset"));
  std::vector<Status> failures(inputs.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < inputs.size(); ++i) {
      threads.emplace_back([&, i] {
        for (int round = 0; round < 3; ++round) {
          parallel[i] = ProcessImage(inputs[i], "in/" + std::to_string(i), Std3(), EngineLimits{});
          Result<EngineResult> bad =
              ProcessImage(truncated, "bad/" + std::to_string(i), Std3(), EngineLimits{});
          failures[i] = bad.ok() ? Status::Ok() : bad.error();
        }
      });
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_TRUE(parallel[i].ok()) << parallel[i].error().ToString();
    EXPECT_EQ(parallel[i]->analysis, sequential[i].analysis) << i;
    ASSERT_EQ(parallel[i]->outputs.size(), sequential[i].outputs.size());
    for (size_t j = 0; j < sequential[i].outputs.size(); ++j) {
      EXPECT_EQ(parallel[i]->outputs[j].bytes, sequential[i].outputs[j].bytes) << i << "/" << j;
    }
    EXPECT_EQ(failures[i].code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(failures[i].message().starts_with("bad/" + std::to_string(i) +
                                                  ": corrupt or truncated image: "))
        << failures[i].message();
  }
}

TEST_F(EngineThreadsTest, TimeoutStopsLibvipsWorkQuickly) {
  // Full-resolution outputs of a 12 MP JPEG: a decode and three encodes of 12 MP, over a second.
  Recipe recipe;
  recipe.outputs = {Output("full", {AutoRotateOp{}}, ImageFormat::kPng),
                    Output("again", {AutoRotateOp{}}, ImageFormat::kJpeg),
                    Output("tiff", {AutoRotateOp{}}, ImageFormat::kTiff)};
  const std::string& input = CachedImage(Spec(4000, 3000, TestFormat::kJpeg));

  EngineLimits limits;
  limits.timeout = std::chrono::milliseconds(1);
  const auto start = std::chrono::steady_clock::now();
  const Status status = ProcessExpectingFailure(input, "slow.jpg", recipe, limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "slow.jpg: processing exceeded the time limit of 1 ms");

  const auto full_start = std::chrono::steady_clock::now();
  Result<EngineResult> full = ProcessImage(input, "slow.jpg", recipe, EngineLimits{});
  const auto full_elapsed = std::chrono::steady_clock::now() - full_start;
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  // A ratio, not a time: it holds on a loaded machine and under sanitizers, where both calls
  // slow down together; a timeout that let the work finish would make the two about equal.
  EXPECT_LT(elapsed * 2, full_elapsed) << "the timed-out call must stop early, not finish";
}

}  // namespace
}  // namespace pixfleet
