#include "submit/largest_first.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace pixfleet {

void OrderLargestFirst(const std::unordered_map<std::string, uint64_t>& input_bytes,
                       UnfinishedTasks* todo) {
  const auto bytes_of = [&](const TaskSpec& task) {
    const auto found = input_bytes.find(task.input_key);
    return found == input_bytes.end() ? uint64_t{0} : found->second;
  };
  std::vector<size_t> order(todo->to_publish.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return bytes_of(todo->to_publish[a]) > bytes_of(todo->to_publish[b]);
  });
  std::vector<TaskSpec> tasks;
  std::vector<Publication> publications;
  tasks.reserve(order.size());
  publications.reserve(order.size());
  for (size_t i : order) {
    tasks.push_back(std::move(todo->to_publish[i]));
    publications.push_back(std::move(todo->publications[i]));
  }
  todo->to_publish = std::move(tasks);
  todo->publications = std::move(publications);
}

}  // namespace pixfleet
