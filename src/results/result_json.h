// The canonical JSON form of a result row's structured parts, as stored in the SQLite result
// store's text columns and (later) PostgreSQL jsonb columns. Compact, fields in struct order,
// only the analyses that are set:
//   outputs:  [{"name":"large","key":"a/b.jpg","bytes":123,"width":1600,"height":1200,
//               "format":"jpeg"}]
//   analysis: {"width":4000,"height":3000,"format":"jpeg","orientation":1,
//              "mean_colour":[121.25,98.5,77.0],"dhash":"0f1e2d3c4b5a6978"}
// mean_colour is rounded to 2 decimals (sub-1/100 precision on a 0..255 mean is noise; NaN
// and infinities become 0) and
// dhash is 16 lower-case hex digits (a JSON number cannot hold 64 bits exactly everywhere).
// Strings that are not valid UTF-8 are stored with U+FFFD in place of the bad bytes.
// Parsing never throws: malformed or mistyped JSON is kDataLoss (the stored row is corrupt);
// unknown fields are ignored so that older readers accept rows from newer writers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/result.h"

namespace pixfleet {

std::string OutputsToJson(const std::vector<OutputRecord>& outputs);
Result<std::vector<OutputRecord>> OutputsFromJson(std::string_view json);

std::string AnalysisToJson(const ImageAnalysis& analysis);
Result<ImageAnalysis> AnalysisFromJson(std::string_view json);

}  // namespace pixfleet
