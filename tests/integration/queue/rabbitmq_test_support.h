// Helpers shared by the RabbitMQ integration tests (plain AMQP and TLS): environment lookup,
// per-test queue names, and the TaskQueue contract factory for a broker URL: RabbitMQ runs on
// real time, delivers asynchronously, and loses a consumer's leases when its connection drops.
#pragma once

#include <functional>
#include <string>

#include "queue/task_queue_contract.h"

namespace pixfleet::rabbitmq_test {

// The variable's value, or "" when unset.
std::string Env(const char* name);

// "pftest.<pid>.<n>.<test name>": unique per process and test, valid as a queue name.
std::string UniqueQueueName();

// A contract factory named `name` that opens RabbitMqTaskQueue on url() (read when a case runs)
// with one queue name per test case, deleting its queues at the end; every case is skipped
// with skip_reason() when that is not empty.
contract::QueueFactory ContractFactory(std::string name, std::function<std::string()> url,
                                       std::function<std::string()> skip_reason);

}  // namespace pixfleet::rabbitmq_test
