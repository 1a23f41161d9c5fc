// Canonical JSON for outputs and analyses: see the header. nlohmann::json throws on type
// errors, so every parse runs inside one try block that turns exceptions into kDataLoss.
#include "results/result_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace pixfleet {
namespace {

using Json = nlohmann::ordered_json;

// A mean colour is 0..255 per channel; a NaN or infinity (which JSON cannot hold) becomes 0.
double RoundToHundredths(double value) {
  if (!std::isfinite(value)) return 0.0;
  return std::round(value * 100.0) / 100.0;
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string HashToHex(uint64_t hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i) {
    hex[static_cast<size_t>(i)] = kDigits[hash & 0xF];
    hash >>= 4;
  }
  return hex;
}

Result<uint64_t> HashFromHex(const std::string& hex) {
  uint64_t hash = 0;
  const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), hash, 16);
  const bool lower_case = hex.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex.size() != 16 || !lower_case || error != std::errc() || end != hex.data() + hex.size()) {
    return DataLoss("dhash \"" + hex + "\" is not 16 lower-case hex digits");
  }
  return hash;
}

Result<Json> Parse(std::string_view text, std::string_view what) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return DataLoss(std::string(what) + " is not valid JSON");
  return json;
}

// Reads an integer field of `object` into `out` if present, checking type and range.
template <typename Int>
Status ReadInt(const Json& object, const char* field, Int& out) {
  const auto it = object.find(field);
  if (it == object.end()) return Status::Ok();
  if (it->is_number_unsigned() && std::in_range<Int>(it->get<uint64_t>())) {
    out = static_cast<Int>(it->get<uint64_t>());
    return Status::Ok();
  }
  if (it->is_number_integer() && !it->is_number_unsigned() &&
      std::in_range<Int>(it->get<int64_t>())) {
    out = static_cast<Int>(it->get<int64_t>());
    return Status::Ok();
  }
  return DataLoss(std::string("field \"") + field + "\" is not an integer in range");
}

Status ReadString(const Json& object, const char* field, std::string& out) {
  const auto it = object.find(field);
  if (it == object.end()) return Status::Ok();
  if (!it->is_string()) return DataLoss(std::string("field \"") + field + "\" is not a string");
  out = it->get<std::string>();
  return Status::Ok();
}

template <typename T, typename Reader>
Status ReadOptional(const Json& object, const char* field, std::optional<T>& out, Reader read) {
  if (!object.contains(field)) return Status::Ok();
  T value{};
  PIXFLEET_RETURN_IF_ERROR(read(object, field, value));
  out = std::move(value);
  return Status::Ok();
}

Result<std::vector<OutputRecord>> ParseOutputs(const Json& json) {
  if (!json.is_array()) return DataLoss("outputs JSON is not an array");
  std::vector<OutputRecord> outputs;
  outputs.reserve(json.size());
  for (const Json& item : json) {
    if (!item.is_object()) return DataLoss("an output in outputs JSON is not an object");
    OutputRecord output;
    PIXFLEET_RETURN_IF_ERROR(ReadString(item, "name", output.name));
    PIXFLEET_RETURN_IF_ERROR(ReadString(item, "key", output.key));
    PIXFLEET_RETURN_IF_ERROR(ReadInt(item, "bytes", output.bytes));
    PIXFLEET_RETURN_IF_ERROR(ReadInt(item, "width", output.width));
    PIXFLEET_RETURN_IF_ERROR(ReadInt(item, "height", output.height));
    PIXFLEET_RETURN_IF_ERROR(ReadString(item, "format", output.format));
    outputs.push_back(std::move(output));
  }
  return outputs;
}

Result<ImageAnalysis> ParseAnalysis(const Json& json) {
  if (!json.is_object()) return DataLoss("analysis JSON is not an object");
  ImageAnalysis analysis;
  const auto read_int = [](const Json& o, const char* f, int& v) { return ReadInt(o, f, v); };
  PIXFLEET_RETURN_IF_ERROR(ReadOptional(json, "width", analysis.width, read_int));
  PIXFLEET_RETURN_IF_ERROR(ReadOptional(json, "height", analysis.height, read_int));
  PIXFLEET_RETURN_IF_ERROR(ReadOptional(json, "format", analysis.format, ReadString));
  PIXFLEET_RETURN_IF_ERROR(ReadOptional(json, "orientation", analysis.orientation, read_int));
  if (const auto it = json.find("mean_colour"); it != json.end()) {
    if (!it->is_array() || it->size() != 3) {
      return DataLoss("field \"mean_colour\" is not an array of 3 numbers");
    }
    std::array<double, 3> colour{};
    for (size_t i = 0; i < 3; ++i) {
      if (!(*it)[i].is_number()) return DataLoss("field \"mean_colour\" holds a non-number");
      colour[i] = (*it)[i].get<double>();
    }
    analysis.mean_colour = colour;
  }
  if (const auto it = json.find("dhash"); it != json.end()) {
    if (!it->is_string()) return DataLoss("field \"dhash\" is not a string");
    PIXFLEET_ASSIGN_OR_RETURN(analysis.dhash, HashFromHex(it->get<std::string>()));
  }
  PIXFLEET_RETURN_IF_ERROR(ReadOptional(json, "sha256", analysis.sha256, ReadString));
  return analysis;
}

}  // namespace

std::string OutputsToJson(const std::vector<OutputRecord>& outputs) {
  Json json = Json::array();
  for (const OutputRecord& output : outputs) {
    json.push_back(Json{{"name", output.name},
                        {"key", output.key},
                        {"bytes", output.bytes},
                        {"width", output.width},
                        {"height", output.height},
                        {"format", output.format}});
  }
  return Dump(json);
}

Result<std::vector<OutputRecord>> OutputsFromJson(std::string_view text) {
  try {
    PIXFLEET_ASSIGN_OR_RETURN(const Json json, Parse(text, "outputs"));
    return ParseOutputs(json);
  } catch (const nlohmann::json::exception& error) {
    return DataLoss(std::string("outputs JSON: ") + error.what());
  }
}

std::string AnalysisToJson(const ImageAnalysis& analysis) {
  Json json = Json::object();
  if (analysis.width) json["width"] = *analysis.width;
  if (analysis.height) json["height"] = *analysis.height;
  if (analysis.format) json["format"] = *analysis.format;
  if (analysis.orientation) json["orientation"] = *analysis.orientation;
  if (analysis.mean_colour) {
    const auto& colour = *analysis.mean_colour;
    json["mean_colour"] = Json::array(
        {RoundToHundredths(colour[0]), RoundToHundredths(colour[1]), RoundToHundredths(colour[2])});
  }
  if (analysis.dhash) json["dhash"] = HashToHex(*analysis.dhash);
  if (analysis.sha256) json["sha256"] = *analysis.sha256;
  return Dump(json);
}

Result<ImageAnalysis> AnalysisFromJson(std::string_view text) {
  try {
    PIXFLEET_ASSIGN_OR_RETURN(const Json json, Parse(text, "analysis"));
    return ParseAnalysis(json);
  } catch (const nlohmann::json::exception& error) {
    return DataLoss(std::string("analysis JSON: ") + error.what());
  }
}

}  // namespace pixfleet
