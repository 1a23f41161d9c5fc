// `pixfleet scale` from the command line, without a broker: a file or trigger it cannot use is
// refused before anything starts (exit 2, naming what is wrong, never a credential); a broker it
// cannot reach is a failed query in the decision's reason (no worker starts, no secret shown);
// SIGTERM ends it with exit 0. Against the real broker: tests/integration/e2e/scale_e2e_test.cc.
#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

// A ScaledObject whose one rabbitmq trigger has `metadata` (indented lines).
std::string ScaledObject(const std::string& metadata) {
  return "apiVersion: keda.sh/v1alpha1\n"
         "kind: ScaledObject\n"
         "metadata:\n"
         "  name: w\n"
         "spec:\n"
         "  scaleTargetRef:\n"
         "    name: w\n"
         "  pollingInterval: 1\n"
         "  triggers:\n"
         "    - type: rabbitmq\n"
         "      metadata:\n"
         "        queueName: q\n" +
         metadata;
}

class ScaleCliTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& yaml) {
    const std::string path = (dir_.path() / "so.yaml").string();
    std::ofstream(path) << yaml;
    return path;
  }
  ProcessOutcome Scale(const std::string& yaml) {
    return RunPixfleet({"scale", "--scaledobject", Write(yaml), "--", "true"},
                       dir_.path().string());
  }
  TempDir dir_;
};

TEST_F(ScaleCliTest, RefusesWhatItCannotUseBeforeStarting) {
  struct Case {
    std::string yaml;
    std::string said;
  };
  const std::vector<Case> cases = {
      {"kind: Deployment\n", "ScaledObject"},
      {ScaledObject("        hostFromEnv: PIXFLEET_SCALE_TEST_UNSET_VARIABLE\n"),
       "PIXFLEET_SCALE_TEST_UNSET_VARIABLE"},
      {ScaledObject("        host: amqp://user:s3cret-pw@127.0.0.1:1/\n"
                    "        mode: MessageRate\n"
                    "        value: \"10\"\n"),
       "MessageRate needs protocol http"},
      {ScaledObject("        host: ftp://user:s3cret-pw@127.0.0.1:1/\n"), "spec.triggers[0]"},
  };
  for (const Case& c : cases) {
    const ProcessOutcome outcome = Scale(c.yaml);
    EXPECT_EQ(outcome.exit_code, 2) << c.yaml << outcome.err;
    EXPECT_NE(outcome.err.find(c.said), std::string::npos) << c.yaml << outcome.err;
    EXPECT_EQ(outcome.err.find("s3cret-pw"), std::string::npos) << outcome.err;
  }
}

TEST_F(ScaleCliTest, TheWorkerCommandIsRequired) {
  const ProcessOutcome outcome = RunPixfleet(
      {"scale", "--scaledobject", Write(ScaledObject("        host: amqp://u:p@127.0.0.1:1/\n"))},
      dir_.path().string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_NE(outcome.err.find("COMMAND"), std::string::npos) << outcome.err;
}

TEST_F(ScaleCliTest, AnUnreachableBrokerStartsNothingShowsNoSecretAndSigtermExitsZero) {
  // Port 1 on loopback: refused at once.
  const std::string yaml = ScaledObject("        host: amqp://app:s3cret-pw@127.0.0.1:1/\n");
  ChildProcess scale(PixfleetBinary(),
                     {"scale", "--scaledobject", Write(yaml), "--", "sh", "-c", "sleep 60"},
                     dir_.path().string());
  // A few polls (pollingInterval 1).
  std::this_thread::sleep_for(std::chrono::milliseconds(2'500));
  EXPECT_TRUE(scale.Children().empty());
  scale.Signal(SIGTERM);
  const ProcessOutcome outcome = scale.Wait(std::chrono::seconds(30));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.err.find("error=true"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("127.0.0.1:1"), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.err.find("s3cret-pw"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace pixfleet::e2e
