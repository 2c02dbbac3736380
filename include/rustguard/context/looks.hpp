#pragma once
// The player's look as the serverbound stream shows it: which rotation
// packet may be compared with the one before it. One tracker per player,
// kept by the engine (LookUpdater, engine/context_updaters.hpp) before the
// checks see a packet; the aim checks, killaura.behind and place.look read
// it from the context.
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
//
// Why one tracker in the context and not one per check: seven checks judge
// rotations, and each kept the same tracker, fed the same packets. With a
// copy each, every rotation packet of a player touched seven more cache
// lines, one in each check's state (docs/benchmarks.md, "One look tracker
// a player").

#include <cstdint>
#include <optional>

#include "rustguard/context/movement.hpp"

namespace rustguard::context {

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
  bool operator==(const Turn&) const = default;
  double yaw_delta() const noexcept { return static_cast<double>(to.yaw) - static_cast<double>(from.yaw); }
  double pitch_delta() const noexcept { return static_cast<double>(to.pitch) - static_cast<double>(from.pitch); }
};

class LookTracker {
 public:
  // The server set (or may have set) the rotation: Synchronize Player
  // Position, Player Rotation, sent after transaction `issued_seq`.
  // `is_teleport`: its answer is a teleport response (a position on the target).
  void server_rotation(std::uint64_t issued_seq, bool is_teleport) noexcept {
    pending_ = true;
    pending_teleport_ = is_teleport;
    pending_seq_ = issued_seq;
  }
  // Login, respawn: the next rotation starts over.
  void reset() noexcept {
    have_last_ = false;
    pending_ = false;
  }

  // A movement packet, with what the context says as the checks see it:
  // whether no server teleport is left pending, the transactions the client
  // acknowledged, and whether it may be riding. The turn is then turn()
  // until the next movement packet; nullopt when this one carries no rotation.
  void on_move(const MoveSample& m, bool no_teleport_pending, std::uint64_t acked_seq, bool may_be_riding) noexcept {
    turn_.reset();
    if (!m.input.has_rotation) return;
    const Look now{m.input.yaw, m.input.pitch};
    Turn t{have_last_ ? last_ : now, now, have_last_, false};
    if (pending_) {
      const bool answered = pending_teleport_ && m.teleport_response && no_teleport_pending;
      if (answered || acked_seq > pending_seq_) {
        pending_ = false;
        repeat_grace_ = 1;
      }
      t.comparable = false;
    } else if (may_be_riding) {
      t.comparable = false;
      repeat_grace_ = 1;
    } else if (t.comparable && repeat_grace_ > 0) {
      --repeat_grace_;
      t.may_repeat = true;
    }
    last_ = now;
    have_last_ = true;
    turn_ = t;
  }

  // The last movement packet's turn (see on_move): a check reading a
  // movement reads that movement's turn.
  const std::optional<Turn>& turn() const noexcept { return turn_; }
  std::optional<Look> current() const noexcept { return have_last_ ? std::optional<Look>(last_) : std::nullopt; }
  // A server rotation the client has not yet certainly applied.
  bool server_rotation_pending() const noexcept { return pending_; }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.last_, self.have_last_, self.pending_, self.pending_teleport_, self.pending_seq_, self.repeat_grace_,
      self.turn_);
  }

 private:
  Look last_{};
  bool have_last_ = false;
  bool pending_ = false;
  bool pending_teleport_ = false;
  std::uint32_t repeat_grace_ = 0;
  std::uint64_t pending_seq_ = 0;
  std::optional<Turn> turn_;
};

}  // namespace rustguard::context
