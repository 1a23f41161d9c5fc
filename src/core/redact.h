// Secrets in connection strings — the URLs and libpq strings given to --db, --queue,
// --queue-api or AWS_ENDPOINT_URL, and the keys in the environment — never reach a message, a log
// line or the terminal. One redaction rule for every form a user can write; lexical and total:
// nothing here fails or needs the text to be well-formed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pixfleet {

inline constexpr std::string_view kRedacted = "****";

// `text`, a connection string or a message that quotes any number of them, with every secret
// replaced by kRedacted:
//  - the password of a URL's user-info, for any scheme ("amqp://app:****@host/vhost": the user
//    stays). When the '@' that ends the user-info is not inside the authority (a password holding
//    '/', '?' or '#'), everything from the first ':' to the URL's last '@' is masked: no reading
//    of such a URL leaves a piece of its password;
//  - the value of every secret-named parameter, in a URL's query ("?password=****&sslmode=...")
//    and in libpq's keyword form ("host=db password=****", "sslpassword='****'", quoted values
//    with their escapes). A name is secret when it holds "pass", "secret", "token" or
//    "signature" in any letter case, or is "pwd".
std::string RedactSecrets(std::string_view text);

// The secrets `connection` holds (those RedactSecrets masks), each in every form a library may
// echo it: as written, percent-decoded, and without the keyword form's quotes and escapes.
// Longest first, no duplicates, none empty.
std::vector<std::string> SecretsOf(std::string_view connection);

// `text` with every occurrence of each of `secrets` replaced by kRedacted (longest first, so a
// secret that holds another is masked whole), then through RedactSecrets. For the messages of
// libraries that quote parts of a connection string back (libpq does, in its host errors).
std::string ScrubSecrets(std::string_view text, std::span<const std::string> secrets);
std::string ScrubSecrets(std::string_view text, std::string_view connection);

// OK, or kInvalidArgument naming only the scheme, when `url` cannot be split into user-info and
// host one way only: more than one '@', a second ':' in the user-info, a '/', '?' or '#' before
// the '@', or a space or control character anywhere. libpq, librabbitmq and libcurl split such
// URLs differently and quote the piece they took for a host (a piece of the password) in their
// errors, so they must never see one; the message asks for percent-encoding. Text without
// "://" is OK (not a URL).
Status CheckUserinfoUnambiguous(std::string_view url);

// The process's secrets: what every line this process prints (log lines, fatal lines) must not
// show, beyond what RedactSecrets finds by itself. The command line's connection strings are
// registered once parsed, and the environment's keys (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// PGPASSWORD, PGSSLPASSWORD and the secrets of AWS_ENDPOINT_URL) by RegisterEnvironmentSecrets.
// Thread-safe.
void RegisterSecretsOf(std::string_view connection);
void RegisterEnvironmentSecrets();
// ScrubSecrets over the registered secrets.
std::string ScrubForOutput(std::string_view text);

}  // namespace pixfleet
