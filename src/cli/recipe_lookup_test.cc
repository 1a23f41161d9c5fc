#include "cli/recipe_lookup.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

class RecipeLookupTest : public ::testing::Test {
 protected:
  RecipeLookupTest() { WriteFileForTest(installed_ / "std3.yaml", "name: std3\n"); }

  TempDir dir_;
  std::filesystem::path installed_ = dir_.path() / "share/pixfleet/recipes";
};

TEST_F(RecipeLookupTest, ANameIsAnInstalledRecipe) {
  EXPECT_EQ(ResolveRecipe("std3", installed_), (installed_ / "std3.yaml").string());
  EXPECT_EQ(ResolveRecipe("std3.yaml", installed_), (installed_ / "std3.yaml").string());
}

TEST_F(RecipeLookupTest, AFileThatExistsWinsOverTheInstalledOne) {
  WriteFileForTest(dir_.path() / "std3.yaml", "name: mine\n");
  WriteFileForTest(dir_.path() / "std3", "name: mine\n");
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  EXPECT_EQ(ResolveRecipe("std3.yaml", installed_), "std3.yaml");
  EXPECT_EQ(ResolveRecipe("std3", installed_), "std3");
  std::filesystem::current_path(previous);
}

TEST_F(RecipeLookupTest, APathIsNeverLookedUp) {
  EXPECT_EQ(ResolveRecipe("recipes/std3.yaml", installed_), "recipes/std3.yaml");
  EXPECT_EQ(ResolveRecipe("./std3", installed_), "./std3");
}

TEST_F(RecipeLookupTest, AnUnknownNameComesBackForTheUsualError) {
  EXPECT_EQ(ResolveRecipe("nosuch", installed_), "nosuch");
  EXPECT_EQ(ResolveRecipe("std3", dir_.path() / "missing"), "std3");
  EXPECT_EQ(ResolveRecipe("", installed_), "");
}

TEST(InstalledRecipesDirTest, IsShareBesideBin) {
  EXPECT_EQ(InstalledRecipesDir("/usr/local/bin/pixfleet"),
            std::filesystem::path("/usr/local/share/pixfleet/recipes"));
}

}  // namespace
}  // namespace pixfleet
