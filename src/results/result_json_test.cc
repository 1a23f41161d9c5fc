// Canonical result JSON: exact text of the stored form, exact round trips, rounding, and
// corrupt input turning into kDataLoss instead of an exception.
#include "results/result_json.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

ImageAnalysis FullAnalysis() {
  ImageAnalysis analysis;
  analysis.width = 4000;
  analysis.height = 3000;
  analysis.format = "jpeg";
  analysis.orientation = 6;
  analysis.mean_colour = std::array<double, 3>{121.25, 98.5, 77.0};
  analysis.dhash = 0x0f1e2d3c4b5a6978u;
  analysis.sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  return analysis;
}

TEST(ResultJsonTest, OutputsHaveACompactCanonicalForm) {
  const std::vector<OutputRecord> outputs = {{.name = "large",
                                              .key = "out/a.jpg",
                                              .bytes = 123,
                                              .width = 1600,
                                              .height = 1200,
                                              .format = "jpeg"},
                                             {.name = "small",
                                              .key = "out/a.webp",
                                              .bytes = 45,
                                              .width = 512,
                                              .height = 384,
                                              .format = "webp"}};
  EXPECT_EQ(OutputsToJson(outputs),
            R"([{"name":"large","key":"out/a.jpg","bytes":123,"width":1600,"height":1200,)"
            R"("format":"jpeg"},{"name":"small","key":"out/a.webp","bytes":45,"width":512,)"
            R"("height":384,"format":"webp"}])");
  EXPECT_EQ(OutputsToJson({}), "[]");
}

TEST(ResultJsonTest, OutputsRoundTripExactly) {
  const std::vector<OutputRecord> outputs = {{.name = "n",
                                              .key = "dir/ünïcødé \"quoted\" \\ key.jpg",
                                              .bytes = std::numeric_limits<uint64_t>::max(),
                                              .width = 0,
                                              .height = 2147483647,
                                              .format = "avif"},
                                             {}};
  auto parsed = OutputsFromJson(OutputsToJson(outputs));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, outputs);
}

TEST(ResultJsonTest, AnalysisHasACompactCanonicalForm) {
  EXPECT_EQ(AnalysisToJson(FullAnalysis()),
            R"({"width":4000,"height":3000,"format":"jpeg","orientation":6,)"
            R"("mean_colour":[121.25,98.5,77.0],"dhash":"0f1e2d3c4b5a6978",)"
            R"("sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})");
  EXPECT_EQ(AnalysisToJson(ImageAnalysis{}), "{}");
  ImageAnalysis only_hash;
  only_hash.dhash = 0;
  EXPECT_EQ(AnalysisToJson(only_hash), R"({"dhash":"0000000000000000"})");
}

TEST(ResultJsonTest, AnalysisRoundTripsExactlyAndKeepsAbsentFieldsAbsent) {
  for (const ImageAnalysis& analysis : {FullAnalysis(), ImageAnalysis{}}) {
    auto parsed = AnalysisFromJson(AnalysisToJson(analysis));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, analysis);
  }
  ImageAnalysis extremes;
  extremes.dhash = std::numeric_limits<uint64_t>::max();
  extremes.orientation = 1;
  auto parsed = AnalysisFromJson(AnalysisToJson(extremes));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, extremes);
  EXPECT_FALSE(parsed->width.has_value());
  EXPECT_FALSE(parsed->mean_colour.has_value());
}

TEST(ResultJsonTest, MeanColourIsRoundedToHundredths) {
  ImageAnalysis analysis;
  analysis.mean_colour = std::array<double, 3>{1.23456, 254.999, 0.005};
  EXPECT_EQ(AnalysisToJson(analysis), R"({"mean_colour":[1.23,255.0,0.01]})");
  auto parsed = AnalysisFromJson(AnalysisToJson(analysis));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed->mean_colour, (std::array<double, 3>{1.23, 255.0, 0.01}));
}

TEST(ResultJsonTest, InvalidUtf8DoesNotThrow) {
  const std::vector<OutputRecord> outputs = {{.name = "x",
                                              .key = "bad\xff\xfe.jpg",
                                              .bytes = 1,
                                              .width = 1,
                                              .height = 1,
                                              .format = "jpeg"}};
  const std::string json = OutputsToJson(outputs);
  auto parsed = OutputsFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->at(0).key, "bad\xEF\xBF\xBD\xEF\xBF\xBD.jpg");  // U+FFFD twice
}

TEST(ResultJsonTest, UnknownFieldsAreIgnored) {
  auto outputs = OutputsFromJson(R"([{"name":"a","key":"k","future_field":{"x":1}}])");
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ(outputs->at(0).key, "k");
  auto analysis = AnalysisFromJson(R"({"width":3,"faces":[]})");
  ASSERT_TRUE(analysis.ok());
  EXPECT_EQ(analysis->width, 3);
}

TEST(ResultJsonTest, CorruptJsonIsDataLoss) {
  for (const char* text : {"", "not json", "{", R"({"name":1})", "[1]", R"([{"bytes":-1}])",
                           R"([{"width":1.5}])", R"([{"width":99999999999}])", R"([{"key":7}])"}) {
    EXPECT_EQ(OutputsFromJson(text).status().code(), StatusCode::kDataLoss) << text;
  }
  for (const char* text :
       {"[]", R"({"width":"wide"})", R"({"dhash":"xyz"})", R"({"dhash":"0F1E2D3C4B5A6978"})",
        R"({"dhash":"0f1e2d3c4b5a69780"})", R"({"dhash":123})", R"({"mean_colour":[1,2]})",
        R"({"mean_colour":[1,2,"3"]})", R"({"orientation":-3000000000})", R"({"format":null})"}) {
    EXPECT_EQ(AnalysisFromJson(text).status().code(), StatusCode::kDataLoss) << text;
  }
}

}  // namespace
}  // namespace pixfleet
