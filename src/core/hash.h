// Content hashes used for deterministic identifiers (batch and task ids). SHA-256 from OpenSSL's
// libcrypto, which the S3 signer needs anyway.
#pragma once

#include <string>
#include <string_view>

namespace pixfleet {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// The first `hex_chars` hex characters of Sha256Hex(data): a short stable id.
std::string ShortHash(std::string_view data, size_t hex_chars = 32);

}  // namespace pixfleet
