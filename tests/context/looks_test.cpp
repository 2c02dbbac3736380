#include <catch2/catch.hpp>

#include "rustguard/context/context_snapshot.hpp"
#include "rustguard/context/looks.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace looks_test {

using rustguard::context::Look;
using rustguard::context::LookTracker;
using rustguard::context::MoveSample;

MoveSample rotation(float yaw, float pitch, bool teleport_response = false) {
  MoveSample m;
  m.input.has_rotation = true;
  m.input.yaw = yaw;
  m.input.pitch = pitch;
  m.teleport_response = teleport_response;
  return m;
}
MoveSample position_only() {
  MoveSample m;
  m.input.has_position = true;
  return m;
}

// The common case: nothing pending, transactions acknowledged up to 10, not riding.
void move(LookTracker& t, const MoveSample& m, std::uint64_t acked = 10, bool riding = false,
          bool no_teleport_pending = true) {
  t.on_move(m, no_teleport_pending, acked, riding);
}

TEST_CASE("looks: two rotations in a row are a turn from the first to the second", "[context][looks]") {
  LookTracker t;
  CHECK_FALSE(t.current());
  move(t, rotation(10, 5));
  REQUIRE(t.turn());
  CHECK_FALSE(t.turn()->comparable);  // the first look of a player: nothing before it
  CHECK(t.turn()->to == Look{10, 5});
  move(t, rotation(12.5F, 4));
  REQUIRE(t.turn());
  CHECK(t.turn()->comparable);
  CHECK_FALSE(t.turn()->may_repeat);
  CHECK(t.turn()->from == Look{10, 5});
  CHECK(t.turn()->yaw_delta() == Approx(2.5));
  CHECK(t.turn()->pitch_delta() == Approx(-1));
  // A movement without a rotation has no turn, and keeps the look.
  move(t, position_only());
  CHECK_FALSE(t.turn());
  CHECK(t.current() == Look{12.5F, 4});
  move(t, rotation(13, 4));
  REQUIRE(t.turn());
  CHECK(t.turn()->comparable);
  CHECK(t.turn()->from == Look{12.5F, 4});
}

TEST_CASE("looks: a server teleport's rotation is not the mouse's until the client answered it",
          "[context][looks]") {
  LookTracker t;
  move(t, rotation(0, 0));
  t.server_rotation(/*issued_seq=*/12, /*is_teleport=*/true);
  CHECK(t.server_rotation_pending());
  // Neither answered nor the transaction after it (13) acknowledged: not the mouse's.
  move(t, rotation(1, 0), /*acked=*/11);
  CHECK_FALSE(t.turn()->comparable);
  CHECK(t.server_rotation_pending());
  // The answer (a position on the target, no teleport left pending): the new baseline.
  move(t, rotation(90, 0, /*teleport_response=*/true), /*acked=*/11);
  CHECK_FALSE(t.turn()->comparable);
  CHECK_FALSE(t.server_rotation_pending());
  // The packet after it may repeat the look; then turns are plain again.
  move(t, rotation(90, 0), 11);
  CHECK(t.turn()->comparable);
  CHECK(t.turn()->may_repeat);
  move(t, rotation(91, 0), 11);
  CHECK(t.turn()->comparable);
  CHECK_FALSE(t.turn()->may_repeat);
}

TEST_CASE("looks: an answer while another teleport is pending is not the answer", "[context][looks]") {
  LookTracker t;
  move(t, rotation(0, 0));
  t.server_rotation(12, true);
  move(t, rotation(90, 0, /*teleport_response=*/true), 11, false, /*no_teleport_pending=*/false);
  CHECK(t.server_rotation_pending());
}

TEST_CASE("looks: a Player Rotation is certain once the transaction after it is acknowledged", "[context][looks]") {
  LookTracker t;
  move(t, rotation(0, 0));
  t.server_rotation(/*issued_seq=*/20, /*is_teleport=*/false);
  move(t, rotation(45, 0, /*teleport_response=*/true), /*acked=*/20);  // no teleport: an answer means nothing
  CHECK_FALSE(t.turn()->comparable);
  CHECK(t.server_rotation_pending());
  move(t, rotation(46, 0), /*acked=*/21);
  CHECK_FALSE(t.turn()->comparable);  // the packet that shows it is the new baseline
  CHECK_FALSE(t.server_rotation_pending());
  move(t, rotation(47, 0), 21);
  CHECK(t.turn()->comparable);
  CHECK(t.turn()->may_repeat);
}

TEST_CASE("looks: while the player may ride, the vehicle turns him", "[context][looks]") {
  LookTracker t;
  move(t, rotation(0, 0));
  move(t, rotation(30, 0), 10, /*riding=*/true);
  CHECK_FALSE(t.turn()->comparable);
  move(t, rotation(30, 0), 10, /*riding=*/false);
  CHECK(t.turn()->comparable);
  CHECK(t.turn()->may_repeat);
}

TEST_CASE("looks: a login or respawn starts over", "[context][looks]") {
  LookTracker t;
  move(t, rotation(0, 0));
  t.server_rotation(5, true);
  t.reset();
  CHECK_FALSE(t.server_rotation_pending());
  move(t, rotation(3, 0));
  CHECK_FALSE(t.turn()->comparable);
  move(t, rotation(4, 0));
  CHECK(t.turn()->comparable);
}

TEST_CASE("looks: the tracker survives a snapshot of its context", "[context][looks][snapshot]") {
  rustguard::context::PlayerContext ctx;
  ctx.protocol = 769;
  move(ctx.looks, rotation(0, 0));
  move(ctx.looks, rotation(2, 1));
  ctx.looks.server_rotation(7, true);
  const auto bytes = rustguard::context::encode_snapshot(ctx);
  const auto back = rustguard::context::decode_snapshot(bytes);
  REQUIRE(back.context);
  CHECK(back.context->looks.current() == ctx.looks.current());
  CHECK(back.context->looks.turn() == ctx.looks.turn());
  CHECK(back.context->looks.server_rotation_pending());
  // It goes on as the original does.
  move(ctx.looks, rotation(5, 1, true));
  LookTracker restored = back.context->looks;
  move(restored, rotation(5, 1, true));
  CHECK(restored.turn() == ctx.looks.turn());
  CHECK(restored.server_rotation_pending() == ctx.looks.server_rotation_pending());
}

}  // namespace looks_test
