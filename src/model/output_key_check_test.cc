// The batch-wide output key check: collisions across inputs, across the outputs of one input,
// keys that are folders of others, the keep_extension flag as tasks carry it, and a message that
// names the keys and their writers without growing with the batch.
#include "model/output_key_check.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/output_spec_for_test.h"

namespace pixfleet {
namespace {

std::vector<TaskSpec> Tasks(const std::vector<std::string>& keys) { return MakeTasks("b1", keys); }

TEST(OutputKeyCheckTest, AcceptsDistinctKeys) {
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", kDefaultKeyTemplate),
                                           OutputForKeys("large", kDefaultKeyTemplate)};
  EXPECT_TRUE(CheckOutputKeys(outputs, Tasks({"a.jpg", "sub/a.jpg", "b.png"})).ok());
  EXPECT_TRUE(CheckOutputKeys(outputs, {}).ok());
}

TEST(OutputKeyCheckTest, RefusesTheSameStemInTwoFolders) {
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{stem}.{ext}")};
  const Status status = CheckOutputKeys(outputs, Tasks({"a.jpg", "b.jpg", "sub/a.jpg"}));
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      status.message().find("\"a.jpg\" from a.jpg (output thumb) and sub/a.jpg (output thumb)"),
      std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("b.jpg"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("use {path}"), std::string::npos) << status.message();
}

TEST(OutputKeyCheckTest, KeepExtensionSeparatesInputsThatDifferOnlyByExtension) {
  // MakeTasks sets keep_extension on IMG_1.JPG and IMG_1.HEIC, so {path} keeps them apart ...
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{path}.{ext}")};
  EXPECT_TRUE(CheckOutputKeys(outputs, Tasks({"IMG_1.JPG", "IMG_1.HEIC"})).ok());
  // ... but the same inputs without the flag would collide: the check expands as tasks do.
  std::vector<TaskSpec> tasks = Tasks({"IMG_1.JPG", "IMG_1.HEIC"});
  for (TaskSpec& task : tasks) task.keep_extension = false;
  EXPECT_FALSE(CheckOutputKeys(outputs, tasks).ok());
}

TEST(OutputKeyCheckTest, KeepExtensionCanStillMeetAnotherInputsKey) {
  // a.jpg keeps its extension (a.png exists) and so writes "a.jpg.jpg", which is also what the
  // input "a.jpg.jpeg" writes without one.
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{path}.{ext}")};
  const Status status = CheckOutputKeys(outputs, Tasks({"a.jpg", "a.png", "a.jpg.jpeg"}));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"a.jpg.jpg\" from a.jpg (output thumb) and a.jpg.jpeg"),
            std::string::npos)
      << status.message();
}

TEST(OutputKeyCheckTest, RefusesTwoOutputsOfOneInputWithTheSameKey) {
  // The recipe parser refuses this shape on its own; the batch check must not depend on it.
  const std::vector<OutputSpec> outputs = {OutputForKeys("a", "{path}.{ext}"),
                                           OutputForKeys("b", "{dir}/{stem}.{ext}")};
  const Status status = CheckOutputKeys(outputs, Tasks({"x/y.jpg"}));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"x/y.jpg\" from x/y.jpg (output a) and x/y.jpg (output b)"),
            std::string::npos)
      << status.message();
}

TEST(OutputKeyCheckTest, RefusesAKeyThatIsAFolderOfAnother) {
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{path}")};
  const Status status = CheckOutputKeys(outputs, Tasks({"a.jpg", "a/b.jpg", "a/c.jpg"}));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"a\" from a.jpg (output thumb) is also the folder of "
                                  "\"a/b\" from a/b.jpg (output thumb)"),
            std::string::npos)
      << status.message();
  // The folder is one problem, however many keys lie under it.
  EXPECT_EQ(status.message().find("more like these"), std::string::npos) << status.message();
}

TEST(OutputKeyCheckTest, LetterCaseMakesKeysDistinct) {
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{stem}.{ext}")};
  EXPECT_TRUE(CheckOutputKeys(outputs, Tasks({"x/A.jpg", "y/a.jpg"})).ok());
}

TEST(OutputKeyCheckTest, NamesTheFirstKeysAndCountsTheRest) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    for (const char* dir : {"p/", "q/", "r/", "s/", "t/"}) {
      keys.push_back(dir + std::to_string(i) + ".jpg");
    }
  }
  const std::vector<OutputSpec> outputs = {OutputForKeys("thumb", "{stem}.{ext}")};
  const Status status = CheckOutputKeys(outputs, Tasks(keys));
  ASSERT_FALSE(status.ok());
  const std::string& message = status.message();
  // In key order: "0.jpg", "1.jpg", "10.jpg", "11.jpg", "12.jpg"; three writers, then a count.
  EXPECT_NE(message.find("\"0.jpg\" from p/0.jpg (output thumb), q/0.jpg (output thumb), "
                         "r/0.jpg (output thumb) and 2 more; \"1.jpg\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\"12.jpg\""), std::string::npos) << message;
  EXPECT_EQ(message.find("\"13.jpg\""), std::string::npos) << message;
  EXPECT_NE(message.find("; and 15 more like these"), std::string::npos) << message;
}

// A large batch with a single collision.
TEST(OutputKeyCheckTest, FindsOneCollisionInALargeBatch) {
  constexpr int kInputs = 100'000;
  std::vector<std::string> keys;
  keys.reserve(kInputs + 1);
  for (int i = 0; i < kInputs; ++i) {
    keys.push_back("d" + std::to_string(i % 1000) + "/img_" + std::to_string(i) + ".jpg");
  }
  keys.push_back("d999/zzz/img_5.jpg");  // the one collision, with {stem}
  const std::vector<OutputSpec> outputs = {OutputForKeys("small", "{stem}_{name}.{ext}"),
                                           OutputForKeys("large", "{stem}_{name}.{ext}")};
  const Status status = CheckOutputKeys(outputs, Tasks(keys));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"img_5_large.jpg\" from d5/img_5.jpg (output large) and "
                                  "d999/zzz/img_5.jpg (output large)"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace pixfleet
