// PostgreSQL URLs: which ones this backend takes. Their passwords are kept out of messages by
// core/redact.h (RedactSecrets for the URL, ScrubSecrets for libpq's messages, which quote parts
// of the URL back).
#pragma once

#include <string_view>

namespace pixfleet {

// Whether `url` names PostgreSQL by scheme ("postgresql://" or "postgres://").
bool HasPostgresScheme(std::string_view url);

}  // namespace pixfleet
