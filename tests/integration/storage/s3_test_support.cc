// See s3_test_support.h.
#include "s3_test_support.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>

namespace pixfleet::s3_test {

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): no setenv here
  return value == nullptr ? "" : value;
}

std::string FreshUrl(std::string_view folder) {
  static const std::string run = [] {
    std::random_device random;
    return std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-" +
           std::to_string(random());
  }();
  static std::atomic<int> counter{0};
  return "s3://" + Env("PIXFLEET_TEST_S3_BUCKET") + "/" + std::string(folder) + "/" + run + "-" +
         std::to_string(counter.fetch_add(1)) + "/";
}

}  // namespace pixfleet::s3_test
