#include "model/output_key_check.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/key_template.h"

namespace pixfleet {
namespace {

constexpr size_t kReportedKeys = 5;     // colliding keys named in the message
constexpr size_t kReportedWriters = 3;  // writers named per key

// One (input, output) pair, by the hash of its key: the key's text is expanded again only when
// hashes meet, which keeps a batch of millions of inputs to 16 bytes a pair.
struct Entry {
  uint64_t hash;
  uint32_t task;
  uint32_t output;
};

uint64_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

struct Problem {
  std::vector<std::string> writers;  // "sub/a.jpg (output thumb)"
  std::string folder_of;             // set when the key is a folder of this other key
};

class KeyChecker {
 public:
  KeyChecker(std::span<const OutputSpec> outputs, std::span<const TaskSpec> tasks)
      : outputs_(outputs), tasks_(tasks) {}

  Status Check() {
    entries_.reserve(tasks_.size() * outputs_.size());
    for (uint32_t t = 0; t < tasks_.size(); ++t) {
      for (uint32_t o = 0; o < outputs_.size(); ++o)
        entries_.push_back({HashKey(KeyOf(t, o)), t, o});
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.hash != b.hash ? a.hash < b.hash
                              : (a.task != b.task ? a.task < b.task : a.output < b.output);
    });
    FindDuplicates();
    FindFolderConflicts();
    return problem_count_ == 0 ? Status::Ok() : InvalidArgument(Message());
  }

 private:
  std::string KeyOf(uint32_t task, uint32_t output) const {
    return ExpandKeyTemplate(outputs_[output], tasks_[task].input_key, tasks_[task].keep_extension);
  }

  std::string Writer(const Entry& entry) const {
    return tasks_[entry.task].input_key + " (output " + outputs_[entry.output].name + ")";
  }

  // Keeps the problem if its key is among the first kReportedKeys in key order; counts it always.
  void Report(std::string key, Problem problem) {
    ++problem_count_;
    examples_.emplace(std::move(key), std::move(problem));
    if (examples_.size() > kReportedKeys) examples_.erase(std::prev(examples_.end()));
  }

  void FindDuplicates() {
    for (size_t begin = 0; begin < entries_.size();) {
      size_t end = begin + 1;
      while (end < entries_.size() && entries_[end].hash == entries_[begin].hash) ++end;
      if (end - begin > 1) CheckSameHash(begin, end);
      begin = end;
    }
  }

  // Entries [begin, end) share a hash: group them by their actual key.
  void CheckSameHash(size_t begin, size_t end) {
    std::map<std::string, std::vector<const Entry*>> by_key;
    for (size_t i = begin; i < end; ++i) {
      by_key[KeyOf(entries_[i].task, entries_[i].output)].push_back(&entries_[i]);
    }
    for (auto& [key, writers] : by_key) {
      if (writers.size() < 2) continue;
      Problem problem;
      for (const Entry* writer : writers) problem.writers.push_back(Writer(*writer));
      Report(key, std::move(problem));
    }
  }

  // A key that is also a folder of another key ("a" and "a/b.jpg"): look up every folder prefix
  // of every key among the keys.
  void FindFolderConflicts() {
    for (const Entry& entry : entries_) {
      const std::string key = KeyOf(entry.task, entry.output);
      for (size_t slash = key.find('/'); slash != std::string::npos;
           slash = key.find('/', slash + 1)) {
        const std::string_view folder(key.data(), slash);
        const uint64_t hash = HashKey(folder);
        auto match = std::lower_bound(entries_.begin(), entries_.end(), hash,
                                      [](const Entry& e, uint64_t h) { return e.hash < h; });
        for (; match != entries_.end() && match->hash == hash; ++match) {
          if (KeyOf(match->task, match->output) != folder) continue;
          // Every key under the folder finds it: report the folder once.
          if (!reported_folders_.emplace(folder).second) break;
          Problem problem;
          problem.writers.push_back(Writer(*match));
          problem.folder_of = "\"" + key + "\" from " + Writer(entry);
          Report(std::string(folder), std::move(problem));
          break;
        }
      }
    }
  }

  std::string Message() const {
    std::string text = "output keys collide, so some outputs would overwrite or block others: ";
    bool first = true;
    for (const auto& [key, problem] : examples_) {
      if (!first) text += "; ";
      first = false;
      text += "\"" + key + "\" from ";
      for (size_t i = 0; i < problem.writers.size() && i < kReportedWriters; ++i) {
        if (i > 0) text += i + 1 == problem.writers.size() ? " and " : ", ";
        text += problem.writers[i];
      }
      if (problem.writers.size() > kReportedWriters) {
        text += " and " + std::to_string(problem.writers.size() - kReportedWriters) + " more";
      }
      if (!problem.folder_of.empty()) {
        text += " is also the folder of " + problem.folder_of;
      }
    }
    if (problem_count_ > examples_.size()) {
      text += "; and " + std::to_string(problem_count_ - examples_.size()) + " more like these";
    }
    text +=
        ". Keys must differ per input and per output: use {path} (or {dir}/{stem}) for the input "
        "and {name} or distinct formats for the outputs in the recipe's key templates";
    return text;
  }

  std::span<const OutputSpec> outputs_;
  std::span<const TaskSpec> tasks_;
  std::vector<Entry> entries_;
  std::map<std::string, Problem> examples_;
  std::set<std::string, std::less<>> reported_folders_;
  size_t problem_count_ = 0;
};

}  // namespace

Status CheckOutputKeys(std::span<const OutputSpec> outputs, std::span<const TaskSpec> tasks) {
  return KeyChecker(outputs, tasks).Check();
}

}  // namespace pixfleet
