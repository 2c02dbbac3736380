#pragma once
// The player's look as the serverbound stream shows it, for the aim checks
// and killaura.behind: which rotation packet may be compared with the one
// before it, and the angles between a look and a tracked entity's box.
//
// A vanilla client's rotation changes only by its own mouse, except where
// the server sets it: Synchronize Player Position (absolute or relative yaw
// and pitch; the client may also wrap the yaw by % 360 there), Player
// Rotation (1.21.2+), Login and Respawn (a new player), and riding (a vehicle
// turns its passenger, and while riding the client sends its look every tick,
// changed or not). Around those, two rotation packets in a row say nothing
// about the mouse, so LookTracker reports such a pair as not comparable:
//   - after a server rotation, until the client has certainly applied it:
//     its answer to the teleport (the position on the target), or the
//     acknowledgement of a transaction sent after the packet (the client
//     handles clientbound packets in order). The packet that shows it is the
//     new baseline, not a turn;
//   - while the player may be riding;
//   - the first rotation after a login, respawn or reset.
// The rotation packet right after one of those may repeat the look before
// it (`may_repeat`): the client answers a teleport outside its regular
// movement packet, whose "last sent" look stays the old one, so its next
// regular packet can send the same look again; after riding likewise.
//
// Not seen: the server's Look At packet (1.13+, face_player) is not decoded,
// so a look the server turned that way is read as the mouse's.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>

#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/movement.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::engine {

struct Look {
  float yaw = 0;    // degrees, unbounded (a vanilla client never wraps it)
  float pitch = 0;  // degrees, -90 (up) .. 90 (down)
  bool operator==(const Look&) const = default;
};

// One rotation packet against the one before it.
struct Turn {
  Look from;
  Look to;
  bool comparable = false;  // `from` is the client's own previous look (see the header comment)
  bool may_repeat = false;  // the first packet after a server rotation's answer or after riding
  double yaw_delta() const noexcept { return static_cast<double>(to.yaw) - static_cast<double>(from.yaw); }
  double pitch_delta() const noexcept { return static_cast<double>(to.pitch) - static_cast<double>(from.pitch); }
};

class LookTracker {
 public:
  // The server set (or may have set) the rotation: Synchronize Player
  // Position, Player Rotation. `is_teleport`: its answer is a teleport
  // response (a position on the target).
  void server_rotation(const context::PlayerContext& ctx, bool is_teleport) noexcept {
    pending_ = true;
    pending_teleport_ = is_teleport;
    pending_seq_ = ctx.transactions.issued_seq();
  }
  // Login, respawn: the next rotation starts over.
  void reset() noexcept {
    have_last_ = false;
    pending_ = false;
  }

  // A movement packet; nullopt when it carries no rotation.
  std::optional<Turn> on_move(const context::MoveSample& m, const context::PlayerContext& ctx) noexcept {
    if (!m.input.has_rotation) return std::nullopt;
    const Look now{m.input.yaw, m.input.pitch};
    Turn t{have_last_ ? last_ : now, now, have_last_, false};
    if (pending_) {
      const bool answered = pending_teleport_ && m.teleport_response && ctx.teleports.empty();
      if (answered || ctx.transactions.acked_seq() > pending_seq_) {
        pending_ = false;
        repeat_grace_ = 1;
      }
      t.comparable = false;
    } else if (ctx.may_be_riding()) {
      t.comparable = false;
      repeat_grace_ = 1;
    } else if (t.comparable && repeat_grace_ > 0) {
      --repeat_grace_;
      t.may_repeat = true;
    }
    last_ = now;
    have_last_ = true;
    return t;
  }

  std::optional<Look> current() const noexcept { return have_last_ ? std::optional<Look>(last_) : std::nullopt; }
  // A server rotation the client has not yet certainly applied.
  bool server_rotation_pending() const noexcept { return pending_; }

 private:
  Look last_{};
  bool have_last_ = false;
  bool pending_ = false;
  bool pending_teleport_ = false;
  std::uint64_t pending_seq_ = 0;
  std::uint32_t repeat_grace_ = 0;
};

// --- geometry

inline constexpr double kDegrees = 180.0 / std::numbers::pi;

// The unit vector a look points along (Minecraft: yaw 0 faces +z, 90 faces
// -x; pitch 90 looks straight down).
inline protocol::Vec3 look_vector(const Look& l) noexcept {
  const double yaw = static_cast<double>(l.yaw) / kDegrees, pitch = static_cast<double>(l.pitch) / kDegrees;
  return {-std::sin(yaw) * std::cos(pitch), -std::sin(pitch), std::cos(yaw) * std::cos(pitch)};
}

// The angle between two directions in degrees (0..180); atan2 of the cross
// and dot products stays exact for small angles, where acos does not.
inline double angle_between(const protocol::Vec3& a, const protocol::Vec3& b) noexcept {
  const double cx = a.y * b.z - a.z * b.y, cy = a.z * b.x - a.x * b.z, cz = a.x * b.y - a.y * b.x;
  const double dot = a.x * b.x + a.y * b.y + a.z * b.z;
  return std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), dot) * kDegrees;
}

// The great-circle angle between two looks, in degrees: how far the view
// turned, whatever the yaw's winding.
inline double turn_angle(const Look& a, const Look& b) noexcept { return angle_between(look_vector(a), look_vector(b)); }

// A lower bound of the angle between the look `dir` (unit) from `eye` and
// any point of `box`, in degrees: the angle to the box's centre minus the
// angular radius of the sphere around the box. 0 when the eye is inside
// that sphere. A lower bound, so a check that flags when it is large never
// overstates how far off the box the look was.
inline double min_angle_to_box(const protocol::Vec3& eye, const protocol::Vec3& dir, const context::Aabb& box) noexcept {
  const protocol::Vec3 c{(box.min.x + box.max.x) / 2, (box.min.y + box.max.y) / 2, (box.min.z + box.max.z) / 2};
  const protocol::Vec3 to{c.x - eye.x, c.y - eye.y, c.z - eye.z};
  const double dist = std::sqrt(to.x * to.x + to.y * to.y + to.z * to.z);
  const double hx = (box.max.x - box.min.x) / 2, hy = (box.max.y - box.min.y) / 2, hz = (box.max.z - box.min.z) / 2;
  const double radius = std::sqrt(hx * hx + hy * hy + hz * hz);
  if (dist <= radius) return 0;
  return std::max(0.0, angle_between(dir, to) - std::asin(radius / dist) * kDegrees);
}

// The eye heights a player of `protocol` may have: standing 1.62; sneaking
// 1.54 before 1.14 and 1.27 after; swimming, crawling and gliding 0.4 from 1.13.
struct EyeHeights {
  double values[3] = {1.62, 1.54, 1.54};
  int count = 2;
};
inline EyeHeights eye_heights(std::int32_t protocol) noexcept {
  EyeHeights e;
  if (protocol >= protocol::v::v1_14) {
    e.values[1] = 1.27;
  }
  if (protocol >= protocol::v::v1_13) {
    e.values[2] = 0.4;
    e.count = 3;
  }
  return e;
}

}  // namespace rustguard::engine
