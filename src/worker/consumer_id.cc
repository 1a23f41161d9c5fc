#include "worker/consumer_id.h"

#include <array>

#include <unistd.h>

namespace pixfleet {

std::string ConsumerIdForPid(pid_t pid) {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + "/" + std::to_string(pid);
}

std::string ThisProcessConsumerId() { return ConsumerIdForPid(getpid()); }

}  // namespace pixfleet
