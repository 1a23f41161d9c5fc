// Key template expansion and validation: placeholder values, slash collapsing for inputs
// without a directory, rejected templates, and collisions between outputs.
#include "model/key_template.h"

#include <string>

#include <gtest/gtest.h>

#include "model/output_spec_for_test.h"

namespace pixfleet {
namespace {

struct ExpandCase {
  std::string key_template;
  std::string input_key;
  std::string expected;
};

TEST(KeyTemplateTest, Expands) {
  const ExpandCase cases[] = {
      {kDefaultKeyTemplate, "trips/2024/IMG_1.JPG", "trips/2024/IMG_1/large.jpg"},
      {"{path}", "trips/2024/IMG_1.JPG", "trips/2024/IMG_1"},
      {"{stem}", "trips/2024/IMG_1.JPG", "IMG_1"},
      {"{dir}", "trips/2024/IMG_1.JPG", "trips/2024"},
      {"{dir}/{stem}-{name}.{ext}", "trips/2024/IMG_1.JPG", "trips/2024/IMG_1-large.jpg"},
      {"thumbs/{name}/{path}.{ext}", "a/b.png", "thumbs/large/a/b.jpg"},
      // No directory: {dir} is empty and the slashes around it collapse.
      {"{dir}/{stem}.{ext}", "IMG_1.JPG", "IMG_1.jpg"},
      {"out/{dir}/{stem}.{ext}", "IMG_1.JPG", "out/IMG_1.jpg"},
      {"{dir}//{stem}/", "a/IMG_1.JPG", "a/IMG_1"},
      {kDefaultKeyTemplate, "IMG_1.JPG", "IMG_1/large.jpg"},
      // Only the last dot starts the extension; a dot in a directory name is not one.
      {"{path}", "v1.2/photo.tar.gz", "v1.2/photo.tar"},
      {"{stem}", "v1.2/photo", "photo"},
      {"{stem}", ".hidden", ".hidden"},
  };
  for (const ExpandCase& c : cases) {
    EXPECT_EQ(ExpandKeyTemplate(OutputForKeys("large", c.key_template), c.input_key), c.expected)
        << c.key_template << " with " << c.input_key;
  }
}

TEST(KeyTemplateTest, ExtensionFollowsFormat) {
  EXPECT_EQ(
      ExpandKeyTemplate(OutputForKeys("small", kDefaultKeyTemplate, ImageFormat::kWebp), "x.jpg"),
      "x/small.webp");
  EXPECT_EQ(ExpandKeyTemplate(OutputForKeys("t", "{stem}.{ext}", ImageFormat::kTiff), "x.jpg"),
            "x.tif");
}

TEST(KeyTemplateTest, AcceptsValidTemplates) {
  for (const char* key_template :
       {kDefaultKeyTemplate, "{path}.{ext}", "thumbs/{dir}/{stem}_{name}.{ext}", "{stem}"}) {
    EXPECT_TRUE(ValidateKeyTemplate(key_template).ok()) << key_template;
  }
}

TEST(KeyTemplateTest, RejectsInvalidTemplates) {
  struct Case {
    std::string key_template;
    std::string message_part;
  };
  const Case cases[] = {
      {"", "must not be empty"},
      {"/abs/{path}", "no leading '/'"},
      {"{path}/../{name}", "'..' segment"},
      {"../{path}", "'..' segment"},
      {"{path}/..", "'..' segment"},
      {"{path}/{nmae}", "unknown placeholder {nmae}"},
      {"{path", "without a matching '}'"},
      {"{pa{th}", "without a matching '}'"},
      {"path}", "without a matching '{'"},
      {"{name}.{ext}", "must contain {path} or {stem}"},
      {".pixfleet/{path}.{ext}", "segment starting with '.'"},
      {"out/.pixfleet/{path}.{ext}", "segment starting with '.'"},
      {".pixfleet-tmp-{stem}", "segment starting with '.'"},
      {"{dir}/.{stem}.{ext}", "segment starting with '.'"},
      {"./{path}.{ext}", "segment starting with '.'"},
  };
  for (const Case& c : cases) {
    const Status status = ValidateKeyTemplate(c.key_template);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.key_template;
    EXPECT_NE(status.message().find(c.message_part), std::string::npos)
        << c.key_template << ": " << status.message();
  }
  // '..' inside a name is not a parent-directory segment.
  EXPECT_TRUE(ValidateKeyTemplate("{path}..{ext}").ok());
}

TEST(KeyTemplateTest, DetectsCollisions) {
  // Default template: {name} differs, so no collision.
  EXPECT_FALSE(OutputKeysCollide(OutputForKeys("a", kDefaultKeyTemplate),
                                 OutputForKeys("b", kDefaultKeyTemplate)));
  // Same template without {name}: collide if the extension is the same.
  EXPECT_TRUE(
      OutputKeysCollide(OutputForKeys("a", "{path}.{ext}"), OutputForKeys("b", "{path}.{ext}")));
  EXPECT_FALSE(OutputKeysCollide(OutputForKeys("a", "{path}.{ext}"),
                                 OutputForKeys("b", "{path}.{ext}", ImageFormat::kWebp)));
  // Different spellings of the same key.
  EXPECT_TRUE(OutputKeysCollide(OutputForKeys("a", "{dir}/{stem}.{ext}"),
                                OutputForKeys("b", "{path}.{ext}")));
  // Collide only for inputs without a directory: still a collision.
  EXPECT_TRUE(OutputKeysCollide(OutputForKeys("a", "{dir}/{stem}.{ext}"),
                                OutputForKeys("b", "{stem}.{ext}")));
  EXPECT_FALSE(OutputKeysCollide(OutputForKeys("a", "x/{path}"), OutputForKeys("b", "y/{path}")));
}

}  // namespace
}  // namespace pixfleet
