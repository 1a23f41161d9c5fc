// The comparison as a text table, one row per variant, then the recommendation:
//   variant            kind   proto  value  drain    paid w-s  busy   idle  interrupted  peak pods
//   pgb clients  pgb servers
// Times in seconds; "not drained" when the horizon came first. Then what the columns count, why
// the plain HPA starts from one pod (PlainHpaDesired from 0 is 0), and the recommendation. Pure.
#pragma once

#include <string>
#include <vector>

#include "simulate/model.h"
#include "simulate/variants.h"

namespace pixfleet::simulate {

std::string TextReport(const std::vector<Variant>& variants, const std::vector<SimResult>& results,
                       const Recommendation& recommendation);

}  // namespace pixfleet::simulate
