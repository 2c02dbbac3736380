#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "../checks/engine_driver.hpp"
#include "rustguard/engine/packet_rate_limiter.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace packet_rate_limit_test {

using namespace rustguard;
using namespace rustguard::test;

namespace {

constexpr Timestamp kStart = Timestamp::from_millis(1'700'000'000'000);

// Frames at the given times through the engine's limit; the index of the
// first refused one, or -1.
template <class TimeOf>
int first_refused(engine::DetectionEngine& e, int frames, TimeOf&& time_of) {
  for (int i = 0; i < frames; ++i) {
    if (!e.on_serverbound_frame(time_of(i))) return i;
  }
  return -1;
}

}  // namespace

TEST_CASE("packet rate: 10,000 packets in one second are kicked", "[engine][packet_rate]") {
  Driver d(v::v1_21_4);
  const int refused = first_refused(d.engine, 10'000, [](int i) { return kStart + Micros{100 * i}; });
  // The bucket holds 500 x 5 = 2,500 and refills 500 a second: empty after
  // about 2,630 frames at 10,000 a second (0.26 s).
  REQUIRE(refused > 2'500);
  CHECK(refused < 2'700);
  REQUIRE(d.engine.kick_reason());
  CHECK(*d.engine.kick_reason() == "too many packets (" + std::to_string(refused + 1) + "/s, limit 500)");
  // It stays refused while the flood goes on.
  CHECK_FALSE(d.engine.on_serverbound_frame(kStart + Micros{100 * (refused + 1)}));
}

TEST_CASE("packet rate: 60 packets a second for 60 s are never refused", "[engine][packet_rate]") {
  Driver d(v::v1_21_4);
  Jitter jitter(3);
  CHECK(first_refused(d.engine, 3'600, [&](int i) {
          return kStart + Micros{static_cast<std::int64_t>(16'667 * i + jitter.next(8'000))};
        }) == -1);
  CHECK_FALSE(d.engine.kick_reason());
}

TEST_CASE("packet rate: a 300-packet burst after a 5 s stall is not refused", "[engine][packet_rate]") {
  Driver d(v::v1_21_4);
  // Ten seconds of steady play at 60 a second, then nothing for 5 s, then
  // everything held back in one read, then steady play again.
  int n = 0;
  for (; n < 600; ++n) REQUIRE(d.engine.on_serverbound_frame(kStart + Micros{16'667 * n}));
  const Timestamp resume = kStart + Micros{16'667 * n} + millis(5'000);
  for (int i = 0; i < 300; ++i) REQUIRE(d.engine.on_serverbound_frame(resume));
  for (int i = 1; i <= 600; ++i) REQUIRE(d.engine.on_serverbound_frame(resume + Micros{16'667 * i}));
  CHECK_FALSE(d.engine.kick_reason());

  // Even straight after connecting (a full bucket) and repeated every 5 s.
  Driver e(v::v1_21_4);
  for (int burst = 0; burst < 12; ++burst) {
    for (int i = 0; i < 300; ++i) REQUIRE(e.engine.on_serverbound_frame(kStart + millis(5'000 * burst)));
  }
  CHECK_FALSE(e.engine.kick_reason());
}

TEST_CASE("packet rate: a sustained rate just over the limit is kicked once the burst allowance is spent",
          "[engine][packet_rate]") {
  Driver d(v::v1_21_4);
  // 600 a second: the bucket loses 100 a second and lasts 25 s.
  const int refused = first_refused(d.engine, 60 * 600, [](int i) { return kStart + Micros{1'000'000LL * i / 600}; });
  REQUIRE(refused > 0);
  CHECK(refused / 600.0 == Approx(25.0).margin(0.1));
  REQUIRE(d.engine.kick_reason());
  CHECK(*d.engine.kick_reason() == "too many packets (600/s, limit 500)");
}

TEST_CASE("packet rate: the limiter's settings", "[engine][packet_rate]") {
  engine::PacketRateLimiter off;
  for (int i = 0; i < 100'000; ++i) REQUIRE(off.take(kStart, 0, 5));  // 0: no limit

  engine::PacketRateLimiter strict;  // window 0: no burst beyond one packet
  CHECK(strict.take(kStart, 10, 0));
  CHECK_FALSE(strict.take(kStart, 10, 0));
  CHECK(strict.take(kStart + millis(100), 10, 0));

  engine::PacketRateLimiter huge;  // absurd settings neither overflow nor refuse
  for (int i = 0; i < 1'000; ++i) REQUIRE(huge.take(kStart + millis(i), 2'000'000'000, 1e12));
  CHECK(huge.take(Timestamp{INT64_MAX / 2}, 2'000'000'000, 1e12));

  // Time running backwards (two reads with one clock value each way) refills nothing.
  engine::PacketRateLimiter back;
  CHECK(back.take(kStart, 1, 1));
  CHECK_FALSE(back.take(kStart - millis(10'000), 1, 1));

  // The settings come from checks.engine.
  auto cfg = std::make_shared<engine::EngineConfig>();
  cfg->engine.max_packets_per_second = 20;
  cfg->engine.packet_rate_window_s = 1;
  Driver d(v::v1_21_4, cfg);
  CHECK(first_refused(d.engine, 1'000, [](int) { return kStart; }) == 20);
  CHECK(*d.engine.kick_reason() == "too many packets (21/s, limit 20)");
}

}  // namespace packet_rate_limit_test
