#pragma once
// Login (play) / Join Game: the player's entity id, game mode and world. The
// layout changed in almost every release; every era is read to the end so a
// misplaced field is an error rather than a wrong game mode. Registry codecs
// and dimension-type NBT (1.16 .. 1.20.1) are skipped, not parsed.

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/dimension_s2c.hpp"
#include "rustguard/protocol/packets/play/nbt_skip_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginPlayS2c {
  static constexpr PacketKind kind = PacketKind::login_play_s2c;

  // Cap on the world-name list (1.16+): one entry per loaded world.
  static constexpr std::int32_t kMaxWorlds = 1024;

  std::int32_t entity_id = 0;
  bool hardcore = false;             // bit 3 of the game mode before 1.16.2
  std::uint8_t game_mode = 0;        // 0 survival, 1 creative, 2 adventure, 3 spectator
  std::int8_t previous_game_mode = -1;  // 1.16+; -1 = none (and always before 1.16)
  DimensionIdentity dimension;

  static Result<LoginPlayS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    LoginPlayS2c p;
    p.entity_id = r.i32();
    if (protocol < v::v1_16) {
      decode_legacy(r, protocol, p);
    } else if (protocol < v::v1_20_2) {
      decode_with_codec(r, protocol, p);
    } else {
      p.hardcore = r.boolean();
      skip_world_names(r);
      r.varint();  // max players
      r.varint();  // view distance
      r.varint();  // simulation distance
      r.skip(3, "debug info, respawn screen, limited crafting flags");
      if (protocol >= v::v1_20_5) {
        detail::read_spawn_info(r, protocol, p.dimension, p.game_mode, p.previous_game_mode);
        r.boolean();  // enforces secure chat
      } else {
        p.dimension.dimension_type_name = r.string(32767);
        p.dimension.world_name = r.string(32767);
        r.skip(8, "hashed seed");
        p.game_mode = detail::read_game_mode(r, r.u8());
        p.previous_game_mode = detail::read_previous_game_mode(r);
        r.skip(2, "debug and flat flags");
        detail::skip_death_location(r);
        r.varint();  // portal cooldown
      }
    }
    if (auto res = r.finish("Login (play)"); !res) return res.error();
    return p;
  }

 private:
  static void skip_world_names(Reader& r) noexcept {
    const std::int32_t n = r.length(kMaxWorlds, "world names");
    for (std::int32_t i = 0; i < n && r.ok(); ++i) r.string_view(32767);
  }

  // 1.8 .. 1.15: game mode byte with the hardcore bit, an int dimension (a
  // byte before 1.9.1), then difficulty / max players / level type / ...
  static void decode_legacy(Reader& r, std::int32_t protocol, LoginPlayS2c& p) noexcept {
    const std::uint8_t mode = r.u8();
    p.hardcore = (mode & 0x08) != 0;
    p.game_mode = detail::read_game_mode(r, mode & 0x07);
    p.dimension.legacy_dimension = protocol < v::v1_9_1 ? r.i8() : r.i32();
    if (protocol >= v::v1_15) r.skip(8, "hashed seed");
    if (protocol < v::v1_14) r.u8();  // difficulty
    r.u8();                            // max players
    r.string_view(16);                 // level type
    if (protocol >= v::v1_14) r.varint();  // view distance
    r.boolean();                       // reduced debug info
    if (protocol >= v::v1_15) r.boolean();  // enable respawn screen
  }

  // 1.16 .. 1.20.1: game modes, world names, the registry codec (NBT), the
  // dimension type (name in 1.16.0/1.16.1 and 1.19+, NBT in 1.16.2 .. 1.18.2),
  // the world name, then seed, limits and flags.
  static void decode_with_codec(Reader& r, std::int32_t protocol, LoginPlayS2c& p) noexcept {
    std::uint8_t mode = 0;
    if (protocol >= v::v1_16_2) {
      p.hardcore = r.boolean();
      mode = r.u8();
    } else {
      mode = r.u8();
      p.hardcore = (mode & 0x08) != 0;
      mode &= 0x07;
    }
    p.game_mode = detail::read_game_mode(r, mode);
    p.previous_game_mode = detail::read_previous_game_mode(r);
    skip_world_names(r);
    detail::skip_nbt(r, true);  // registry codec
    if (protocol >= v::v1_16_2 && protocol < v::v1_19) {
      detail::skip_nbt(r, true);  // dimension type as NBT
    } else {
      p.dimension.dimension_type_name = r.string(32767);
    }
    p.dimension.world_name = r.string(32767);
    r.skip(8, "hashed seed");
    if (protocol >= v::v1_16_2) {
      r.varint();  // max players
    } else {
      r.u8();
    }
    r.varint();  // view distance
    if (protocol >= v::v1_18) r.varint();  // simulation distance
    r.skip(4, "debug info, respawn screen, debug and flat flags");
    if (protocol >= v::v1_19) detail::skip_death_location(r);
    if (protocol >= v::v1_20) r.varint();  // portal cooldown
  }
};

}  // namespace rustguard::protocol::packets
