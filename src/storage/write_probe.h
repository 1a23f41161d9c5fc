// Helpers for ObjectStore::CheckWritable (object_store.h). The probe's key and bytes are fixed
// and valid, so a permanent failure of its write can only be the store refusing it: such a
// failure becomes kFailedPrecondition, whatever code the backend gave it.
#pragma once

#include <string_view>

#include "core/status.h"
#include "storage/object_store.h"

namespace pixfleet {

// The bytes of the probe object.
inline constexpr std::string_view kWriteProbeBytes = "pixfleet write probe\n";

// The probe's verdict from the status of its write to the store at `where` (a path or URL for
// the message): OK and transient failures (kUnavailable, kDeadlineExceeded) as they are; any
// other failure as kFailedPrecondition "<where> refuses writes: <reason>".
Status WriteProbeVerdict(const Status& write, std::string_view where);

// CheckWritable through the store's own Put and Delete of kWriteProbeKey (the memory fake).
Status ProbeWithPutAndDelete(ObjectStore& store, std::string_view where);

}  // namespace pixfleet
