#include "core/xml_escape.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(XmlEscapeTest, EscapesTheFiveSpecialCharactersButApostrophe) {
  EXPECT_EQ(XmlEscape(R"(a & b <c> "d" 'e')"), R"(a &amp; b &lt;c&gt; &quot;d&quot; 'e')");
  EXPECT_EQ(XmlEscape(""), "");
  EXPECT_EQ(XmlEscape("plain/key.jpg"), "plain/key.jpg");
}

}  // namespace
}  // namespace pixfleet
