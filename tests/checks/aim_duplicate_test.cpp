#include <catch2/catch.hpp>

#include "aim_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace aim_duplicate_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};

// Set Passengers, or on 1.8 Attach Entity (rider, vehicle or -1, no leash).
void ride(Driver& d, std::int32_t vehicle, bool aboard) {
  std::vector<std::uint8_t> b;
  rustguard::protocol::Writer w{b};
  if (d.pv < v::v1_9) {
    w.i32(kSelfId).i32(aboard ? vehicle : -1).boolean(false);
    d.receive(PacketKind::attach_entity_s2c, b);
    d.answer_all();
    return;
  }
  w.varint(vehicle);
  if (aboard) {
    w.varint(1).varint(kSelfId);
  } else {
    w.varint(0);
  }
  d.receive(PacketKind::set_passengers_s2c, b);
  d.answer_all();
}
}  // namespace

TEST_CASE("aim.duplicate: a vanilla mouse sends its look only when it changed", "[checks][aim_duplicate]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    VanillaMouse mouse{.sensitivity = 0.5};
    float sent_yaw = 0, sent_pitch = 0;
    for (int t = 0; t < 200; ++t) {
      // Idle for a few ticks now and then: the mouse still, no rotation sent.
      if (t % 7 < 5) mouse.frame((t % 5) - 2, (t % 3) - 1);
      if (mouse.yaw != sent_yaw || mouse.pitch != sent_pitch) {
        d.rot(mouse.yaw, mouse.pitch, true);
        sent_yaw = mouse.yaw;
        sent_pitch = mouse.pitch;
      } else if (pv < v::v1_9) {
        d.ground(true);
      }
      if (pv >= v::v1_21_2) d.tick_end();
      d.advance_ms(50);
    }
    CHECK(d.count("aim.duplicate") == 0);
  }
}

TEST_CASE("aim.duplicate: the same look sent again and again is flagged", "[checks][aim_duplicate]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    look_tick(d, 10.5f, 3.25f);
    for (int t = 0; t < 5; ++t) look_tick(d, 10.5f, 3.25f);
    CHECK(d.count("aim.duplicate", "rotation") == 5);
    CHECK(d.max_vl("aim.duplicate") >= 3);  // the alert
    // Set Position and Rotation with the same look counts too.
    d.pos_rot(0, 64, 0, 10.5f, 3.25f, true);
    CHECK(d.count("aim.duplicate", "rotation") == 6);
  }
}

TEST_CASE("aim.duplicate: the answer to a server teleport and the packet after it may repeat the look",
          "[checks][aim_duplicate]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    look_tick(d, 30, 5);
    // The server turns the player to 90/0; the answer carries it, and the
    // next regular packet sends it again (its "last sent" look was 30/5).
    teleport_with_look(d, {0, 64, 0}, 90, 0, 7);
    d.answer_all();
    look_tick(d, 90, 0);
    CHECK(d.count("aim.duplicate") == 0);
    // ... but only once.
    look_tick(d, 90, 0);
    CHECK(d.count("aim.duplicate") == 1);
  }
}

TEST_CASE("aim.duplicate: riding sends the look every tick, and once more after dismounting",
          "[checks][aim_duplicate]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    look_tick(d, 30, 5);
    ride(d, 500, true);
    for (int t = 0; t < 10; ++t) look_tick(d, 30, 5);
    ride(d, 500, false);
    look_tick(d, 30, 5);
    CHECK(d.count("aim.duplicate") == 0);
    look_tick(d, 30, 5);
    CHECK(d.count("aim.duplicate") == 1);
  }
}

}  // namespace aim_duplicate_test
