// Task messages: see task_message.h.
#include "queue/rabbitmq/task_message.h"

#include <nlohmann/json.hpp>

#include "queue/rabbitmq/amqp_connection.h"

namespace pixfleet::amqp {
namespace {

using nlohmann::json;

// The value of `field` if it is a non-empty string; otherwise why not.
Result<std::string> RequiredString(const json& object, const char* field) {
  const auto it = object.find(field);
  if (it == object.end() || !it->is_string()) {
    return DataLoss("no " + std::string(field) + " string");
  }
  std::string value = it->get<std::string>();
  if (value.empty()) return DataLoss("empty " + std::string(field));
  return value;
}

}  // namespace

std::string EncodeTask(const TaskSpec& task) {
  json object = {{"task_id", task.task_id},
                 {"batch_id", task.batch_id},
                 {"input_key", task.input_key},
                 {"keep_extension", task.keep_extension}};
  return object.dump();
}

Result<TaskSpec> DecodeTask(std::string_view body) {
  json object;
  try {
    object = json::parse(body);
  } catch (const json::parse_error& error) {
    // The library's own message quotes the body; the offset says enough.
    return DataLoss("not JSON (syntax error at byte " + std::to_string(error.byte) + ")");
  }
  if (!object.is_object()) return DataLoss("JSON, but not an object");
  TaskSpec task;
  PIXFLEET_ASSIGN_OR_RETURN(task.task_id, RequiredString(object, "task_id"));
  PIXFLEET_ASSIGN_OR_RETURN(task.batch_id, RequiredString(object, "batch_id"));
  PIXFLEET_ASSIGN_OR_RETURN(task.input_key, RequiredString(object, "input_key"));
  if (const auto it = object.find("keep_extension"); it != object.end()) {
    if (!it->is_boolean()) return DataLoss("keep_extension is not a boolean");
    task.keep_extension = it->get<bool>();
  }
  return task;
}

Delivery ReadDelivery(const amqp_message_t& message) {
  Delivery delivery;
  delivery.size = static_cast<int64_t>(message.body.len);
  delivery.task = DecodeTask(ToString(message.body));
  const amqp_basic_properties_t& props = message.properties;
  if (props._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
    delivery.message_id = Clipped(ToString(props.message_id));
  }
  if (props._flags & AMQP_BASIC_HEADERS_FLAG) {
    if (const auto* v = FindField(props.headers, kPriorAttemptsHeader)) {
      delivery.prior_attempts = IntegerField(*v).value_or(0);
    }
    if (const auto* v = FindField(props.headers, kDeliveryCountHeader)) {
      delivery.delivery_count = IntegerField(*v).value_or(0);
    }
    if (const auto* v = FindField(props.headers, kReasonHeader)) {
      if (v->kind == AMQP_FIELD_KIND_UTF8) delivery.reason = ToString(v->value.bytes);
    }
  }
  return delivery;
}

std::string Clipped(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() <= max_bytes) return std::string(bytes);
  return std::string(bytes.substr(0, max_bytes)) + "...";
}

}  // namespace pixfleet::amqp
