#include <catch2/catch.hpp>

#include "../checks/engine_driver.hpp"
#include "rustguard/checks/api/violation_level.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace detection_engine_test {

using namespace rustguard;
using namespace rustguard::test;

TEST_CASE("engine: wants the packets it reads and nothing else", "[engine]") {
  Driver d(v::v1_21_4);
  const auto& e = d.engine;
  using protocol::Direction;
  CHECK(e.wants(Direction::serverbound, PacketKind::set_position_c2s));
  CHECK(e.wants(Direction::serverbound, PacketKind::pong_c2s));
  CHECK(e.wants(Direction::serverbound, PacketKind::client_tick_end_c2s));
  CHECK_FALSE(e.wants(Direction::serverbound, PacketKind::chat_message_c2s));
  CHECK(e.wants(Direction::clientbound, PacketKind::set_entity_velocity_s2c));
  CHECK(e.wants(Direction::clientbound, PacketKind::bundle_delimiter_s2c));
  CHECK_FALSE(e.wants(Direction::clientbound, PacketKind::chunk_data_s2c));
  CHECK_FALSE(e.wants(Direction::clientbound, protocol::kUnknownPacketKind));
}

TEST_CASE("engine: transactions bracket state changes but never land inside a bundle", "[engine]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  const auto plain = d.effect(0, 0);
  CHECK(plain.transaction_before);
  CHECK(plain.transaction_after);
  CHECK(*plain.transaction_before != *plain.transaction_after);
  const auto open = d.bundle();
  CHECK_FALSE(open.transaction_before);
  CHECK_FALSE(open.transaction_after);
  const auto inside = d.velocity(0.5, 0.3, 0);
  CHECK_FALSE(inside.transaction_before);
  CHECK_FALSE(inside.transaction_after);
  const auto close = d.bundle();
  CHECK_FALSE(close.transaction_before);
  CHECK(close.transaction_after);
  // An unrelated entity's velocity changes nothing.
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(kSelfId + 1).i16(100).i16(100).i16(100);
  const auto other = d.receive(PacketKind::set_entity_velocity_s2c, b);
  CHECK_FALSE(other.transaction_before);
}

TEST_CASE("engine: no heartbeat follows Start Configuration (the client reads configuration after it)",
          "[engine]") {
  for (const auto kind : {PacketKind::start_configuration_s2c, PacketKind::entity_relative_move_s2c}) {
    Driver d(v::v1_21_4);
    d.spawn_at(0, 64, 0);
    d.answer_all();
    d.advance_ms(5'000);  // past checks.engine.heartbeat_ms: the next packet would carry one
    std::vector<std::uint8_t> b;
    if (kind == PacketKind::entity_relative_move_s2c) protocol::Writer{b}.varint(kSelfId + 1).i16(0).i16(0).i16(0).boolean(true);
    const auto decision = d.receive(kind, b);
    INFO(protocol::name_of(kind));
    // A play Ping after Start Configuration could never be sent; the engine
    // would wait for its answer. Any other packet carries the heartbeat.
    CHECK(decision.transaction_after.has_value() == (kind != PacketKind::start_configuration_s2c));
  }
}

TEST_CASE("engine: malformed serverbound packets kick with a reason", "[engine]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  CHECK(d.send(PacketKind::set_position_c2s, {1, 2, 3}) == Verdict::kick);
  REQUIRE(d.engine.kick_reason());
  CHECK(d.engine.kick_reason()->find("set_position_c2s") != std::string::npos);
  Driver f(v::v1_21_4);
  f.spawn_at(0, 64, 0);
  CHECK(f.ground(true) == Verdict::pass);
  CHECK(f.send(PacketKind::set_movement_flags_c2s, {0x04}) == Verdict::kick);  // unknown flag bit
}

TEST_CASE("engine: violations carry identity, version, ping, and a VL that decays", "[engine]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.effect(0, 0);
  d.advance_ms(80);
  d.answer_all();
  d.rot(0, 120, true);
  REQUIRE(d.engine.violations().size() == 1);
  const auto& violation = d.engine.violations().back();
  CHECK(violation.player_name == "Steve");
  CHECK(violation.player_uuid == protocol::Uuid{0x1234, 0x5678});
  CHECK(violation.protocol_version == v::v1_21_4);
  CHECK(violation.ping_ms == 80);
  CHECK(violation.time_ms == d.now.to_millis());
  CHECK(violation.vl == 1);
  // Each with a yaw of its own: the same look twice is aim.duplicate's.
  d.rot(1, 120, true);
  CHECK(d.engine.violations().back().vl == 2);
  d.advance_ms(20'000);  // decay 0.05/s: one VL
  d.rot(2, 120, true);
  CHECK(d.engine.violations().back().vl == Approx(2.0));

  engine::ViolationLevel vl;
  CHECK(vl.add(5, Timestamp{0}, 1) == 5);
  CHECK(vl.value(Timestamp::from_millis(2000), 1) == Approx(3));
  CHECK(vl.value(Timestamp::from_millis(20000), 1) == 0);
}

namespace {

// A heavy check that flags every rotation, to observe the suspicion gate.
class HeavyProbe {
 public:
  static constexpr engine::CheckInfo kInfo{"test.heavy", "Heavy", "probe", engine::CostClass::heavy, {}};
  static constexpr std::array kReads{PacketKind::set_rotation_c2s};
  struct Params {};
  engine::Verdict on(const context::MoveSample&, const context::PlayerContext&,
                     const engine::CheckSettings<HeavyProbe>& s, engine::Reporter& r) {
    return r.flag(kInfo, s.limits, vl_, "ran", 0, "heavy check ran");
  }

 private:
  engine::ViolationLevel vl_;
};

using ProbeChecks = engine::CheckList<checks::badpackets::PitchCheck, HeavyProbe>;
using ProbeEngine = engine::BasicDetectionEngine<ProbeChecks>;

}  // namespace

TEST_CASE("engine: heavy checks run only while the player is suspicious; disabled checks never", "[engine]") {
  auto config = std::make_shared<ProbeEngine::Config>();
  config->engine.suspicion_gate = 3;
  ProbeEngine e(config);
  protocol::ConnectionTracker tracker;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(v::v1_21_4).string("h").u16(1).varint(2);
  (void)tracker.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, b);
  Timestamp now{1'000'000};
  e.on_connection_start(tracker, now);
  e.on_play_start(now);
  auto rotation = [&](float pitch) {
    std::vector<std::uint8_t> body;
    protocol::Writer{body}.f32(0).f32(pitch).u8(1);
    return e.on_serverbound(PacketKind::set_rotation_c2s, body, now);
  };
  auto heavy_runs = [&] {
    std::size_t n = 0;
    for (const auto& violation : e.violations()) n += violation.check == "test.heavy";
    return n;
  };
  rotation(0);
  CHECK(heavy_runs() == 0);
  for (int i = 0; i < 3; ++i) rotation(100);  // three pitch flags: suspicion 3
  rotation(0);
  CHECK(heavy_runs() >= 1);
  // Suspicion halves every 30 s.
  now += millis(120'000);
  const auto before = heavy_runs();
  rotation(0);
  CHECK(heavy_runs() == before);

  auto off = std::make_shared<ProbeEngine::Config>();
  off->get<checks::badpackets::PitchCheck>().limits.enabled = false;
  ProbeEngine quiet(off);
  quiet.on_connection_start(tracker, now);
  quiet.on_play_start(now);
  std::vector<std::uint8_t> body;
  protocol::Writer{body}.f32(0).f32(150).u8(1);
  CHECK(quiet.on_serverbound(PacketKind::set_rotation_c2s, body, now) == Verdict::pass);
  CHECK(quiet.violations().empty());
}

TEST_CASE("engine: a violation leaves stamped with what its flag did", "[engine][outcome]") {
  auto cfg = std::make_shared<engine::EngineConfig>();
  auto& pitch = cfg->get<checks::badpackets::PitchCheck>().limits;
  pitch.alert_vl = 2;
  pitch.cancel_vl = 1;
  pitch.kick_vl = 3;
  Driver d(v::v1_21_4, cfg);
  d.spawn_at(0, 64, 0);
  d.engine.violations().clear();
  // A yaw of its own each (the same look twice is aim.duplicate's).
  CHECK(d.rot(0, 150, true) == Verdict::cancel);  // VL 1: cancelled, no alert yet
  CHECK(d.rot(1, 150, true) == Verdict::cancel);  // VL 2: cancelled and an alert
  CHECK(d.rot(2, 150, true) == Verdict::kick);    // VL 3: the kick
  const auto& rows = d.engine.violations();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].outcome == Outcome::cancel);
  CHECK(rows[0].cancelled == 1);
  CHECK(rows[1].outcome == (Outcome::cancel | Outcome::alert));
  CHECK(has(rows[2].outcome, Outcome::kick));
  CHECK(d.engine.kick_check() == "badpackets.pitch");

  // Below every threshold: nothing was done.
  auto high = std::make_shared<engine::EngineConfig>();
  high->get<checks::badpackets::PitchCheck>().limits.alert_vl = 100;
  Driver quiet(v::v1_21_4, high);
  quiet.spawn_at(0, 64, 0);
  quiet.engine.violations().clear();
  quiet.rot(0, 150, true);
  REQUIRE(quiet.engine.violations().size() == 1);
  const Violation& v = quiet.engine.violations()[0];
  CHECK(v.vl < quiet.config->get<checks::badpackets::PitchCheck>().limits.alert_vl);
  CHECK_FALSE(has(v.outcome, Outcome::alert));
  CHECK_FALSE(has(v.outcome, Outcome::kick));
  // A limit of the engine kicks with no check to blame.
  CHECK(quiet.send(PacketKind::set_position_c2s, {1, 2, 3}) == Verdict::kick);
  CHECK(quiet.engine.kick_check().empty());
}

TEST_CASE("engine: ticks fall every 250 ms from the start of play, whenever advance() is called", "[engine][deadline]") {
  const auto cfg = std::make_shared<engine::EngineConfig>();
  engine::DetectionEngine idle(cfg);
  CHECK_FALSE(idle.next_deadline());  // nothing to do before play
  const Timestamp start = Timestamp::from_millis(1'700'000'000'000);

  // One engine advanced every 10 ms, one advanced once after 2 s: the same
  // ticks at the same instants, so the same transaction timeouts and flags.
  Driver often(v::v1_21_4, nullptr, engine::EngineMode::originate, true);
  Driver once(v::v1_21_4, nullptr, engine::EngineMode::originate, true);
  for (Driver* d : {&often, &once}) {
    d->now = start;
    d->engine.on_play_start(start);
    d->effect(1, 0);  // two transactions nobody will answer
  }
  REQUIRE(often.engine.next_deadline());
  CHECK(*often.engine.next_deadline() == start + millis(250));
  // Past the 60 s transaction timeout, which kicks (and stops the ticks).
  for (int ms = 10; ms <= 61'000; ms += 10) often.engine.advance(start + millis(ms));
  once.engine.advance(start + millis(61'000));
  CHECK(*often.engine.next_deadline() == *once.engine.next_deadline());
  CHECK(often.engine.kick_reason() == once.engine.kick_reason());
  REQUIRE(often.engine.kick_reason());  // the unanswered transactions timed out on a tick
  often.engine.finish();
  once.engine.finish();
  REQUIRE(often.engine.violations().size() == once.engine.violations().size());
  for (std::size_t i = 0; i < often.engine.violations().size(); ++i) {
    CHECK(often.engine.violations()[i].time_ms == once.engine.violations()[i].time_ms);
    CHECK(often.engine.violations()[i].check == once.engine.violations()[i].check);
  }
}

}  // namespace detection_engine_test
