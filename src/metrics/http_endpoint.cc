#include "metrics/http_endpoint.h"

#include <httplib.h>

namespace pixfleet::metrics {
namespace {

void Respond(httplib::Response& response, const Status& status) {
  response.status = status.ok() ? 200 : 503;
  response.set_content(status.ok() ? "ok\n" : status.ToString() + "\n", "text/plain");
}

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& host, int port,
                                                          const Registry& registry,
                                                          const Probes& probes) {
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint());
  endpoint->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *endpoint->server_;
  server.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry.RenderText(), "text/plain; version=0.0.4");
  });
  server.Get("/healthz",
             [healthy = probes.healthy](const httplib::Request&, httplib::Response& response) {
               Respond(response, healthy());
             });
  server.Get("/readyz",
             [ready = probes.ready](const httplib::Request&, httplib::Response& response) {
               Respond(response, ready());
             });
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(port));
  }
  endpoint->port_ = bound;
  endpoint->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return endpoint;
}

HttpEndpoint::~HttpEndpoint() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

Result<std::pair<std::string, int>> ParseListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("listen address '" + address + "' must be HOST:PORT");
  }
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("listen address '" + address + "' has no valid port");
  }
  return std::make_pair(host, port);
}

}  // namespace pixfleet::metrics
