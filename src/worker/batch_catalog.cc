#include "worker/batch_catalog.h"

#include "model/recipe_yaml.h"

namespace pixfleet {

Result<std::shared_ptr<const BatchContext>> BatchCatalog::Get(std::string_view batch_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(batch_id); it != cache_.end()) return it->second;
    if (auto it = refused_.find(batch_id); it != refused_.end()) return it->second;
  }
  // Built outside the lock: opening stores and probing them do I/O. Two threads racing on a new
  // batch both build one; the first to insert wins, which is harmless.
  Result<std::shared_ptr<const BatchContext>> built = Build(batch_id);
  std::lock_guard lock(mutex_);
  if (!built.ok()) {
    if (built.error().code() == StatusCode::kFailedPrecondition) {
      refused_.emplace(batch_id, built.error());
    }
    return built;
  }
  auto [it, inserted] = cache_.emplace(std::string(batch_id), std::move(built).value());
  return it->second;
}

Result<std::shared_ptr<const BatchContext>> BatchCatalog::Build(std::string_view batch_id) {
  PIXFLEET_ASSIGN_OR_RETURN(std::optional<Batch> batch, results_.GetBatch(batch_id));
  if (!batch) return NotFound("batch " + std::string(batch_id) + " does not exist");
  auto context = std::make_shared<BatchContext>();
  context->batch = std::move(*batch);
  PIXFLEET_ASSIGN_OR_RETURN(
      context->recipe,
      ParseRecipeYaml(context->batch.recipe_yaml, "recipe of batch " + context->batch.id));
  PIXFLEET_ASSIGN_OR_RETURN(context->inputs, make_store_(context->batch.source_url));
  PIXFLEET_ASSIGN_OR_RETURN(context->outputs, make_store_(context->batch.output_url));
  if (Status writable = context->outputs->CheckWritable(); !writable.ok()) {
    return writable.WithContext("the output of batch " + context->batch.id);
  }
  return std::shared_ptr<const BatchContext>(std::move(context));
}

}  // namespace pixfleet
