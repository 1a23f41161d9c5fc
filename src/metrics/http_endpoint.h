// HttpEndpoint: serves /metrics (Prometheus text from a Registry), /healthz (the process is
// alive and its loop is not wedged) and /readyz (it can take work: backends reachable, not
// stopping) on one address, from a background thread, with cpp-httplib. Probes are callbacks
// so that the worker decides what healthy and ready mean.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "metrics/registry.h"

namespace httplib {
class Server;
}

namespace pixfleet::metrics {

struct Probes {
  std::function<Status()> healthy = [] { return Status::Ok(); };
  std::function<Status()> ready = [] { return Status::Ok(); };
};

class HttpEndpoint {
 public:
  // Binds `host:port` (port 0 picks a free one) and starts serving. kUnavailable if the address
  // cannot be bound. `registry` must outlive the endpoint.
  static Result<std::unique_ptr<HttpEndpoint>> Start(const std::string& host, int port,
                                                     const Registry& registry,
                                                     const Probes& probes);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int Port() const { return port_; }

 private:
  HttpEndpoint() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Parses "HOST:PORT" (or ":PORT", meaning all interfaces). kInvalidArgument when malformed.
Result<std::pair<std::string, int>> ParseListenAddress(const std::string& address);

}  // namespace pixfleet::metrics
