// CheckBatchLocations: what `pixfleet submit` verifies before it publishes anything, so that a
// batch that cannot run is refused at once instead of failing task after task in the workers.
#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "storage/object_store.h"

namespace pixfleet {

// OK when `source` answers a listing and the output at `output_url` (opened here, a local folder
// created as the workers would) accepts writes (ObjectStore::CheckWritable). Otherwise the error
// names the location: kFailedPrecondition when it refuses (a missing bucket, refused keys, a
// read-only or full disk), kUnavailable when it cannot be reached, the opening error of a bad
// URL as it is. `clock` paces the retries of a remote output.
Status CheckBatchLocations(ObjectStore& source, std::string_view source_url,
                           std::string_view output_url, Clock& clock);

}  // namespace pixfleet
