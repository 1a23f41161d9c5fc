// Checks shared by the commands' flags, as CLI11 validators: a value they refuse is a usage error
// (exit 2, "pixfleet COMMAND: --flag: why") before any work starts. Their messages never echo a
// connection string.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pixfleet {

// Refuses an empty value: `--batch ''` (an unset shell variable, usually) is a mistake, not a
// request for the default.
CLI::Validator NonEmpty();

// A whole number of at least 1, written in decimal digits. CLI::PositiveNumber lets "-1"
// through to an unsigned flag (which wraps it to the largest value) and names a range of
// doubles in its message.
CLI::Validator PositiveInteger();

// A local file or folder: a bare path, or a file:// URL which it turns into the path it names.
// Any other URL, an empty value and a mistyped URL ("s3:/bucket") are refused; `instead` says
// what to use for them, e.g. "for S3, use `pixfleet submit` and `pixfleet worker`".
CLI::Validator LocalLocation(const std::string& instead);

// A location a batch records (submit's SOURCE and --out): a bare path or file:// URL becomes an
// absolute file:// URL, other URLs are kept (scheme lower-cased); an empty value and a mistyped
// URL are refused.
CLI::Validator BatchLocation();

// A backend URL (--queue, --db, --queue-api): refuses an empty value, a mistyped URL and a
// user-info that can be read more than one way (wiring/url.h, ParseBackendUrl).
CLI::Validator ConnectionUrl();

// A duration: a decimal number with a unit, "25s", "1.5s", "500ms", "2m", or a bare number of
// seconds ("25", as Kubernetes' terminationGracePeriodSeconds is written). As a transform, it
// leaves the whole number of milliseconds ("25000"), for an integer option. Refuses a negative
// value, an unknown unit and more than a day.
CLI::Validator Duration();

// The log levels spdlog knows, in any letter case; as a transform, it leaves the level in lower
// case.
CLI::Validator LogLevel();

}  // namespace pixfleet
