#pragma once
// Bodies of the packets the load generator writes, both directions, in the
// layout of each protocol version. The core only decodes (it writes a handful
// of packets of its own); these are the mirror images of its decoders in
// include/rustguard/protocol/packets/, and `rustguard-loadgen --self-check`
// decodes every one of them with those decoders for every supported version,
// so a layout mistake here shows up as a failed check rather than as a
// malformed-packet kick under load. Packet ids always come from the generated
// table (packet_ids.gen.hpp) through VersionInfo, never from here.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::loadgen::packets {

using protocol::PacketKind;
using protocol::Uuid;
using protocol::Vec3;
using protocol::Writer;
using Bytes = std::vector<std::uint8_t>;
namespace v = protocol::v;

// The world the backend pretends to have: flat ground whose top is at y = 64,
// so feet rest exactly on a block top (what movement.nofall's "height" rule
// requires of an on-ground claim).
inline constexpr double kGroundY = 64.0;
inline constexpr std::string_view kWorldName = "minecraft:overworld";

// Offline-mode style UUID for a generated player: stable per index, version 3
// bits set so it looks like what an offline server would hand out.
inline Uuid player_uuid(std::uint32_t index) {
  Uuid u;
  u.high = 0x4c6f616447656e00ULL ^ (static_cast<std::uint64_t>(index) << 20);  // "LoadGen"
  u.high = (u.high & ~0xF000ULL) | 0x3000ULL;
  u.low = 0x8000000000000000ULL | index;
  return u;
}

// ---------------------------------------------------------------------------
// Serverbound
// ---------------------------------------------------------------------------

inline void intention(Bytes& body, std::int32_t protocol, std::string_view host, std::uint16_t port) {
  Writer{body}.varint(protocol).string(host).u16(port).varint(2);  // 2: login
}

// 1.19-1.19.2 may carry a chat signing key (never here); 1.19.1-1.20.1 an
// optional UUID; 1.20.2+ always the UUID.
inline void login_start(Bytes& body, std::int32_t protocol, std::string_view name, const Uuid& uuid) {
  Writer w{body};
  w.string(name);
  if (protocol >= v::v1_19 && protocol < v::v1_19_3) w.boolean(false);  // no signing key
  if (protocol >= v::v1_20_2) {
    w.uuid(uuid);
  } else if (protocol >= v::v1_19_1) {
    w.boolean(true).uuid(uuid);
  }
}

// "I do not know this channel" (Velocity forwarding, Forge): what vanilla answers.
inline void login_plugin_not_understood(Bytes& body, std::int32_t message_id) {
  Writer{body}.varint(message_id).boolean(false);
}

// minecraft:brand ("MC|Brand" before 1.13), in play or (1.20.2+) configuration.
inline void brand(Bytes& body, std::int32_t protocol, std::string_view brand_name) {
  Writer{body}.string(protocol < v::v1_13 ? "MC|Brand" : "minecraft:brand").string(brand_name);
}

inline void confirm_teleport(Bytes& body, std::int32_t teleport_id) { Writer{body}.varint(teleport_id); }

// The on-ground bool, a flags byte from 1.21.2 (bit 0 on ground, bit 1 horizontal collision).
inline void movement_flags(Writer& w, std::int32_t protocol, bool on_ground) {
  if (protocol >= v::v1_21_2) {
    w.u8(on_ground ? 0x01 : 0x00);
  } else {
    w.boolean(on_ground);
  }
}

inline void set_position(Bytes& body, std::int32_t protocol, const Vec3& feet, bool on_ground) {
  Writer w{body};
  w.f64(feet.x).f64(feet.y).f64(feet.z);
  movement_flags(w, protocol, on_ground);
}

inline void set_position_rotation(Bytes& body, std::int32_t protocol, const Vec3& feet, float yaw, float pitch,
                                  bool on_ground) {
  Writer w{body};
  w.f64(feet.x).f64(feet.y).f64(feet.z).f32(yaw).f32(pitch);
  movement_flags(w, protocol, on_ground);
}

// "Flying": on-ground only, what 1.8 sends on ticks without motion.
inline void set_movement_flags(Bytes& body, std::int32_t protocol, bool on_ground) {
  Writer w{body};
  movement_flags(w, protocol, on_ground);
}

inline void keep_alive_answer(Bytes& body, std::int32_t protocol, std::int64_t id) {
  Writer w{body};
  if (protocol::keep_alive_id_is_long(protocol)) {
    w.i64(id);
  } else {
    w.varint(static_cast<std::int32_t>(id));
  }
}

inline void pong(Bytes& body, std::int32_t id) { Writer{body}.i32(id); }

// Answer to a rejected window confirmation (before 1.17): same window and
// action number, accepted = true, as the vanilla client sends it.
inline void window_confirmation_answer(Bytes& body, std::int8_t window_id, std::int16_t action) {
  Writer{body}.i8(window_id).i16(action).boolean(true);
}

inline void swing_arm(Bytes& body, std::int32_t protocol) {
  if (protocol >= v::v1_9) Writer{body}.varint(0);  // main hand; 1.8's packet is empty
}

// The packet an attack travels in: its own from 26.1, Interact before.
constexpr PacketKind attack_kind(std::int32_t protocol) noexcept {
  return protocol::has_attack_packet(protocol) ? PacketKind::attack_c2s : PacketKind::interact_c2s;
}

inline void attack(Bytes& body, std::int32_t protocol, std::int32_t entity_id) {
  Writer w{body};
  w.varint(entity_id);
  if (protocol::has_attack_packet(protocol)) return;
  w.varint(1);                                 // action: attack (no hit point, no hand)
  if (protocol >= v::v1_16) w.boolean(false);  // not sneaking
}

// A chat line without a signature, in the form each version accepts from an
// unsigned (offline, or secure-chat-off) client.
inline void chat(Bytes& body, std::int32_t protocol, std::string_view text, std::int64_t timestamp_ms,
                 std::int64_t salt) {
  Writer w{body};
  w.string(text);
  if (protocol < v::v1_19) return;
  w.i64(timestamp_ms).i64(salt);
  if (protocol < v::v1_19_3) {
    w.varint(0);                                             // signature: empty byte array
    w.boolean(false);                                        // signed preview
    if (protocol >= v::v1_19_1) w.varint(0).boolean(false);  // no last seen, no last rejected
    return;
  }
  w.boolean(false);                     // no signature
  w.varint(0);                          // last-seen offset
  w.u8(0).u8(0).u8(0);                  // acknowledged: 20 bits, none
  if (protocol >= v::v1_21_5) w.u8(0);  // checksum (0: not computed)
}

inline void config_keep_alive_answer(Bytes& body, std::int64_t id) { Writer{body}.i64(id); }
inline void config_pong(Bytes& body, std::int32_t id) { Writer{body}.i32(id); }

// ---------------------------------------------------------------------------
// Clientbound
// ---------------------------------------------------------------------------

inline void set_compression(Bytes& body, std::int32_t threshold) { Writer{body}.varint(threshold); }

inline void login_success(Bytes& body, std::int32_t protocol, const Uuid& uuid, std::string_view name) {
  Writer w{body};
  if (protocol < v::v1_16) {
    w.string(uuid.to_string());
  } else {
    w.uuid(uuid);
  }
  w.string(name);
  if (protocol >= v::v1_19) w.varint(0);                                  // no profile properties
  if (protocol >= v::v1_20_5 && protocol < v::v1_21_2) w.boolean(false);  // strict error handling
}

namespace detail {
// An empty compound with an empty root name: the smallest registry codec or
// dimension type the 1.16 .. 1.20.1 Login (play) can carry. Nobody reads it
// (the simulated client has no world), and RustGuard only skips it.
inline void empty_named_compound(Writer& w) { w.u8(10).u16(0).u8(0); }

// 1.20.5+ spawn info block (also in Respawn): survival in the overworld.
inline void spawn_info(Writer& w, std::int32_t protocol) {
  w.varint(0).string(kWorldName).i64(0).u8(0).i8(-1).boolean(false).boolean(true);  // type 0, seed, modes, debug, flat
  w.boolean(false);                                                                 // no death location
  w.varint(0);                                                                      // portal cooldown
  if (protocol >= v::v1_21_2) w.varint(63);                                         // sea level
}
}  // namespace detail

// Login (play) / Join Game: survival, overworld, in each era's layout.
inline void login_play(Bytes& body, std::int32_t protocol, std::int32_t entity_id) {
  Writer w{body};
  w.i32(entity_id);
  if (protocol < v::v1_16) {
    w.u8(0);  // survival, not hardcore
    if (protocol < v::v1_9_1) {
      w.i8(0);  // overworld
    } else {
      w.i32(0);
    }
    if (protocol >= v::v1_15) w.i64(0);         // hashed seed
    if (protocol < v::v1_14) w.u8(2);           // difficulty: normal
    w.u8(100);                                  // max players
    w.string("flat");                           // level type
    if (protocol >= v::v1_14) w.varint(10);     // view distance
    w.boolean(false);                           // reduced debug info
    if (protocol >= v::v1_15) w.boolean(true);  // respawn screen
    return;
  }
  if (protocol < v::v1_20_2) {
    if (protocol >= v::v1_16_2) w.boolean(false);  // hardcore
    w.u8(0).i8(-1);                                // game mode, previous (none)
    w.varint(1).string(kWorldName);                // world names
    detail::empty_named_compound(w);               // registry codec
    if (protocol >= v::v1_16_2 && protocol < v::v1_19) {
      detail::empty_named_compound(w);  // dimension type as NBT
    } else {
      w.string(kWorldName);  // dimension type name
    }
    w.string(kWorldName).i64(0);  // world name, hashed seed
    if (protocol >= v::v1_16_2) {
      w.varint(100);
    } else {
      w.u8(100);
    }
    w.varint(10);                                                 // view distance
    if (protocol >= v::v1_18) w.varint(10);                       // simulation distance
    w.boolean(false).boolean(true).boolean(false).boolean(true);  // reduced debug, respawn screen, debug, flat
    if (protocol >= v::v1_19) w.boolean(false);                   // no death location
    if (protocol >= v::v1_20) w.varint(0);                        // portal cooldown
    return;
  }
  w.boolean(false);                               // hardcore
  w.varint(1).string(kWorldName);                 // world names
  w.varint(100).varint(10).varint(10);            // max players, view and simulation distance
  w.boolean(false).boolean(true).boolean(false);  // reduced debug, respawn screen, limited crafting
  if (protocol >= v::v1_20_5) {
    detail::spawn_info(w, protocol);
    w.boolean(false);  // secure chat not enforced
    return;
  }
  w.string(kWorldName).string(kWorldName).i64(0).u8(0).i8(-1).boolean(false).boolean(true);
  w.boolean(false);  // no death location
  w.varint(0);       // portal cooldown
}

// Synchronize Player Position: absolute, no rotation change requested.
inline void sync_player_position(Bytes& body, std::int32_t protocol, const Vec3& pos, std::int32_t teleport_id) {
  Writer w{body};
  if (protocol >= v::v1_21_2) {
    w.varint(teleport_id).f64(pos.x).f64(pos.y).f64(pos.z).f64(0).f64(0).f64(0).f32(0).f32(0).i32(0);
    return;
  }
  w.f64(pos.x).f64(pos.y).f64(pos.z).f32(0).f32(0).u8(0);
  if (protocol >= v::v1_9) w.varint(teleport_id);
  if (protocol >= v::v1_17 && protocol < v::v1_19_4) w.boolean(false);  // dismount vehicle
}

inline void keep_alive(Bytes& body, std::int32_t protocol, std::int64_t id) {
  protocol::packets::KeepAliveS2c{id}.encode(body, protocol);
}

// A small step of another entity: 1/32 block bytes in 1.8, 1/4096 block shorts after.
inline void entity_relative_move(Bytes& body, std::int32_t protocol, std::int32_t entity_id, const Vec3& delta,
                                 bool on_ground) {
  Writer w{body};
  w.varint(entity_id);
  const double units = protocol::entity_delta_units_per_block(protocol);
  auto unit = [&](double d) { return static_cast<std::int32_t>(d * units); };
  if (protocol < v::v1_9) {
    w.i8(static_cast<std::int8_t>(unit(delta.x))).i8(static_cast<std::int8_t>(unit(delta.y)));
    w.i8(static_cast<std::int8_t>(unit(delta.z)));
  } else {
    w.i16(static_cast<std::int16_t>(unit(delta.x))).i16(static_cast<std::int16_t>(unit(delta.y)));
    w.i16(static_cast<std::int16_t>(unit(delta.z)));
  }
  w.boolean(on_ground);
}

// The packet that carries another entity's absolute position: Entity Position
// Sync from 1.21.2 (Teleport Entity changed meaning then), Teleport Entity before.
constexpr PacketKind entity_absolute_kind(std::int32_t protocol) noexcept {
  return protocol >= v::v1_21_2 ? PacketKind::entity_position_sync_s2c : PacketKind::entity_teleport_s2c;
}

inline void entity_absolute(Bytes& body, std::int32_t protocol, std::int32_t entity_id, const Vec3& pos,
                            bool on_ground) {
  Writer w{body};
  w.varint(entity_id);
  if (protocol >= v::v1_21_2) {
    w.f64(pos.x).f64(pos.y).f64(pos.z).f64(0).f64(0).f64(0).f32(0).f32(0).boolean(on_ground);
    return;
  }
  if (protocol < v::v1_9) {
    w.i32(static_cast<std::int32_t>(pos.x * 32)).i32(static_cast<std::int32_t>(pos.y * 32));
    w.i32(static_cast<std::int32_t>(pos.z * 32));
  } else {
    w.f64(pos.x).f64(pos.y).f64(pos.z);
  }
  w.u8(0).u8(0).boolean(on_ground);  // yaw, pitch (angles)
}

// Chunk Data: the chunk coordinates RustGuard's decoder reads, then `filler`
// standing in for heightmaps, sections and light, which nobody here decodes.
inline void chunk_data(Bytes& body, std::int32_t chunk_x, std::int32_t chunk_z, std::span<const std::uint8_t> filler) {
  Writer{body}.i32(chunk_x).i32(chunk_z).bytes(filler);
}

inline void status_response(Bytes& body, std::int32_t protocol) {
  Writer{body}.string(R"({"version":{"name":"loadgen","protocol":)" + std::to_string(protocol) +
                      R"(},"players":{"max":100000,"online":0},"description":{"text":"rustguard-loadgen"}})");
}

inline void status_pong(Bytes& body, std::int64_t payload) { Writer{body}.i64(payload); }

}  // namespace rustguard::loadgen::packets
