// Task messages: see task_message.h.
#include "queue/rabbitmq/task_message.h"

#include <nlohmann/json.hpp>

namespace pixfleet::amqp {

std::string EncodeTask(const TaskSpec& task) {
  nlohmann::json json = {{"task_id", task.task_id},
                         {"batch_id", task.batch_id},
                         {"input_key", task.input_key},
                         {"keep_extension", task.keep_extension}};
  return json.dump();
}

Result<TaskSpec> DecodeTask(std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("task_id") ||
      !json["task_id"].is_string()) {
    return DataLoss("message body is not a pixfleet task");
  }
  TaskSpec task;
  task.task_id = json["task_id"].get<std::string>();
  task.batch_id = json.value("batch_id", std::string());
  task.input_key = json.value("input_key", std::string());
  task.keep_extension = json.value("keep_extension", false);
  return task;
}

}  // namespace pixfleet::amqp
