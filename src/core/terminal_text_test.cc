// Terminal-safe text: every control, invisible reordering character and invalid byte is shown as
// an escape; everything else (printable ASCII, accented letters, CJK, emoji) is kept.
#include "core/terminal_text.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

// True when `text` holds nothing a terminal would act on: no C0 control, no DEL, no C1 control
// (raw or UTF-8 encoded) and no byte of an invalid sequence.
bool HasNoTerminalControls(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return false;
    }
  }
  return true;
}

TEST(TerminalTextTest, KeepsPrintableTextAsItIs) {
  for (const char* text : {"", "photos/2019/IMG_0001.JPG", "ü é 日本 😀 a-b_c.d~e", "100% {x}"}) {
    EXPECT_EQ(TerminalText(text), text);
  }
}

TEST(TerminalTextTest, EscapesC0ControlsAndDel) {
  EXPECT_EQ(TerminalText("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(TerminalText("line\nforged"), "line\\nforged");
  EXPECT_EQ(TerminalText("over\rwrite\ttab"), "over\\rwrite\\ttab");
  EXPECT_EQ(TerminalText(std::string("nul\0bell\a", 9)), "nul\\x00bell\\x07");
  EXPECT_EQ(TerminalText("del\x7f"), "del\\x7f");
}

TEST(TerminalTextTest, EscapesC1ControlsAndInvisibleReordering) {
  EXPECT_EQ(TerminalText("csi\xc2\x9b"
                         "2J"),
            "csi\\u009b2J");
  EXPECT_EQ(TerminalText("nel\xc2\x85"), "nel\\u0085");
  EXPECT_EQ(TerminalText("evil\xe2\x80\xaegnp.exe"),
            "evil\\u202egnp.exe");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(TerminalText("iso\xe2\x81\xa6x\xe2\x81\xa9"), "iso\\u2066x\\u2069");
  EXPECT_EQ(TerminalText("ls\xe2\x80\xa8ps\xe2\x80\xa9"), "ls\\u2028ps\\u2029");
  // Neighbours of the escaped ranges are ordinary characters.
  EXPECT_EQ(TerminalText("\xc2\xa0\xe2\x80\x94"), "\xc2\xa0\xe2\x80\x94");  // NBSP, EM DASH
}

TEST(TerminalTextTest, EscapesEachByteOfInvalidUtf8) {
  EXPECT_EQ(TerminalText("bad\xff.jpg"), "bad\\xff.jpg");
  EXPECT_EQ(TerminalText("cut\xc3"), "cut\\xc3");                       // truncated sequence
  EXPECT_EQ(TerminalText("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(TerminalText("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // surrogate
  EXPECT_EQ(TerminalText("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(TerminalText("\x9b"), "\\x9b");                             // a raw 8-bit CSI
}

TEST(TerminalTextTest, EscapesBackslashesSoThatEscapesAreUnambiguous) {
  EXPECT_EQ(TerminalText("a\\x1b"), "a\\\\x1b");
  EXPECT_NE(TerminalText("a\\x1b"), TerminalText("a\x1b"));
}

TEST(TerminalTextTest, NoByteSequenceLeavesAControl) {
  // Every single byte and every pair of bytes, alone and after a lead byte.
  for (int first = 0; first < 256; ++first) {
    for (int second = 0; second < 256; ++second) {
      const std::string text = {static_cast<char>(first), static_cast<char>(second)};
      ASSERT_TRUE(HasNoTerminalControls(TerminalText(text))) << first << " " << second;
    }
  }
}

TEST(TerminalSafeJsonTest, EscapesWhatJsonLeavesRaw) {
  EXPECT_EQ(TerminalSafeJson("{\"m\":\"a\x7f\xc2\x9b\xe2\x80\xae\"}"),
            "{\"m\":\"a\\u007f\\u009b\\u202e\"}");
  EXPECT_EQ(TerminalSafeJson("{\"m\":\"ü 日本 \\u001b\"}"), "{\"m\":\"ü 日本 \\u001b\"}");
}

}  // namespace
}  // namespace pixfleet
