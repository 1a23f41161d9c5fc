// The status pipe's lines, through a real pipe: their text, their order, and that neither a
// reader that is gone nor one that never reads can hurt or hold the worker.
#include "worker/status_pipe.h"

#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace pixfleet {
namespace {

// A pipe whose ends the test closes when it is done with them.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void CloseRead() {
    close(fds[0]);
    fds[0] = -1;
  }
  // Reads one line (blocking), without its '\n'.
  std::string ReadLine() const {
    std::string line;
    char c = 0;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  int fds[2] = {-1, -1};
};

TEST(StatusPipeTest, LinesSayTheState) {
  const std::pair<WorkerState, const char*> cases[] = {
      {{false, 0}, "idle"},      {{false, 1}, "busy 1"},    {{false, 12}, "busy 12"},
      {{true, 0}, "stopping 0"}, {{true, 3}, "stopping 3"},
  };
  for (const auto& [state, line] : cases) EXPECT_EQ(StatusLine(state), line);
}

TEST(StatusPipeTest, OnlyADescriptorOpenForWritingIsUsed) {
  Pipe pipe;
  const std::string write_end = std::to_string(pipe.fds[1]);
  EXPECT_EQ(StatusFdFrom(write_end.c_str()), pipe.fds[1]);
  const std::string read_end = std::to_string(pipe.fds[0]);
  EXPECT_EQ(StatusFdFrom(read_end.c_str()), std::nullopt);  // read-only
  for (const char* bad : {"", "x", "3x", "-1", " 5", "99999"}) {
    EXPECT_EQ(StatusFdFrom(bad), std::nullopt) << bad;  // 99999: not open here
  }
  EXPECT_EQ(StatusFdFrom(nullptr), std::nullopt);
}

TEST(StatusPipeTest, WritesEachStateAsOneLineInOrder) {
  Pipe pipe;
  StatusPipe status(pipe.fds[1]);
  // One at a time, each read before the next is sent, so none is replaced by a newer one.
  status.Send({false, 0});
  EXPECT_EQ(pipe.ReadLine(), "idle");
  status.Send({false, 2});
  EXPECT_EQ(pipe.ReadLine(), "busy 2");
  status.Send({true, 1});
  EXPECT_EQ(pipe.ReadLine(), "stopping 1");
  status.Send({true, 0});
  EXPECT_EQ(pipe.ReadLine(), "stopping 0");
}

TEST(StatusPipeTest, AReaderThatIsBehindGetsTheLatestState) {
  Pipe pipe;
  {
    StatusPipe status(pipe.fds[1]);
    for (int n = 1; n <= 50; ++n) status.Send({false, n});
    status.Send({true, 0});
  }  // the last state goes out before the destructor returns
  // Whatever was skipped, the last line read is the last state sent.
  std::string last;
  for (std::string line = pipe.ReadLine(); !line.empty(); line = pipe.ReadLine()) {
    last = line;
    if (line == "stopping 0") break;
  }
  EXPECT_EQ(last, "stopping 0");
}

TEST(StatusPipeDeathTest, AClosedReaderEndsTheWritingWithoutSigpipe) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Pipe pipe;
        pipe.CloseRead();
        {
          StatusPipe status(pipe.fds[1]);
          status.Send({false, 0});
          status.Send({false, 1});
        }
        std::exit(7);  // NOLINT(concurrency-mt-unsafe): the writer thread has ended
      },
      ::testing::ExitedWithCode(7), "");
}

TEST(StatusPipeTest, AFullPipeNeverHoldsTheWorker) {
  Pipe pipe;
  ASSERT_EQ(fcntl(pipe.fds[1], F_SETFL, O_NONBLOCK), 0);
  // Fill the pipe: a reader that never reads.
  const std::string filler(4096, 'f');
  while (write(pipe.fds[1], filler.data(), filler.size()) > 0) {
  }
  while (write(pipe.fds[1], filler.data(), 1) > 0) {
  }
  {
    StatusPipe status(pipe.fds[1]);
    status.Send({false, 1});
    status.Send({true, 1});
  }  // returns: the line that found no room is dropped
  // The pipe holds the filler only.
  ASSERT_EQ(fcntl(pipe.fds[0], F_SETFL, O_NONBLOCK), 0);
  char buffer[4096];
  bool only_filler = true;
  for (ssize_t n = read(pipe.fds[0], buffer, sizeof buffer); n > 0;
       n = read(pipe.fds[0], buffer, sizeof buffer)) {
    for (ssize_t i = 0; i < n; ++i) only_filler = only_filler && buffer[i] == 'f';
  }
  EXPECT_TRUE(only_filler);
}

}  // namespace
}  // namespace pixfleet
