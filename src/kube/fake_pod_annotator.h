// FakePodAnnotator: an in-memory PodAnnotator for tests of what is built on the port. It records
// every call, answers with the next scripted status (OK once the script is used up) and lets a
// test wait, in real time with a bound, for a number of calls to have been made.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kube/pod_annotator.h"

namespace pixfleet::kube {

class FakePodAnnotator final : public PodAnnotator {
 public:
  struct Call {
    std::string key;
    std::string value;
  };

  Status Annotate(std::string_view key, std::string_view value,
                  const std::stop_token& /*stop*/) override {
    std::lock_guard lock(mutex_);
    calls_.push_back({std::string(key), std::string(value)});
    Status answer;
    if (!script_.empty()) {
      answer = std::move(script_.front());
      script_.pop_front();
    }
    if (answer.ok()) annotations_[std::string(key)] = std::string(value);
    changed_.notify_all();
    return answer;
  }

  // The answers to the next calls, in order.
  void Script(std::vector<Status> answers) {
    std::lock_guard lock(mutex_);
    for (Status& answer : answers) script_.push_back(std::move(answer));
  }

  std::vector<Call> Calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // The values of the calls made so far, in order.
  std::vector<std::string> Values() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> values;
    for (const Call& call : calls_) values.push_back(call.value);
    return values;
  }
  // What the pod's annotation `key` holds after the calls that succeeded ("" when none did).
  std::string Annotation(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = annotations_.find(key);
    return it == annotations_.end() ? std::string() : it->second;
  }

  // Blocks until at least `count` calls were made; false after `real_timeout`.
  bool WaitForCalls(size_t count,
                    std::chrono::milliseconds real_timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, real_timeout, [&] { return calls_.size() >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
  std::deque<Status> script_;
  std::map<std::string, std::string> annotations_;
};

}  // namespace pixfleet::kube
