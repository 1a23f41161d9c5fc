// Write-probe helpers: see the header.
#include "storage/write_probe.h"

#include <string>

namespace pixfleet {

Status WriteProbeVerdict(const Status& write, std::string_view where) {
  if (write.ok() || write.IsRetryable()) return write;
  return FailedPrecondition(std::string(where) + " refuses writes: " + write.message());
}

Status ProbeWithPutAndDelete(ObjectStore& store, std::string_view where) {
  const Status written = store.Put(kWriteProbeKey, kWriteProbeBytes, "text/plain");
  if (!written.ok()) return WriteProbeVerdict(written, where);
  static_cast<void>(store.Delete(kWriteProbeKey));  // best effort: see CheckWritable
  return Status::Ok();
}

}  // namespace pixfleet
