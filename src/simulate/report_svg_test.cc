#include "simulate/report_svg.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace pixfleet::simulate {
namespace {

using std::chrono::milliseconds;

// Parsed by a real XML parser: well-formed, or the parser's reason.
bool WellFormed(const std::string& xml, std::string* why) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_string(xml.c_str());
  *why = parsed.description();
  return static_cast<bool>(parsed) && std::string(doc.document_element().name()) == "svg";
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ReportSvgTest, WellFormedWithEverySeriesOfEveryVariant) {
  SimResult a;
  a.label = "value 5";
  a.end = milliseconds(60000);
  a.series = {{milliseconds(0), 100, 0, 1, 1, 0},
              {milliseconds(15000), 60, 4, 4, 4, 4},
              {milliseconds(50000), 0, 0, 0, 0, 0}};
  SimResult b = a;
  b.label = "protocol <http> & more";
  const std::string svg = SvgChart({a, b}, "title with <angle> & ampersand");
  std::string why;
  EXPECT_TRUE(WellFormed(svg, &why)) << why;
  EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 40);
  for (const char* series : {"queue", "replicas", "pods", "busy"}) {
    EXPECT_EQ(Count(svg, std::string("<polyline class=\"") + series + "\""), 2U) << series;
  }
  EXPECT_EQ(Count(svg, "data-variant=\"value 5\""), 5U);  // the panel and its four series
  EXPECT_EQ(Count(svg, "data-variant=\"protocol &lt;http&gt; &amp; more\""), 5U);
  EXPECT_NE(svg.find("title with &lt;angle&gt; &amp; ampersand"), std::string::npos);
}

TEST(ReportSvgTest, QueueSeriesStartsAtTheTopAndEndsAtZero) {
  SimResult a;
  a.label = "v";
  a.end = milliseconds(10000);
  // 100 queued until 5 s, then none: the queue axis is 0..100, so the line starts at the panel's
  // top (y = 70: panel top 56 + 14) and ends at its bottom (y = 190 = 70 + 120).
  a.series = {{milliseconds(0), 100, 0, 1, 1, 1}, {milliseconds(5000), 0, 0, 0, 0, 0}};
  const std::string svg = SvgChart({a}, "t");
  const size_t line = svg.find("<polyline class=\"queue\"");
  ASSERT_NE(line, std::string::npos);
  const size_t points = svg.find("points=\"", line) + 8;
  const std::string list = svg.substr(points, svg.find('"', points) - points);
  EXPECT_TRUE(list.starts_with("56,70.0 ")) << list.substr(0, 30);
  EXPECT_TRUE(list.ends_with(" 704,190.0")) << list.substr(list.size() - 30);
}

}  // namespace
}  // namespace pixfleet::simulate
