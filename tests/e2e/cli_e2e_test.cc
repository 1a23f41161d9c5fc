// End-to-end tests of the command line as a hostile or careless user meets it: usage errors exit
// 2 with CLI11's message, in the log format asked for; numbers, levels and empty values are
// checked before any work; run and process refuse remote locations instead of writing to a
// folder named "s3:"; file names with control characters never reach the terminal raw, from any
// command; and no secret of any connection string reaches stdout or stderr, from any command's
// error path.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <vips/vips8>

#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;

std::string Std3() { return SourceRoot() + "/recipes/std3.yaml"; }

// The first byte of `text` a terminal would act on, or nullopt: a C0 control other than the
// line feed that ends a line, DEL, a C1 control (UTF-8 encoded), or a byte of an invalid UTF-8
// sequence.
std::optional<size_t> FirstTerminalControl(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if ((byte < 0x20 && byte != '\n') || byte == 0x7F) return i;
      ++i;
      continue;
    }
    const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0;
    if (length == 0 || byte > 0xF4 || i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    if (byte == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return i;  // C1
    i += length;
  }
  return std::nullopt;
}

void ExpectTerminalSafe(const ProcessOutcome& outcome, const std::string& what) {
  for (const std::string* stream : {&outcome.out, &outcome.err}) {
    const auto at = FirstTerminalControl(*stream);
    EXPECT_FALSE(at.has_value()) << what << ": raw byte "
                                 << static_cast<int>(static_cast<unsigned char>((*stream)[*at]))
                                 << " at " << *at << " in:\n"
                                 << *stream;
  }
}

// Entries of `dir` whose name holds ':' (a URL taken for a relative path: "s3:", "S3:bucket").
std::vector<std::string> NamesWithAColon(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(':') != std::string::npos) names.push_back(name);
  }
  return names;
}

// Sets an environment variable for the children started while it lives.
class ScopedEnv {
 public:
  // The environment is changed only from the test's own thread, before and after its children.
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;  // NOLINT(concurrency-mt-unsafe)
    setenv(name, value.c_str(), 1);                            // NOLINT(concurrency-mt-unsafe)
  }
  ~ScopedEnv() {
    if (previous_) {
      setenv(name_, previous_->c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    } else {
      unsetenv(name_);  // NOLINT(concurrency-mt-unsafe)
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

// Runs the children started while it lives in `dir` (they inherit the working directory), so a
// relative path they wrongly create lands where the test looks.
class ScopedWorkingDirectory {
 public:
  explicit ScopedWorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) {
    fs::current_path(dir);
  }
  ~ScopedWorkingDirectory() { fs::current_path(previous_); }
  ScopedWorkingDirectory(const ScopedWorkingDirectory&) = delete;
  ScopedWorkingDirectory& operator=(const ScopedWorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

class CliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("cli_e2e_test"), 0); }

  ProcessOutcome Run(const std::vector<std::string>& args) {
    return RunPixfleet(args, dir_.path().string());
  }

  void WriteJpeg(const fs::path& path) {
    TestImageSpec spec;
    spec.width = 320;
    spec.height = 240;
    auto bytes = MakeTestImage(spec);
    ASSERT_TRUE(bytes.ok());
    WriteFileForTest(path, *bytes);
  }

  std::string SqliteUrl(const std::string& name) { return "sqlite://" + dir_.Join(name); }

  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  fs::path out_ = dir_.path() / "out";
};

TEST_F(CliE2eTest, UsageErrorsExitTwoWithTheFlagNamed) {
  WriteFileForTest(source_ / "a.jpg", "x");
  const std::string src = source_.string();
  const std::string out = out_.string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", src, "--recipe", dir_.path().string(), "--out", out}, "--recipe"},  // a directory
      {{"run", src, "--recipe", Std3()}, "--out is required"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--no-such-flag"}, "--no-such-flag"},
      {{"--log-level", "nonsense", "run", src, "--recipe", Std3(), "--out", out}, "--log-level"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--max-pixels", "-1"}, "--max-pixels"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--max-pixels", "0"}, "--max-pixels"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--max-bytes", "-1"}, "--max-bytes"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--max-bytes", "1.5"}, "--max-bytes"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--timeout-ms", "0"}, "--timeout-ms"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--workers", "0"}, "--workers"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--workers", "-3"}, "--workers"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--max-attempts", "0"}, "--max-attempts"},
      {{"run", src, "--recipe", Std3(), "--out", out, "--progress-interval-ms", "-5"},
       "--progress-interval-ms"},
      {{"process", src + "/a.jpg", "--recipe", Std3(), "--out", out, "--max-bytes", "0"},
       "--max-bytes"},
      {{"worker", "--queue", SqliteUrl("q.db"), "--db", SqliteUrl("r.db"), "--concurrency", "0"},
       "--concurrency"},
      {{"worker", "--queue", SqliteUrl("q.db"), "--db", SqliteUrl("r.db"), "--max-pixels", "-1"},
       "--max-pixels"},
      {{"status"}, "--db is required"},
      {{"db"}, "subcommand"},
  };
  for (const auto& [args, flag] : cases) {
    const auto outcome = Run(args);
    const std::string command = ::testing::PrintToString(args);
    EXPECT_EQ(outcome.exit_code, 2) << command << "\n" << outcome.err;
    EXPECT_NE(outcome.err.find(flag), std::string::npos) << command << "\n" << outcome.err;
    EXPECT_TRUE(outcome.err.starts_with("pixfleet")) << command << "\n" << outcome.err;
    EXPECT_EQ(outcome.err.find('\n'), outcome.err.size() - 1) << "one line: " << outcome.err;
  }
  EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliE2eTest, HelpAndVersionExitZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"--version"}, {"run", "--help"}, {"db", "--help"}}) {
    const auto outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_NE(outcome.out.find("pixfleet"), std::string::npos) << outcome.out;
  }
}

TEST_F(CliE2eTest, LogLevelsAreTheKnownOnesInAnyCase) {
  for (const char* level : {"trace", "DEBUG", "Info", "warn", "error", "critical", "off"}) {
    const auto outcome = Run({"--log-level", level, "status", "--db", SqliteUrl("r.db")});
    EXPECT_EQ(outcome.exit_code, 0) << level << ": " << outcome.err;
    EXPECT_EQ(outcome.out, "no batches\n");
  }
}

TEST_F(CliE2eTest, FatalLinesFollowTheLogFormat) {
  const std::vector<std::vector<std::string>> failing = {
      {"run", source_.string(), "--recipe", Std3()},                     // a parse error
      {"run", dir_.Join("missing"), "--recipe", Std3(), "--out", "x"},   // a validation error
      {"status", "--db", "mysql://db/x"},                                // the command's own
      {"db", "migrate", "--db", "postgresql://u:Pw%40x@127.0.0.1:1/x"},  // after connecting
      {"worker", "--queue", "nosuch://q", "--db", SqliteUrl("r.db")},    // the worker's own
      {"submit", dir_.Join("missing"), "--recipe", Std3(), "--queue", SqliteUrl("q.db"), "--db",
       SqliteUrl("r.db")},
  };
  for (const auto& args : failing) {
    const std::string command = ::testing::PrintToString(args);
    std::vector<std::string> with_flag = {"--log-format", "json"};
    with_flag.insert(with_flag.end(), args.begin(), args.end());
    const auto by_flag = Run(with_flag);
    ProcessOutcome by_environment;
    {
      const ScopedEnv json("PIXFLEET_LOG_FORMAT", "json");
      by_environment = Run(args);
    }
    for (const ProcessOutcome& outcome : {by_flag, by_environment}) {
      EXPECT_NE(outcome.exit_code, 0) << command;
      std::istringstream lines(outcome.err);
      int count = 0;
      for (std::string line; std::getline(lines, line); ++count) {
        const auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        ASSERT_TRUE(parsed.is_object()) << command << ": not a JSON object: " << line;
        EXPECT_TRUE(parsed.contains("time") && parsed.contains("level") && parsed.contains("pid"))
            << line;
        EXPECT_TRUE(parsed["message"].get<std::string>().starts_with("pixfleet")) << line;
      }
      EXPECT_GE(count, 1) << command;
    }
  }
}

TEST_F(CliE2eTest, EmptyValuesAreRefusedBeforeAnyWork) {
  WriteJpeg(source_ / "a.jpg");
  const std::string src = source_.string();
  const std::vector<std::vector<std::string>> cases = {
      {"run", src, "--recipe", Std3(), "--out", ""},
      {"run", "", "--recipe", Std3(), "--out", out_.string()},
      {"run", src, "--recipe", "", "--out", out_.string()},
      {"process", src + "/a.jpg", "--recipe", Std3(), "--out", ""},
      {"submit", src, "--recipe", Std3(), "--queue", "", "--db", SqliteUrl("r.db")},
      {"submit", src, "--recipe", Std3(), "--queue", SqliteUrl("q.db"), "--db", ""},
      {"submit", src, "--recipe", Std3(), "--queue", SqliteUrl("q.db"), "--db", SqliteUrl("r.db"),
       "--out", ""},
      {"submit", src, "--recipe", Std3(), "--queue", SqliteUrl("q.db"), "--db", SqliteUrl("r.db"),
       "--batch", ""},
      {"status", "--db", ""},
      {"status", "--db", SqliteUrl("r.db"), "--batch", ""},
      {"db", "migrate", "--db", ""},
  };
  for (const auto& args : cases) {
    const auto outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, 2) << ::testing::PrintToString(args) << "\n" << outcome.err;
  }
  EXPECT_FALSE(fs::exists(out_));
  EXPECT_FALSE(fs::exists(dir_.Join("q.db")));
  EXPECT_FALSE(fs::exists(dir_.Join("r.db")));
}

TEST_F(CliE2eTest, RunAndProcessRefuseRemoteLocationsAndTakeFileUrls) {
  WriteJpeg(source_ / "a.jpg");
  const std::string src = source_.string();
  const ScopedWorkingDirectory cwd(dir_.path());
  for (const char* remote : {"s3://bucket/out", "S3://bucket", "s3:/bucket/out", "s3:bucket",
                             "https://host/out", "sqlite:///x.db", "file://"}) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"run", src, "--recipe", Std3(), "--out", remote},
             {"run", remote, "--recipe", Std3(), "--out", out_.string()},
             {"run", src, "--recipe", remote, "--out", out_.string()},
             {"process", src + "/a.jpg", "--recipe", Std3(), "--out", remote}}) {
      const auto outcome = Run(args);
      EXPECT_EQ(outcome.exit_code, 2) << ::testing::PrintToString(args) << "\n" << outcome.err;
    }
  }
  const auto s3 = Run({"run", src, "--recipe", Std3(), "--out", "s3://bucket/out"});
  EXPECT_NE(s3.err.find("pixfleet submit"), std::string::npos) << s3.err;
  EXPECT_EQ(NamesWithAColon(dir_.path()), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out_));

  const auto by_url = Run({"run", "file://" + src, "--recipe", "file://" + Std3(), "--out",
                           "file://localhost" + out_.string()});
  EXPECT_EQ(by_url.exit_code, 0) << by_url.err;
  EXPECT_TRUE(fs::exists(out_ / "a" / "large.jpg"));
  const auto processed = Run({"process", "file://" + src + "/a.jpg", "--recipe", Std3(), "--out",
                              "file://" + dir_.Join("one")});
  EXPECT_EQ(processed.exit_code, 0) << processed.err;
  EXPECT_TRUE(fs::exists(dir_.path() / "one" / "a" / "large.jpg"));
}

TEST_F(CliE2eTest, SubmitRefusesMistypedLocationsAndRecordsAbsoluteUrls) {
  WriteJpeg(source_ / "a.jpg");
  const ScopedWorkingDirectory cwd(dir_.path());
  for (const char* typo : {"s3:/bucket/out", "S3:bucket", "file:/tmp/x"}) {
    const auto outcome = Run({"submit", source_.string(), "--recipe", Std3(), "--queue",
                              SqliteUrl("q.db"), "--db", SqliteUrl("r.db"), "--out", typo});
    EXPECT_EQ(outcome.exit_code, 2) << typo << ": " << outcome.err;
    EXPECT_NE(outcome.err.find("://"), std::string::npos) << outcome.err;
  }
  EXPECT_EQ(NamesWithAColon(dir_.path()), std::vector<std::string>{});
  const auto submitted =
      Run({"submit", "file://" + source_.string(), "--recipe", Std3(), "--queue", SqliteUrl("q.db"),
           "--db", SqliteUrl("r.db"), "--out", "FILE://" + out_.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find("outputs go to file://" + out_.string() + "\n"), std::string::npos)
      << submitted.out;
}

TEST_F(CliE2eTest, ControlCharactersInNamesNeverReachTheTerminalRaw) {
  // A good image and a broken one whose names would clear the screen, retitle the window, forge
  // a line and carry a C1 CSI and bytes that are not UTF-8.
  const std::string good_name = "clear\x1b[2J\nforged line.jpg";
  const std::string bad_name = "title\x1b]0;pwned\x07\r\xff\xc2\x9b\x7f.jpg";
  WriteJpeg(source_ / good_name);
  WriteFileForTest(source_ / bad_name, "not an image at all");
  const std::string batch_name = "batch\x1b[31m\nred";

  const auto run =
      Run({"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  ExpectTerminalSafe(run, "run");
  EXPECT_NE(run.out.find("title\\x1b]0;pwned\\x07\\r\\xff\\u009b\\x7f.jpg"), std::string::npos)
      << run.out;

  const auto status = Run({"status", "--db", "sqlite://" + (out_ / ".pixfleet/results.db").string(),
                           "--failures", "--all"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  ExpectTerminalSafe(status, "status --failures");
  EXPECT_NE(status.out.find("title\\x1b]0;pwned"), std::string::npos) << status.out;
  const auto no_such = Run({"status", "--db", SqliteUrl("r.db"), "--batch", batch_name});
  ExpectTerminalSafe(no_such, "status --batch");

  const auto submit =
      Run({"submit", source_.string(), "--recipe", Std3(), "--queue", SqliteUrl("q.db"), "--db",
           SqliteUrl("r.db"), "--out", dir_.Join("fleet-out\x1b[2J"), "--batch", batch_name});
  EXPECT_EQ(submit.exit_code, 0) << submit.err;
  ExpectTerminalSafe(submit, "submit");
  EXPECT_NE(submit.out.find("batch\\x1b[31m\\nred"), std::string::npos) << submit.out;

  for (const char* format : {"text", "json"}) {
    // The worker logs each failure with its input's name; the queue holds the tasks once, so the
    // JSON run finds nothing left and checks only its own lines.
    const auto worker = Run({"--log-format", format, "--log-level", "debug", "worker", "--queue",
                             SqliteUrl("q.db"), "--db", SqliteUrl("r.db"), "--exit-when-idle"});
    EXPECT_EQ(worker.exit_code, 0) << worker.err;
    ExpectTerminalSafe(worker, std::string("worker --log-format ") + format);
  }
  const auto fleet_status =
      Run({"status", "--db", SqliteUrl("r.db"), "--queue", SqliteUrl("q.db"), "--failures"});
  ExpectTerminalSafe(fleet_status, "status of the submitted batch");
  EXPECT_NE(fleet_status.out.find("batch\\x1b[31m\\nred"), std::string::npos) << fleet_status.out;

  const auto process_bad =
      Run({"process", (source_ / bad_name).string(), "--recipe", Std3(), "--out", dir_.Join("p")});
  EXPECT_EQ(process_bad.exit_code, 1) << process_bad.err;
  ExpectTerminalSafe(process_bad, "process (failing)");
  for (const char* format : {"text", "json"}) {
    const auto process_good =
        Run({"--log-format", format, "process", (source_ / good_name).string(), "--recipe", Std3(),
             "--out", dir_.Join("p")});
    EXPECT_EQ(process_good.exit_code, 0) << process_good.err;
    ExpectTerminalSafe(process_good, "process");
    const auto json = nlohmann::json::parse(process_good.out, nullptr, false);
    ASSERT_TRUE(json.is_object()) << process_good.out;
    EXPECT_EQ(json["input"], (source_ / good_name).string());
  }
  const auto process_invalid_utf8 = Run({"process", (source_ / bad_name).string(), "--recipe",
                                         Std3(), "--out", dir_.Join("p"), "--log-format", "json"});
  ExpectTerminalSafe(process_invalid_utf8, "process --log-format json (failing)");
}

// Every kind of secret a user can hand to a command, through each command's error paths: none
// may reach stdout or stderr, in any form, in either log format.
TEST_F(CliE2eTest, SecretsNeverReachTheOutput) {
  WriteJpeg(source_ / "a.jpg");
  const std::string src = source_.string();
  const std::string q = SqliteUrl("q.db");
  const std::string r = SqliteUrl("r.db");
  struct Case {
    std::vector<std::string> args;
    std::string secret;
  };
  const std::vector<Case> cases = {
      // libpq's keyword form, bare and quoted.
      {{"status", "--db", "host=127.0.0.1 port=1 dbname=x password=KwSecret1"}, "KwSecret1"},
      {{"db", "migrate", "--db", "host=127.0.0.1 dbname=x password='Kw Secret2'"}, "Secret2"},
      {{"worker", "--queue", q, "--db", "host=h sslpassword='Kw Secret3'"}, "Secret3"},
      // URL user-info: refused by the server, or ambiguous and refused before libpq sees it.
      {{"status", "--db", "postgresql://u:UrlSecret4@127.0.0.1:1/db"}, "UrlSecret4"},
      {{"db", "migrate", "--db", "postgresql://u:Url%40Secret5@127.0.0.1:1/db"}, "Secret5"},
      {{"status", "--db", "postgresql://u:Pa@Secret6@127.0.0.1:1/db"}, "Secret6"},
      {{"db", "migrate", "--db", "postgresql://u:Pa/Secret7@127.0.0.1:1/db"}, "Secret7"},
      {{"worker", "--queue", q, "--db", "postgresql://u:Pa@Secret8@localhost/db"}, "Secret8"},
      // Query parameters.
      {{"status", "--db", "postgresql://u@127.0.0.1:1/db?password=QpSecret9&sslpassword=QpSecretA"},
       "QpSecret"},
      // AMQP: refused connection, ambiguous user-info, on submit, status and worker.
      {{"submit", src, "--recipe", Std3(), "--queue", "amqp://u:AmqpSecretB@127.0.0.1:1/%2f",
        "--db", r},
       "AmqpSecretB"},
      {{"submit", src, "--recipe", Std3(), "--queue", "amqp://u:Pa:AmqpSecretC@127.0.0.1:1/%2f",
        "--db", r},
       "AmqpSecretC"},
      {{"status", "--db", r, "--queue", "amqps://u:Pa@AmqpSecretD@127.0.0.1:1/%2f"}, "AmqpSecretD"},
      {{"worker", "--queue", "amqp://u:Pa@AmqpSecretE@127.0.0.1:1/", "--db", r}, "AmqpSecretE"},
      // The management API.
      {{"status", "--db", r, "--queue", q, "--queue-api", "http://u:Pa@ApiSecretF@127.0.0.1:1"},
       "ApiSecretF"},
      // A scheme nobody supports, and a connection string where CLI11 expects nothing.
      {{"status", "--db", "mysql://root:OtherSecretG@db/x"}, "OtherSecretG"},
      {{"status", "--db", r, "postgresql://u:StraySecretH@h/db"}, "StraySecretH"},
  };
  for (const Case& c : cases) {
    for (const char* format : {"text", "json"}) {
      std::vector<std::string> args = {"--log-format", format};
      args.insert(args.end(), c.args.begin(), c.args.end());
      const auto outcome = Run(args);
      const std::string command = ::testing::PrintToString(args);
      EXPECT_NE(outcome.exit_code, 0) << command;
      EXPECT_FALSE(outcome.err.empty()) << command;
      EXPECT_EQ(outcome.out.find(c.secret), std::string::npos) << command << "\n" << outcome.out;
      EXPECT_EQ(outcome.err.find(c.secret), std::string::npos) << command << "\n" << outcome.err;
    }
  }

  // AWS keys from the environment, through an S3 endpoint that refuses connections (and an
  // endpoint URL holding credentials of its own).
  const ScopedEnv key_id("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  const ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "AwsSecretI-wJalrXUtnFEMI");
  const ScopedEnv token("AWS_SESSION_TOKEN", "AwsTokenJ-FwoGZXIvYXdzE");
  const ScopedEnv endpoint("AWS_ENDPOINT_URL", "http://u:EndpointSecretK@127.0.0.1:1");
  const auto s3 = Run({"--log-level", "debug", "submit", "s3://bucket/in", "--recipe", Std3(),
                       "--queue", q, "--db", r});
  EXPECT_NE(s3.exit_code, 0);
  EXPECT_FALSE(s3.err.empty());
  for (const char* leaked : {"AwsSecretI", "AwsTokenJ", "EndpointSecretK"}) {
    EXPECT_EQ(s3.out.find(leaked), std::string::npos) << s3.out;
    EXPECT_EQ(s3.err.find(leaked), std::string::npos) << s3.err;
  }
}

}  // namespace
}  // namespace pixfleet::e2e
