// Random numbers that are the same on every platform and standard library: the engine is
// std::mt19937_64 (its output sequence is fixed by the standard), and the samplers are written
// here because std::*_distribution's algorithms are implementation-defined.
#pragma once

#include <cstdint>
#include <random>

namespace pixfleet::simulate {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), from the top 53 bits.
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n >= 1 (rejection sampling: no modulo bias).
  uint64_t Below(uint64_t n);

  // Standard normal (Box–Muller; the second value is discarded to keep the stream simple).
  double Normal();

 private:
  std::mt19937_64 engine_;
};

}  // namespace pixfleet::simulate
