#include "model/key_template.h"

#include <array>
#include <optional>

namespace pixfleet {
namespace {

// Dot names are reserved on every backend, so that a recipe means the same on all of them: the
// local store keeps its state (.pixfleet/) and temp files (.pixfleet-tmp-*) under dot names and
// never writes or lists any.
constexpr const char* kReservedSegmentMessage =
    "must not have a segment starting with '.' (reserved: .pixfleet holds pixfleet's state, "
    "and a local output folder never writes dot names)";

struct KeyParts {
  std::string_view path;  // "trips/2024/IMG_1"
  std::string_view stem;  // "IMG_1"
  std::string_view dir;   // "trips/2024" or ""
};

KeyParts SplitInputKey(std::string_view input_key, bool keep_extension) {
  KeyParts parts;
  const size_t slash = input_key.rfind('/');
  const size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  parts.dir = slash == std::string_view::npos ? std::string_view() : input_key.substr(0, slash);
  std::string_view file_name = input_key.substr(name_start);
  // A leading dot is a hidden file's name, not an extension (".profile" keeps its name).
  const size_t dot = file_name.rfind('.');
  const size_t stem_size =
      (keep_extension || dot == std::string_view::npos || dot == 0) ? file_name.size() : dot;
  parts.stem = file_name.substr(0, stem_size);
  parts.path = input_key.substr(0, name_start + stem_size);
  return parts;
}

// The value of a placeholder, or nullopt when the name is not one we know.
std::optional<std::string_view> PlaceholderValue(std::string_view placeholder,
                                                 const KeyParts& parts, std::string_view name,
                                                 std::string_view ext) {
  if (placeholder == "path") return parts.path;
  if (placeholder == "name") return name;
  if (placeholder == "ext") return ext;
  if (placeholder == "stem") return parts.stem;
  if (placeholder == "dir") return parts.dir;
  return std::nullopt;
}

// Drops empty segments: "/a//b/" becomes "a/b".
std::string CollapseSlashes(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    if (end > start) {
      if (!out.empty()) out.push_back('/');
      out.append(key.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

std::string Expand(std::string_view key_template, const KeyParts& parts, std::string_view name,
                   std::string_view ext) {
  std::string raw;
  raw.reserve(key_template.size() + parts.path.size() + name.size());
  size_t i = 0;
  while (i < key_template.size()) {
    const size_t open = key_template.find('{', i);
    if (open == std::string_view::npos) {
      raw.append(key_template.substr(i));
      break;
    }
    raw.append(key_template.substr(i, open - i));
    const size_t close = key_template.find('}', open);
    if (close == std::string_view::npos) {
      raw.append(key_template.substr(open));
      break;
    }
    const std::string_view placeholder = key_template.substr(open + 1, close - open - 1);
    if (auto value = PlaceholderValue(placeholder, parts, name, ext)) {
      raw.append(*value);
    } else {
      raw.append(key_template.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return CollapseSlashes(raw);
}

}  // namespace

std::string_view KeyWithoutExtension(std::string_view input_key) {
  return SplitInputKey(input_key, false).path;
}

std::string ExpandKeyTemplate(const OutputSpec& output, std::string_view input_key,
                              bool keep_extension) {
  return Expand(output.key_template, SplitInputKey(input_key, keep_extension), output.name,
                FormatExtension(output.encode.format));
}

Status ValidateKeyTemplate(std::string_view key_template) {
  if (key_template.empty()) return InvalidArgument("must not be empty");
  if (key_template.front() == '/') {
    return InvalidArgument("must be relative to the output location (no leading '/')");
  }
  bool varies_per_input = false;
  size_t i = 0;
  while (i < key_template.size()) {
    const char c = key_template[i];
    if (c == '}') return InvalidArgument("has a '}' without a matching '{'");
    if (c != '{') {
      ++i;
      continue;
    }
    const size_t close = key_template.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || key_template[close] != '}') {
      return InvalidArgument("has a '{' without a matching '}'");
    }
    const std::string_view placeholder = key_template.substr(i + 1, close - i - 1);
    if (!PlaceholderValue(placeholder, KeyParts{}, "", "").has_value()) {
      return InvalidArgument("unknown placeholder {" + std::string(placeholder) +
                             "}; allowed: {path}, {name}, {ext}, {stem}, {dir}");
    }
    if (placeholder == "path" || placeholder == "stem") varies_per_input = true;
    i = close + 1;
  }
  size_t start = 0;
  while (start <= key_template.size()) {
    size_t end = key_template.find('/', start);
    if (end == std::string_view::npos) end = key_template.size();
    const std::string_view segment = key_template.substr(start, end - start);
    if (segment == "..") {
      return InvalidArgument(
          "must not contain a '..' segment (keys stay under the output location)");
    }
    if (segment.starts_with('.')) {
      return InvalidArgument(kReservedSegmentMessage);
    }
    start = end + 1;
  }
  if (!varies_per_input) {
    return InvalidArgument(
        "must contain {path} or {stem}, or every input would write the same key");
  }
  return Status::Ok();
}

bool OutputKeysCollide(const OutputSpec& a, const OutputSpec& b) {
  // Expanding for one input with a directory and one without: equal keys for a sample mean equal
  // keys for every input of that shape. The sample's bytes never appear in real templates, so
  // literal text in one template cannot match a placeholder of the other by accident.
  static constexpr std::array<std::string_view, 2> kSampleInputs = {
      "\x01"
      "dir\x01/\x02stem\x02.in",
      "\x02stem\x02.in"};
  for (std::string_view input : kSampleInputs) {
    if (ExpandKeyTemplate(a, input) == ExpandKeyTemplate(b, input)) return true;
  }
  return false;
}

}  // namespace pixfleet
