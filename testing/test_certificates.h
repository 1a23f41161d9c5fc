// Test certificates made in memory with OpenSSL, for tests of TLS clients against an
// in-process HTTPS server: a CA and a server certificate it signs. Keys are EC P-256 (made in
// about a millisecond, unlike RSA); certificates are valid from an hour ago for a day. Nothing
// is written to disk: the caller writes the PEM text where its server and client read it.
#pragma once

#include <string>

namespace pixfleet {

struct TestCertificates {
  std::string ca_pem;           // the CA certificate: what a client trusts
  std::string server_cert_pem;  // signed by that CA, for the IP address given
  std::string server_key_pem;   // the server certificate's private key (PKCS#8)
};

// A fresh CA and a server certificate for `ip` (subjectAltName IP, CN the same). Aborts the test
// if OpenSSL fails.
TestCertificates MakeTestCertificates(const std::string& ip = "127.0.0.1");

}  // namespace pixfleet
