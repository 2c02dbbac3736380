// The proxy's own Disconnect (and transactions) must be framed for the state
// the CLIENT reads in, which moves as soon as the client handles Login
// Success, Finish Configuration or Start Configuration — before its
// acknowledgement reaches the proxy. A Disconnect built from the tracker's
// state alone went out in the login format (id 0x00) to clients already in
// configuration (issue 11: 77 of 5,000 players at 1.21.4).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/configuration/config_disconnect_s2c.hpp"
#include "rustguard/protocol/packets/login/login_disconnect_s2c.hpp"
#include "rustguard/protocol/packets/play/disconnect_s2c.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace client_state_test {

using namespace rustguard;
using namespace rustguard::protocol;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Asks for a transaction before and after every Start Configuration.
struct TransactionHooks {
  bool wants(Direction d, PacketKind k) const noexcept {
    return d == Direction::clientbound && k == PacketKind::start_configuration_s2c;
  }
  session::PacketDisposition on_packet(const session::PacketView&) {
    session::PacketDisposition d;
    d.transaction_before = 41;
    d.transaction_after = 42;
    return d;
  }
  void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&) {}
};

struct Login {
  std::int32_t protocol;
  const VersionInfo* version;
  session::ConnectionSession s;
  TransactionHooks hooks;

  explicit Login(std::int32_t p) : protocol(p), version(find_version(p)) { REQUIRE(version != nullptr); }

  // One uncompressed frame of `kind` with `fields` after its id.
  Bytes frame(PacketKind kind, const Bytes& fields = {}) const {
    Bytes packet;
    Writer{packet}.varint(version->id_of(kind)).bytes(fields);
    Bytes out;
    REQUIRE(append_frame(out, packet).ok());
    return out;
  }
  void feed(Direction from, const Bytes& bytes) {
    session::Output out;
    s.feed(from, bytes, hooks, out);
    REQUIRE_FALSE(out.close);
  }
  void handshake_and_login_start() {
    Bytes hs, start;
    Writer{hs}.varint(protocol).string("localhost").u16(25565).varint(2);
    Writer{start}.string("player");
    if (protocol >= v::v1_20_2) {
      Writer{start}.uuid(Uuid{1, 2});
    } else if (protocol >= v::v1_19_1) {
      Writer{start}.boolean(false);  // no UUID
    }
    Bytes intention;
    Writer{intention}.varint(0x00).bytes(hs);
    Bytes f;
    REQUIRE(append_frame(f, intention).ok());
    feed(Direction::serverbound, f);
    feed(Direction::serverbound, frame(PacketKind::login_start_c2s, start));
  }
  void login_success() {
    Bytes fields;
    if (protocol < v::v1_16) {
      Writer{fields}.string("00000000-0000-0001-0000-000000000002");
    } else {
      Writer{fields}.uuid(Uuid{1, 2});
    }
    Writer{fields}.string("player");
    if (protocol >= v::v1_19) Writer{fields}.varint(0);
    if (protocol >= v::v1_20_5 && protocol < v::v1_21_2) Writer{fields}.boolean(true);
    feed(Direction::clientbound, frame(PacketKind::login_success_s2c, fields));
  }

  // The Disconnect the session writes now: its id, and its reason read back
  // in the format of `expected`.
  void expect_disconnect(PacketKind expected) {
    session::Output out;
    s.append_disconnect("Kicked by RustGuard", out);
    REQUIRE_FALSE(out.to_client.empty());
    FrameDecoder dec{Direction::clientbound};
    int frames = 0;
    REQUIRE(dec.feed(out.to_client, [&](const Frame& f) {
      ++frames;
      const auto id = read_varint_prefix(f.payload);
      CHECK(id.value == version->id_of(expected));
      const auto body = f.payload.subspan(id.size);
      switch (expected) {
        case PacketKind::login_disconnect_s2c: {
          auto p = packets::LoginDisconnectS2c::decode(body, protocol);
          REQUIRE(p.ok());
          CHECK(p->reason_json.find("Kicked by RustGuard") != std::string::npos);
          break;
        }
        case PacketKind::config_disconnect_s2c: {
          auto p = packets::ConfigDisconnectS2c::decode(body, protocol);
          REQUIRE(p.ok());
          if (protocol >= v::v1_20_3) {
            REQUIRE(p->nbt_plain_text());
            CHECK(*p->nbt_plain_text() == "Kicked by RustGuard");
          }
          break;
        }
        case PacketKind::disconnect_s2c: {
          auto p = packets::DisconnectS2c::decode(body, protocol);
          REQUIRE(p.ok());
          break;
        }
        default:
          FAIL("not a disconnect");
      }
    }).ok());
    CHECK(frames == 1);
  }
};

}  // namespace

TEST_CASE("1.20.2+: the Disconnect follows the client through login, configuration and play",
          "[session][disconnect]") {
  for (const std::int32_t protocol : {v::v1_20_2, v::v1_20_3, v::v1_20_5, v::v1_21_4}) {
    INFO("protocol " << protocol);
    Login l(protocol);
    l.handshake_and_login_start();
    CHECK(l.s.client_state() == State::login);
    l.expect_disconnect(PacketKind::login_disconnect_s2c);

    // Login Success forwarded: the client reads in configuration from now
    // on, though its Login Acknowledged has not arrived (the tracker is
    // still in login). Before the fix this was the login Disconnect.
    l.login_success();
    CHECK(l.s.tracker().state(Direction::serverbound) == State::login);
    CHECK(l.s.client_state() == State::configuration);
    l.expect_disconnect(PacketKind::config_disconnect_s2c);

    l.feed(Direction::serverbound, l.frame(PacketKind::login_acknowledged_c2s));
    CHECK(l.s.tracker().state(Direction::serverbound) == State::configuration);
    CHECK(l.s.client_state() == State::configuration);
    l.expect_disconnect(PacketKind::config_disconnect_s2c);

    // Finish Configuration forwarded: the client reads play before its ack.
    l.feed(Direction::clientbound, l.frame(PacketKind::finish_configuration_s2c));
    CHECK(l.s.tracker().state(Direction::serverbound) == State::configuration);
    CHECK(l.s.client_state() == State::play);
    l.expect_disconnect(PacketKind::disconnect_s2c);

    l.feed(Direction::serverbound, l.frame(PacketKind::finish_configuration_c2s));
    CHECK(l.s.tracker().state(Direction::serverbound) == State::play);
    CHECK(l.s.client_state() == State::play);
    l.expect_disconnect(PacketKind::disconnect_s2c);

    // Start Configuration (back to configuration from play): the
    // transaction asked before it goes out as a play Ping, the one asked
    // after it is not sent (the client reads configuration by then).
    session::Output out;
    const auto injected = l.s.counters(Direction::clientbound).injected;  // the Disconnects above count too
    l.s.feed(Direction::clientbound, l.frame(PacketKind::start_configuration_s2c), l.hooks, out);
    REQUIRE_FALSE(out.close);
    CHECK(l.s.counters(Direction::clientbound).injected == injected + 1);
    FrameDecoder dec{Direction::clientbound};
    std::vector<std::int32_t> ids;
    REQUIRE(dec.feed(out.to_client, [&](const Frame& f) { ids.push_back(read_varint_prefix(f.payload).value); }).ok());
    CHECK(ids == std::vector<std::int32_t>{l.version->id_of(PacketKind::ping_s2c),
                                           l.version->id_of(PacketKind::start_configuration_s2c)});
    CHECK(l.s.tracker().state(Direction::serverbound) == State::play);
    CHECK(l.s.client_state() == State::configuration);
    l.expect_disconnect(PacketKind::config_disconnect_s2c);

    l.feed(Direction::serverbound, l.frame(PacketKind::configuration_acknowledged_c2s));
    CHECK(l.s.tracker().state(Direction::serverbound) == State::configuration);
    CHECK(l.s.client_state() == State::configuration);
    l.expect_disconnect(PacketKind::config_disconnect_s2c);
  }
}

TEST_CASE("Before 1.20.2 the client reads play right after Login Success", "[session][disconnect]") {
  for (const std::int32_t protocol : {v::v1_8, v::v1_12_2, v::v1_20}) {
    INFO("protocol " << protocol);
    Login l(protocol);
    l.handshake_and_login_start();
    l.expect_disconnect(PacketKind::login_disconnect_s2c);
    l.login_success();
    CHECK(l.s.client_state() == State::play);
    CHECK(l.s.tracker().state(Direction::serverbound) == State::play);
    l.expect_disconnect(PacketKind::disconnect_s2c);
  }
}

TEST_CASE("Nothing is written before login or once the stream is a status exchange", "[session][disconnect]") {
  session::ConnectionSession s;
  session::Output out;
  s.append_disconnect("bye", out);
  CHECK(out.to_client.empty());
  CHECK(s.client_state() == State::handshake);
}

}  // namespace client_state_test
