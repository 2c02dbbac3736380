#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../tools/proxy/proxy_hooks.hpp"
#include "rustguard/protocol/writer.hpp"

using namespace rustguard;
using protocol::Direction;
using protocol::PacketKind;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::int32_t kProtocol = 765;  // 1.20.4

// An uncompressed frame: VarInt length, VarInt id, body.
Bytes frame(PacketKind kind, const Bytes& body) {
  const auto* version = protocol::find_version(kProtocol);
  REQUIRE(version);
  Bytes packet;
  protocol::Writer{packet}.varint(version->id_of(kind)).bytes(body);
  Bytes out;
  protocol::Writer{out}.varint(static_cast<std::int32_t>(packet.size())).bytes(packet);
  return out;
}

Bytes handshake(int intent) {
  Bytes body;
  protocol::Writer{body}.varint(kProtocol).string("localhost").u16(25565).varint(intent);
  return frame(PacketKind::intention_c2s, body);
}

// An inspector that wants Login Start and remembers the clock it was given.
struct ClockedInspector {
  std::int64_t now = 0;
  std::vector<std::int64_t> login_start_times;
  void set_now(std::int64_t t) { now = t; }
  bool wants(Direction d, PacketKind k) const { return d == Direction::serverbound && k == PacketKind::login_start_c2s; }
  session::PacketDisposition on_packet(const session::PacketView&) {
    login_start_times.push_back(now);
    return {};
  }
  void on_tracker_update(const protocol::ConnectionTracker&, const protocol::TrackerUpdate&) {}
};

struct Fed {
  session::ConnectionSession session;
  proxy::ProxyHooks<session::ForwardOnlyHooks> hooks;
  session::Output out;
  void feed(Direction d, const Bytes& bytes) {
    out.clear();
    session.feed(d, bytes, hooks, out);
    REQUIRE_FALSE(out.close);
  }
};

}  // namespace

TEST_CASE("The proxy's hooks see status traffic and leave it unchanged", "[proxy_hooks]") {
  Fed f;
  Bytes request = handshake(1);
  const Bytes status_request = frame(PacketKind::status_request_c2s, {});
  request.insert(request.end(), status_request.begin(), status_request.end());
  f.feed(Direction::serverbound, request);
  CHECK(f.out.to_server == request);
  CHECK(f.hooks.seen().status_requests == 1);

  Bytes json_body;
  const std::string json = R"({"description":{"text":"hi"}})";
  protocol::Writer{json_body}.string(json);
  const Bytes response = frame(PacketKind::status_response_s2c, json_body);
  f.feed(Direction::clientbound, response);
  CHECK(f.out.to_client == response);
  REQUIRE(f.hooks.seen().status_response);
  CHECK(*f.hooks.seen().status_response == json);

  Bytes ping_body;
  protocol::Writer{ping_body}.i64(1234567);
  f.feed(Direction::serverbound, frame(PacketKind::status_ping_c2s, ping_body));
  REQUIRE(f.hooks.seen().status_ping);
  CHECK(*f.hooks.seen().status_ping == 1234567);
  CHECK_FALSE(f.hooks.seen().backend_disconnect);
}

TEST_CASE("The proxy's hooks notice a backend Disconnect and the start of encryption", "[proxy_hooks]") {
  SECTION("login Disconnect from the backend") {
    Fed f;
    Bytes login_start;
    protocol::Writer{login_start}.string("alice").u64(1).u64(2);
    Bytes c2s = handshake(2);
    const Bytes ls = frame(PacketKind::login_start_c2s, login_start);
    c2s.insert(c2s.end(), ls.begin(), ls.end());
    f.feed(Direction::serverbound, c2s);
    Bytes reason;
    protocol::Writer{reason}.string(R"({"text":"full"})");
    f.feed(Direction::clientbound, frame(PacketKind::login_disconnect_s2c, reason));
    CHECK(f.hooks.seen().backend_disconnect);
    CHECK(f.session.tracker().identity().name == "alice");
  }
  SECTION("online mode: Encryption Response makes the stream opaque") {
    Fed f;
    Bytes login_start;
    protocol::Writer{login_start}.string("bob").u64(1).u64(2);
    Bytes c2s = handshake(2);
    const Bytes ls = frame(PacketKind::login_start_c2s, login_start);
    c2s.insert(c2s.end(), ls.begin(), ls.end());
    f.feed(Direction::serverbound, c2s);
    Bytes request;
    protocol::Writer{request}.string("").varint(4).bytes(Bytes{1, 2, 3, 4}).varint(4).bytes(Bytes{5, 6, 7, 8});
    f.feed(Direction::clientbound, frame(PacketKind::encryption_request_s2c, request));
    CHECK_FALSE(f.hooks.seen().encryption_started);
    Bytes response;
    protocol::Writer{response}.varint(2).bytes(Bytes{9, 9}).varint(2).bytes(Bytes{8, 8});
    f.feed(Direction::serverbound, frame(PacketKind::encryption_response_c2s, response));
    CHECK(f.hooks.seen().encryption_started);
    CHECK(f.session.opaque());
    const Bytes ciphertext{0xde, 0xad, 0xbe, 0xef};
    f.feed(Direction::serverbound, ciphertext);
    CHECK(f.out.to_server == ciphertext);  // forwarded uninspected
  }
}

TEST_CASE("The inspector gets its packets and the time through the proxy's hooks", "[proxy_hooks]") {
  session::ConnectionSession s;
  proxy::ProxyHooks<ClockedInspector> hooks;
  session::Output out;
  hooks.set_now(1'700'000'000'000'000);
  s.feed(Direction::serverbound, handshake(2), hooks, out);
  hooks.set_now(1'700'000'000'000'500);
  Bytes login_start;
  protocol::Writer{login_start}.string("carol").u64(1).u64(2);
  s.feed(Direction::serverbound, frame(PacketKind::login_start_c2s, login_start), hooks, out);
  CHECK(hooks.inspector().login_start_times == std::vector<std::int64_t>{1'700'000'000'000'500});
  CHECK(hooks.now_us() == 1'700'000'000'000'500);
}
