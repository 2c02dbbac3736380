// Dispatch from types: which kinds the engine wants comes from the packet
// structs, the context updaters and the checks' declarations; a check may
// read clientbound packets; a check reading a kind nothing decodes is caught
// at compile time.

#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <set>
#include <vector>

#include "../checks/engine_driver.hpp"
#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_list.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/engine/check_chain.hpp"
#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/packets/play/entity_status_s2c.hpp"
#include "rustguard/protocol/packets/play/set_entity_velocity_s2c.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace dispatch_test {

using namespace rustguard;
using namespace rustguard::test;
using protocol::Direction;

namespace {

std::set<PacketKind> wanted(const engine::DetectionEngine& e, Direction d) {
  std::set<PacketKind> out;
  for (std::size_t k = 0; k < protocol::kPacketKindCount; ++k) {
    if (e.wants(d, static_cast<PacketKind>(k))) out.insert(static_cast<PacketKind>(k));
  }
  return out;
}

// A test check (not in the default chain) that reads two clientbound packets:
// one no updater follows, and the player's own velocity, which lag
// compensation records before any check sees it.
class ClientboundProbe {
 public:
  static constexpr engine::CheckInfo kInfo{"test.clientbound", "Clientbound probe", "probe", engine::CostClass::cheap,
                                           {.alert_vl = 1, .kick_vl = 2}};
  static constexpr std::array kReadsClientbound{PacketKind::entity_status_s2c, PacketKind::set_entity_velocity_s2c};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<ClientboundProbe>;

  engine::Verdict on(const protocol::packets::EntityStatusS2c& p, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    statuses.push_back(p.status);
    return r.flag(kInfo, s.limits, vl_, "status", 1, "entity status " + std::to_string(p.status));
  }
  engine::Verdict on(const protocol::packets::SetEntityVelocityS2c& p, const context::PlayerContext& ctx,
                     const Settings&, engine::Reporter&) {
    velocities.push_back(p.velocity.y);
    // Lag compensation already opened the change (its transaction before).
    knockback_recorded.push_back(ctx.knockback.upward_allowance(ctx.transactions.issued_seq()) > 0);
    return engine::Verdict::pass;
  }

  std::vector<int> statuses;
  std::vector<double> velocities;
  std::vector<bool> knockback_recorded;

 private:
  engine::ViolationLevel vl_;
};

using ProbeChecks = engine::CheckList<checks::badpackets::PitchCheck, ClientboundProbe>;
using ProbeEngine = engine::BasicDetectionEngine<ProbeChecks>;

// Reads a kind no struct of DecodedServerbound decodes (a status-state packet),
// and one reads a clientbound kind as if it were serverbound.
struct ReadsUndecoded {
  static constexpr std::array kReads{PacketKind::status_request_c2s};
};
struct ReadsWrongDirection {
  static constexpr std::array kReads{PacketKind::set_entity_velocity_s2c};
};
struct ReadsClientboundAsServerbound {
  static constexpr std::array kReadsClientbound{PacketKind::set_position_c2s};
};
// The engine's static_assert (CheckChain<...>) is this predicate: these would not compile.
static_assert(!engine::reads_only_decoded<ReadsUndecoded>());
static_assert(!engine::reads_only_decoded<ReadsWrongDirection>());
static_assert(!engine::reads_only_decoded<ReadsClientboundAsServerbound>());
static_assert(engine::reads_only_decoded<ClientboundProbe>());
static_assert(engine::reads_only_decoded<checks::badpackets::PitchCheck>());

}  // namespace

TEST_CASE("dispatch: the default engine wants exactly the kinds its checks, updaters and readings need",
          "[engine][dispatch]") {
  using K = PacketKind;
  const std::set<K> serverbound{K::set_position_c2s,       K::set_position_rotation_c2s, K::set_rotation_c2s,
                                K::set_movement_flags_c2s, K::confirm_teleport_c2s,      K::pong_c2s,
                                K::window_confirmation_c2s, K::set_held_item_c2s,        K::player_command_c2s,
                                K::player_abilities_c2s,   K::interact_c2s,              K::attack_c2s,
                                K::client_tick_end_c2s,
                                // clicks for the autoclicker checks (arm swings; digging and using swing too)
                                K::swing_arm_c2s,          K::player_action_c2s,         K::use_item_on_c2s,
                                K::use_item_c2s};
  const std::set<K> clientbound{
      K::login_play_s2c,           K::respawn_s2c,           K::game_event_s2c,        K::player_abilities_s2c,
      K::entity_effect_s2c,        K::remove_entity_effect_s2c, K::update_attributes_s2c, K::set_health_s2c,
      K::set_entity_velocity_s2c,  K::explosion_s2c,         K::sync_player_position_s2c, K::set_passengers_s2c,
      K::attach_entity_s2c,  // riding on 1.8 (a leash from 1.9, decoded and ignored)
      K::ping_s2c,                 K::window_confirmation_s2c, K::bundle_delimiter_s2c,  K::keep_alive_s2c,
      K::entity_relative_move_s2c, K::entity_move_rotation_s2c, K::entity_teleport_s2c,  K::entity_position_sync_s2c,
      // the entity tracker (engine/entity_tracking.hpp)
      K::spawn_entity_s2c,         K::spawn_living_entity_s2c, K::spawn_player_s2c,     K::remove_entities_s2c,
      K::start_configuration_s2c,
      // server rotations, which the aim checks do not judge (checks/api/looks.hpp)
      K::player_rotation_s2c};

  Driver live(v::v1_21_4);
  CHECK(wanted(live.engine, Direction::serverbound) == serverbound);
  CHECK(wanted(live.engine, Direction::clientbound) == clientbound);

  // Observe mode also reads the client's keep-alive answers (receipts).
  Driver replay(v::v1_21_4, nullptr, engine::EngineMode::observe);
  auto observed = serverbound;
  observed.insert(K::keep_alive_c2s);
  CHECK(wanted(replay.engine, Direction::serverbound) == observed);
  CHECK(wanted(replay.engine, Direction::clientbound) == clientbound);

  // Nothing is decoded for a kind it does not want: a malformed keep-alive
  // answer passes in originate mode, as it always did.
  CHECK(live.engine.on_serverbound(K::keep_alive_c2s, std::vector<std::uint8_t>{1}, live.now) == Verdict::pass);
  CHECK_FALSE(live.engine.kick_reason());
}

TEST_CASE("dispatch: a check's clientbound reads reach it through on(), after lag compensation",
          "[engine][dispatch]") {
  auto config = std::make_shared<ProbeEngine::Config>();
  config->engine.violation_row_interval_ms = 0;
  ProbeEngine e(config);
  protocol::ConnectionTracker tracker;
  std::vector<std::uint8_t> hs;
  protocol::Writer{hs}.varint(v::v1_21_4).string("probe").u16(25565).varint(2);
  (void)tracker.on_packet(Direction::serverbound, PacketKind::intention_c2s, hs);
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  e.on_connection_start(tracker, now);
  e.on_play_start(now);
  std::vector<std::uint8_t> login;
  protocol::Writer lw{login};
  lw.i32(kSelfId).boolean(false).varint(1).string("minecraft:overworld").varint(20).varint(10).varint(10);
  lw.u8(0).u8(1).u8(0).varint(0).string("minecraft:overworld").i64(0).u8(0).u8(0xFF).u8(0).u8(0);
  lw.boolean(false).varint(0).varint(63).boolean(false);
  (void)e.on_clientbound(PacketKind::login_play_s2c, login, now);
  REQUIRE(e.context().entity_id == kSelfId);

  // entity_status_s2c is wanted only because the probe reads it.
  CHECK(e.wants(Direction::clientbound, PacketKind::entity_status_s2c));
  Driver plain(v::v1_21_4);
  CHECK_FALSE(plain.engine.wants(Direction::clientbound, PacketKind::entity_status_s2c));

  std::vector<std::uint8_t> status;
  protocol::Writer{status}.i32(kSelfId).i8(9);
  (void)e.on_clientbound(PacketKind::entity_status_s2c, status, now);
  const auto& probe = e.check<ClientboundProbe>();
  REQUIRE(probe.statuses.size() == 1);
  CHECK(probe.statuses[0] == 9);
  REQUIRE(e.violations().size() == 1);
  CHECK(e.violations()[0].check == "test.clientbound");
  CHECK(e.violations()[0].type == "status");
  CHECK(e.violations()[0].cancelled == 0);  // a clientbound packet is never dropped

  std::vector<std::uint8_t> velocity;
  protocol::Writer{velocity}.varint(kSelfId).i16(0).i16(4000).i16(0);
  const auto d = e.on_clientbound(PacketKind::set_entity_velocity_s2c, velocity, now);
  CHECK(d.transaction_before);
  CHECK(d.transaction_after);
  REQUIRE(probe.velocities.size() == 1);
  CHECK(probe.velocities[0] == Approx(0.5));
  CHECK(probe.knockback_recorded[0]);

  // A malformed clientbound packet reaches no check (and kicks nobody).
  (void)e.on_clientbound(PacketKind::entity_status_s2c, std::vector<std::uint8_t>{1, 2}, now);
  CHECK(probe.statuses.size() == 1);

  // Its kick threshold applies as for any check: the flag that reaches it kicks.
  (void)e.on_clientbound(PacketKind::entity_status_s2c, status, now);
  REQUIRE(e.kick_reason());
  CHECK(e.kick_check() == "test.clientbound");
}

}  // namespace dispatch_test
