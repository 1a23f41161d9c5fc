#include "core/hash.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(HashTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, Sha256StreamOfPiecesIsTheDigestOfTheWhole) {
  Sha256Stream stream;
  for (const char* piece : {"a", "", "bc"}) stream.Update(piece);
  EXPECT_EQ(stream.HexDigest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Stream().HexDigest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, ShortHashIsAPrefix) {
  EXPECT_EQ(ShortHash("abc", 8), "ba7816bf");
  EXPECT_EQ(ShortHash("abc").size(), 32u);
}

}  // namespace
}  // namespace pixfleet
