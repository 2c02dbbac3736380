#pragma once
// Block clicks for the place tests: Use Item On in each version's layout
// (1.8: face byte, an empty held item, sixteenths; 1.9-1.10: varint face,
// hand, sixteenths; 1.11-1.13: floats; 1.14+: hand first, then inside-block,
// 1.21.2+ world-border hit, 1.19+ sequence), and the player's own block
// interaction range (Update Attributes, 1.21+ layout).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine_driver.hpp"
#include "rustguard/protocol/packets/play/attribute_ids_s2c.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"

namespace rustguard::test {

using protocol::BlockPos;
using protocol::packets::BlockFace;

struct Click {
  BlockPos block;
  BlockFace face = BlockFace::up;
  protocol::Vec3 cursor{0.5, 1.0, 0.5};
  bool inside = false;
};

inline Verdict use_item_on(Driver& d, const Click& c) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  const bool old_position = d.pv < v::v1_14;
  // Sixteenths as the client writes them: truncated towards zero.
  auto sixteenth = [](double x) { return static_cast<std::int8_t>(static_cast<int>(x * 16.0)); };
  if (d.pv < v::v1_9) {
    w.position(c.block, old_position).i8(static_cast<std::int8_t>(c.face)).i16(-1);
    w.i8(sixteenth(c.cursor.x)).i8(sixteenth(c.cursor.y)).i8(sixteenth(c.cursor.z));
    return d.send(PacketKind::use_item_on_c2s, b);
  }
  if (d.pv >= v::v1_14) w.varint(0);  // main hand
  w.position(c.block, old_position).varint(static_cast<std::int32_t>(c.face));
  if (d.pv < v::v1_14) w.varint(0);
  if (d.pv < v::v1_11) {
    w.i8(sixteenth(c.cursor.x)).i8(sixteenth(c.cursor.y)).i8(sixteenth(c.cursor.z));
  } else {
    w.f32(static_cast<float>(c.cursor.x)).f32(static_cast<float>(c.cursor.y)).f32(static_cast<float>(c.cursor.z));
  }
  if (d.pv >= v::v1_14) w.boolean(c.inside);
  if (d.pv >= v::v1_21_2) w.boolean(false);
  if (d.pv >= v::v1_19) w.varint(7);
  return d.send(PacketKind::use_item_on_c2s, b);
}

// Honest building, as a vanilla client does it: every place check's tests
// run these, and none may flag. The client clicks with the look of the tick
// before that tick's movement packet (checks/api/client_ticks.hpp).
inline void end_tick_at(Driver& d, double x, double y, double z, bool on_ground) {
  d.pos(x, y, z, on_ground);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
}

// Towering: on the block (0, 63, 0), looking straight down, `blocks` jumps
// straight up, the button held through each one (a click every tick, on the
// top of the block underfoot; the server places once the feet clear the
// next level), landing on the block placed.
inline void tower(Driver& d, int blocks) {
  d.pos_rot(0.5, 64, 0.5, 0, 90, true);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
  double floor = 64;  // the feet's level when on the ground
  for (int b = 0; b < blocks; ++b) {
    double y = floor;
    double vy = 0.42;
    bool placed = false;
    for (int t = 0; t < 20; ++t) {
      const int under = static_cast<int>(placed ? floor : floor - 1);
      use_item_on(d, {{0, under, 0}, BlockFace::up, {0.5, 1.0, 0.5}});
      y += vy;
      vy = (vy - 0.08) * 0.98;
      placed = placed || y >= floor + 1;
      if (placed && y <= floor + 1) {
        end_tick_at(d, 0.5, floor + 1, 0.5, true);
        break;
      }
      end_tick_at(d, 0.5, y, 0.5, false);
    }
    floor += 1;
  }
}

// Bridging backwards: on a row of blocks at y 63 from z 0 northwards,
// sneaking, facing south (+z) and walking backwards (north, -z) to the
// edge of the last block (sneaking holds the player on it while a quarter
// block hangs over), looking down steeply enough that the ray meets that
// block's north face halfway up; a click there places the next block.
inline void bridge(Driver& d, int blocks) {
  d.command(Driver::Command::start_sneak);
  const double eye = d.pv < v::v1_14 ? 1.54 : 1.27;  // sneaking
  const double overhang = 0.25;
  const double pitch = std::atan((64 + eye - 63.5) / overhang) * 180.0 / 3.14159265358979323846;
  double z = 0.5;
  d.pos_rot(0.5, 64, z, 0, static_cast<float>(pitch), true);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
  for (int k = 0; k > -blocks; --k) {
    const double edge = k - overhang;
    while (z > edge) {
      z = std::max(edge, z - 0.065);  // sneaking backwards, about 1.3 blocks a second
      end_tick_at(d, 0.5, 64, z, true);
    }
    // Where the look's ray meets the face (the float pitch the client sent).
    const double sent = static_cast<float>(pitch) * 3.14159265358979323846 / 180.0;
    const double hit_y = 64 + eye - overhang * std::tan(sent);
    use_item_on(d, {{0, 63, k}, BlockFace::north, {0.5, hit_y - 63, 0.0}});
    end_tick_at(d, 0.5, 64, z, true);
  }
}

// What `check` flags in honest building: towering three blocks and
// bridging four, each by a fresh player; empty when nothing.
inline std::string building_flags(std::int32_t pv, std::string_view check) {
  std::string flags;
  for (const bool towering : {true, false}) {
    Driver d(pv);
    d.spawn_at(0.5, 64, 0.5);
    if (towering) {
      tower(d, 3);
    } else {
      bridge(d, 4);
    }
    for (const auto& v : d.engine.violations()) {
      if (v.check == check) flags += std::string(towering ? "towering: " : "bridging: ") + v.type + " " + v.detail + "\n";
    }
  }
  return flags;
}

// 1.8's "use the held item in the air": face 255, position -1/-1/-1.
inline Verdict use_in_air_1_8(Driver& d) {
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.position({-1, -1, -1}, true).i8(-1).i16(-1).i8(0).i8(0).i8(0);
  return d.send(PacketKind::use_item_on_c2s, b);
}

// The player's block_interaction_range attribute (1.21+), acknowledged.
// False (nothing sent) before 1.21.
inline bool set_block_range(Driver& d, double range) {
  if (d.pv < v::v1_21) return false;
  const auto ids = protocol::packets::detail::attribute_id_table(d.pv);
  std::int32_t id = -1;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == protocol::packets::Attribute::block_interaction_range) id = static_cast<std::int32_t>(i);
  }
  if (id < 0) return false;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(kSelfId).varint(1).varint(id).f64(range).varint(0);
  d.receive(PacketKind::update_attributes_s2c, b);
  d.answer_all();
  return true;
}

}  // namespace rustguard::test
