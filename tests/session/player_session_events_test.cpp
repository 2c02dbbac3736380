// What PlayerSession tells its owner (the live proxy, the replay tool) besides
// the bytes: the ordered session::Event list, the engine's time and counts,
// and its deadlines. Everything runs against the real engine, mostly on a
// recorded 1.20.4 session (tests/fixtures/streams) followed by a cheat.

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "recorded_session.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/packets/play/disconnect_s2c.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/player_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace player_session_events_test {

using namespace rustguard;
using protocol::Direction;
using protocol::PacketKind;
using Bytes = std::vector<std::uint8_t>;
using Events = std::vector<session::Event>;

namespace {

constexpr std::int32_t kProtocol = protocol::v::v1_20_3;  // 1.20.3 / 1.20.4
const Timestamp kStart = Timestamp::from_millis(1'700'000'000'000);

// An uncompressed frame (handshake, status, login before compression).
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

Bytes login_start(const std::string& name) {
  Bytes body;
  protocol::Writer{body}.string(name).u64(1).u64(2);
  return frame(PacketKind::login_start_c2s, body);
}

Bytes join(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

template <class T>
std::vector<T> all_of(const Events& events) {
  std::vector<T> found;
  for (const auto& e : events) {
    if (const T* t = std::get_if<T>(&e)) found.push_back(*t);
  }
  return found;
}

template <class T>
std::optional<std::size_t> first_index(const Events& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (std::holds_alternative<T>(events[i])) return i;
  }
  return std::nullopt;
}

std::vector<Violation> violations_in(const Events& events) {
  std::vector<Violation> found;
  for (const auto& v : all_of<session::ViolationFound>(events)) found.push_back(v.violation);
  return found;
}

// A PlayerSession as the proxy drives it: each call's Output is kept (out),
// and every event of every call in order (events).
struct Player {
  session::PlayerSession session;
  session::Output out;
  Events events;
  Timestamp now = kStart;

  explicit Player(std::shared_ptr<const engine::EngineConfig> config = std::make_shared<const engine::EngineConfig>())
      : session(ProtocolLimits{}, std::move(config)) {}

  void keep() { events.insert(events.end(), out.events.begin(), out.events.end()); }

  void feed(Direction d, const Bytes& bytes, Timestamp at) {
    now = at;
    out.clear();
    session.feed(d, bytes, at, out);
    keep();
  }
  void feed(Direction d, const Bytes& bytes) { feed(d, bytes, now); }

  void advance(Timestamp at) {
    out.clear();
    session.advance(at, out);
    keep();
  }

  void finish() {
    out.clear();
    session.finish(out);
    keep();
  }

  // The recording, each record at its recorded time after kStart.
  void replay(const std::string& version = "1.20.4") {
    for (const auto& r : test::load_session(version)) {
      feed(r.direction, r.bytes, kStart + Micros{r.micros});
      REQUIRE_FALSE(out.close);
    }
    REQUIRE(session.engine().context().in_play);
  }

  // One play packet framed for the compressed stream (small: dataLength 0).
  Bytes play_frame(PacketKind kind, const Bytes& body) const {
    const protocol::VersionInfo* version = session.tracker().version();
    REQUIRE(version);
    Bytes contents;
    protocol::Writer{contents}.varint(0).varint(version->id_of(kind)).bytes(body);
    Bytes framed;
    REQUIRE(protocol::append_frame(framed, contents).ok());
    return framed;
  }

  // One serverbound play packet, 50 ms after the last bytes.
  void send(PacketKind kind, const Bytes& body) {
    feed(Direction::serverbound, play_frame(kind, body), now + millis(50));
  }
};

Bytes look(float pitch) {
  Bytes body;
  protocol::Writer{body}.f32(0).f32(pitch).boolean(true);
  return body;
}

Bytes position_look(float pitch, float yaw = 0) {
  Bytes body;
  protocol::Writer{body}.f64(6.5).f64(64).f64(0.5).f32(yaw).f32(pitch).boolean(true);
  return body;
}

Bytes brand_payload(const std::string& brand) {
  Bytes body;
  Bytes data;
  protocol::Writer{data}.string(brand);
  protocol::Writer{body}.string("minecraft:brand").bytes(data);
  return body;
}

// A violation's fields that must not depend on when the owner called in.
struct Seen {
  std::string check, type;
  std::int64_t time_ms;
  double vl;
  std::uint32_t count, cancelled;
  Outcome outcome;
  bool operator==(const Seen&) const = default;
};
std::vector<Seen> seen(const std::vector<Violation>& vs) {
  std::vector<Seen> out;
  for (const auto& v : vs) out.push_back({v.check, v.type, v.time_ms, v.vl, v.count, v.cancelled, v.outcome});
  return out;
}

}  // namespace

// ---- status, login, encryption: events for the proxy, bytes unchanged ---------

TEST_CASE("Status traffic comes out as events and its bytes are forwarded unchanged", "[session][events]") {
  Player p;
  const Bytes request = join(handshake(1), frame(PacketKind::status_request_c2s, {}));
  p.feed(Direction::serverbound, request);
  CHECK(p.out.to_server == request);
  CHECK(p.out.to_client.empty());
  REQUIRE(p.out.events.size() == 1);
  CHECK(std::holds_alternative<session::StatusRequested>(p.out.events[0]));

  Bytes json_body;
  const std::string json = R"({"description":{"text":"hi"}})";
  protocol::Writer{json_body}.string(json);
  const Bytes response = frame(PacketKind::status_response_s2c, json_body);
  p.feed(Direction::clientbound, response);
  CHECK(p.out.to_client == response);
  REQUIRE(p.out.events.size() == 1);
  const auto* answered = std::get_if<session::StatusAnswered>(&p.out.events[0]);
  REQUIRE(answered);
  CHECK(answered->json == json);

  Bytes ping_body;
  protocol::Writer{ping_body}.i64(1234567);
  const Bytes ping = frame(PacketKind::status_ping_c2s, ping_body);
  p.feed(Direction::serverbound, ping);
  CHECK(p.out.to_server == ping);
  REQUIRE(p.out.events.size() == 1);
  const auto* pinged = std::get_if<session::StatusPinged>(&p.out.events[0]);
  REQUIRE(pinged);
  CHECK(pinged->payload == 1234567);

  const Bytes pong = frame(PacketKind::status_pong_s2c, ping_body);
  p.feed(Direction::clientbound, pong);
  CHECK(p.out.to_client == pong);
  CHECK(p.out.events.empty());

  // Nothing else: no login, no goodbye from the server, no ticks.
  CHECK(p.events.size() == 3);
  CHECK_FALSE(p.session.next_deadline());
  p.advance(kStart + millis(60'000));
  CHECK(p.out.events.empty());
  CHECK_FALSE(p.out.close);
}

TEST_CASE("A backend Disconnect comes out as ServerDisconnected, in login and in play", "[session][events]") {
  SECTION("login Disconnect") {
    Player p;
    p.feed(Direction::serverbound, join(handshake(2), login_start("alice")));
    CHECK(p.out.events.empty());
    Bytes reason;
    protocol::Writer{reason}.string(R"({"text":"full"})");
    const Bytes goodbye = frame(PacketKind::login_disconnect_s2c, reason);
    p.feed(Direction::clientbound, goodbye);
    CHECK(p.out.to_client == goodbye);
    REQUIRE(p.out.events.size() == 1);
    CHECK(std::holds_alternative<session::ServerDisconnected>(p.out.events[0]));
    CHECK(p.session.tracker().identity().name == "alice");
    CHECK(all_of<session::PlayerLoggedIn>(p.events).empty());
  }
  SECTION("play Disconnect after a recorded session") {
    Player p;
    p.replay();
    CHECK(all_of<session::ServerDisconnected>(p.events).empty());
    Bytes body;
    protocol::packets::DisconnectS2c::from_plain_text("server closed", kProtocol).encode(body, kProtocol);
    const Bytes goodbye = p.play_frame(PacketKind::disconnect_s2c, body);
    p.feed(Direction::clientbound, goodbye, p.now + millis(10));
    CHECK(p.out.to_client == goodbye);
    CHECK_FALSE(p.out.close);
    REQUIRE(p.out.events.size() == 1);
    CHECK(std::holds_alternative<session::ServerDisconnected>(p.out.events[0]));
  }
}

TEST_CASE("The start of encryption comes out as EncryptionStarted; nothing after it is inspected",
          "[session][events]") {
  Player p;
  p.feed(Direction::serverbound, join(handshake(2), login_start("bob")));
  Bytes request;
  protocol::Writer{request}.string("").varint(4).bytes(Bytes{1, 2, 3, 4}).varint(4).bytes(Bytes{5, 6, 7, 8});
  const Bytes encryption_request = frame(PacketKind::encryption_request_s2c, request);
  p.feed(Direction::clientbound, encryption_request);
  CHECK(p.out.to_client == encryption_request);
  CHECK(p.out.events.empty());
  Bytes response;
  protocol::Writer{response}.varint(2).bytes(Bytes{9, 9}).varint(2).bytes(Bytes{8, 8});
  const Bytes encryption_response = frame(PacketKind::encryption_response_c2s, response);
  p.feed(Direction::serverbound, encryption_response);
  CHECK(p.out.to_server == encryption_response);
  REQUIRE(p.out.events.size() == 1);
  CHECK(std::holds_alternative<session::EncryptionStarted>(p.out.events[0]));
  CHECK(p.session.opaque());

  // Ciphertext either way: forwarded as it came, no event, no deadline.
  const Bytes up{0xde, 0xad, 0xbe, 0xef};
  p.feed(Direction::serverbound, up);
  CHECK(p.out.to_server == up);
  const Bytes down{0x01, 0x02, 0x03};
  p.feed(Direction::clientbound, down);
  CHECK(p.out.to_client == down);
  CHECK(p.events.size() == 1);
  CHECK_FALSE(p.session.next_deadline());
}

TEST_CASE("The login and the client brand come out once each, the login before the first violation",
          "[session][events]") {
  Player p;
  std::optional<Timestamp> login_feed;
  for (const auto& r : test::load_session("1.20.4")) {
    p.feed(r.direction, r.bytes, kStart + Micros{r.micros});
    REQUIRE_FALSE(p.out.close);
    if (first_index<session::PlayerLoggedIn>(p.out.events)) login_feed = p.now;
  }
  p.send(PacketKind::set_position_rotation_c2s, position_look(150));  // badpackets.pitch

  const auto logins = all_of<session::PlayerLoggedIn>(p.events);
  REQUIRE(logins.size() == 1);
  REQUIRE(login_feed);
  CHECK(logins[0].at == *login_feed);  // the time of the bytes that carried Login Success
  CHECK(logins[0].name == "fixture");
  CHECK(logins[0].protocol == kProtocol);
  REQUIRE(logins[0].uuid);
  CHECK(*logins[0].uuid == *p.session.tracker().identity().uuid);
  CHECK(logins[0].forwarded_address.empty());  // no Velocity forwarding in the recording

  const auto brands = all_of<session::ClientBrand>(p.events);
  REQUIRE(brands.size() == 1);
  CHECK_FALSE(brands[0].brand.empty());
  CHECK(brands[0].brand == p.session.tracker().identity().client_brand);
  CHECK(brands[0].at >= logins[0].at);

  const auto login_at = first_index<session::PlayerLoggedIn>(p.events);
  const auto first_violation = first_index<session::ViolationFound>(p.events);
  REQUIRE(first_violation);
  CHECK(*login_at < *first_violation);

  // The same brand again in play is no news; another one is.
  const std::string brand = brands[0].brand;
  p.send(PacketKind::custom_payload_c2s, brand_payload(brand));
  CHECK(p.out.events.empty());
  p.send(PacketKind::custom_payload_c2s, brand_payload("hacked-client"));
  REQUIRE(p.out.events.size() == 1);
  const auto* changed = std::get_if<session::ClientBrand>(&p.out.events[0]);
  REQUIRE(changed);
  CHECK(changed->brand == "hacked-client");
  CHECK(changed->at == p.now);
  CHECK(all_of<session::PlayerLoggedIn>(p.events).size() == 1);
}

// ---- the engine behind the session -----------------------------------------------

TEST_CASE("The engine judges on the feed's time and counts its transactions", "[session][engine]") {
  Player p;
  p.replay();
  // Every transaction the engine asked for went into the client's stream.
  const auto injected = p.session.counters(Direction::clientbound).injected;
  CHECK(injected > 0);
  CHECK(p.session.engine().transactions_sent() == injected);
  CHECK(p.session.engine().transactions_answered() == 0);  // the recorded client never saw them

  p.send(PacketKind::set_position_rotation_c2s, position_look(150));
  const auto raised = violations_in(p.out.events);
  REQUIRE_FALSE(raised.empty());
  for (const auto& v : raised) CHECK(v.time_ms == p.now.to_millis());

  // Two seconds later the client answers the first transaction: ping_ms is
  // measured from its send time (the time of an earlier feed) to this feed's.
  const auto* oldest = p.session.engine().context().transactions.oldest_pending();
  REQUIRE(oldest);
  const Timestamp sent_at = oldest->sent_at;
  CHECK(sent_at >= kStart);
  CHECK(sent_at < p.now);
  Bytes pong;
  protocol::Writer{pong}.i32(oldest->id);
  const Timestamp answer_at = p.now + millis(2'000);
  p.feed(Direction::serverbound, p.play_frame(PacketKind::pong_c2s, pong), answer_at);
  CHECK(p.session.engine().transactions_answered() == 1);
  CHECK(p.session.engine().context().ping_ms == Approx(millis_between(sent_at, answer_at)));
  for (const auto& v : violations_in(p.out.events)) {
    INFO(v.check << " " << v.type << " " << v.detail);
    CHECK(v.time_ms <= answer_at.to_millis());
  }
}

TEST_CASE("A check's cancel is stamped on its violation; a swallowed transaction answer is not",
          "[session][engine]") {
  Player p;
  p.replay();
  const auto dropped_before = p.session.counters(Direction::serverbound).dropped;

  // Pitch 150: badpackets.pitch flags with cancel_vl 1, so the packet is dropped.
  p.send(PacketKind::set_position_rotation_c2s, position_look(150));
  CHECK(p.out.to_server.empty());
  CHECK_FALSE(p.out.close);
  const auto raised = violations_in(p.out.events);
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].check == "badpackets.pitch");
  CHECK(has(raised[0].outcome, Outcome::cancel));
  CHECK(raised[0].cancelled == 1);
  CHECK(raised[0].count == 1);
  CHECK(p.session.counters(Direction::serverbound).dropped == dropped_before + 1);
  CHECK(p.session.engine().transactions_answered() == 0);

  // The client answers the first transaction: swallowed (the server never
  // sent it) and counted as an answer, but nobody's cancel.
  const auto* oldest = p.session.engine().context().transactions.oldest_pending();
  REQUIRE(oldest);
  Bytes pong;
  protocol::Writer{pong}.i32(oldest->id);
  p.send(PacketKind::pong_c2s, pong);
  CHECK_FALSE(p.out.close);
  CHECK(p.out.to_server.empty());
  CHECK(p.session.counters(Direction::serverbound).dropped == dropped_before + 2);
  CHECK(p.session.engine().transactions_answered() == 1);
  for (const auto& v : violations_in(p.out.events)) {
    INFO(v.check << " " << v.type << " " << v.detail);
    CHECK_FALSE(has(v.outcome, Outcome::cancel));
    CHECK(v.cancelled == 0);
  }
  p.finish();
  for (const auto& v : violations_in(p.out.events)) {
    INFO(v.check << " " << v.type << " " << v.detail);
    if (v.check != "badpackets.pitch") CHECK(v.cancelled == 0);
  }
}

TEST_CASE("A flood of cancelled packets is kicked, and its folded records still count every dropped packet",
          "[session][engine]") {
  Player p;
  p.replay();
  const auto dropped_before = p.session.counters(Direction::serverbound).dropped;
  const std::size_t events_before = p.events.size();

  // 100 looks with pitch 150 in one read: each is cancelled until the 51st
  // cancel within a second kicks.
  Bytes flood;
  for (int i = 0; i < 100; ++i) {
    const Bytes one = p.play_frame(PacketKind::set_rotation_c2s, look(150));
    flood.insert(flood.end(), one.begin(), one.end());
  }
  p.feed(Direction::serverbound, flood, p.now + millis(50));
  REQUIRE(p.out.close);
  CHECK(p.out.close->cause == session::CloseCause::hooks);
  CHECK(p.out.close->reason == "too many cancelled packets (51 in 1 s, limit 50)");
  CHECK(p.out.to_server.empty());
  // A limit of the engine kicked: the kick names no check, and comes last.
  REQUIRE_FALSE(p.out.events.empty());
  const auto* kicked = std::get_if<session::PlayerKicked>(&p.out.events.back());
  REQUIRE(kicked);
  CHECK(kicked->check.empty());
  CHECK(kicked->reason == p.out.close->reason);
  CHECK(kicked->at == p.now);
  CHECK(all_of<session::PlayerKicked>(p.out.events).size() == 1);
  CHECK(p.session.engine().transactions_answered() == 0);

  // The flags are folded: the rest of the records come out at finish().
  const auto dropped = p.session.counters(Direction::serverbound).dropped - dropped_before;
  CHECK(dropped == 50);
  p.finish();
  const Events flood_events(p.events.begin() + static_cast<std::ptrdiff_t>(events_before), p.events.end());
  std::uint64_t records = 0, flags = 0, cancelled = 0;
  for (const auto& v : violations_in(flood_events)) {
    INFO(v.check << " " << v.type << " " << v.detail);
    CHECK_FALSE(has(v.outcome, Outcome::kick));
    cancelled += v.cancelled;
    if (v.check != "badpackets.pitch") continue;
    ++records;
    flags += v.count;
    CHECK(v.cancelled == v.count);  // every pitch flag dropped its packet
    CHECK(has(v.outcome, Outcome::cancel));
  }
  CHECK(flags == 51);
  CHECK(records < flags);
  // Every packet that did not reach the server: the 50 dropped and the one
  // the kick was decided on (closed, never forwarded either).
  CHECK(cancelled == dropped + 1);

  // Closed: nothing more goes through, and no deadline is left.
  p.feed(Direction::serverbound, p.play_frame(PacketKind::set_rotation_c2s, look(0)), p.now + millis(50));
  CHECK(p.out.to_server.empty());
  CHECK(p.out.events.empty());
  CHECK_FALSE(p.session.next_deadline());
}

TEST_CASE("The packet-rate limit closes with CloseCause::hooks and a kick naming no check", "[session][engine]") {
  Player p;
  p.replay();
  // Swing Arm frames, which nobody inspects, 3,000 in one read: over the
  // 2,500 the bucket holds.
  Bytes bytes;
  for (int i = 0; i < 3'000; ++i) {
    Bytes swing;
    protocol::Writer{swing}.varint(0);
    const Bytes one = p.play_frame(PacketKind::swing_arm_c2s, swing);
    bytes.insert(bytes.end(), one.begin(), one.end());
  }
  p.feed(Direction::serverbound, bytes, p.now + millis(50));
  REQUIRE(p.out.close);
  CHECK(p.out.close->cause == session::CloseCause::hooks);
  CHECK(p.out.close->reason.rfind("too many packets (", 0) == 0);
  CHECK(p.out.close->reason.find("/s, limit 500)") != std::string::npos);
  REQUIRE(p.out.events.size() == 1);
  const auto* kicked = std::get_if<session::PlayerKicked>(&p.out.events[0]);
  REQUIRE(kicked);
  CHECK(kicked->check.empty());
  CHECK(kicked->reason == p.out.close->reason);
  CHECK(kicked->at == p.now);
  REQUIRE(p.session.engine().kick_reason());
  CHECK(*p.session.engine().kick_reason() == p.out.close->reason);
  CHECK_FALSE(p.session.next_deadline());
}

TEST_CASE("A check's kick comes out as its violation with Outcome::kick, then PlayerKicked with its key",
          "[session][engine]") {
  SECTION("on a packet") {
    auto config = std::make_shared<engine::EngineConfig>();
    config->get<checks::badpackets::PitchCheck>().limits.kick_vl = 1.5;  // the second flag (VL 1 decays a little)
    Player p{config};
    p.replay();
    // A yaw of its own each, as a client that turns: the same look twice is
    // aim.duplicate's, whose violation would then come last.
    p.send(PacketKind::set_position_rotation_c2s, position_look(150, 1));
    CHECK_FALSE(p.out.close);
    CHECK(all_of<session::PlayerKicked>(p.out.events).empty());
    p.send(PacketKind::set_position_rotation_c2s, position_look(150, 2));
    REQUIRE(p.out.close);
    CHECK(p.out.close->cause == session::CloseCause::hooks);
    CHECK(p.out.to_server.empty());

    const Events& e = p.out.events;
    REQUIRE(e.size() >= 2);
    const auto* kicked = std::get_if<session::PlayerKicked>(&e.back());
    REQUIRE(kicked);
    CHECK(kicked->check == "badpackets.pitch");
    CHECK(kicked->reason == p.out.close->reason);
    CHECK(kicked->at == p.now);
    const auto* found = std::get_if<session::ViolationFound>(&e[e.size() - 2]);
    REQUIRE(found);  // the violation that kicked, just before the kick
    CHECK(found->violation.check == "badpackets.pitch");
    CHECK(has(found->violation.outcome, Outcome::kick));
    CHECK(found->violation.vl >= 1.5);
    CHECK(found->violation.time_ms == p.now.to_millis());
    CHECK(all_of<session::PlayerKicked>(p.events).size() == 1);
  }
  SECTION("on a tick: a transaction left unanswered past the timeout") {
    Player p;
    p.replay();
    const auto* oldest = p.session.engine().context().transactions.oldest_pending();
    REQUIRE(oldest);
    const Timestamp sent_at = oldest->sent_at;
    const std::int64_t timeout_ms =
        engine::EngineConfig{}.get<checks::badpackets::TransactionCheck>().params.timeout_ms;
    p.advance(sent_at + millis(timeout_ms) + millis(1'000));
    REQUIRE(p.out.close);
    CHECK(p.out.close->cause == session::CloseCause::hooks);
    const Events& e = p.out.events;
    REQUIRE(e.size() >= 2);
    const auto* kicked = std::get_if<session::PlayerKicked>(&e.back());
    REQUIRE(kicked);
    CHECK(kicked->check == "badpackets.transaction");
    CHECK(kicked->reason == p.out.close->reason);
    const auto* found = std::get_if<session::ViolationFound>(&e[e.size() - 2]);
    REQUIRE(found);
    CHECK(found->violation.check == "badpackets.transaction");
    CHECK(found->violation.type == "timeout");
    CHECK(has(found->violation.outcome, Outcome::kick));
    // Flagged on the first tick past the timeout, at that tick's instant.
    CHECK(found->violation.time_ms >= (sent_at + millis(timeout_ms)).to_millis());
    CHECK(found->violation.time_ms < (sent_at + millis(timeout_ms) + millis(250)).to_millis());
    // The kick is at that instant too, not at the later advance() that ran the tick.
    CHECK(kicked->at.to_millis() == found->violation.time_ms);
    CHECK_FALSE(p.session.next_deadline());
  }
}

// ---- deadlines and ticks ---------------------------------------------------------

TEST_CASE("No deadline before play; in play one every 250 ms from the play start", "[session][deadline]") {
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    Player p;
    std::optional<Timestamp> play_start;
    for (const auto& r : test::load_session(version)) {
      const bool was_in_play = p.session.engine().context().in_play;
      if (!was_in_play) {
        CHECK_FALSE(p.session.next_deadline());
        p.advance(kStart + Micros{r.micros} + millis(3'600'000));  // an hour on: still nothing to do
        CHECK(p.out.events.empty());
        CHECK_FALSE(p.out.close);
      }
      p.feed(r.direction, r.bytes, kStart + Micros{r.micros});
      REQUIRE_FALSE(p.out.close);
      if (!p.session.engine().context().in_play) continue;
      const auto due = p.session.next_deadline();
      REQUIRE(due);
      if (!play_start) {
        play_start = p.now;  // play started during this feed
        CHECK(*due == p.now + millis(250));
        continue;
      }
      INFO("at +" << (p.now - kStart).count() << " us");
      CHECK((*due - *play_start).count() % millis(250).count() == 0);
      CHECK(*due > p.now);
      CHECK(*due <= p.now + millis(250));
    }
    REQUIRE(play_start);

    // advance() runs what is due and moves the deadline on by whole ticks.
    const Timestamp due = *p.session.next_deadline();
    p.advance(due - Micros{1});
    CHECK(*p.session.next_deadline() == due);
    p.advance(due);
    CHECK(*p.session.next_deadline() == due + millis(250));
    p.advance(due + millis(1'000) + Micros{1});
    CHECK(*p.session.next_deadline() == due + millis(1'250));
  }
}

TEST_CASE("Ticks run at their own instants: advanced every 250 ms or once, the same violations",
          "[session][deadline]") {
  // A timeout that falls 300 ms after the recording ends, flagging (not
  // kicking) on the tick that finds it; then a timer cheat.
  Player probe;
  probe.replay();
  const Timestamp end = probe.now;
  const auto* oldest = probe.session.engine().context().transactions.oldest_pending();
  REQUIRE(oldest);
  auto config = std::make_shared<engine::EngineConfig>();
  auto& transaction = config->get<checks::badpackets::TransactionCheck>();
  transaction.params.timeout_ms = static_cast<std::int64_t>(millis_between(oldest->sent_at, end + millis(300)));
  transaction.params.timeout_vl = 1;

  Player often{config}, once{config}, fed{config};
  for (Player* p : {&often, &once, &fed}) {
    p->replay();
    REQUIRE(p->now == end);
    // Timer: 40 movement packets in one read, far more than 50 ms of game
    // time each since the last movement.
    Bytes burst;
    for (int i = 0; i < 40; ++i) {
      const Bytes one = p->play_frame(PacketKind::set_rotation_c2s, look(0));
      burst.insert(burst.end(), one.begin(), one.end());
    }
    p->feed(Direction::serverbound, burst, end + millis(50));
    REQUIRE_FALSE(p->out.close);
  }
  CHECK(seen(violations_in(often.events)) == seen(violations_in(once.events)));
  CHECK(seen(violations_in(often.events)) == seen(violations_in(fed.events)));
  bool timer_flagged = false;
  for (const auto& v : violations_in(often.events)) timer_flagged = timer_flagged || v.check == "timer.balance";
  CHECK(timer_flagged);

  const Timestamp later = end + millis(1'050);
  // As the proxy's timer does: at every deadline until `later`.
  while (*often.session.next_deadline() <= later) {
    const Timestamp due = *often.session.next_deadline();
    often.advance(due);
    REQUIRE_FALSE(often.out.close);
  }
  often.advance(later);
  // As a replay may: once, at the time of the next bytes.
  once.advance(later);
  REQUIRE_FALSE(once.out.close);
  CHECK(*often.session.next_deadline() == *once.session.next_deadline());
  // Or with the next bytes themselves: feed() runs the due ticks first.
  const std::size_t before = fed.events.size();
  fed.feed(Direction::serverbound, fed.play_frame(PacketKind::set_rotation_c2s, look(150)), later);
  REQUIRE_FALSE(fed.out.close);
  CHECK(*fed.session.next_deadline() == *once.session.next_deadline());

  auto timeouts = [](const Events& events) {
    std::vector<Violation> found;
    for (auto& v : violations_in(events)) {
      if (v.check == "badpackets.transaction" && v.type == "timeout") found.push_back(v);
    }
    return found;
  };
  const auto ticked = timeouts(often.events);
  REQUIRE(ticked.size() == 1);
  // On the first tick past the timeout, whoever ran it and whenever.
  const std::int64_t tick_ms = ticked[0].time_ms;
  CHECK(tick_ms >= (end + millis(300)).to_millis());
  CHECK(tick_ms < (end + millis(550)).to_millis());
  // ... which lies on the 250 ms grid of the deadlines (time_ms is whole ms).
  const Timestamp next = often.session.engine().next_deadline().value();
  const auto ticks_back = (next - Timestamp::from_millis(tick_ms)).count() / millis(250).count();
  CHECK((next - millis(250) * ticks_back).to_millis() == tick_ms);
  CHECK(seen(timeouts(once.events)) == seen(ticked));
  CHECK(seen(timeouts(fed.events)) == seen(ticked));

  // In the fed session the tick's violation comes before the packet's.
  const Events last_feed(fed.events.begin() + static_cast<std::ptrdiff_t>(before), fed.events.end());
  const auto in_feed = violations_in(last_feed);
  REQUIRE(in_feed.size() >= 2);
  CHECK(in_feed.front().check == "badpackets.transaction");
  CHECK(in_feed.front().time_ms == tick_ms);
  CHECK(in_feed.back().check == "badpackets.pitch");
  CHECK(in_feed.back().time_ms == later.to_millis());

  // And the folded records still pending are the same too.
  often.finish();
  once.finish();
  CHECK(seen(violations_in(often.events)) == seen(violations_in(once.events)));
}

TEST_CASE("The host's lateness holds timing flags, and the held count comes out as an event", "[session][engine]") {
  // 50 ticks of looking around reach the core at once after a 2.5 s stall.
  const auto burst = [](Player& p) {
    Bytes bytes;
    for (int i = 0; i < 50; ++i) {
      const Bytes one = p.play_frame(PacketKind::set_rotation_c2s, look(10));
      bytes.insert(bytes.end(), one.begin(), one.end());
    }
    return bytes;
  };
  const auto timer_flags = [](const Events& events) {
    int n = 0;
    for (const auto& v : violations_in(events)) n += v.check == "timer.balance";
    return n;
  };

  Player unaware;
  unaware.replay();
  unaware.feed(Direction::serverbound, burst(unaware), unaware.now + millis(2'500));
  CHECK(timer_flags(unaware.out.events) >= 1);
  CHECK(all_of<session::TimingFlagsHeld>(unaware.events).empty());

  Player told;
  told.replay();
  const Timestamp at = told.now + millis(2'500);
  told.session.host_late(at, millis(2'500));
  told.feed(Direction::serverbound, burst(told), at);
  CHECK(timer_flags(told.out.events) == 0);
  const auto held = all_of<session::TimingFlagsHeld>(told.out.events);
  REQUIRE(held.size() == 1);
  CHECK(held[0].at == at);
  CHECK(held[0].count >= 1);
  CHECK(held[0].count == told.session.engine().timing_flags_held());
}

}  // namespace player_session_events_test
