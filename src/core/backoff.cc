#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace pixfleet {

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int failed_attempts,
                                       double unit_random) {
  const int exponent = std::clamp(failed_attempts - 1, 0, 40);
  const double ceiling =
      std::min(static_cast<double>(policy.cap.count()),
               static_cast<double>(policy.base.count()) * std::ldexp(1.0, exponent));
  const double jittered = ceiling * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(jittered)));
}

}  // namespace pixfleet
