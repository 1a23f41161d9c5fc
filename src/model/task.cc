#include "model/task.h"

#include <map>

#include "core/hash.h"
#include "model/key_template.h"

namespace pixfleet {

std::string MakeBatchId(std::string_view source_url, std::string_view recipe_yaml,
                        std::string_view output_url) {
  std::string material;
  material.append(source_url).push_back('\n');
  material.append(output_url).push_back('\n');
  material.append(recipe_yaml);
  return "b" + ShortHash(material, 15);
}

std::string MakeTaskId(std::string_view batch_id, std::string_view input_key) {
  std::string material(batch_id);
  material.push_back('\n');
  material.append(input_key);
  return ShortHash(material);
}

std::vector<TaskSpec> MakeTasks(std::string_view batch_id,
                                const std::vector<std::string>& input_keys) {
  std::map<std::string_view, int> stems;
  for (const std::string& key : input_keys) ++stems[KeyWithoutExtension(key)];
  std::vector<TaskSpec> tasks;
  tasks.reserve(input_keys.size());
  for (const std::string& key : input_keys) {
    tasks.push_back(TaskSpec{MakeTaskId(batch_id, key), std::string(batch_id), key,
                             stems[KeyWithoutExtension(key)] > 1});
  }
  return tasks;
}

}  // namespace pixfleet
