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

// A folder of some key: the first `length` bytes of the key of (task, output).
struct Folder {
  uint64_t hash;
  uint32_t task;
  uint32_t output;
  uint32_t length;
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
    // One pass expands every key, and notes its folders; consecutive keys (tasks come in key
    // order) mostly share their folders, so each is noted once per run of keys.
    entries_.reserve(tasks_.size() * outputs_.size());
    std::vector<uint64_t> last_folder_at_depth;
    for (uint32_t t = 0; t < tasks_.size(); ++t) {
      for (uint32_t o = 0; o < outputs_.size(); ++o) {
        const std::string key = KeyOf(t, o);
        entries_.push_back({HashKey(key), t, o});
        size_t depth = 0;
        for (size_t slash = key.find('/'); slash != std::string::npos;
             slash = key.find('/', slash + 1), ++depth) {
          const uint64_t hash = HashKey(std::string_view(key.data(), slash));
          if (depth == last_folder_at_depth.size()) last_folder_at_depth.push_back(~hash);
          if (last_folder_at_depth[depth] == hash) continue;
          last_folder_at_depth[depth] = hash;
          folders_.push_back({hash, t, o, static_cast<uint32_t>(slash)});
        }
      }
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.hash != b.hash ? a.hash < b.hash
                              : (a.task != b.task ? a.task < b.task : a.output < b.output);
    });
    std::sort(folders_.begin(), folders_.end(), [](const Folder& a, const Folder& b) {
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

  // A key that is also a folder of another key ("a" and "a/b.jpg"): both lists are sorted by
  // hash, so one merge finds every candidate with sequential reads.
  void FindFolderConflicts() {
    auto entry = entries_.begin();
    for (const Folder& folder : folders_) {
      while (entry != entries_.end() && entry->hash < folder.hash) ++entry;
      for (auto match = entry; match != entries_.end() && match->hash == folder.hash; ++match) {
        const std::string key = KeyOf(folder.task, folder.output);
        const std::string_view path(key.data(), folder.length);
        if (KeyOf(match->task, match->output) != path) continue;
        // Several keys under the folder may find it: report the folder once.
        if (!reported_folders_.emplace(path).second) break;
        Problem problem;
        problem.writers.push_back(Writer(*match));
        problem.folder_of = "\"" + key + "\" from " + tasks_[folder.task].input_key + " (output " +
                            outputs_[folder.output].name + ")";
        Report(std::string(path), std::move(problem));
        break;
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
  std::vector<Folder> folders_;
  std::map<std::string, Problem> examples_;
  std::set<std::string, std::less<>> reported_folders_;
  size_t problem_count_ = 0;
};

}  // namespace

Status CheckOutputKeys(std::span<const OutputSpec> outputs, std::span<const TaskSpec> tasks) {
  return KeyChecker(outputs, tasks).Check();
}

}  // namespace pixfleet
