#include "testing/test_certificates.h"

#include <memory>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace pixfleet {
namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

// Aborts the test (not only the helper) when OpenSSL fails: nothing after it could work.
void Check(bool ok, const char* what) {
  if (!ok) {
    ADD_FAILURE() << "OpenSSL failed: " << what;
    std::abort();
  }
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(extension != nullptr && X509_add_ext(cert, extension, -1) == 1, value);
  X509_EXTENSION_free(extension);
}

// A certificate for `subject_key` named `common_name`, signed by `issuer_key` (`issuer` null:
// self-signed).
Cert MakeCertificate(EVP_PKEY* subject_key, const std::string& common_name, X509* issuer,
                     EVP_PKEY* issuer_key, long serial) {
  Cert cert(X509_new());
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), long{24} * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1, "CN");
  X509* signer = issuer == nullptr ? cert.get() : issuer;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), signer, NID_subject_alt_name, ("IP:" + common_name).c_str());
    AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid");
  }
  Check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

template <typename Write>
std::string Pem(Write&& write) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  Check(bio != nullptr && write(bio.get()) == 1, "PEM_write");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<size_t>(size)};
}

}  // namespace

TestCertificates MakeTestCertificates(const std::string& ip) {
  const Key ca_key(EVP_EC_gen("P-256"));
  const Key server_key(EVP_EC_gen("P-256"));
  Check(ca_key != nullptr && server_key != nullptr, "EVP_EC_gen");
  const Cert ca = MakeCertificate(ca_key.get(), "pixfleet test CA", nullptr, ca_key.get(), 1);
  const Cert server = MakeCertificate(server_key.get(), ip, ca.get(), ca_key.get(), 2);
  TestCertificates out;
  out.ca_pem = Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()); });
  out.server_cert_pem = Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, server.get()); });
  out.server_key_pem = Pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

}  // namespace pixfleet
