// Recipe YAML parsing: the shipped std3 recipe, defaults and syntax variants, and a table of
// invalid documents whose messages must name the source, the line and the field path.
#include "model/recipe_yaml.h"

#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

ResizeOp Resize(int width, int height, ResizeFit fit, Gravity gravity = Gravity::kCentre) {
  ResizeOp op;
  op.width = width;
  op.height = height;
  op.fit = fit;
  op.gravity = gravity;
  return op;
}

EncodeOptions Encoding(ImageFormat format, int quality, bool strip) {
  EncodeOptions options;
  options.format = format;
  options.quality = quality;
  options.strip = strip;
  return options;
}

OutputSpec Output(std::string name, std::vector<Operation> ops, ImageFormat format, int quality) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.operations = std::move(ops);
  spec.encode = Encoding(format, quality, true);
  return spec;
}

TEST(RecipeYamlTest, Std3ParsesToTheBenchmarkRecipe) {
  const std::string text =
      ReadFileForTest(std::filesystem::path(PIXFLEET_SOURCE_DIR) / "recipes" / "std3.yaml");
  ASSERT_FALSE(text.empty()) << "cannot read recipes/std3.yaml";
  const Result<Recipe> recipe = ParseRecipeYaml(text, "std3.yaml");
  ASSERT_TRUE(recipe.ok()) << recipe.status().ToString();

  Recipe expected;
  expected.name = "std3";
  expected.outputs = {
      Output("large", {AutoRotateOp{}, ToSrgbOp{}, Resize(1600, 1600, ResizeFit::kInside)},
             ImageFormat::kJpeg, 82),
      Output("small", {AutoRotateOp{}, ToSrgbOp{}, Resize(512, 512, ResizeFit::kInside)},
             ImageFormat::kWebp, 80),
      Output("square",
             {AutoRotateOp{}, ToSrgbOp{}, Resize(256, 256, ResizeFit::kCover, Gravity::kAttention)},
             ImageFormat::kJpeg, 80),
  };
  expected.analyses = {Analysis::kWidth,       Analysis::kHeight,     Analysis::kFormat,
                       Analysis::kOrientation, Analysis::kMeanColour, Analysis::kDhash};
  EXPECT_EQ(*recipe, expected);
}

TEST(RecipeYamlTest, AcceptsAProbeRecipeWithAnalysesOnly) {
  for (const char* text : {"name: probe\nanalyses: [width, format]\n",
                           "name: probe\noutputs: []\nanalyses: [width, format]\n"}) {
    const Result<Recipe> recipe = ParseRecipeYaml(text, "probe.yaml");
    ASSERT_TRUE(recipe.ok()) << recipe.status().ToString();
    EXPECT_TRUE(recipe->outputs.empty());
    EXPECT_EQ(recipe->analyses, (std::vector<Analysis>{Analysis::kWidth, Analysis::kFormat}));
  }
}

TEST(RecipeYamlTest, ProbeRecipeInTheRepositoryParses) {
  const std::string text =
      ReadFileForTest(std::filesystem::path(PIXFLEET_SOURCE_DIR) / "recipes" / "probe.yaml");
  ASSERT_FALSE(text.empty()) << "cannot read recipes/probe.yaml";
  const Result<Recipe> recipe = ParseRecipeYaml(text, "probe.yaml");
  ASSERT_TRUE(recipe.ok()) << recipe.status().ToString();
  EXPECT_TRUE(recipe->outputs.empty());
  EXPECT_FALSE(recipe->analyses.empty());
}

TEST(RecipeYamlTest, AppliesDefaultsAndAcceptsAllSyntax) {
  const char* text = R"(name: demo
outputs:
  - name: thumb_1
    ops:
      - auto-rotate: {}
      - resize: {fit: cover, width: 256, height: 128, gravity: center, enlarge: true}
      - crop:
          width: 100
          height: 90
          gravity: entropy
    format: png
  - name: flat
    format: jpg
    strip: False
    key: "flat/{dir}/{stem}.{ext}"
)";
  const Result<Recipe> recipe = ParseRecipeYaml(text, "demo.yaml");
  ASSERT_TRUE(recipe.ok()) << recipe.status().ToString();
  ASSERT_EQ(recipe->outputs.size(), 2u);
  const OutputSpec& thumb = recipe->outputs[0];
  ResizeOp resize = Resize(256, 128, ResizeFit::kCover, Gravity::kCentre);
  resize.enlarge = true;
  const std::vector<Operation> ops = {AutoRotateOp{}, resize, CropOp{100, 90, Gravity::kEntropy}};
  EXPECT_EQ(thumb.operations, ops);
  EXPECT_EQ(thumb.encode, Encoding(ImageFormat::kPng, 80, true));
  EXPECT_EQ(thumb.key_template, kDefaultKeyTemplate);
  const OutputSpec& flat = recipe->outputs[1];
  EXPECT_TRUE(flat.operations.empty());
  EXPECT_EQ(flat.encode, Encoding(ImageFormat::kJpeg, 80, false));
  EXPECT_EQ(flat.key_template, "flat/{dir}/{stem}.{ext}");
  EXPECT_TRUE(recipe->analyses.empty());
}

// Each format's range, ends included; an output without `effort` gets its format's standard one.
TEST(RecipeYamlTest, ReadsEffortWithinEachFormatsRange) {
  const std::string text = R"(name: e
outputs:
  - {name: a, format: jpeg, effort: 0}
  - {name: b, format: webp, effort: 6}
  - {name: c, format: png, effort: 9}
  - {name: d, format: avif, effort: 0}
  - {name: f, format: webp}
  - {name: g, format: tiff}
)";
  const Result<Recipe> recipe = ParseRecipeYaml(text, "e.yaml");
  ASSERT_TRUE(recipe.ok()) << recipe.status().ToString();
  ASSERT_EQ(recipe->outputs.size(), 6u);
  const std::vector<std::optional<int>> given = {0, 6, 9, 0, std::nullopt, std::nullopt};
  const std::vector<int> in_effect = {0, 6, 9, 0, 4, 0};
  for (size_t i = 0; i < given.size(); ++i) {
    EXPECT_EQ(recipe->outputs[i].encode.effort, given[i]) << recipe->outputs[i].name;
    EXPECT_EQ(EffortOf(recipe->outputs[i].encode), in_effect[i]) << recipe->outputs[i].name;
  }
}

struct InvalidCase {
  const char* doc;
  const char* expected;  // the whole message, or its start when `prefix_only`
  bool prefix_only = false;
};

// The documents are small so that the expected line numbers can be checked by eye.
const InvalidCase kInvalidCases[] = {
    {R"(name: t
outputs:
  - name: a
    format: jpeg
  - name: b
    format: jpeg
    quality: 120
)",
     "t.yaml:7: outputs[1].quality: must be an integer between 1 and 100, got 120"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    quality: "82"
)",
     "t.yaml:5: outputs[0].quality: must be an integer between 1 and 100, got \"82\""},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    quality: 82.5
)",
     "t.yaml:5: outputs[0].quality: must be an integer between 1 and 100, got 82.5"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    qualty: 82
)",
     "t.yaml:5: outputs[0].qualty: unknown key (did you mean \"quality\"?); allowed: name, ops, "
     "format, quality, strip, effort, key"},
    {R"(name: t
outputs:
  - name: a
    effort: 7
    format: webp
)",
     "t.yaml:4: outputs[0].effort: must be an integer between 0 and 6 for webp, got 7"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    effort: 3
)",
     "t.yaml:5: outputs[0].effort: must be an integer between 0 and 2 for jpeg, got 3"},
    {R"(name: t
outputs:
  - name: a
    format: png
    effort: high
)",
     "t.yaml:5: outputs[0].effort: must be an integer between 0 and 9 for png, got high"},
    {R"(name: t
outputs:
  - name: a
    format: tif
    effort: 3
)",
     "t.yaml:5: outputs[0].effort: does not apply to tiff outputs (deflate at a fixed level); "
     "remove it"},
    {R"(name: t
output:
  - name: a
)",
     "t.yaml:2: output: unknown key (did you mean \"outputs\"?)", true},
    {R"(name: t
)",
     "t.yaml:1: outputs: is required (at least one output, or some analyses)"},
    {R"(name: t
outputs: []
)",
     "t.yaml:2: outputs: must be a list of outputs (at least one unless the recipe has "
     "analyses), got a list"},
    {R"(name: t
outputs:
)",
     "t.yaml:2: outputs: must be a list of outputs (at least one unless the recipe has "
     "analyses), got nothing"},
    {R"(name: t
outputs: []
analyses: []
)",
     "t.yaml:3: analyses: must name at least one analysis when the recipe has no outputs"},
    {R"(outputs:
  - name: a
    format: jpeg
)",
     "t.yaml:1: name: is required"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
  - name: a
    format: png
)",
     "t.yaml:5: outputs[1].name: duplicate output name \"a\" (outputs[0] has it too)"},
    {R"(name: t
outputs:
  - name: "a b"
    format: jpeg
)",
     "t.yaml:3: outputs[0].name: must use only letters, digits, '_' and '-'", true},
    {R"(name: t
outputs:
  - format: jpeg
)",
     "t.yaml:3: outputs[0].name: is required"},
    {R"(name: t
outputs:
  - name: a
)",
     "t.yaml:3: outputs[0].format: is required (one of jpeg, png, webp, avif, tiff)"},
    {R"(name: t
outputs:
  - name: a
    format: bmp
)",
     "t.yaml:4: outputs[0].format: must be one of jpeg, jpg, png, webp, avif, tiff, tif, got bmp"},
    {R"(name: t
outputs:
  - name: a
    format: wepb
)",
     "t.yaml:4: outputs[0].format: must be one of jpeg, jpg, png, webp, avif, tiff, tif, got wepb "
     "(did you mean \"webp\"?)"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    strip: yes
)",
     "t.yaml:5: outputs[0].strip: must be true or false, got yes"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - auto-rotate
      - resize: {fit: inside, width: 0, height: 10}
    format: jpeg
)",
     "t.yaml:6: outputs[0].ops[1].resize.width: must be an integer between 1 and 65535, got 0"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize:
          fit: inside
          width: 10
          height: 70000
    format: jpeg
)",
     "t.yaml:8: outputs[0].ops[0].resize.height: must be an integer between 1 and 65535, got "
     "70000"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - auto-rotate
      - resize: {width: 10}
    format: jpeg
)",
     "t.yaml:6: outputs[0].ops[1].resize.height: is required"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - srgb
      - rezise: {width: 10, height: 10}
    format: jpeg
)",
     "t.yaml:6: outputs[0].ops[1]: unknown operation \"rezise\" (did you mean \"resize\"?); known: "
     "auto-rotate, srgb, resize, crop"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - auto-rotat
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0]: unknown operation \"auto-rotat\" (did you mean "
     "\"auto-rotate\"?)",
     true},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0]: resize needs parameters", true},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize:
        width: 10
        height: 10
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0]: must be a single operation, got a mapping with keys resize, "
     "width, height (are the parameters indented under the operation's name?)"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - srgb: {profile: p3}
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0].srgb: takes no parameters"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize: {width: 10, height: 10, gravity: attention}
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0].resize.gravity: only applies to fit: cover", true},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize: {fit: cover, width: 10, height: 10,
                 gravity: centr}
    format: jpeg
)",
     "t.yaml:6: outputs[0].ops[0].resize.gravity: must be one of centre, center, attention, "
     "entropy, got centr (did you mean \"centre\"?)"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize: {fit: contain, width: 10, height: 10}
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0].resize.fit: must be one of inside, cover, fill, got contain"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - crop: {width: 10, height: 10, enlarge: true}
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0].crop.enlarge: unknown key; allowed: width, height, gravity"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize: {width: 10, height: 10, enlarge: 1}
    format: jpeg
)",
     "t.yaml:5: outputs[0].ops[0].resize.enlarge: must be true or false, got 1"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    key: "/{path}.{ext}"
)",
     "t.yaml:5: outputs[0].key: must be relative to the output location (no leading '/'), got "
     "\"/{path}.{ext}\""},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    key: "{path}/../{name}.{ext}"
)",
     "t.yaml:5: outputs[0].key: must not contain a '..' segment", true},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    key: "{path}/{file}.{ext}"
)",
     "t.yaml:5: outputs[0].key: unknown placeholder {file}", true},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    key: "{path}.{ext}"
  - name: b
    format: jpeg
    key: "{path}.{ext}"
)",
     "t.yaml:8: outputs[1].key: writes the same keys as outputs[0] (\"{path}.{ext}\" with "
     "extension jpg); use {name} in the key template or different formats"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    quality: 80
    quality: 90
)",
     "t.yaml:6: outputs[0].quality: duplicate key (first given on line 5)"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
analyses: [width, height, width]
)",
     "t.yaml:5: analyses[2]: duplicate analysis \"width\" (also analyses[0])"},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
analyses:
  - width
  - mean-colur
)",
     "t.yaml:7: analyses[1]: must be one of width, height, format, orientation, mean-colour, "
     "mean-color, dhash, sha256, got mean-colur (did you mean \"mean-colour\"?)"},
    {R"(name: t
outputs:
  - name: a
    ops:
      - resize: {fit: inside, width: 10
    format: jpeg
)",
     "t.yaml:", true},
    {"- just\n- a list\n", "t.yaml:1: must be a mapping, got a list"},
    {"", "t.yaml:1: the recipe is empty; expected a mapping with name and outputs"},
    {"# only a comment\n", "t.yaml:1: the recipe is empty", true},
    // A second document would be ignored by a plain load: two recipes pasted into one file, or a
    // stray "---", must not run only the first half.
    {R"(name: t
outputs:
  - name: a
    format: jpeg
---
name: u
outputs:
  - name: b
    format: png
)",
     "t.yaml:5: a recipe is a single YAML document, but a second one starts here (remove the "
     "'---' line, or split the recipes into separate files)"},
    {"name: t\nanalyses: [width]\n---\n",
     "t.yaml:3: a recipe is a single YAML document, but a second one starts here", true},
    {"name: t\nanalyses:\n  - width\n\n# the next recipe\n--- # b\nname: u\nanalyses: [width]\n",
     "t.yaml:6: a recipe is a single YAML document, but a second one starts here", true},
    {R"(name: t
outputs:
  - name: a
    format: jpeg
    key: ".pixfleet/{path}.{ext}"
)",
     "t.yaml:5: outputs[0].key: must not have a segment starting with '.' (reserved: .pixfleet "
     "holds pixfleet's state, and a local output folder never writes dot names), got "
     "\".pixfleet/{path}.{ext}\""},
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.expected; }

class RecipeYamlInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(RecipeYamlInvalidTest, NamesLineAndField) {
  const InvalidCase& c = GetParam();
  const Result<Recipe> recipe = ParseRecipeYaml(c.doc, "t.yaml");
  ASSERT_FALSE(recipe.ok()) << c.doc;
  EXPECT_EQ(recipe.error().code(), StatusCode::kInvalidArgument);
  const std::string& message = recipe.error().message();
  if (c.prefix_only) {
    EXPECT_EQ(message.substr(0, std::string(c.expected).size()), c.expected) << message;
  } else {
    EXPECT_EQ(message, c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RecipeYamlInvalidTest, ::testing::ValuesIn(kInvalidCases));

TEST(RecipeYamlTest, SyntaxErrorNamesTheLine) {
  const Result<Recipe> recipe = ParseRecipeYaml("name: t\noutputs: [\n", "bad.yaml");
  ASSERT_FALSE(recipe.ok());
  EXPECT_NE(recipe.error().message().find("bad.yaml:"), std::string::npos);
  EXPECT_NE(recipe.error().message().find("invalid YAML"), std::string::npos)
      << recipe.error().message();
}

}  // namespace
}  // namespace pixfleet
