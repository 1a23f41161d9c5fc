// Output key check of a whole batch: no two outputs may be written under the same key, whether
// they come from two inputs ("{stem}.{ext}" for a.jpg and sub/a.jpg) or from two outputs of one
// input, and no key may be a folder of another ("{path}" for a.jpg and a/b.jpg), which a local
// folder cannot hold. Either would make one output overwrite or break another in silence, so a
// batch that has any is refused before any work. Pure: no I/O.
//
// Keys are compared byte for byte: S3 and Linux file systems tell "A.jpg" from "a.jpg", so keys
// that differ only in letter case do not collide here (they would on a case-insensitive file
// system such as vfat, exFAT or SMB shares, which the check cannot see). Keys already written by
// another batch (another recipe into the same output location) are not considered: overwriting
// them is what re-running with a changed recipe is for.
//
// Cost: O(n log n) for n (input, output) pairs: one 16-byte entry per pair and one 24-byte entry
// per distinct folder, each list sorted once and merged with sequential reads; keys are expanded
// once, and again only where hashes meet. Measured (-O2): a million inputs with three outputs
// under 2,000 folders, about 2 s of CPU and 50 MB beyond the tasks themselves.
#pragma once

#include <span>

#include "core/status.h"
#include "model/recipe.h"
#include "model/task.h"

namespace pixfleet {

// OK when every key that `outputs` expand to for `tasks` (each with its keep_extension, as the
// worker expands them) is distinct and no key is a folder of another. Otherwise kInvalidArgument
// naming the first colliding keys in key order, each with the inputs and outputs that write it,
// and how many more there are.
Status CheckOutputKeys(std::span<const OutputSpec> outputs, std::span<const TaskSpec> tasks);

}  // namespace pixfleet
