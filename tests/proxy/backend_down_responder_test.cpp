// What a connection answers alone while the backend is down
// (tools/proxy/backend_down_responder.hpp), without sockets.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../../tools/proxy/backend_down_responder.hpp"
#include "rustguard/protocol/packets/status/status_response_s2c.hpp"
#include "rustguard/protocol/reader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace backend_down_responder_test {

using namespace rustguard;
using namespace rustguard::proxy;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::int32_t kProtocol = 765;  // 1.20.3 / 1.20.4
const BackendDownResponder::Client kStatus{false, true, kProtocol};

Bytes response(const std::string& json) {
  Bytes b;
  append_status_response(b, json);
  return b;
}

Bytes pong(std::int64_t payload) {
  Bytes b;
  append_status_pong(b, payload);
  return b;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("A legacy ping gets the 1.6 reply with the MOTD, then the connection ends", "[proxy][backend_down]") {
  StatusCache cache;
  BackendDownResponder r(cache, "Down for a moment");
  const auto step = r.respond({true, false, 0}, "connection refused");
  CHECK(step.to_client == legacy_ping_reply("Down for a moment", protocol::kHighestSupportedProtocol, "RustGuard", 0, 0));
  CHECK(step.answered == 1);
  REQUIRE(step.end);
  CHECK(step.end->cause == EndCause::answered_by_proxy);
  CHECK(step.end->reason == "legacy ping answered by the proxy (backend down)");
}

TEST_CASE("A player logging in is refused with the backend's error", "[proxy][backend_down]") {
  StatusCache cache;
  BackendDownResponder r(cache, "motd");
  const auto step = r.respond({false, false, kProtocol}, "timed out");
  CHECK(step.to_client.empty());
  CHECK(step.answered == 0);
  REQUIRE(step.end);
  CHECK(step.end->cause == EndCause::backend_unavailable);
  CHECK(step.end->reason == "backend unavailable: timed out");
}

TEST_CASE("A server-list ping: one answer from the MOTD, then the pong ends it", "[proxy][backend_down]") {
  StatusCache cache;
  BackendDownResponder r(cache, "Down for a moment");

  // Nothing asked yet: read more.
  auto step = r.respond(kStatus, "refused");
  CHECK(step.to_client.empty());
  CHECK_FALSE(step.end);

  r.status_requested();
  step = r.respond(kStatus, "refused");
  const std::string json = status_json_from_motd("Down for a moment", kProtocol, protocol::release_names(kProtocol));
  CHECK(step.to_client == response(json));
  CHECK(step.answered == 1);
  CHECK_FALSE(step.end);

  // Nothing new: nothing more to send.
  step = r.respond(kStatus, "refused");
  CHECK(step.to_client.empty());
  CHECK(step.answered == 0);
  CHECK_FALSE(step.end);

  r.pinged(42);
  step = r.respond(kStatus, "refused");
  CHECK(step.to_client == pong(42));
  CHECK(step.answered == 0);
  REQUIRE(step.end);
  CHECK(step.end->cause == EndCause::answered_by_proxy);
  CHECK(step.end->reason == "status answered by the proxy (backend down)");
}

TEST_CASE("The backend's last answer is replayed; request and ping in one read get both", "[proxy][backend_down]") {
  StatusCache cache;
  cache.store(kProtocol, "{\"cached\":true}");
  BackendDownResponder r(cache, "motd");
  r.status_requested();
  r.pinged(7);
  const auto step = r.respond(kStatus, "refused");
  CHECK(step.to_client == concat(response("{\"cached\":true}"), pong(7)));
  CHECK(step.answered == 1);
  REQUIRE(step.end);
  CHECK(step.end->cause == EndCause::answered_by_proxy);
}

TEST_CASE("An unknown protocol gets the MOTD under the name RustGuard", "[proxy][backend_down]") {
  StatusCache cache;
  BackendDownResponder r(cache, "motd");
  r.status_requested();
  const auto step = r.respond({false, true, 123456}, "refused");
  CHECK(step.to_client == response(status_json_from_motd("motd", 123456, "RustGuard")));
}

TEST_CASE("One status answer per connection: a second request ends it", "[proxy][backend_down]") {
  StatusCache cache;
  SECTION("two requests before any answer") {
    BackendDownResponder r(cache, "motd");
    r.status_requested();
    r.status_requested();
    const auto step = r.respond(kStatus, "refused");
    CHECK(step.to_client.empty());
    REQUIRE(step.end);
    CHECK(step.end->cause == EndCause::malformed);
    CHECK(step.end->reason == "more than one status request on one connection");
  }
  SECTION("a request after the answer") {
    BackendDownResponder r(cache, "motd");
    r.status_requested();
    CHECK_FALSE(r.respond(kStatus, "refused").end);
    r.status_requested();
    const auto step = r.respond(kStatus, "refused");
    REQUIRE(step.end);
    CHECK(step.end->cause == EndCause::malformed);
  }
}

}  // namespace backend_down_responder_test
