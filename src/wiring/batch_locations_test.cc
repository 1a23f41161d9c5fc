// CheckBatchLocations: a batch whose source cannot be listed or whose output refuses writes is
// refused before anything is published, with the location named.
#include "wiring/batch_locations.h"

#include <filesystem>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/memory/in_memory_object_store.h"
#include "storage/object_store_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/private_tmpfs.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Paces retries of remote outputs only; these outputs are local.
Clock& TestClock() {
  static FakeClock clock;
  return clock;
}

// A source whose listing is refused, as a bucket that does not exist refuses it.
class RefusingSource final : public ObjectStoreWrapper {
 public:
  RefusingSource() : ObjectStoreWrapper(std::make_unique<InMemoryObjectStore>()) {}
  Status List(std::string_view, const std::function<Status(const ObjectInfo&)>&) override {
    return FailedPrecondition("the bucket \"in\" does not exist");
  }
};

TEST(CheckBatchLocationsTest, AListableSourceAndAWritableOutputPassAndTheOutputIsCreated) {
  TempDir dir;
  InMemoryObjectStore source;
  ASSERT_TRUE(source.Put("a.jpg", "x", "").ok());
  const Status checked =
      CheckBatchLocations(source, "mem://in", "file://" + dir.Join("out"), TestClock());
  EXPECT_TRUE(checked.ok()) << checked.ToString();
  std::error_code ec;
  EXPECT_TRUE(fs::is_directory(dir.path() / "out", ec));
  EXPECT_TRUE(fs::is_empty(dir.path() / "out", ec)) << "the probe left a file behind";
  // An empty source can be listed too.
  InMemoryObjectStore empty;
  EXPECT_TRUE(
      CheckBatchLocations(empty, "mem://in", "file://" + dir.Join("out"), TestClock()).ok());
}

TEST(CheckBatchLocationsTest, ASourceThatCannotBeListedIsNamed) {
  TempDir dir;
  RefusingSource source;
  const Status checked =
      CheckBatchLocations(source, "s3://in", "file://" + dir.Join("out"), TestClock());
  EXPECT_EQ(checked.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(checked.message(), HasSubstr("the source s3://in cannot be listed"));
  EXPECT_THAT(checked.message(), HasSubstr("does not exist"));
}

TEST(CheckBatchLocationsTest, AnOutputThatCannotBeAFolderIsNamed) {
  TempDir dir;
  WriteFileForTest(dir.path() / "file", "x");
  InMemoryObjectStore source;
  const std::string output = "file://" + dir.Join("file");
  const Status checked = CheckBatchLocations(source, "mem://in", output, TestClock());
  EXPECT_FALSE(checked.ok());
  EXPECT_THAT(checked.message(), HasSubstr("the output " + output + " cannot be used"));
}

TEST(CheckBatchLocationsTest, AnOutputOnAReadOnlyFileSystemIsRefused) {
  TempDir dir;
  const auto seen = RunOnPrivateTmpfs(dir.path() / "ro", {.read_only = true}, [&] {
    InMemoryObjectStore source;
    // An existing folder (the probe's write is refused) and a new one (its creation is).
    return CheckBatchLocations(source, "mem://in", "file://" + dir.Join("ro"), TestClock())
               .ToString() +
           "\n" +
           CheckBatchLocations(source, "mem://in", "file://" + dir.Join("ro/new"), TestClock())
               .ToString();
  });
  if (!seen.has_value()) GTEST_SKIP() << kNoPrivateTmpfs;
  EXPECT_THAT(*seen, ::testing::ContainsRegex("^failed_precondition: the folder " + dir.Join("ro") +
                                              " refuses writes: [^\n]*Read-only file system\n"));
  EXPECT_THAT(*seen, ::testing::ContainsRegex("\nfailed_precondition: the output file://" +
                                              dir.Join("ro/new") +
                                              " cannot be used: [^\n]*Read-only file system$"));
}

}  // namespace
}  // namespace pixfleet
