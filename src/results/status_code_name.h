// StatusCodeFromName: the inverse of StatusCodeName, for reading error codes back from result
// rows, where they are stored by name ("invalid_argument") so that the rows stay readable by
// SQL and stable if the enum is ever reordered.
#pragma once

#include <optional>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

// The code whose StatusCodeName is `name`, or nullopt for an unknown name.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

}  // namespace pixfleet
