#include "testing/processes.h"

#include <fstream>
#include <string>

namespace pixfleet {

bool ProcessIsDead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  // "pid (name) state ...": the name may hold spaces and parentheses, the state follows the last.
  const size_t after_name = line.rfind(')');
  return after_name != std::string::npos && line.substr(after_name + 2, 1) == "Z";
}

}  // namespace pixfleet
