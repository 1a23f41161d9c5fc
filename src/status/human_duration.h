// HumanDuration: a duration for people, in the two largest units that matter: "1h02m",
// "3m07s", "12s", "0.4s"; "--" for a negative (unknown) duration. Shared by `pixfleet status`
// (rate and ETA) and `pixfleet run` (progress bar, summary).
#pragma once

#include <chrono>
#include <string>

namespace pixfleet {

std::string HumanDuration(std::chrono::milliseconds duration);

}  // namespace pixfleet
