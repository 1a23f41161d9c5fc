// The main() of every test binary: process-wide state is set up here, on the main thread, before
// any test (and so any thread a test starts) runs, as pixfleet's own main() does before its
// workers start.
//
// Logging first: spdlog's registry, and the default logger inside it, are a function static in
// libspdlog.so, created on first use. Left to the first log line, two worker threads logging at
// once both reach that initialisation, and ThreadSanitizer cannot see the guard that orders them
// (its fast path runs in the uninstrumented library), so it reports a race on the logger.
#include <gtest/gtest.h>

#include "core/log.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  pixfleet::InitLogging(pixfleet::LogFormat::kText, "info");
  return RUN_ALL_TESTS();
}
