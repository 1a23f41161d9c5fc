// CheckBatchLocations: see the header.
#include "wiring/batch_locations.h"

#include <string>

#include "wiring/backends.h"

namespace pixfleet {

Status CheckBatchLocations(ObjectStore& source, std::string_view source_url,
                           std::string_view output_url, Clock& clock) {
  // One key is enough to know the source can be listed; submitting lists it all later.
  bool listed_one = false;
  const Status listed = source.List("", [&](const ObjectInfo&) {
    listed_one = true;
    return Cancelled("one key is enough");
  });
  if (!listed.ok() && !listed_one) {
    return listed.WithContext("the source " + std::string(source_url) + " cannot be listed");
  }
  auto output = MakeObjectStore(output_url, /*create=*/true, clock);
  if (!output.ok()) {
    return output.error().WithContext("the output " + std::string(output_url) + " cannot be used");
  }
  return (*output)->CheckWritable();
}

}  // namespace pixfleet
