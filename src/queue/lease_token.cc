#include "queue/lease_token.h"

#include <array>

namespace pixfleet {

LeaseTokenGenerator::LeaseTokenGenerator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(),
                     device(), device(), device(), device()};
  engine_.seed(seed);
}

std::string LeaseTokenGenerator::Next() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(32);
  for (int word = 0; word < 2; ++word) {
    uint64_t bits = engine_();
    for (int i = 0; i < 16; ++i) {
      token.push_back(kHex[bits & 0xF]);
      bits >>= 4;
    }
  }
  return token;
}

}  // namespace pixfleet
