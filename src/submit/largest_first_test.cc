#include "submit/largest_first.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

UnfinishedTasks TodoFor(const std::vector<std::string>& keys) {
  UnfinishedTasks todo;
  for (const std::string& key : keys) {
    todo.to_publish.push_back({.task_id = "t-" + key, .batch_id = "b", .input_key = key});
    todo.publications.push_back({.task_id = "t-" + key, .result_finished_ms = std::nullopt});
  }
  return todo;
}

std::vector<std::string> KeysOf(const UnfinishedTasks& todo) {
  std::vector<std::string> keys;
  for (const TaskSpec& task : todo.to_publish) keys.push_back(task.input_key);
  return keys;
}

TEST(LargestFirstTest, OrdersByInputSizeDescendingTiesInTheirOrder) {
  struct Case {
    std::string name;
    std::vector<std::string> keys;
    std::unordered_map<std::string, uint64_t> bytes;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"sizes decide", {"a", "b", "c"}, {{"a", 10}, {"b", 30}, {"c", 20}}, {"b", "c", "a"}},
      {"ties keep key order",
       {"a", "b", "c", "d"},
       {{"a", 5}, {"b", 9}, {"c", 5}, {"d", 9}},
       {"b", "d", "a", "c"}},
      {"unknown size counts as 0", {"a", "b"}, {{"b", 1}}, {"b", "a"}},
      {"nothing to publish", {}, {}, {}},
  };
  for (const Case& c : cases) {
    UnfinishedTasks todo = TodoFor(c.keys);
    OrderLargestFirst(c.bytes, &todo);
    EXPECT_EQ(KeysOf(todo), c.expected) << c.name;
  }
}

TEST(LargestFirstTest, EachLedgerEntryStaysBesideItsTask) {
  UnfinishedTasks todo = TodoFor({"small", "big", "mid"});
  todo.publications[1].result_finished_ms = 42;  // big's failed row, published again
  OrderLargestFirst({{"small", 1}, {"big", 100}, {"mid", 50}}, &todo);
  ASSERT_EQ(todo.to_publish.size(), 3u);
  ASSERT_EQ(todo.publications.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(todo.publications[i].task_id, todo.to_publish[i].task_id);
  }
  EXPECT_EQ(todo.to_publish[0].input_key, "big");
  EXPECT_EQ(todo.publications[0].result_finished_ms, 42);
  EXPECT_EQ(todo.publications[1].result_finished_ms, std::nullopt);
}

}  // namespace
}  // namespace pixfleet
