// Which objects of a source are inputs: image files by extension (case-insensitive), outside an
// excluded prefix (the output folder when it lies inside the source). What the source's listing
// passed over (a local folder's links leading outside it, earlier output folders; see
// LocalObjectStore) is summed up so that `run` and `submit` can say what they left out. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "storage/object_store.h"

namespace pixfleet {

// True for jpg, jpeg, png, webp, tif, tiff, gif, heic, heif, avif in any letter case.
bool HasImageExtension(std::string_view key);

// Entries a listing passed over, grouped by reason in order of first appearance: a count and the
// first few keys of each, so that a source of millions of dangling links costs no more memory
// than one.
class SkipSummary {
 public:
  static constexpr size_t kExamples = 3;

  struct Group {
    std::string reason;
    int64_t count = 0;
    std::vector<std::string> examples;  // the first kExamples keys
  };

  void Add(const SkippedEntry& entry);
  const std::vector<Group>& Groups() const { return groups_; }
  int64_t Total() const;

  // "" when nothing was skipped; otherwise a heading and one line per reason, each ending in
  // '\n':
  //   passed over 3 entries of the source (see README, "Inputs"):
  //     symlink leading outside the folder: 2 (a/x.jpg, b/y.jpg)
  // Keys are printed with control characters escaped.
  std::string Describe() const;

 private:
  std::vector<Group> groups_;
};

struct InputListing {
  std::vector<std::string> keys;                    // images, in key order
  std::unordered_map<std::string, uint64_t> bytes;  // each key's size, as listed
  SkipSummary skipped;
};

// Keys of `source` that are images, in key order, skipping keys under `exclude_prefix` (a
// directory prefix ending in '/', or empty for none), with what the listing passed over that
// could have held inputs: folders, and files with an image extension (except `exclude_prefix`
// itself: the run's own output folder is no news).
Result<InputListing> ListInputs(ObjectStore& source, std::string_view exclude_prefix);

}  // namespace pixfleet
