#pragma once
// The part of Login (play) and Respawn that identifies the player's world,
// normalised over every era, so a dimension or world change can be detected
// by comparing two values:
//  - 1.8 .. 1.15: a dimension number (-1 nether, 0 overworld, 1 end);
//  - 1.16 .. 1.20.4: the world (level) name, plus the dimension type name
//    (1.16.0/1.16.1 and 1.19+; 1.16.2 .. 1.18.2 send the type as NBT);
//  - 1.20.5+: the world name and the dimension type's registry id.
// Also shared: the "spawn info" block of 1.20.2+ both packets carry.

#include <cstdint>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct DimensionIdentity {
  std::int32_t legacy_dimension = 0;    // 1.8 .. 1.15; 0 after
  std::int32_t dimension_type_id = -1;  // 1.20.5+; -1 before
  std::string dimension_type_name;      // 1.16.0/1.16.1 and 1.19 .. 1.20.4; empty otherwise
  std::string world_name;               // 1.16+; empty before

  friend bool operator==(const DimensionIdentity&, const DimensionIdentity&) = default;
};

namespace detail {

// Game mode byte: 0..3. Validated: a bad value is a broken or hostile server.
inline std::uint8_t read_game_mode(Reader& r, std::uint8_t raw) noexcept {
  if (r.ok() && raw > 3) r.fail(make_error(Errc::invalid_value, "game mode", raw));
  return raw;
}

// Previous game mode: -1 (none) .. 3; sent as a byte where 255 means -1.
inline std::int8_t read_previous_game_mode(Reader& r) noexcept {
  const auto raw = static_cast<std::int8_t>(r.u8());
  if (r.ok() && (raw < -1 || raw > 3)) r.fail(make_error(Errc::invalid_value, "previous game mode", raw));
  return raw;
}

// The optional death location (1.19+): dimension name and block position.
inline void skip_death_location(Reader& r) noexcept {
  if (r.boolean()) {
    r.string_view(32767);
    r.skip(8, "death position");
  }
}

// 1.20.5+ spawn info: dimension type id, world name, hashed seed, game mode,
// previous game mode, debug, flat, death location, portal cooldown and
// (1.21.2+) sea level.
inline void read_spawn_info(Reader& r, std::int32_t protocol, DimensionIdentity& dim, std::uint8_t& game_mode,
                            std::int8_t& previous_game_mode) {
  dim.dimension_type_id = r.varint();
  dim.world_name = r.string(32767);
  r.skip(8, "hashed seed");
  game_mode = read_game_mode(r, r.u8());
  previous_game_mode = read_previous_game_mode(r);
  r.skip(2, "debug and flat flags");
  skip_death_location(r);
  r.varint();  // portal cooldown
  if (protocol >= v::v1_21_2) r.varint();  // sea level
}

}  // namespace detail
}  // namespace rustguard::protocol::packets
