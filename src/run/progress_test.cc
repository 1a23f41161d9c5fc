#include "run/progress.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProgressTest, RateIsMeasuredOverTheWindow) {
  RateMeter meter(seconds(10));
  const std::chrono::steady_clock::time_point t0{};
  EXPECT_EQ(meter.PerSecond(), 0);
  meter.Add(t0, 0);
  meter.Add(t0 + seconds(2), 100);
  EXPECT_DOUBLE_EQ(meter.PerSecond(), 50);
  meter.Add(t0 + seconds(30), 160);  // old samples fall out of the window
  meter.Add(t0 + seconds(32), 200);
  EXPECT_DOUBLE_EQ(meter.PerSecond(), 20);
}

TEST(ProgressTest, BarShowsCountsRateAndEta) {
  ProgressSnapshot s;
  s.total = 1000;
  s.succeeded = 497;
  s.failed = 3;
  s.rate_per_second = 50;
  const std::string bar = FormatProgressBar(s, 80);
  EXPECT_LE(bar.size(), 80u);
  EXPECT_NE(bar.find("500/1000"), std::string::npos) << bar;
  EXPECT_NE(bar.find("3 failed"), std::string::npos) << bar;
  EXPECT_NE(bar.find("50.0 img/s"), std::string::npos) << bar;
  EXPECT_NE(bar.find("ETA 10s"), std::string::npos) << bar;
  const size_t hashes = static_cast<size_t>(std::count(bar.begin(), bar.end(), '#'));
  const size_t dots = static_cast<size_t>(std::count(bar.begin(), bar.end(), '.'));
  EXPECT_NEAR(static_cast<double>(hashes) / static_cast<double>(hashes + dots - 2), 0.5, 0.06);
}

TEST(ProgressTest, PlainLineForLogs) {
  ProgressSnapshot s;
  s.total = 200;
  s.succeeded = 50;
  s.workers = 2;
  EXPECT_EQ(FormatProgressLine(s),
            "progress: 50/200 done (25.0%), 0 failed, 0.0 img/s, ETA --, 2 workers");
}

}  // namespace
}  // namespace pixfleet
