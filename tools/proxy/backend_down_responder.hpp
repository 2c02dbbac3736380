#pragma once
// What a connection does alone when the backend is down, sans I/O: answer
// the server list (the legacy ping, then one status answer and the pong, as
// the game's server does), tell a logging-in player why, close anything else.
//
//   responder.status_requested();  responder.pinged(payload);   // from the core's events
//   auto step = responder.respond(facts, backend_error);        // after every read
//   send(step.to_client); if (step.end) end the connection; else read again
//
// The answers themselves (frames, the legacy reply) are status_responder.hpp's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection_policy.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "status_responder.hpp"

namespace rustguard::proxy {

class BackendDownResponder {
 public:
  // `cache` and `motd` outlive the responder (the proxy's status cache, the
  // connection's config).
  BackendDownResponder(const StatusCache& cache, std::string_view motd) noexcept : cache_(cache), motd_(motd) {}

  // The core's StatusRequested and StatusPinged events, all along the connection.
  void status_requested() noexcept { ++requests_; }
  void pinged(std::int64_t payload) noexcept { ping_ = payload; }

  // What the client has shown so far.
  struct Client {
    bool legacy_ping = false;  // a pre-1.7 ping
    bool status = false;       // in the status state (a server-list ping)
    std::int32_t protocol = 0;
  };

  struct Step {
    std::vector<std::uint8_t> to_client;  // answers to send, in order
    unsigned answered = 0;                // answers made up by the proxy (rustguard_status_from_cache)
    std::optional<Ending> end;            // none: read from the client again, then respond again
  };

  // Called once the backend is found down and after every later read.
  Step respond(const Client& client, std::string_view backend_error) {
    Step step;
    if (client.legacy_ping) {
      step.to_client = legacy_ping_reply(motd_, protocol::kHighestSupportedProtocol, "RustGuard", 0, 0);
      step.answered = 1;
      step.end = Ending{EndCause::answered_by_proxy, "legacy ping answered by the proxy (backend down)", std::nullopt};
      return step;
    }
    if (!client.status) {
      step.end = Ending{EndCause::backend_unavailable, "backend unavailable: " + std::string(backend_error), std::nullopt};
      return step;
    }
    // One answer per connection, as the game's server gives: a client that
    // keeps asking without reading would otherwise pile answers up.
    if (requests_ > 1 || (requests_ == 1 && answered_status_)) {
      step.end = Ending{EndCause::malformed, "more than one status request on one connection", std::nullopt};
      return step;
    }
    if (requests_ == 1) {
      requests_ = 0;
      answered_status_ = true;
      append_status_response(step.to_client, status_json(client.protocol));
      step.answered = 1;
    }
    if (ping_) {
      append_status_pong(step.to_client, *ping_);
      step.end = Ending{EndCause::answered_by_proxy, "status answered by the proxy (backend down)", std::nullopt};
    }
    return step;
  }

 private:
  // The backend's last answer for this protocol (else to anyone), else one
  // made from the MOTD.
  std::string status_json(std::int32_t protocol) const {
    if (auto json = cache_.lookup(protocol)) return std::move(*json);
    const auto names = protocol::release_names(protocol);
    return status_json_from_motd(motd_, protocol, names.empty() ? "RustGuard" : names);
  }

  const StatusCache& cache_;
  std::string_view motd_;
  int requests_ = 0;
  bool answered_status_ = false;
  std::optional<std::int64_t> ping_;
};

}  // namespace rustguard::proxy
