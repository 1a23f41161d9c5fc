#include "model/recipe_yaml.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "model/key_template.h"

namespace pixfleet {
namespace {

constexpr int kMaxDimension = 65535;
constexpr size_t kMaxQuotedValue = 40;  // longer values are cut in messages

constexpr std::array<std::string_view, 3> kRecipeKeys = {"name", "outputs", "analyses"};
constexpr std::array<std::string_view, 7> kOutputKeys = {"name",  "ops",    "format", "quality",
                                                         "strip", "effort", "key"};
constexpr std::array<std::string_view, 5> kResizeKeys = {"fit", "width", "height", "gravity",
                                                         "enlarge"};
constexpr std::array<std::string_view, 3> kCropKeys = {"width", "height", "gravity"};
constexpr std::array<std::string_view, 4> kOperationNames = {"auto-rotate", "srgb", "resize",
                                                             "crop"};

template <typename E>
using NameTable = std::span<const std::pair<std::string_view, E>>;

constexpr std::pair<std::string_view, ResizeFit> kFits[] = {
    {"inside", ResizeFit::kInside}, {"cover", ResizeFit::kCover}, {"fill", ResizeFit::kFill}};
// Both spellings of centre are accepted: neither is a typo.
constexpr std::pair<std::string_view, Gravity> kGravities[] = {{"centre", Gravity::kCentre},
                                                               {"center", Gravity::kCentre},
                                                               {"attention", Gravity::kAttention},
                                                               {"entropy", Gravity::kEntropy}};
constexpr std::pair<std::string_view, ImageFormat> kFormatSpellings[] = {
    {"jpeg", ImageFormat::kJpeg}, {"jpg", ImageFormat::kJpeg},  {"png", ImageFormat::kPng},
    {"webp", ImageFormat::kWebp}, {"avif", ImageFormat::kAvif}, {"tiff", ImageFormat::kTiff},
    {"tif", ImageFormat::kTiff}};
constexpr std::pair<std::string_view, Analysis> kAnalyses[] = {
    {"width", Analysis::kWidth},
    {"height", Analysis::kHeight},
    {"format", Analysis::kFormat},
    {"orientation", Analysis::kOrientation},
    {"mean-colour", Analysis::kMeanColour},
    {"mean-color", Analysis::kMeanColour},
    {"dhash", Analysis::kDhash},
    {"sha256", Analysis::kSha256}};

// Levenshtein distance, for "did you mean": the words are short, so the quadratic cost is nil.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean \"x\"?)" for the closest choice within two edits, else "".
template <typename Names>
std::string Suggestion(std::string_view word, const Names& choices) {
  std::string_view best;
  size_t best_distance = 3;
  for (const auto& choice : choices) {
    std::string_view name;
    if constexpr (std::is_convertible_v<decltype(choice), std::string_view>) {
      name = choice;
    } else {
      name = choice.first;
    }
    const size_t distance = EditDistance(word, name);
    if (distance < best_distance && distance < name.size()) {
      best = name;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : " (did you mean \"" + std::string(best) + "\"?)";
}

template <typename Names>
std::string JoinNames(const Names& choices) {
  std::string out;
  for (const auto& choice : choices) {
    if (!out.empty()) out += ", ";
    if constexpr (std::is_convertible_v<decltype(choice), std::string_view>) {
      out += choice;
    } else {
      out += choice.first;
    }
  }
  return out;
}

// How a value reads in a message: its text, or what kind of node it is.
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      std::string text = node.Scalar();
      if (text.size() > kMaxQuotedValue) text = text.substr(0, kMaxQuotedValue) + "...";
      return node.Tag() == "!" ? "\"" + text + "\"" : text;
    }
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string Child(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string Index(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool IsOutputNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// One entry of a mapping; the key node carries the line of the key.
struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

struct Mapping {
  YAML::Node node;
  std::vector<Field> fields;

  const Field* Find(std::string_view key) const {
    for (const Field& field : fields) {
      if (field.key == key) return &field;
    }
    return nullptr;
  }
};

// An output with the nodes needed for checks across outputs.
struct ParsedOutput {
  OutputSpec spec;
  YAML::Node name_node;
  YAML::Node key_node;  // the key template's node, or the output's own when defaulted
  std::string path;
};

class RecipeParser {
 public:
  explicit RecipeParser(std::string_view source_name) : source_(source_name) {}

  Result<Recipe> Parse(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      return ErrorAtLine(0, "", "the recipe is empty; expected a mapping with name and outputs");
    }
    PIXFLEET_ASSIGN_OR_RETURN(Mapping map, ReadMapping(root, "", kRecipeKeys));
    Recipe recipe;
    PIXFLEET_ASSIGN_OR_RETURN(recipe.name, RequiredString(map, "name", ""));

    // A recipe must produce something: outputs, analyses, or both. A recipe of analyses only
    // (a probe) reads headers or pixels and writes nothing to the output store.
    const Field* outputs = map.Find("outputs");
    const Field* analyses = map.Find("analyses");
    if (outputs == nullptr && analyses == nullptr) {
      return Error(root, "outputs", "is required (at least one output, or some analyses)");
    }
    if (outputs != nullptr) {
      if (!outputs->value.IsSequence() || (outputs->value.size() == 0 && analyses == nullptr)) {
        return Error(ValueNode(*outputs), "outputs",
                     "must be a list of outputs (at least one unless the recipe has analyses), "
                     "got " +
                         Describe(outputs->value));
      }
      std::vector<ParsedOutput> parsed;
      for (size_t i = 0; i < outputs->value.size(); ++i) {
        PIXFLEET_ASSIGN_OR_RETURN(ParsedOutput output,
                                  ParseOutput(outputs->value[i], Index("outputs", i)));
        PIXFLEET_RETURN_IF_ERROR(CheckAgainstEarlier(output, parsed));
        parsed.push_back(std::move(output));
      }
      for (ParsedOutput& output : parsed) recipe.outputs.push_back(std::move(output.spec));
    }
    if (analyses != nullptr) {
      PIXFLEET_ASSIGN_OR_RETURN(recipe.analyses, ParseAnalyses(*analyses));
      if (recipe.outputs.empty() && recipe.analyses.empty()) {
        return Error(ValueNode(*analyses), "analyses",
                     "must name at least one analysis when the recipe has no outputs");
      }
    }
    return recipe;
  }

  // For YAML syntax errors, which carry only a mark.
  Status ErrorAtLine(int zero_based_line, std::string_view path, std::string_view message) const {
    std::string text = source_ + ":" + std::to_string(std::max(zero_based_line, 0) + 1) + ": ";
    if (!path.empty()) text += std::string(path) + ": ";
    text += message;
    return InvalidArgument(std::move(text));
  }

 private:
  Status Error(const YAML::Node& at, std::string_view path, std::string_view message) const {
    return ErrorAtLine(at.Mark().line, path, message);
  }

  // Where to point at a value: its own node, or its key's when the value is empty (yaml-cpp
  // places an empty value at the next token, often on a later line).
  static const YAML::Node& ValueNode(const Field& field) {
    return field.value.IsNull() || field.value.Mark().line < 0 ? field.key_node : field.value;
  }

  template <size_t N>
  Result<Mapping> ReadMapping(const YAML::Node& node, std::string_view path,
                              const std::array<std::string_view, N>& allowed) const {
    if (!node.IsMap()) {
      return Error(node, path, "must be a mapping, got " + Describe(node));
    }
    Mapping map{node, {}};
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) return Error(key_node, path, "keys must be plain names");
      const std::string& key = key_node.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(key_node, Child(path, key),
                     "unknown key" + Suggestion(key, allowed) + "; allowed: " + JoinNames(allowed));
      }
      if (const Field* first = map.Find(key)) {
        return Error(key_node, Child(path, key),
                     "duplicate key (first given on line " +
                         std::to_string(first->key_node.Mark().line + 1) + ")");
      }
      map.fields.push_back(Field{key, key_node, it->second});
    }
    return map;
  }

  Result<std::string> ReadString(const Field& field, std::string_view path) const {
    if (!field.value.IsScalar() || field.value.Scalar().empty()) {
      return Error(ValueNode(field), path,
                   "must be a non-empty string, got " + Describe(field.value));
    }
    return field.value.Scalar();
  }

  Result<std::string> RequiredString(const Mapping& map, std::string_view key,
                                     std::string_view parent) const {
    const Field* field = map.Find(key);
    if (field == nullptr) return Error(map.node, Child(parent, key), "is required");
    return ReadString(*field, Child(parent, key));
  }

  // `range_note` follows the range in a message: " for webp".
  Result<int> ReadInt(const Field& field, std::string_view path, int min, int max,
                      std::string_view range_note = {}) const {
    const YAML::Node& value = field.value;
    const std::string range = "must be an integer between " + std::to_string(min) + " and " +
                              std::to_string(max) + std::string(range_note);
    // A quoted scalar ("82") is a string in YAML; accepting it would hide a confused document.
    if (!value.IsScalar() || value.Tag() == "!") {
      return Error(ValueNode(field), path, range + ", got " + Describe(value));
    }
    const std::string& text = value.Scalar();
    long long number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || number < min || number > max) {
      return Error(value, path, range + ", got " + Describe(value));
    }
    return static_cast<int>(number);
  }

  Result<bool> ReadBool(const Field& field, std::string_view path) const {
    const YAML::Node& value = field.value;
    if (value.IsScalar() && value.Tag() != "!") {
      std::string text = value.Scalar();
      std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      });
      if (text == "true") return true;
      if (text == "false") return false;
    }
    return Error(ValueNode(field), path, "must be true or false, got " + Describe(value));
  }

  template <typename E>
  Result<E> ReadName(const YAML::Node& value, const YAML::Node& at, std::string_view path,
                     NameTable<E> names) const {
    if (value.IsScalar()) {
      for (const auto& [name, item] : names) {
        if (value.Scalar() == name) return item;
      }
      return Error(at, path,
                   "must be one of " + JoinNames(names) + ", got " + Describe(value) +
                       Suggestion(value.Scalar(), names));
    }
    return Error(at, path, "must be one of " + JoinNames(names) + ", got " + Describe(value));
  }

  template <typename E>
  Result<E> ReadName(const Field& field, std::string_view path, NameTable<E> names) const {
    return ReadName(field.value, ValueNode(field), path, names);
  }

  // width and height of a resize or crop, both required.
  Status ReadBox(const Mapping& map, std::string_view path, int& width, int& height) const {
    for (auto [key, target] : {std::pair{"width", &width}, std::pair{"height", &height}}) {
      const Field* field = map.Find(key);
      if (field == nullptr) return Error(map.node, Child(path, key), "is required");
      PIXFLEET_ASSIGN_OR_RETURN(*target, ReadInt(*field, Child(path, key), 1, kMaxDimension));
    }
    return Status::Ok();
  }

  Result<Operation> ParseResize(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_ASSIGN_OR_RETURN(Mapping map, ReadMapping(node, path, kResizeKeys));
    ResizeOp op;
    PIXFLEET_RETURN_IF_ERROR(ReadBox(map, path, op.width, op.height));
    if (const Field* fit = map.Find("fit")) {
      PIXFLEET_ASSIGN_OR_RETURN(op.fit, ReadName<ResizeFit>(*fit, Child(path, "fit"), kFits));
    }
    if (const Field* gravity = map.Find("gravity")) {
      if (op.fit != ResizeFit::kCover) {
        return Error(gravity->key_node, Child(path, "gravity"),
                     "only applies to fit: cover (inside and fill keep the whole image)");
      }
      PIXFLEET_ASSIGN_OR_RETURN(op.gravity,
                                ReadName<Gravity>(*gravity, Child(path, "gravity"), kGravities));
    }
    if (const Field* enlarge = map.Find("enlarge")) {
      PIXFLEET_ASSIGN_OR_RETURN(op.enlarge, ReadBool(*enlarge, Child(path, "enlarge")));
    }
    return Operation(op);
  }

  Result<Operation> ParseCrop(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_ASSIGN_OR_RETURN(Mapping map, ReadMapping(node, path, kCropKeys));
    CropOp op;
    PIXFLEET_RETURN_IF_ERROR(ReadBox(map, path, op.width, op.height));
    if (const Field* gravity = map.Find("gravity")) {
      PIXFLEET_ASSIGN_OR_RETURN(op.gravity,
                                ReadName<Gravity>(*gravity, Child(path, "gravity"), kGravities));
    }
    return Operation(op);
  }

  // An operation is a bare name (auto-rotate, srgb) or a one-key mapping {resize: {...}}.
  Result<Operation> ParseOperation(const YAML::Node& node, const std::string& path) const {
    if (node.IsScalar()) {
      const std::string& name = node.Scalar();
      if (name == "auto-rotate") return Operation(AutoRotateOp{});
      if (name == "srgb") return Operation(ToSrgbOp{});
      if (name == "resize" || name == "crop") {
        return Error(node, path,
                     name + " needs parameters, e.g. " + name + ": {width: 256, height: 256}");
      }
      return Error(node, path,
                   "unknown operation \"" + name + "\"" + Suggestion(name, kOperationNames) +
                       "; known: " + JoinNames(kOperationNames));
    }
    if (!node.IsMap()) {
      return Error(node, path,
                   "must be an operation name or a one-key mapping such as {resize: {...}}, got " +
                       Describe(node));
    }
    if (node.size() != 1) {
      std::string keys;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!keys.empty()) keys += ", ";
        keys += it->first.IsScalar() ? it->first.Scalar() : "?";
      }
      return Error(node, path,
                   "must be a single operation, got a mapping with keys " + keys +
                       " (are the parameters indented under the operation's name?)");
    }
    const auto entry = node.begin();
    const YAML::Node key_node = entry->first;
    const YAML::Node params = entry->second;
    const std::string name = key_node.IsScalar() ? key_node.Scalar() : std::string();
    if (name == "resize") return ParseResize(params, Child(path, name));
    if (name == "crop") return ParseCrop(params, Child(path, name));
    if (name == "auto-rotate" || name == "srgb") {
      if (!params.IsNull() && !(params.IsMap() && params.size() == 0)) {
        return Error(key_node, Child(path, name), "takes no parameters");
      }
      return name == "srgb" ? Operation(ToSrgbOp{}) : Operation(AutoRotateOp{});
    }
    return Error(key_node, path,
                 "unknown operation \"" + name + "\"" + Suggestion(name, kOperationNames) +
                     "; known: " + JoinNames(kOperationNames));
  }

  Result<ParsedOutput> ParseOutput(const YAML::Node& node, const std::string& path) const {
    PIXFLEET_ASSIGN_OR_RETURN(Mapping map, ReadMapping(node, path, kOutputKeys));
    ParsedOutput out;
    out.path = path;
    out.key_node = node;
    OutputSpec& spec = out.spec;

    PIXFLEET_ASSIGN_OR_RETURN(spec.name, RequiredString(map, "name", path));
    out.name_node = map.Find("name")->value;
    if (!std::all_of(spec.name.begin(), spec.name.end(), IsOutputNameChar)) {
      return Error(out.name_node, Child(path, "name"),
                   "must use only letters, digits, '_' and '-' (it is used in keys), got " +
                       Describe(out.name_node));
    }

    if (const Field* ops = map.Find("ops")) {
      const std::string ops_path = Child(path, "ops");
      if (!ops->value.IsSequence()) {
        return Error(ValueNode(*ops), ops_path,
                     "must be a list of operations, got " + Describe(ops->value));
      }
      for (size_t i = 0; i < ops->value.size(); ++i) {
        PIXFLEET_ASSIGN_OR_RETURN(Operation op, ParseOperation(ops->value[i], Index(ops_path, i)));
        spec.operations.push_back(op);
      }
    }

    const Field* format = map.Find("format");
    if (format == nullptr) {
      return Error(node, Child(path, "format"), "is required (one of jpeg, png, webp, avif, tiff)");
    }
    PIXFLEET_ASSIGN_OR_RETURN(
        spec.encode.format,
        ReadName<ImageFormat>(*format, Child(path, "format"), kFormatSpellings));
    if (const Field* quality = map.Find("quality")) {
      PIXFLEET_ASSIGN_OR_RETURN(spec.encode.quality,
                                ReadInt(*quality, Child(path, "quality"), 1, 100));
    }
    if (const Field* strip = map.Find("strip")) {
      PIXFLEET_ASSIGN_OR_RETURN(spec.encode.strip, ReadBool(*strip, Child(path, "strip")));
    }
    if (const Field* effort = map.Find("effort")) {
      PIXFLEET_ASSIGN_OR_RETURN(spec.encode.effort,
                                ReadEffort(*effort, Child(path, "effort"), spec.encode.format));
    }
    if (const Field* key = map.Find("key")) {
      PIXFLEET_ASSIGN_OR_RETURN(spec.key_template, ReadString(*key, Child(path, "key")));
      if (Status valid = ValidateKeyTemplate(spec.key_template); !valid.ok()) {
        return Error(key->value, Child(path, "key"),
                     valid.message() + ", got \"" + spec.key_template + "\"");
      }
      out.key_node = key->value;
    }
    return out;
  }

  // An effort within the format's range; a format without efforts (TIFF) refuses the key.
  Result<int> ReadEffort(const Field& field, const std::string& path, ImageFormat format) const {
    const std::string format_note = std::string(" for ") + FormatName(format);
    const std::optional<EffortRange> range = EffortRangeOf(format);
    if (!range) {
      return Error(field.key_node, path,
                   std::string("does not apply to ") + FormatName(format) +
                       " outputs (deflate at a fixed level); remove it");
    }
    return ReadInt(field, path, range->lowest, range->highest, format_note);
  }

  // Output names are unique, and no two outputs write the same key.
  Status CheckAgainstEarlier(const ParsedOutput& output,
                             const std::vector<ParsedOutput>& earlier) const {
    for (const ParsedOutput& other : earlier) {
      if (other.spec.name == output.spec.name) {
        return Error(
            output.name_node, Child(output.path, "name"),
            "duplicate output name \"" + output.spec.name + "\" (" + other.path + " has it too)");
      }
    }
    for (const ParsedOutput& other : earlier) {
      if (OutputKeysCollide(other.spec, output.spec)) {
        return Error(output.key_node, Child(output.path, "key"),
                     "writes the same keys as " + other.path + " (\"" + output.spec.key_template +
                         "\" with extension " + FormatExtension(output.spec.encode.format) +
                         "); use {name} in the key template or different formats");
      }
    }
    return Status::Ok();
  }

  Result<std::vector<Analysis>> ParseAnalyses(const Field& field) const {
    if (!field.value.IsSequence()) {
      return Error(ValueNode(field), "analyses",
                   "must be a list such as [width, height], got " + Describe(field.value));
    }
    std::vector<Analysis> analyses;
    for (size_t i = 0; i < field.value.size(); ++i) {
      const YAML::Node item = field.value[i];
      const std::string path = Index("analyses", i);
      PIXFLEET_ASSIGN_OR_RETURN(Analysis analysis, ReadName<Analysis>(item, item, path, kAnalyses));
      const auto previous = std::find(analyses.begin(), analyses.end(), analysis);
      if (previous != analyses.end()) {
        return Error(item, path,
                     "duplicate analysis \"" + item.Scalar() + "\" (also " +
                         Index("analyses", static_cast<size_t>(previous - analyses.begin())) + ")");
      }
      analyses.push_back(analysis);
    }
    return analyses;
  }

  std::string source_;
};

// Records where each document starts: a document's nodes carry no mark of its "---".
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<int> lines;  // 0-based

  void OnDocumentStart(const YAML::Mark& mark) override { lines.push_back(mark.line); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The 0-based line where the second document of `text` starts (0 if there is none).
int SecondDocumentLine(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  while (starts.lines.size() < 2 && parser.HandleNextDocument(starts)) {
  }
  return starts.lines.size() < 2 ? 0 : std::max(starts.lines[1], 0);
}

}  // namespace

Result<Recipe> ParseRecipeYaml(std::string_view yaml_text, std::string_view source_name) {
  RecipeParser parser(source_name);
  // yaml-cpp reports both syntax errors and misuse by throwing; nothing may escape this edge.
  try {
    const std::string text(yaml_text);
    // A plain load reads the first document and ignores the rest, so two recipes pasted into one
    // file (or a stray "---") would silently run only the first: refuse every document after it.
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      return parser.ErrorAtLine(SecondDocumentLine(text), "",
                                "a recipe is a single YAML document, but a second one starts "
                                "here (remove the '---' line, or split the recipes into separate "
                                "files)");
    }
    return parser.Parse(documents.empty() ? YAML::Node() : documents.front());
  } catch (const YAML::Exception& e) {
    return parser.ErrorAtLine(e.mark.line, "", "invalid YAML: " + e.msg);
  }
}

}  // namespace pixfleet
