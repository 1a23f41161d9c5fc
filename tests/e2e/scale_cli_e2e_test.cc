// `pixfleet scale` from the command line, without a broker: a file or trigger it cannot use is
// refused before anything starts (exit 2, naming what is wrong, never a credential); a broker it
// cannot reach is a failed query in the decision's reason (no worker starts, no secret shown);
// SIGTERM ends it with exit 0; `--check` validates a file and says what a run would do, without
// a command and without contacting anything. Against the real broker:
// tests/integration/e2e/scale_e2e_test.cc.
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

TEST_F(ScaleCliTest, CheckValidatesTheFileAndSaysWhatARunWouldDoWithoutStartingAnything) {
  struct Case {
    std::string yaml;
    int exit_code;
    std::vector<std::string> said;  // each found in stdout (exit 0) or stderr (exit 2)
  };
  const std::vector<Case> cases = {
      // As deploy/overlays/short-tasks renders it: the host comes from a TriggerAuthentication.
      {"apiVersion: keda.sh/v1alpha1\n"
       "kind: ScaledObject\n"
       "metadata: {name: pixfleet-worker, labels: {app.kubernetes.io/part-of: pixfleet}}\n"
       "spec:\n"
       "  scaleTargetRef: {name: pixfleet-worker}\n"
       "  pollingInterval: 15\n"
       "  maxReplicaCount: 40\n"
       "  triggers:\n"
       "    - type: rabbitmq\n"
       "      authenticationRef: {name: pixfleet-rabbitmq-management}\n"
       "      metadata: {protocol: http, queueName: pixfleet, mode: QueueLength, value: \"200\"}\n",
       0,
       {"ScaledObject pixfleet-worker: 0 to 40 replicas of pixfleet-worker, polling every 15 s, "
        "cooldown 300 s\n",
        "trigger 0: queue pixfleet, protocol http, QueueLength value 200, active above 0; host "
        "from the TriggerAuthentication pixfleet-rabbitmq-management in a cluster, pixfleet's "
        "environment here",
        "each replica runs the worker command given after --"}},
      // A host in the file decides the protocol; its password is never printed, and the
      // unreachable broker is not contacted (a run would report the refused connection).
      {ScaledObject("        host: amqp://app:s3cret-pw@127.0.0.1:1/\n"
                    "        mode: QueueLength\n"
                    "        value: \"5\"\n"
                    "        activationValue: \"2\"\n"),
       0,
       {"ScaledObject w: 0 to 100 replicas of w, polling every 1 s",
        "trigger 0: queue q, protocol amqp, QueueLength value 5, active above 2; host from the "
        "file"}},
      {"apiVersion: keda.sh/v1alpha1\n"
       "kind: ScaledJob\n"
       "metadata: {name: j}\n"
       "spec:\n"
       "  jobTargetRef: {template: {}}\n"
       "  maxReplicaCount: 7\n"
       "  scalingStrategy: {strategy: accurate}\n"
       "  triggers:\n"
       "    - type: rabbitmq\n"
       "      metadata: {hostFromEnv: PIXFLEET_SCALE_TEST_UNSET_VARIABLE, protocol: http,\n"
       "                 queueName: long, mode: QueueLength, value: \"1\"}\n",
       0,
       {"ScaledJob j: at most 7 jobs, polling every 30 s, strategy accurate",
        "queue long, protocol http, QueueLength value 1",
        "host from $PIXFLEET_SCALE_TEST_UNSET_VARIABLE (a run here needs it: hostFromEnv: the "
        "environment variable PIXFLEET_SCALE_TEST_UNSET_VARIABLE is not set)"}},
      {"kind: Deployment\n", 2, {"ScaledObject"}},
      {ScaledObject("        host: amqp://u:p@127.0.0.1:1/\n"
                    "        mode: MessageRate\n"
                    "        value: \"10\"\n"),
       2,
       {"MessageRate needs protocol http"}},
  };
  for (const Case& c : cases) {
    const ProcessOutcome outcome =
        RunPixfleet({"scale", "--check", "--scaledobject", Write(c.yaml)}, dir_.path().string());
    EXPECT_EQ(outcome.exit_code, c.exit_code) << c.yaml << outcome.err;
    const std::string& text = c.exit_code == 0 ? outcome.out : outcome.err;
    for (const std::string& said : c.said) {
      EXPECT_NE(text.find(said), std::string::npos) << said << "\n--- in:\n" << text;
    }
    EXPECT_EQ(outcome.out.find("s3cret-pw"), std::string::npos) << outcome.out;
    EXPECT_EQ(outcome.err.find("s3cret-pw"), std::string::npos) << outcome.err;
  }
}

}  // namespace
}  // namespace pixfleet::e2e
