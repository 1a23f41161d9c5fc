#include "model/task.h"

#include "core/hash.h"

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

}  // namespace pixfleet
