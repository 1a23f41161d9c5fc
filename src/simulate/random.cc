#include "simulate/random.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace pixfleet::simulate {

uint64_t Random::Below(uint64_t n) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  for (;;) {
    const uint64_t x = engine_();
    if (x < limit) return x % n;
  }
}

double Random::Normal() {
  const double u1 = 1.0 - Unit();  // (0, 1]: log is finite
  const double u2 = Unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace pixfleet::simulate
