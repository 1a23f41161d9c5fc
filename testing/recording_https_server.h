// RecordingHttpsServer: an in-process HTTPS server on 127.0.0.1 (cpp-httplib with OpenSSL) for
// tests of TLS clients. It presents the server certificate of a TestCertificates (so a client
// trusting that CA accepts it, and one trusting another CA refuses it), records every request of
// any method, and answers each with the status and JSON body last set.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_certificates.h"

namespace httplib {
class SSLServer;
}

namespace pixfleet {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string content_type;
  std::string authorization;
  std::string body;
  std::chrono::steady_clock::time_point at;  // when it was received
};

class RecordingHttpsServer {
 public:
  // Writes the server's certificate and key into `dir` (server.crt, server.key) and starts
  // serving on a free port.
  RecordingHttpsServer(const TestCertificates& certs, const std::filesystem::path& dir);
  ~RecordingHttpsServer();
  RecordingHttpsServer(const RecordingHttpsServer&) = delete;
  RecordingHttpsServer& operator=(const RecordingHttpsServer&) = delete;

  // The answer to the requests from now on (200 "{}" until set).
  void Answer(int status, std::string json_body);
  std::vector<RecordedRequest> Seen();
  // Blocks until `count` requests were recorded; false after `real_timeout`.
  bool WaitForRequests(size_t count, std::chrono::milliseconds real_timeout);

  int Port() const { return port_; }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable recorded_;
  std::vector<RecordedRequest> seen_;
  int status_ = 200;
  std::string body_ = "{}";
};

}  // namespace pixfleet
