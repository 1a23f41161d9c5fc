// Content hashes used for deterministic identifiers (batch and task ids). SHA-256 from OpenSSL's
// libcrypto, which the S3 signer needs anyway.
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace pixfleet {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// SHA-256 of data given in pieces (a file read block by block): Update with each piece in order,
// then HexDigest once; the same digest as Sha256Hex of the pieces joined.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view piece);
  std::string HexDigest();

 private:
  ::evp_md_ctx_st* context_;
};

// The first `hex_chars` hex characters of Sha256Hex(data): a short stable id.
std::string ShortHash(std::string_view data, size_t hex_chars = 32);

}  // namespace pixfleet
