#include "testing/recording_https_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "testing/temp_dir.h"

namespace pixfleet {

RecordingHttpsServer::RecordingHttpsServer(const TestCertificates& certs,
                                           const std::filesystem::path& dir) {
  WriteFileForTest(dir / "server.crt", certs.server_cert_pem);
  WriteFileForTest(dir / "server.key", certs.server_key_pem);
  server_ = std::make_unique<httplib::SSLServer>((dir / "server.crt").c_str(),
                                                 (dir / "server.key").c_str());
  EXPECT_TRUE(server_->is_valid()) << "the test certificate was not accepted";
  const auto record = [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    seen_.push_back({req.method, req.path, req.get_header_value("Content-Type"),
                     req.get_header_value("Authorization"), req.body,
                     std::chrono::steady_clock::now()});
    recorded_.notify_all();
    res.status = status_;
    res.set_content(body_, "application/json");
  };
  server_->Patch(".*", record);
  server_->Get(".*", record);
  server_->Post(".*", record);
  server_->Put(".*", record);
  server_->Delete(".*", record);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

RecordingHttpsServer::~RecordingHttpsServer() {
  server_->stop();
  thread_.join();
}

void RecordingHttpsServer::Answer(int status, std::string json_body) {
  std::lock_guard lock(mutex_);
  status_ = status;
  body_ = std::move(json_body);
}

std::vector<RecordedRequest> RecordingHttpsServer::Seen() {
  std::lock_guard lock(mutex_);
  return seen_;
}

bool RecordingHttpsServer::WaitForRequests(size_t count, std::chrono::milliseconds real_timeout) {
  std::unique_lock lock(mutex_);
  return recorded_.wait_for(lock, real_timeout, [&] { return seen_.size() >= count; });
}

}  // namespace pixfleet
