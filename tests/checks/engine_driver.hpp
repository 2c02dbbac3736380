#pragma once
// Test driver: one player connection in front of a DetectionEngine, fed
// through the engine contract only (wants / on_serverbound / on_clientbound /
// on_tick). Builds packet bodies with protocol::Writer in each version's
// layout, answers the engine's transactions like a client, and simulates
// vanilla movement physics to produce legitimate moves.

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::test {

namespace v = protocol::v;
using protocol::PacketKind;
using engine::Verdict;

inline constexpr std::int32_t kSelfId = 42;

class Driver {
 public:
  // The check tests count flags, so unless `fold` is set every flag is a
  // record of its own here (folding has its own tests: violation_folding_test).
  explicit Driver(std::int32_t protocol_version, std::shared_ptr<engine::EngineConfig> cfg = nullptr,
                  engine::EngineMode mode = engine::EngineMode::originate, bool fold = false)
      : pv(protocol_version),
        config(cfg ? std::move(cfg) : std::make_shared<engine::EngineConfig>()),
        engine(fold ? config : record_every_flag(config), mode) {
    std::vector<std::uint8_t> b;
    protocol::Writer{b}.varint(pv).string("localhost").u16(25565).varint(2);
    (void)tracker.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, b);
    b.clear();
    protocol::Writer w{b};
    w.string("Steve");
    if (pv >= v::v1_20_2) w.uuid({0x1234, 0x5678});
    (void)tracker.on_packet(protocol::Direction::serverbound, PacketKind::login_start_c2s, b);
    engine.on_connection_start(tracker, now);
    engine.on_play_start(now);
    login();
  }

  // --- time ---
  void advance_ms(double ms) {
    now += Micros{static_cast<std::int64_t>(ms * 1000)};
    engine.on_tick(now);
  }

  // --- serverbound ---
  Verdict send(PacketKind kind, const std::vector<std::uint8_t>& body) {
    if (!engine.wants(protocol::Direction::serverbound, kind)) return Verdict::pass;
    return engine.on_serverbound(kind, body, now);
  }
  Verdict pos(double x, double y, double z, bool on_ground) {
    auto b = body();
    protocol::Writer{b}.f64(x).f64(y).f64(z);
    flags(b, on_ground);
    return send(PacketKind::set_position_c2s, b);
  }
  Verdict pos_rot(double x, double y, double z, float yaw, float pitch, bool on_ground) {
    auto b = body();
    protocol::Writer{b}.f64(x).f64(y).f64(z).f32(yaw).f32(pitch);
    flags(b, on_ground);
    return send(PacketKind::set_position_rotation_c2s, b);
  }
  Verdict rot(float yaw, float pitch, bool on_ground) {
    auto b = body();
    protocol::Writer{b}.f32(yaw).f32(pitch);
    flags(b, on_ground);
    return send(PacketKind::set_rotation_c2s, b);
  }
  Verdict ground(bool on_ground) {
    auto b = body();
    flags(b, on_ground);
    return send(PacketKind::set_movement_flags_c2s, b);
  }
  // Confirms the server's teleport `id` the way the client does: by the id
  // it received, which is the engine's own when it rewrote it (setbacks on;
  // engine/setbacks.hpp). An id the server never sent goes as it is.
  Verdict confirm(std::int32_t id) {
    auto b = body();
    const auto seen = client_teleport_ids_.find(id);
    protocol::Writer{b}.varint(seen != client_teleport_ids_.end() ? seen->second : id);
    return send(PacketKind::confirm_teleport_c2s, b);
  }
  // Confirms exactly `client_id`, the id a teleport of the engine carried.
  Verdict confirm_as_seen(std::int32_t client_id) {
    auto b = body();
    protocol::Writer{b}.varint(client_id);
    return send(PacketKind::confirm_teleport_c2s, b);
  }
  Verdict held(std::int16_t slot) {
    auto b = body();
    protocol::Writer{b}.i16(slot);
    return send(PacketKind::set_held_item_c2s, b);
  }
  Verdict attack(std::int32_t entity) {
    auto b = body();
    if (pv >= v::v26_1) {
      protocol::Writer{b}.varint(entity);
      return send(PacketKind::attack_c2s, b);
    }
    protocol::Writer w{b};
    w.varint(entity).varint(1);
    if (pv >= v::v1_16) w.boolean(false);
    return send(PacketKind::interact_c2s, b);
  }
  enum class Command { start_sneak, stop_sneak, start_sprint, stop_sprint, start_glide };
  Verdict command(Command c) {
    int index = 0;
    if (pv >= v::v1_21_6) {
      index = c == Command::start_sprint ? 1 : c == Command::stop_sprint ? 2 : c == Command::start_glide ? 6 : -1;
    } else {
      index = c == Command::start_sneak ? 0 : c == Command::stop_sneak ? 1 : c == Command::start_sprint ? 3
            : c == Command::stop_sprint ? 4 : 8;
    }
    auto b = body();
    protocol::Writer{b}.varint(kSelfId).varint(index).varint(0);
    return send(PacketKind::player_command_c2s, b);
  }
  Verdict abilities_c2s(bool flying) {
    auto b = body();
    protocol::Writer w{b};
    w.u8(flying ? 0x02 : 0x00);
    if (pv < v::v1_16) w.f32(0.05f).f32(0.1f);
    return send(PacketKind::player_abilities_c2s, b);
  }
  Verdict tick_end() { return send(PacketKind::client_tick_end_c2s, {}); }
  // Answer to a transaction (Pong 1.17+, Window Confirmation before).
  Verdict answer(std::int32_t id) {
    auto b = body();
    if (protocol::has_ping_pong(pv)) {
      protocol::Writer{b}.i32(id);
      return send(PacketKind::pong_c2s, b);
    }
    protocol::Writer{b}.i8(0).i16(static_cast<std::int16_t>(id)).boolean(true);
    return send(PacketKind::window_confirmation_c2s, b);
  }
  // Answers every transaction the engine asked for so far, in order.
  void answer_all() {
    for (const auto id : unanswered) answer(id);
    unanswered.clear();
  }

  // --- clientbound ---
  engine::ClientboundDecision receive(PacketKind kind, const std::vector<std::uint8_t>& body) {
    if (!engine.wants(protocol::Direction::clientbound, kind)) return {};
    auto d = engine.on_clientbound(kind, body, now);
    if (d.transaction_before) unanswered.push_back(*d.transaction_before);
    if (d.transaction_after) unanswered.push_back(*d.transaction_after);
    // A teleport the engine forwards with an id of its own: the client will
    // confirm that one (see confirm()).
    if (const auto& r = engine.rewrite().replacement; r && kind == PacketKind::sync_player_position_s2c) {
      const auto sent = protocol::packets::SyncPlayerPositionS2c::decode(body, pv);
      const auto seen = protocol::packets::SyncPlayerPositionS2c::decode(*r, pv);
      if (sent && seen) client_teleport_ids_[sent->teleport_id] = seen->teleport_id;
    }
    return d;
  }
  engine::ClientboundDecision effect(std::int32_t effect_id, std::int32_t amplifier) {
    auto b = body();
    protocol::Writer w{b};
    w.varint(kSelfId);
    const std::int32_t wire = pv < v::v1_20_2 ? effect_id + 1 : effect_id;
    if (pv < v::v1_18_2) w.i8(static_cast<std::int8_t>(wire)); else w.varint(wire);
    if (pv >= v::v1_20_5) w.varint(amplifier); else w.i8(static_cast<std::int8_t>(amplifier));
    w.varint(600);
    if (pv < v::v1_9) w.boolean(false); else w.u8(0x02);
    if (pv >= v::v1_19 && pv < v::v1_20_5) w.boolean(false);
    return receive(PacketKind::entity_effect_s2c, b);
  }
  engine::ClientboundDecision velocity(double vx, double vy, double vz) {
    auto b = body();
    protocol::Writer{b}.varint(kSelfId)
        .i16(static_cast<std::int16_t>(vx * 8000)).i16(static_cast<std::int16_t>(vy * 8000))
        .i16(static_cast<std::int16_t>(vz * 8000));
    return receive(PacketKind::set_entity_velocity_s2c, b);
  }
  engine::ClientboundDecision teleport(double x, double y, double z, std::int32_t id) {
    auto b = body();
    protocol::Writer w{b};
    if (pv >= v::v1_21_2) {
      w.varint(id).f64(x).f64(y).f64(z).f64(0).f64(0).f64(0).f32(0).f32(0).i32(0);
    } else {
      w.f64(x).f64(y).f64(z).f32(0).f32(0).u8(0);
      if (pv >= v::v1_9) w.varint(id);
      if (pv >= v::v1_17 && pv < v::v1_19_4) w.boolean(false);
    }
    return receive(PacketKind::sync_player_position_s2c, b);
  }
  engine::ClientboundDecision abilities_s2c(bool flying, bool may_fly, float fly_speed = 0.05f) {
    auto b = body();
    protocol::Writer{b}.u8(static_cast<std::uint8_t>((flying ? 0x02 : 0) | (may_fly ? 0x04 : 0))).f32(fly_speed).f32(0.1f);
    return receive(PacketKind::player_abilities_s2c, b);
  }
  engine::ClientboundDecision game_mode(int mode) {
    auto b = body();
    protocol::Writer{b}.u8(3).f32(static_cast<float>(mode));
    return receive(PacketKind::game_event_s2c, b);
  }
  engine::ClientboundDecision health(int food) {
    auto b = body();
    protocol::Writer{b}.f32(20).varint(food).f32(5);
    return receive(PacketKind::set_health_s2c, b);
  }
  engine::ClientboundDecision bundle() { return receive(PacketKind::bundle_delimiter_s2c, {}); }
  engine::ClientboundDecision respawn() {
    auto b = body();
    protocol::Writer w{b};
    if (pv >= v::v1_20_5) {
      spawn_info(w);
      w.u8(0);
    } else if (pv < v::v1_16) {
      w.i32(0);
      if (pv < v::v1_14) w.u8(1);
      w.u8(0).string("default");
    } else {
      return {};
    }
    return receive(PacketKind::respawn_s2c, b);
  }

  // Server teleport, confirmed and answered the way vanilla does.
  void spawn_at(double x, double y, double z) {
    const std::int32_t id = ++teleport_ids_;
    teleport(x, y, z, id);
    if (protocol::has_teleport_confirm(pv)) confirm(id);
    pos_rot(x, y, z, 0, 0, false);
    answer_all();
    advance_ms(50);
  }

  // --- results ---
  std::size_t count(std::string_view check) const {
    std::size_t n = 0;
    for (const auto& violation : engine.violations()) n += violation.check == check;
    return n;
  }
  std::size_t count(std::string_view check, std::string_view type) const {
    std::size_t n = 0;
    for (const auto& violation : engine.violations()) n += violation.check == check && violation.type == type;
    return n;
  }
  double max_vl(std::string_view check) const {
    double m = 0;
    for (const auto& violation : engine.violations()) {
      if (violation.check == check && violation.vl > m) m = violation.vl;
    }
    return m;
  }
  std::string describe() const {
    std::string s;
    for (const auto& violation : engine.violations()) {
      s += violation.check + "/" + violation.type + " vl=" + std::to_string(violation.vl) + " " + violation.detail + "\n";
    }
    return s;
  }

  std::int32_t pv;
  std::shared_ptr<engine::EngineConfig> config;
  protocol::ConnectionTracker tracker;
  engine::DetectionEngine engine;
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  std::vector<std::int32_t> unanswered;

 private:
  static std::shared_ptr<engine::EngineConfig> record_every_flag(std::shared_ptr<engine::EngineConfig> cfg) {
    cfg->engine.violation_row_interval_ms = 0;
    cfg->engine.max_violation_rows_per_minute = 0;
    return cfg;
  }
  static std::vector<std::uint8_t> body() { return {}; }
  void flags(std::vector<std::uint8_t>& b, bool on_ground) const {
    protocol::Writer{b}.u8(on_ground ? 1 : 0);  // a bool before 1.21.2, bit 0 of the flags byte after
  }
  void spawn_info(protocol::Writer& w) const {
    w.varint(0).string("minecraft:overworld").i64(0).u8(0).u8(0xFF).u8(0).u8(0).boolean(false).varint(0);
    if (pv >= v::v1_21_2) w.varint(63);
  }
  void login() {
    auto b = body();
    protocol::Writer w{b};
    w.i32(kSelfId);
    if (pv >= v::v1_20_5) {
      w.boolean(false).varint(1).string("minecraft:overworld").varint(20).varint(10).varint(10).u8(0).u8(1).u8(0);
      spawn_info(w);
      w.boolean(false);
    } else if (pv < v::v1_16) {
      w.u8(0);
      if (pv < v::v1_9_1) w.i8(0); else w.i32(0);
      if (pv >= v::v1_15) w.i64(0);
      if (pv < v::v1_14) w.u8(1);
      w.u8(20).string("default");
      if (pv >= v::v1_14) w.varint(10);
      w.boolean(false);
      if (pv >= v::v1_15) w.boolean(true);
    }
    receive(PacketKind::login_play_s2c, b);
  }
  std::int32_t teleport_ids_ = 0;
  std::map<std::int32_t, std::int32_t> client_teleport_ids_;  // server id -> the id the client saw
};

// Vanilla movement of one player on flat ground (LivingEntity.travel, reduced
// to the straight-line case the tests need): the legitimate client.
struct VanillaMover {
  double x = 0, y = 64, z = 0;
  double vx = 0, vy = 0, vz = 0;
  bool on_ground = true;
  double ground_y = 64;
  double movement_speed = 0.1;  // attribute
  int speed_level = 0;
  int jump_boost = 0;
  bool sprinting = true;
  double slipperiness = 0.6;
  double direction = 0;  // radians, 0 = +x

  void apply_velocity(double nx, double ny, double nz) { vx = nx; vy = ny; vz = nz; }

  void tick(bool forward, bool jump) {
    const bool was_on_ground = on_ground;
    if (jump && was_on_ground) {
      vy = 0.42 + 0.1 * jump_boost;
      if (sprinting) {
        vx += 0.2 * std::cos(direction);
        vz += 0.2 * std::sin(direction);
      }
    }
    double speed = movement_speed * (1 + 0.2 * speed_level) * (sprinting ? 1.3 : 1.0);
    const double accel = was_on_ground ? speed * (0.21600002 / (slipperiness * slipperiness * slipperiness))
                                       : (sprinting ? 0.026 : 0.02);
    if (forward) {
      vx += accel * 0.98 * std::cos(direction);
      vz += accel * 0.98 * std::sin(direction);
    }
    x += vx;
    y += vy;
    z += vz;
    if (y <= ground_y) {
      y = ground_y;
      on_ground = vy <= 0;
      vy = 0;
    } else {
      on_ground = false;
    }
    const double friction = was_on_ground ? slipperiness * 0.91 : 0.91;
    vx *= friction;
    vz *= friction;
    vy = (vy - 0.08) * 0.98;
  }
};

// Deterministic jitter for timing tests (a fixed-seed LCG).
class Jitter {
 public:
  explicit Jitter(std::uint32_t seed) : state_(seed) {}
  // Uniform in [-range, range].
  double next(double range) {
    state_ = state_ * 1664525u + 1013904223u;
    return (static_cast<double>(state_ >> 8) / 16777216.0 * 2 - 1) * range;
  }

 private:
  std::uint32_t state_;
};

}  // namespace rustguard::test
