// PostgreSQL URL hygiene: a password in a connection URL must never reach a log line or a Status
// message. RedactPostgresUrl masks it ("postgresql://app:****@db/pixfleet"); ScrubPassword
// removes it from any text (a libpq error may quote parts of the URL). Both are lexical and
// never fail: they recognise the URI form of any scheme (userinfo and the ?password= query
// parameter, raw or percent-encoded) and the keyword form (password=... or password='...').
// ScrubPassword masks every occurrence, so a very short password also masks innocent text:
// safety first.
#pragma once

#include <string>
#include <string_view>

namespace pixfleet {

inline constexpr std::string_view kRedactedPassword = "****";

// `url` with every password it holds replaced by kRedactedPassword.
std::string RedactPostgresUrl(std::string_view url);

// `text` with every occurrence of a password held by `url` replaced by kRedactedPassword.
std::string ScrubPassword(std::string_view text, std::string_view url);

// Whether `url` names PostgreSQL by scheme ("postgresql://" or "postgres://").
bool HasPostgresScheme(std::string_view url);

}  // namespace pixfleet
