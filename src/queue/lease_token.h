// LeaseTokenGenerator: random lease tokens. A token fences a lease: after a lease lapses and the
// task is delivered again, the old holder's token no longer matches, so its Ack is rejected.
// Tokens must therefore not repeat across processes and restarts: 128 bits from a generator
// seeded by std::random_device. Not thread-safe; the owning queue serialises calls.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace pixfleet {

class LeaseTokenGenerator {
 public:
  LeaseTokenGenerator();
  // 32 lower-case hex characters.
  std::string Next();

 private:
  std::mt19937_64 engine_;
};

}  // namespace pixfleet
