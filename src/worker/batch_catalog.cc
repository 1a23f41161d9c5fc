#include "worker/batch_catalog.h"

#include "model/recipe_yaml.h"

namespace pixfleet {

Result<std::shared_ptr<const BatchContext>> BatchCatalog::Get(std::string_view batch_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(batch_id); it != cache_.end()) return it->second;
  }
  // Built outside the lock: opening stores may do I/O. Two threads racing on a new batch both
  // build one; the first to insert wins, which is harmless.
  PIXFLEET_ASSIGN_OR_RETURN(std::optional<Batch> batch, results_.GetBatch(batch_id));
  if (!batch) return NotFound("batch " + std::string(batch_id) + " does not exist");
  auto context = std::make_shared<BatchContext>();
  context->batch = std::move(*batch);
  PIXFLEET_ASSIGN_OR_RETURN(
      context->recipe,
      ParseRecipeYaml(context->batch.recipe_yaml, "recipe of batch " + context->batch.id));
  PIXFLEET_ASSIGN_OR_RETURN(context->inputs, make_store_(context->batch.source_url));
  PIXFLEET_ASSIGN_OR_RETURN(context->outputs, make_store_(context->batch.output_url));
  std::lock_guard lock(mutex_);
  auto [it, inserted] = cache_.emplace(context->batch.id, std::move(context));
  return it->second;
}

}  // namespace pixfleet
