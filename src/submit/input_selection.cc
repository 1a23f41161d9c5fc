#include "submit/input_selection.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/terminal_text.h"

namespace pixfleet {
namespace {}  // namespace

bool HasImageExtension(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kExtensions = {
      "jpg", "jpeg", "png", "webp", "tif", "tiff", "gif", "heic", "heif", "avif"};
  const size_t dot = key.rfind('.');
  const size_t slash = key.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return false;
  }
  std::string extension(key.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

void SkipSummary::Add(const SkippedEntry& entry) {
  auto group = std::find_if(groups_.begin(), groups_.end(),
                            [&](const Group& g) { return g.reason == entry.reason; });
  if (group == groups_.end()) group = groups_.insert(groups_.end(), Group{entry.reason, 0, {}});
  ++group->count;
  if (group->examples.size() < kExamples) group->examples.push_back(entry.key);
}

int64_t SkipSummary::Total() const {
  int64_t total = 0;
  for (const Group& group : groups_) total += group.count;
  return total;
}

std::string SkipSummary::Describe() const {
  if (groups_.empty()) return "";
  const int64_t count = Total();
  std::string text = "passed over " + std::to_string(count) + (count == 1 ? " entry" : " entries") +
                     " of the source (see README, \"Inputs\"):\n";
  for (const Group& group : groups_) {
    text += "  " + group.reason + ": " + std::to_string(group.count) + " (";
    for (size_t i = 0; i < group.examples.size(); ++i) {
      if (i > 0) text += ", ";
      text += TerminalText(group.examples[i]);
    }
    if (group.count > static_cast<int64_t>(group.examples.size())) text += ", ...";
    text += ")\n";
  }
  return text;
}

Result<InputListing> ListInputs(ObjectStore& source, std::string_view exclude_prefix) {
  InputListing listing;
  const auto excluded = [&](std::string_view key) {
    return !exclude_prefix.empty() && key.starts_with(exclude_prefix);
  };
  Status listed = source.ListReportingSkips(
      "",
      [&](const ObjectInfo& info) {
        if (!excluded(info.key) && HasImageExtension(info.key)) {
          listing.keys.push_back(info.key);
          listing.bytes.emplace(info.key, info.size);
        }
        return Status::Ok();
      },
      [&](const SkippedEntry& entry) {
        // Folders may have held images; of the files, only images would have been inputs.
        const bool relevant = entry.key.ends_with('/') || HasImageExtension(entry.key);
        if (relevant && !excluded(entry.key)) listing.skipped.Add(entry);
      });
  if (!listed.ok()) return listed;
  return listing;
}

}  // namespace pixfleet
