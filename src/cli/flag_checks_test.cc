// The shared flag checks, through a CLI::App as the commands use them: what each refuses, what
// the transforms make of the value, and that no refusal echoes a password.
#include "cli/flag_checks.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

// Parses `value` for one option carrying `validator` (as a transform); the error's text, or ""
// and the value as the command sees it.
std::pair<std::string, std::string> Parse(const CLI::Validator& validator,
                                          const std::string& value) {
  CLI::App app;
  std::string seen;
  app.add_option("--flag", seen)->transform(validator);
  try {
    app.parse(std::vector<std::string>{value, "--flag"});  // reversed: CLI11 pops from the back
  } catch (const CLI::ParseError& e) {
    return {e.what(), seen};
  }
  return {"", seen};
}

TEST(FlagChecksTest, PositiveIntegerTakesWholeNumbersOfAtLeastOne) {
  for (const char* good : {"1", "+7", "100000000", "18446744073709551615"}) {
    EXPECT_EQ(Parse(PositiveInteger(), good).first, "") << good;
  }
  for (const char* bad : {"0", "000", "-1", "1.5", "1e3", "", "+", "ten", " 5"}) {
    EXPECT_NE(Parse(PositiveInteger(), bad).first.find("--flag"), std::string::npos) << bad;
  }
}

TEST(FlagChecksTest, DurationBecomesMilliseconds) {
  const std::pair<const char*, const char*> cases[] = {
      {"25s", "25000"}, {"1.5s", "1500"}, {"500ms", "500"}, {"2m", "120000"},
      {"25", "25000"},  {"0", "0"},       {"0.25s", "250"}, {"1440m", "86400000"},
  };
  for (const auto& [written, ms] : cases) {
    EXPECT_EQ(Parse(Duration(), written), std::make_pair(std::string(), std::string(ms)))
        << written;
  }
  for (const char* bad : {"", "s", "-1s", "1h", "1.2.3s", "ten", "1 s", ".s", "1441m"}) {
    EXPECT_NE(Parse(Duration(), bad).first.find("--flag"), std::string::npos) << bad;
  }
}

TEST(FlagChecksTest, NonEmptyRefusesOnlyTheEmptyValue) {
  EXPECT_EQ(Parse(NonEmpty(), "x").first, "");
  EXPECT_NE(Parse(NonEmpty(), "").first.find("empty"), std::string::npos);
}

TEST(FlagChecksTest, LocalLocationTurnsFileUrlsIntoPathsAndRefusesOtherUrls) {
  const CLI::Validator local = LocalLocation("use the other command");
  EXPECT_EQ(Parse(local, "photos").second, "photos");
  EXPECT_EQ(Parse(local, "file:///srv/photos").second, "/srv/photos");
  const auto [s3_error, s3_value] = Parse(local, "s3://bucket/out");
  EXPECT_NE(s3_error.find("use the other command"), std::string::npos) << s3_error;
  const auto [typo_error, typo_value] = Parse(local, "s3:/bucket/out");
  EXPECT_NE(typo_error.find("s3://"), std::string::npos) << typo_error;
  EXPECT_EQ(typo_error.find("use the other command"), std::string::npos) << typo_error;
  EXPECT_NE(Parse(local, "").first, "");
}

TEST(FlagChecksTest, BatchLocationRecordsAbsoluteUrls) {
  EXPECT_EQ(Parse(BatchLocation(), "/srv/in/../photos").second, "file:///srv/photos");
  EXPECT_EQ(Parse(BatchLocation(), "S3://bucket/in").second, "s3://bucket/in");
  EXPECT_NE(Parse(BatchLocation(), "s3:bucket").first, "");
  EXPECT_NE(Parse(BatchLocation(), "").first, "");
}

TEST(FlagChecksTest, ConnectionUrlRefusesAmbiguousOnesWithoutThePassword) {
  EXPECT_EQ(Parse(ConnectionUrl(), "postgresql://u:p%40w@h/db").first, "");
  const std::string error = Parse(ConnectionUrl(), "postgresql://u:p@Secret1@h/db").first;
  EXPECT_NE(error.find("--flag"), std::string::npos) << error;
  EXPECT_EQ(error.find("Secret1"), std::string::npos) << error;
  EXPECT_NE(Parse(ConnectionUrl(), "").first, "");
  EXPECT_NE(Parse(ConnectionUrl(), "sqlite:/tmp/q.db").first, "");
}

TEST(FlagChecksTest, LogLevelTakesSpdlogsLevelsInAnyCase) {
  EXPECT_EQ(Parse(LogLevel(), "WARN").second, "warn");
  EXPECT_EQ(Parse(LogLevel(), "Debug").second, "debug");
  EXPECT_NE(Parse(LogLevel(), "nonsense").first, "");
  EXPECT_NE(Parse(LogLevel(), "").first, "");
}

}  // namespace
}  // namespace pixfleet
