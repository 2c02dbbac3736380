#pragma once
// `rustguard-loadgen --self-check`: every packet body the load generator
// writes (packets.hpp), for every protocol version the core supports, decoded
// with the core's own decoder and compared with what was meant. A mismatch
// here is a load generator that would be kicked (or, worse, misread) by
// RustGuard for its encoding rather than for its behaviour.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/latency.hpp"
#include "loadgen/packets.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"

namespace rustguard::loadgen {

class SelfCheck {
 public:
  // Returns the failures, one line each; empty when every version passes.
  std::vector<std::string> run() {
    for (const auto& version : protocol::supported_versions()) check_version(version);
    check_histogram_export();
    return failures_;
  }
  std::size_t checks() const noexcept { return checks_; }

 private:
  template <class Result>
  bool decoded(const Result& r, std::int32_t protocol, const char* what) {
    ++checks_;
    if (r) return true;
    failures_.push_back(std::to_string(protocol) + " " + what + ": " + r.error().message());
    return false;
  }
  void expect(bool ok, std::int32_t protocol, const char* what) {
    ++checks_;
    if (!ok) failures_.push_back(std::to_string(protocol) + " " + what + ": decoded value differs");
  }
  void has(const protocol::VersionInfo& version, PacketKind kind) {
    ++checks_;
    if (!version.has(kind)) {
      failures_.push_back(std::to_string(version.protocol()) + " has no id for " +
                          std::string(protocol::name_of(kind)));
    }
  }

  // The buckets the JSON line carries (report.hpp), read the way
  // load_bench.mjs reads a pool of them, give the histogram's own quantiles:
  // the bench's pooled figures mean what a single run's mean.
  void check_histogram_export() {
    LatencyHistogram h;
    for (std::uint64_t v = 0; v < 3000; ++v) h.add(v % 97);
    for (std::uint64_t v = 1; v < 200000; v = v * 3 / 2 + 1) h.add(v);
    h.add(4'000'000);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets;
    h.for_each_bucket([&](std::uint64_t edge, std::uint64_t count) { buckets.emplace_back(edge, count); });
    std::uint64_t total = 0;
    for (const auto& [edge, count] : buckets) total += count;
    ++checks_;
    if (total != h.count()) failures_.push_back("latency histogram: the buckets do not hold every value");
    for (const double q : {0.5, 0.9, 0.99, 0.999, 1.0}) {
      const auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(total))));
      std::uint64_t seen = 0;
      std::uint64_t value = h.max();
      for (const auto& [edge, count] : buckets) {
        seen += count;
        if (seen >= rank) {
          value = std::min(edge, h.max());
          break;
        }
      }
      ++checks_;
      if (value != h.quantile(q)) {
        failures_.push_back("latency histogram: the exported buckets give " + std::to_string(value) + " at q " +
                            std::to_string(q) + ", quantile() " + std::to_string(h.quantile(q)));
      }
    }
  }

  void check_version(const protocol::VersionInfo& version) {
    namespace pk = protocol::packets;
    const std::int32_t p = version.protocol();
    packets::Bytes b;
    auto fresh = [&b]() -> packets::Bytes& {
      b.clear();
      return b;
    };
    const protocol::Uuid uuid = packets::player_uuid(41);
    const protocol::Vec3 spot{12.5, packets::kGroundY, -7.25};

    // --- serverbound
    packets::intention(fresh(), p, "localhost", 25565);
    if (auto r = pk::IntentionC2s::decode(b, 0); decoded(r, p, "Intention")) {
      expect(r->protocol_version == p && r->intent == pk::Intent::login, p, "Intention");
    }
    packets::login_start(fresh(), p, "lg00042", uuid);
    if (auto r = pk::LoginStartC2s::decode(b, p); decoded(r, p, "Login Start")) {
      expect(r->name == "lg00042" && (p < protocol::v::v1_19_1 || r->uuid == uuid), p, "Login Start");
    }
    packets::login_plugin_not_understood(fresh(), 7);
    if (auto r = pk::LoginPluginResponseC2s::decode(b, p); decoded(r, p, "Login Plugin Response")) {
      expect(r->message_id == 7 && !r->understood, p, "Login Plugin Response");
    }
    packets::brand(fresh(), p, "vanilla");
    if (auto r = pk::CustomPayloadC2s::decode(b, p); decoded(r, p, "brand")) {
      expect(r->brand() == std::string_view{"vanilla"}, p, "brand");
    }
    if (protocol::has_teleport_confirm(p)) {
      packets::confirm_teleport(fresh(), 3);
      if (auto r = pk::ConfirmTeleportC2s::decode(b, p); decoded(r, p, "Confirm Teleportation")) {
        expect(r->teleport_id == 3, p, "Confirm Teleportation");
      }
    }
    packets::set_position(fresh(), p, spot, true);
    if (auto r = pk::SetPositionC2s::decode(b, p); decoded(r, p, "Set Position")) {
      expect(r->x == spot.x && r->feet_y == spot.y && r->z == spot.z && r->on_ground, p, "Set Position");
    }
    packets::set_position_rotation(fresh(), p, spot, 90.0f, 10.0f, false);
    if (auto r = pk::SetPositionRotationC2s::decode(b, p); decoded(r, p, "Set Position and Rotation")) {
      expect(r->x == spot.x && r->yaw == 90.0f && r->pitch == 10.0f && !r->on_ground, p, "Set Position and Rotation");
    }
    packets::set_movement_flags(fresh(), p, true);
    if (auto r = pk::SetMovementFlagsC2s::decode(b, p); decoded(r, p, "Set Movement Flags")) {
      expect(r->on_ground, p, "Set Movement Flags");
    }
    packets::keep_alive_answer(fresh(), p, 123456);
    if (auto r = pk::KeepAliveC2s::decode(b, p); decoded(r, p, "Keep Alive (serverbound)")) {
      expect(r->keep_alive_id == 123456, p, "Keep Alive (serverbound)");
    }
    if (protocol::has_ping_pong(p)) {
      packets::pong(fresh(), -5);
      if (auto r = pk::PongC2s::decode(b, p); decoded(r, p, "Pong")) expect(r->id == -5, p, "Pong");
    } else {
      packets::window_confirmation_answer(fresh(), 0, -5);
      if (auto r = pk::WindowConfirmationC2s::decode(b, p); decoded(r, p, "Window Confirmation (serverbound)")) {
        expect(r->window_id == 0 && r->action_number == -5 && r->accepted, p, "Window Confirmation (serverbound)");
      }
    }
    packets::swing_arm(fresh(), p);
    (void)decoded(pk::SwingArmC2s::decode(b, p), p, "Swing Arm");
    packets::attack(fresh(), p, 1'000'003);
    if (protocol::has_attack_packet(p)) {
      if (auto r = pk::AttackC2s::decode(b, p); decoded(r, p, "Attack")) expect(r->entity_id == 1'000'003, p, "Attack");
    } else if (auto r = pk::InteractC2s::decode(b, p); decoded(r, p, "Interact (attack)")) {
      expect(r->entity_id == 1'000'003 && r->action == pk::InteractAction::attack, p, "Interact (attack)");
    }
    packets::chat(fresh(), p, "hello", 1'700'000'000'000, 99);
    if (auto r = pk::ChatMessageC2s::decode(b, p); decoded(r, p, "Chat Message")) {
      expect(r->message == "hello", p, "Chat Message");
    }
    for (const PacketKind kind :
         {PacketKind::intention_c2s, PacketKind::login_start_c2s, PacketKind::set_position_c2s,
          PacketKind::set_position_rotation_c2s, PacketKind::keep_alive_c2s, PacketKind::swing_arm_c2s,
          PacketKind::chat_message_c2s, packets::attack_kind(p), PacketKind::custom_payload_c2s}) {
      has(version, kind);
    }
    has(version, protocol::has_ping_pong(p) ? PacketKind::pong_c2s : PacketKind::window_confirmation_c2s);
    if (protocol::has_client_tick_end(p)) has(version, PacketKind::client_tick_end_c2s);
    if (protocol::has_configuration_state(p)) {
      for (const PacketKind kind : {PacketKind::login_acknowledged_c2s, PacketKind::finish_configuration_c2s,
                                    PacketKind::config_custom_payload_c2s, PacketKind::finish_configuration_s2c}) {
        has(version, kind);
      }
    }

    // --- clientbound
    packets::set_compression(fresh(), 256);
    if (auto r = pk::SetCompressionLoginS2c::decode(b, p); decoded(r, p, "Set Compression")) {
      expect(r->threshold == 256, p, "Set Compression");
    }
    packets::login_success(fresh(), p, uuid, "lg00042");
    if (auto r = pk::LoginSuccessS2c::decode(b, p); decoded(r, p, "Login Success")) {
      expect(r->name == "lg00042" && r->uuid == uuid, p, "Login Success");
    }
    packets::login_play(fresh(), p, 42);
    if (auto r = pk::LoginPlayS2c::decode(b, p); decoded(r, p, "Login (play)")) {
      expect(r->entity_id == 42 && r->game_mode == 0, p, "Login (play)");
    }
    packets::sync_player_position(fresh(), p, spot, 1);
    if (auto r = pk::SyncPlayerPositionS2c::decode(b, p); decoded(r, p, "Synchronize Player Position")) {
      expect(r->position == spot && (p < protocol::v::v1_9 || r->teleport_id == 1) && !r->relative.x, p,
             "Synchronize Player Position");
    }
    packets::keep_alive(fresh(), p, 77);
    if (auto r = pk::KeepAliveS2c::decode(b, p); decoded(r, p, "Keep Alive")) expect(r->id == 77, p, "Keep Alive");
    packets::entity_relative_move(fresh(), p, 1'000'001, {0.25, 0, -0.125}, true);
    if (auto r = pk::EntityRelativeMoveS2c::decode(b, p); decoded(r, p, "Move Entity Pos")) {
      expect(r->entity_id == 1'000'001 && std::abs(r->delta.x - 0.25) < 0.04 && std::abs(r->delta.z + 0.125) < 0.04, p,
             "Move Entity Pos");
    }
    packets::entity_absolute(fresh(), p, 1'000'002, spot, true);
    if (packets::entity_absolute_kind(p) == PacketKind::entity_position_sync_s2c) {
      if (auto r = pk::EntityPositionSyncS2c::decode(b, p); decoded(r, p, "Entity Position Sync")) {
        expect(r->entity_id == 1'000'002 && r->position == spot, p, "Entity Position Sync");
      }
    } else if (auto r = pk::EntityTeleportS2c::decode(b, p); decoded(r, p, "Teleport Entity")) {
      expect(r->entity_id == 1'000'002 && std::abs(r->position.x - spot.x) < 0.04, p, "Teleport Entity");
    }
    const std::vector<std::uint8_t> filler(100, 7);
    packets::chunk_data(fresh(), -3, 4, filler);
    if (auto r = pk::ChunkDataS2c::decode(b, p); decoded(r, p, "Chunk Data")) {
      expect(r->chunk_x == -3 && r->chunk_z == 4, p, "Chunk Data");
    }
    for (const PacketKind kind :
         {PacketKind::set_compression_login_s2c, PacketKind::login_success_s2c, PacketKind::login_play_s2c,
          PacketKind::sync_player_position_s2c, PacketKind::keep_alive_s2c, PacketKind::entity_relative_move_s2c,
          packets::entity_absolute_kind(p), PacketKind::chunk_data_s2c}) {
      has(version, kind);
    }
  }

  std::vector<std::string> failures_;
  std::size_t checks_ = 0;
};

}  // namespace rustguard::loadgen
