#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace connection_tracker_test {

using namespace rustguard::protocol;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes intention(std::int32_t protocol, std::int32_t intent) {
  Bytes b;
  Writer{b}.varint(protocol).string("mc.example.org").u16(25565).varint(intent);
  return b;
}

Bytes varint_body(std::int32_t v) {
  Bytes b;
  Writer{b}.varint(v);
  return b;
}

Bytes login_success(std::int32_t protocol, const Uuid& uuid, std::string_view name) {
  Bytes b;
  Writer w{b};
  if (protocol >= v::v1_16) {
    w.uuid(uuid);
  } else {
    w.string(uuid.to_string());
  }
  w.string(name);
  if (protocol >= v::v1_19) w.varint(0);  // no properties
  if (protocol >= v::v1_20_5 && protocol < v::v1_21_2) w.boolean(true);
  return b;
}

// Feeds one packet by id in the tracker's current state, as the session would.
TrackerUpdate feed(ConnectionTracker& t, Direction d, PacketKind kind, const Bytes& body = {}) {
  const VersionInfo* version = t.version() ? t.version() : &supported_versions().back();
  const std::int32_t id = version->id_of(kind);
  REQUIRE(id >= 0);
  REQUIRE(t.classify(d, id) == kind);
  auto u = t.on_packet(d, kind, body);
  REQUIRE(u.ok());
  return *u;
}

const Uuid kUuid{0x069a79f444e94726ULL, 0xa5befca90e38aaf5ULL};

}  // namespace

TEST_CASE("Status intent leads both directions to status", "[tracker]") {
  ConnectionTracker t;
  auto u = feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 1));
  CHECK(u.state_changed);
  CHECK(t.state(Direction::serverbound) == State::status);
  CHECK(t.state(Direction::clientbound) == State::status);
  CHECK(t.protocol() == v::v1_21_4);
  CHECK(t.server_address() == "mc.example.org");
  feed(t, Direction::serverbound, PacketKind::status_request_c2s);
}

TEST_CASE("A status ping from an unknown version is still classified", "[tracker]") {
  ConnectionTracker t;
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(9999, 1));
  CHECK(t.version_unknown());
  CHECK(t.version() == nullptr);
  CHECK(t.classify(Direction::serverbound, 0) == PacketKind::status_request_c2s);
}

TEST_CASE("An unknown version logging in is reported, not guessed", "[tracker]") {
  ConnectionTracker t;
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(9999, 2));
  CHECK(t.version_unknown());
  CHECK(t.state(Direction::serverbound) == State::login);
  CHECK(t.classify(Direction::serverbound, 0) == kUnknownPacketKind);
}

TEST_CASE("1.8 login goes straight to play, with compression from login", "[tracker]") {
  ConnectionTracker t;
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_8, 2));
  REQUIRE(t.version() != nullptr);
  Bytes start;
  Writer{start}.string("Steve");
  feed(t, Direction::serverbound, PacketKind::login_start_c2s, start);
  CHECK(t.identity().name == "Steve");
  auto c = feed(t, Direction::clientbound, PacketKind::set_compression_login_s2c, varint_body(256));
  REQUIRE(c.compression_threshold);
  CHECK(*c.compression_threshold == 256);
  CHECK(t.compression_threshold() == 256);
  auto s = feed(t, Direction::clientbound, PacketKind::login_success_s2c, login_success(v::v1_8, kUuid, "Steve"));
  CHECK(s.logged_in);
  CHECK(s.entered_play);
  CHECK(t.state(Direction::serverbound) == State::play);
  CHECK(t.state(Direction::clientbound) == State::play);
  CHECK(t.identity().uuid == kUuid);
  // 1.8 can change the threshold again from play.
  auto again = feed(t, Direction::clientbound, PacketKind::set_compression_play_s2c, varint_body(512));
  CHECK(*again.compression_threshold == 512);
}

TEST_CASE("1.20.2+ login passes through configuration, and play can return to it", "[tracker]") {
  ConnectionTracker t;
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 2));
  Bytes start;
  Writer{start}.string("Alex").uuid(kUuid);
  feed(t, Direction::serverbound, PacketKind::login_start_c2s, start);
  CHECK(t.identity().uuid == kUuid);
  feed(t, Direction::clientbound, PacketKind::set_compression_login_s2c, varint_body(256));
  auto s = feed(t, Direction::clientbound, PacketKind::login_success_s2c, login_success(v::v1_21_4, kUuid, "Alex"));
  CHECK(s.logged_in);
  CHECK_FALSE(s.entered_play);
  CHECK(t.state(Direction::clientbound) == State::login);  // until the client acknowledges
  feed(t, Direction::serverbound, PacketKind::login_acknowledged_c2s);
  CHECK(t.state(Direction::serverbound) == State::configuration);
  CHECK(t.state(Direction::clientbound) == State::configuration);

  Bytes brand;
  Writer{brand}.string("minecraft:brand").string("fabric");
  auto b = feed(t, Direction::serverbound, PacketKind::config_custom_payload_c2s, brand);
  CHECK(b.identity_changed);
  CHECK(t.identity().client_brand == "fabric");

  feed(t, Direction::clientbound, PacketKind::finish_configuration_s2c);
  CHECK(t.state(Direction::serverbound) == State::configuration);
  auto p = feed(t, Direction::serverbound, PacketKind::finish_configuration_c2s);
  CHECK(p.entered_play);
  CHECK(t.state(Direction::serverbound) == State::play);
  CHECK(t.state(Direction::clientbound) == State::play);

  feed(t, Direction::clientbound, PacketKind::start_configuration_s2c);
  CHECK(t.state(Direction::clientbound) == State::play);  // until the client acknowledges
  feed(t, Direction::serverbound, PacketKind::configuration_acknowledged_c2s);
  CHECK(t.state(Direction::serverbound) == State::configuration);
  CHECK(t.state(Direction::clientbound) == State::configuration);
  feed(t, Direction::clientbound, PacketKind::finish_configuration_s2c);
  feed(t, Direction::serverbound, PacketKind::finish_configuration_c2s);
  CHECK(t.state(Direction::clientbound) == State::play);
}

namespace {
// A 1.20.3 login whose backend asks for velocity:player_info, answered
// with a forwarding answer claiming `address`, signed with `key`.
Result<TrackerUpdate> forwarded_login(ConnectionTracker& t, std::string_view key, std::string_view address) {
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 2));
  Bytes start;
  Writer{start}.string("Alex").uuid({1, 2});
  feed(t, Direction::serverbound, PacketKind::login_start_c2s, start);
  Bytes request;
  Writer{request}.varint(7).string("velocity:player_info").u8(1);
  feed(t, Direction::clientbound, PacketKind::login_plugin_request_s2c, request);
  Bytes signed_part;
  Writer{signed_part}.varint(1).string(address).uuid(kUuid).string("Alex").varint(0);
  const Sha256Digest mac = hmac_sha256(key, signed_part);
  Bytes response;
  Writer w{response};
  w.varint(7).boolean(true);
  for (const std::uint8_t b : mac) w.u8(b);
  response.insert(response.end(), signed_part.begin(), signed_part.end());
  return t.on_packet(Direction::serverbound, PacketKind::login_plugin_response_c2s, response);
}
}  // namespace

TEST_CASE("Velocity modern forwarding sets the identity", "[tracker][velocity]") {
  ConnectionTracker t;
  auto u = forwarded_login(t, "any secret", "198.51.100.23");
  REQUIRE(u.ok());
  CHECK(u->identity_changed);
  CHECK(t.identity().velocity_forwarded);
  CHECK(t.identity().forwarded_address == "198.51.100.23");
  CHECK(t.identity().uuid == kUuid);

  // A response to some other plugin request is not mistaken for forwarding.
  ConnectionTracker other;
  feed(other, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 2));
  Bytes unrelated;
  Writer{unrelated}.varint(8).boolean(true).u8(1).u8(2);
  auto n = feed(other, Direction::serverbound, PacketKind::login_plugin_response_c2s, unrelated);
  CHECK_FALSE(n.identity_changed);
  CHECK_FALSE(other.identity().velocity_forwarded);
}

TEST_CASE("With a secret, Velocity forwarding must be signed with it", "[tracker][velocity]") {
  const std::string secret = "k7Qm2xZ9vLp0";
  ConnectionTracker good;
  good.require_velocity_secret(secret);
  auto ok = forwarded_login(good, secret, "198.51.100.23");
  REQUIRE(ok.ok());
  CHECK(ok->identity_changed);
  CHECK(good.identity().velocity_verified);
  CHECK(good.identity().forwarded_address == "198.51.100.23");

  // Signed with another secret (or by a client that made it up): refused,
  // and the identity it claims is not taken.
  ConnectionTracker forged;
  forged.require_velocity_secret(secret);
  auto refused = forwarded_login(forged, "guessed", "203.0.113.99");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::forwarding_signature);
  CHECK_FALSE(forged.identity().velocity_forwarded);
  CHECK(forged.identity().forwarded_address.empty());

  // Without a secret the same answer is read as sent, and marked unverified.
  ConnectionTracker open;
  auto taken = forwarded_login(open, "guessed", "203.0.113.99");
  REQUIRE(taken.ok());
  CHECK(open.identity().velocity_forwarded);
  CHECK_FALSE(open.identity().velocity_verified);
  CHECK(open.identity().forwarded_address == "203.0.113.99");
}

TEST_CASE("Encryption makes the rest of the connection opaque", "[tracker]") {
  ConnectionTracker t;
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 2));
  feed(t, Direction::clientbound, PacketKind::encryption_request_s2c);
  auto u = feed(t, Direction::serverbound, PacketKind::encryption_response_c2s);
  CHECK(u.encryption_started);
  CHECK(t.encrypted());
  auto after = t.on_packet(Direction::clientbound, PacketKind::login_success_s2c, {});
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == Errc::encrypted);
}

TEST_CASE("Malformed state-changing packets are errors", "[tracker]") {
  ConnectionTracker t;
  const Bytes truncated{0x80};
  auto r = t.on_packet(Direction::serverbound, PacketKind::intention_c2s, truncated);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::truncated);

  ConnectionTracker twice;
  feed(twice, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 2));
  auto second = twice.on_packet(Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 2));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == Errc::unexpected_packet);

  ConnectionTracker bad_intent;
  auto invalid = bad_intent.on_packet(Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_20_3, 7));
  REQUIRE_FALSE(invalid.ok());
}

// A cheat client that answers requests the server never made would move the
// tracker into a state the server is not in, and read everything after it
// with the wrong table (or not at all). Each acknowledgement must follow the
// server packet that asks for it.
TEST_CASE("Client acknowledgements nobody asked for are errors", "[tracker]") {
  auto expect_refused = [](ConnectionTracker& t, PacketKind kind) {
    auto r = t.on_packet(Direction::serverbound, kind, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::unexpected_packet);
  };
  SECTION("Login Acknowledged before Login Success") {
    ConnectionTracker t;
    feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 2));
    expect_refused(t, PacketKind::login_acknowledged_c2s);
    CHECK(t.state(Direction::clientbound) == State::login);
  }
  SECTION("Encryption Response without Encryption Request") {
    ConnectionTracker t;
    feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 2));
    expect_refused(t, PacketKind::encryption_response_c2s);
    CHECK_FALSE(t.encrypted());
  }
  SECTION("Finish Configuration before the server's, Configuration Acknowledged without Start Configuration") {
    ConnectionTracker t;
    feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 2));
    feed(t, Direction::clientbound, PacketKind::login_success_s2c, login_success(v::v1_21_4, kUuid, "Steve"));
    CHECK(t.state(Direction::serverbound) == State::login);
    feed(t, Direction::serverbound, PacketKind::login_acknowledged_c2s);
    CHECK(t.state(Direction::serverbound) == State::configuration);
    expect_refused(t, PacketKind::finish_configuration_c2s);
    feed(t, Direction::clientbound, PacketKind::finish_configuration_s2c);
    auto play = feed(t, Direction::serverbound, PacketKind::finish_configuration_c2s);
    CHECK(play.entered_play);
    CHECK(t.state(Direction::serverbound) == State::play);
    expect_refused(t, PacketKind::configuration_acknowledged_c2s);
    CHECK(t.state(Direction::serverbound) == State::play);
    feed(t, Direction::clientbound, PacketKind::start_configuration_s2c);
    feed(t, Direction::serverbound, PacketKind::configuration_acknowledged_c2s);
    CHECK(t.state(Direction::clientbound) == State::configuration);
    // One request, one answer.
    feed(t, Direction::clientbound, PacketKind::finish_configuration_s2c);
    feed(t, Direction::serverbound, PacketKind::finish_configuration_c2s);
    expect_refused(t, PacketKind::configuration_acknowledged_c2s);
  }
}

TEST_CASE("Packet ids that do not exist in the state are told apart from uninspected ones", "[tracker]") {
  ConnectionTracker t;
  CHECK(t.id_exists(Direction::serverbound, 0));   // the handshake
  CHECK_FALSE(t.id_exists(Direction::serverbound, 5));
  feed(t, Direction::serverbound, PacketKind::intention_c2s, intention(v::v1_21_4, 2));
  // 1.21.4 login, serverbound: start, encryption, plugin response, ack, cookie.
  CHECK(t.id_exists(Direction::serverbound, 4));
  CHECK_FALSE(t.id_exists(Direction::serverbound, 5));
  CHECK_FALSE(t.id_exists(Direction::serverbound, -1));
  // A play look packet (id 30 in 1.21.4) is no login packet.
  CHECK_FALSE(t.id_exists(Direction::serverbound, find_version(v::v1_21_4)->id_of(PacketKind::set_rotation_c2s)));
}

}  // namespace connection_tracker_test
