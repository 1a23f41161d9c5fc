#include "status/batch_status.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(BatchStatusTest, RateIsFinishedRowsOverTheirTimeSpan) {
  BatchCounts counts;
  EXPECT_EQ(BatchRate(counts), 0);
  counts.succeeded = 90;
  counts.failed = 11;
  counts.first_finished_ms = 1'000;
  counts.last_finished_ms = 11'000;
  EXPECT_DOUBLE_EQ(BatchRate(counts), 10.0);
}

TEST(BatchStatusTest, ShowsProgressEtaAndFailures) {
  BatchStatus s;
  s.batch.id = "b1";
  s.batch.name = "std3";
  s.batch.task_count = 200;
  s.batch.created_ms = 1'764'400'000'000;
  s.counts.succeeded = 90;
  s.counts.failed = 11;
  s.counts.failed_by_code = {{StatusCode::kInvalidArgument, 8},
                             {StatusCode::kResourceExhausted, 3}};
  s.counts.first_finished_ms = 1'000;
  s.counts.last_finished_ms = 11'000;
  s.now_ms = 13'000;
  const std::string text = FormatBatchStatus(s);
  EXPECT_NE(text.find("batch b1 \"std3\"  created 2025-11-29"), std::string::npos) << text;
  EXPECT_NE(text.find("done 101/200 (50.5%)  succeeded 90  failed 11  pending 99"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rate 10.0 images/s  ETA 9s  last result 2s ago"), std::string::npos) << text;
  EXPECT_NE(text.find("failures: 8 invalid_argument, 3 resource_exhausted"), std::string::npos)
      << text;
}

TEST(BatchStatusTest, NamesFromTheBatchReachTheTerminalEscaped) {
  BatchStatus s;
  s.batch.id = "b1";
  s.batch.name = "evil\x1b]0;pwned\x07\nforged line\xc2\x9b";
  const std::string text = FormatBatchStatus(s);
  EXPECT_NE(text.find("batch b1 \"evil\\x1b]0;pwned\\x07\\nforged line\\u009b\""),
            std::string::npos)
      << text;
  const std::string queue = FormatQueueStatus(QueueStatus{"q\x1b[2J", QueueDepth{}, 0});
  EXPECT_TRUE(queue.starts_with("queue q\\x1b[2J: ")) << queue;
}

TEST(BatchStatusTest, QueueLineShowsInFlightOnlyWhenKnown) {
  QueueStatus s{"photos", QueueDepth{95, 0, 4, 11}, 37};
  EXPECT_EQ(FormatQueueStatus(s),
            "queue photos: ready 95  in flight 37  delayed 0  dead-letter 11\n");
  s.in_flight.reset();
  EXPECT_EQ(FormatQueueStatus(s),
            "queue photos: ready 95  in flight ?  delayed 0  dead-letter 11\n");
}

}  // namespace
}  // namespace pixfleet
