// pixfleet-samples DIR SET...: writes generated sample images (sets "demo", "formats", "broken")
// into DIR/SET/, for trying recipes and for end-to-end tests. Exit status 0 when every set was
// written, 2 on bad usage, 1 when generation or writing failed.
#include <cstdio>
#include <filesystem>
#include <string>

#include "testing/test_images.h"

namespace {

void PrintUsage() {
  std::fprintf(stderr,
               "usage: pixfleet-samples DIR SET...\n  writes each SET into DIR/SET/; sets:");
  for (const std::string& name : pixfleet::SampleSetNames()) {
    std::fprintf(stderr, " %s", name.c_str());
  }
  std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    PrintUsage();
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string set = argv[i];
    const pixfleet::Status status = pixfleet::WriteSampleSet(dir / set, set);
    if (!status.ok()) {
      std::fprintf(stderr, "pixfleet-samples: %s: %s\n", set.c_str(), status.ToString().c_str());
      return status.code() == pixfleet::StatusCode::kInvalidArgument ? 2 : 1;
    }
    std::printf("wrote %s\n", (dir / set).string().c_str());
  }
  return 0;
}
