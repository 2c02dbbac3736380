// Setbacks in the engine (engine/setbacks.hpp): the flagged move and every
// move until the client is back are held from the server, the teleport goes
// to where the server last saw the player, teleport ids are RustGuard's both
// ways, and a server teleport at the same moment keeps its own id.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <optional>

#include "../checks/engine_driver.hpp"
#include "rustguard/protocol/packets/play/confirm_teleport_c2s.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace setbacks_test {

using namespace rustguard;
using namespace rustguard::test;
using protocol::packets::ConfirmTeleportC2s;
using protocol::packets::SyncPlayerPositionS2c;

namespace {

// A setback the engine asked for on the last packet, taken.
std::optional<SyncPlayerPositionS2c> take_setback(Driver& d) {
  auto t = std::move(d.engine.rewrite().teleport);
  d.engine.rewrite().teleport.reset();
  return t;
}

// Walks on flat ground at 0.1 blocks per tick (legal from a standstill), from x.
double walk(Driver& d, double x, int steps) {
  for (int i = 0; i < steps; ++i) {
    x += 0.1;
    REQUIRE(d.pos(x, 64, 0, true) == Verdict::pass);
    d.advance_ms(50);
  }
  return x;
}

std::shared_ptr<engine::EngineConfig> config(bool setbacks) {
  auto cfg = std::make_shared<engine::EngineConfig>();
  cfg->engine.setbacks = setbacks;
  return cfg;
}

}  // namespace

TEST_CASE("a speed flag holds the move and sends the player back to the accepted position", "[engine][setback]") {
  const auto version = GENERATE(v::v1_8, v::v1_12_2, v::v1_20, v::v1_21_4);
  Driver d(version, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 5);

  // Three blocks in one tick: Speed flags (setback_vl 1 by default).
  CHECK(d.pos(x + 3, 64, 0, true) == Verdict::cancel);
  CHECK(d.count("movement.speed") == 1);
  CHECK(has(d.engine.violations().back().outcome, Outcome::setback));
  CHECK(d.engine.violations().back().cancelled == 0);  // held, not a cancel
  const auto back = take_setback(d);
  REQUIRE(back);
  CHECK(back->position.x == Approx(x));
  CHECK(back->position.y == Approx(64));
  CHECK(back->relative.yaw);
  CHECK(back->relative.pitch);
  CHECK_FALSE(back->relative.x);
  CHECK(d.engine.setbacks_sent() == 1);

  // The client has not applied it yet: its moves go on from where it was,
  // and none reaches the server, legal or not.
  CHECK(d.pos(x + 3.2, 64, 0, true) == Verdict::cancel);
  CHECK_FALSE(take_setback(d));  // one setback at a time
  if (protocol::has_teleport_confirm(version)) {
    // Its confirmation of our teleport is ours too.
    CHECK(d.confirm_as_seen(back->teleport_id) == Verdict::cancel);
    CHECK(d.count("movement.teleport") == 0);
  }
  // Arrived: forwarded, and walking on from there is judged from there.
  CHECK(d.pos_rot(back->position.x, back->position.y, back->position.z, 0, 0, true) == Verdict::pass);
  d.advance_ms(50);
  walk(d, x, 3);
  CHECK(d.engine.packets_held() >= 2);
  CHECK(d.engine.setbacks_sent() == 1);
}

TEST_CASE("teleport ids are rewritten both ways once setbacks are on", "[engine][setback]") {
  Driver d(v::v1_21_4, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  // A server that numbers its teleports its own way.
  d.teleport(10, 64, 10, 777);
  const auto& replaced = d.engine.rewrite().replacement;
  REQUIRE(replaced);
  const auto seen = SyncPlayerPositionS2c::decode(*replaced, v::v1_21_4);
  REQUIRE(seen);
  CHECK(seen->teleport_id != 777);
  CHECK(seen->position.x == 10);
  // The client confirms the id it saw; the server gets its own back.
  CHECK(d.confirm_as_seen(seen->teleport_id) == Verdict::pass);
  const auto& forwarded = d.engine.rewrite().replacement;
  REQUIRE(forwarded);
  const auto confirm = ConfirmTeleportC2s::decode(*forwarded, v::v1_21_4);
  REQUIRE(confirm);
  CHECK(confirm->teleport_id == 777);
  CHECK(d.count("movement.teleport") == 0);
  // An id nobody sent passes unchanged (and the teleport check judges it).
  d.confirm_as_seen(123456);
  CHECK_FALSE(d.engine.rewrite().replacement);
  CHECK(d.count("movement.teleport", "confirm_unknown") == 1);
}

TEST_CASE("a server teleport arriving during a setback keeps its id and ends the wait", "[engine][setback]") {
  Driver d(v::v1_20, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 3);
  CHECK(d.pos(x + 3, 64, 0, true) == Verdict::cancel);
  const auto ours = take_setback(d);
  REQUIRE(ours);
  // The server teleports the player before the client applied ours.
  d.teleport(50, 70, 50, 9);
  const auto seen = SyncPlayerPositionS2c::decode(*d.engine.rewrite().replacement, v::v1_20);
  REQUIRE(seen);
  CHECK(seen->teleport_id != ours->teleport_id);
  // The client applies both in order, then stands at the server's target.
  CHECK(d.confirm_as_seen(ours->teleport_id) == Verdict::cancel);
  CHECK(d.confirm_as_seen(seen->teleport_id) == Verdict::pass);
  REQUIRE(d.engine.rewrite().replacement);
  CHECK(ConfirmTeleportC2s::decode(*d.engine.rewrite().replacement, v::v1_20)->teleport_id == 9);
  CHECK(d.pos_rot(50, 70, 50, 0, 0, false) == Verdict::pass);
  CHECK_FALSE(d.engine.context().teleports.has_ours());
  CHECK(d.count("movement.teleport") == 0);
}

TEST_CASE("while the server's own teleport is on its way a setback only holds the move", "[engine][setback]") {
  Driver d(v::v1_21_4, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 3);
  d.teleport(20, 64, 20, 5);
  // The client has not applied it yet and cheats meanwhile.
  CHECK(d.pos(x + 3, 64, 0, true) == Verdict::cancel);
  CHECK(d.count("movement.speed") == 1);
  CHECK_FALSE(take_setback(d));
  CHECK(d.engine.setbacks_sent() == 0);
}

TEST_CASE("setbacks off: nothing held, no setback outcome, ids untouched", "[engine][setback]") {
  Driver d(v::v1_21_4, config(false));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 3);
  d.teleport(20, 64, 20, 5);
  CHECK_FALSE(d.engine.rewrite().replacement);
  d.confirm(5);
  CHECK_FALSE(d.engine.rewrite().replacement);
  d.pos_rot(20, 64, 20, 0, 0, true);
  d.advance_ms(50);
  CHECK(d.pos(23, 64, 20, true) == Verdict::pass);
  CHECK(d.count("movement.speed") == 1);
  CHECK_FALSE(has(d.engine.violations().back().outcome, Outcome::setback));
  CHECK_FALSE(take_setback(d));
  (void)x;
}

TEST_CASE("a replay records the setback outcome and changes nothing", "[engine][setback]") {
  Driver d(v::v1_21_4, config(true), engine::EngineMode::observe);
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 3);
  CHECK(d.pos(x + 3, 64, 0, true) == Verdict::pass);
  CHECK(has(d.engine.violations().back().outcome, Outcome::setback));
  CHECK_FALSE(take_setback(d));
  d.teleport(20, 64, 20, 5);
  CHECK_FALSE(d.engine.rewrite().replacement);
}

// A cheat client that accepts each setback and cheats on from there: the
// server must never see it gain ground. Fly buffers one offending move
// before it flags; after a setback that buffer is kept, or every setback
// would let one more rise through.
TEST_CASE("a cheat that follows its setbacks gains nothing on the server", "[engine][setback]") {
  const auto version = GENERATE(v::v1_8, v::v1_21_4);
  const bool fly = GENERATE(false, true);
  Driver d(version, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  d.advance_ms(50);
  protocol::Vec3 p{0, 64, 0};
  protocol::Vec3 farthest = p;
  int setbacks = 0;
  for (int i = 0; i < 60; ++i) {
    if (fly) {
      p.y += 0.4;
    } else {
      p.x += 0.42;  // 1.5 x sprint
    }
    if (d.pos(p.x, p.y, p.z, !fly) == Verdict::pass) {
      farthest.x = std::max(farthest.x, p.x);
      farthest.y = std::max(farthest.y, p.y);
    }
    if (auto back = take_setback(d)) {
      ++setbacks;
      if (protocol::has_teleport_confirm(version)) CHECK(d.confirm_as_seen(back->teleport_id) == Verdict::cancel);
      CHECK(d.pos_rot(back->position.x, back->position.y, back->position.z, 0, 0, false) == Verdict::pass);
      p = back->position;
    }
    d.advance_ms(50);
  }
  INFO(d.describe());
  CHECK(setbacks >= 5);
  if (fly) {
    // A jump's first rise (legal from the ground), then the one offending
    // rise fly lets through before it flags; never more after setbacks.
    CHECK(farthest.y <= 64.8 + 1e-9);
  } else {
    CHECK(farthest.x <= 0.42 + 1e-9);
  }
}

// A replay of the client side of a live session (the moves, and the
// setbacks the live engine sent, as the client received them) keeps the same
// books: it recognises RustGuard's teleports and judges every move as live
// did, so both raise the same violations.
TEST_CASE("a replay of the client side judges a session with setbacks as live did", "[engine][setback]") {
  const auto version = GENERATE(v::v1_8, v::v1_21_4);
  const bool fly = GENERATE(false, true);
  Driver live(version, config(true));
  Driver replay(version, config(true), engine::EngineMode::observe);
  for (Driver* d : {&live, &replay}) {
    d->spawn_at(0, 64, 0);
    REQUIRE(d->pos(0, 64, 0, true) == Verdict::pass);
    d->advance_ms(50);
  }
  protocol::Vec3 p{0, 64, 0};
  int adopted = 0;
  for (int i = 0; i < 60; ++i) {
    // A cheat for 40 ticks, then honest walking on from where it stands.
    if (i < 40) {
      if (fly) p.y += 0.4; else p.x += 0.42;
    } else {
      p.x += 0.1;
    }
    const bool ground = !fly || i >= 40;
    live.pos(p.x, p.y, p.z, ground);
    replay.pos(p.x, p.y, p.z, ground);
    if (auto back = take_setback(live)) {
      // What the client received: the teleport's bytes, as the capture shows them.
      std::vector<std::uint8_t> bytes;
      back->encode(bytes, version);
      replay.receive(PacketKind::sync_player_position_s2c, bytes);
      if (replay.engine.context().teleports.has_ours()) ++adopted;
      if (protocol::has_teleport_confirm(version)) {
        live.confirm_as_seen(back->teleport_id);
        replay.confirm_as_seen(back->teleport_id);
      }
      live.pos_rot(back->position.x, back->position.y, back->position.z, 0, 0, false);
      replay.pos_rot(back->position.x, back->position.y, back->position.z, 0, 0, false);
      p = back->position;
    }
    live.advance_ms(50);
    replay.advance_ms(50);
  }
  CHECK(adopted >= 3);
  INFO("live:\n" << live.describe() << "replay:\n" << replay.describe());
  const auto& a = live.engine.violations();
  const auto& b = replay.engine.violations();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].check == b[i].check);
    CHECK(a[i].type == b[i].type);
    CHECK(a[i].time_ms == b[i].time_ms);
    CHECK(a[i].vl == Approx(b[i].vl));
    CHECK(a[i].outcome == b[i].outcome);
  }
}

// 1.20.2+: the server may send the player back to configuration while our
// teleport is on its way (or when the client, already reading configuration,
// could not be sent it); play starts over with the server placing the player.
TEST_CASE("a setback on its way ends with the configuration phase", "[engine][setback]") {
  Driver d(v::v1_21_4, config(true));
  d.spawn_at(0, 64, 0);
  REQUIRE(d.pos(0, 64, 0, true) == Verdict::pass);
  const double x = walk(d, 0, 3);
  CHECK(d.pos(x + 3, 64, 0, true) == Verdict::cancel);
  REQUIRE(take_setback(d));
  REQUIRE(d.engine.context().teleports.has_ours());
  d.engine.on_configuration_start(d.now);
  d.engine.on_play_start(d.now);
  CHECK_FALSE(d.engine.context().teleports.has_ours());
  CHECK_FALSE(d.engine.context().accepted.known);
  // Back in play, the server places the player; moves flow again.
  d.spawn_at(10, 64, 10);
  CHECK(d.pos(10, 64, 10.05, true) == Verdict::pass);
}

}  // namespace setbacks_test
