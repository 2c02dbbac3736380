#include <catch2/catch.hpp>

#include <memory>
#include <variant>

#include "recorded_session.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/player_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace player_session_test {

using namespace rustguard;
using namespace rustguard::protocol;
using rustguard::test::load_session;

namespace {

// The violations among a call's events.
std::vector<Violation> violations_in(session::Output& out) {
  std::vector<Violation> found;
  for (auto& e : out.events) {
    if (auto* v = std::get_if<session::ViolationFound>(&e)) found.push_back(std::move(v->violation));
  }
  return found;
}

// Feeds a recorded session with its recorded timing; the session runs the
// engine's ticks due before each feed, as it does for the proxy.
struct Replayed {
  session::PlayerSession session;
  std::vector<Violation> violations;
  std::optional<session::CloseRequest> close;

  explicit Replayed(std::shared_ptr<const engine::EngineConfig> config,
                    engine::EngineMode mode = engine::EngineMode::originate)
      : session(ProtocolLimits{}, std::move(config), mode) {}

  // Feeds each record at its recorded time after `start`.
  Timestamp feed(const std::vector<test::Record>& records, Timestamp start) {
    Timestamp now = start;
    session::Output out;
    for (const auto& r : records) {
      now = start + Micros{r.micros};
      out.clear();
      session.feed(r.direction, r.bytes, now, out);
      for (auto& v : violations_in(out)) violations.push_back(std::move(v));
      if (out.close) {
        close = out.close;
        break;
      }
    }
    return now;
  }
};

}  // namespace

TEST_CASE("An honest recorded session raises nothing and gets transactions", "[session][engine]") {
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    Replayed run{std::make_shared<const engine::EngineConfig>()};
    run.feed(load_session(version), Timestamp::from_millis(1'700'000'000'000));
    CHECK_FALSE(run.close);
    for (const auto& v : run.violations) {
      // Whatever an honest recording raises must stay below its alert threshold.
      INFO(v.check << " " << v.type << " " << v.detail);
      CHECK(v.vl < engine::EngineConfig{}.alert_vl(v.check));
    }
    // The engine asked for transactions around the login and position packets.
    CHECK(run.session.counters(Direction::clientbound).injected > 0);
    CHECK(run.session.engine().context().in_play);
    CHECK(run.session.engine().context().name == "fixture");
  }
}

TEST_CASE("A cheating packet after the recording is flagged, and kicks when configured to", "[session][engine]") {
  auto config = std::make_shared<engine::EngineConfig>();
  config->get<checks::badpackets::PitchCheck>().limits.kick_vl = 1;
  Replayed run{config};
  const Timestamp end = run.feed(load_session("1.20.4"), Timestamp::from_millis(1'700'000'000'000));
  REQUIRE_FALSE(run.close);

  // A Set Position+Rotation with pitch 150, framed as the compressed stream is
  // (small packet: dataLength 0).
  const VersionInfo* version = find_version(v::v1_20_3);
  std::vector<std::uint8_t> packet;
  Writer{packet}
      .varint(version->id_of(PacketKind::set_position_rotation_c2s))
      .f64(6.5).f64(64).f64(0.5).f32(0).f32(150).boolean(true);
  std::vector<std::uint8_t> contents;
  Writer{contents}.varint(0).bytes(packet);
  std::vector<std::uint8_t> frame;
  REQUIRE(append_frame(frame, contents).ok());

  session::Output out;
  run.session.feed(Direction::serverbound, frame, end + millis(50), out);
  const auto raised = violations_in(out);
  REQUIRE_FALSE(raised.empty());
  CHECK(raised.back().check == "badpackets.pitch");
  CHECK(has(raised.back().outcome, Outcome::kick));
  // The kick comes last, naming the check, after the violation it follows from.
  REQUIRE_FALSE(out.events.empty());
  const auto* kicked = std::get_if<session::PlayerKicked>(&out.events.back());
  REQUIRE(kicked != nullptr);
  CHECK(kicked->check == "badpackets.pitch");
  CHECK(raised.back().player_name == "fixture");
  CHECK(raised.back().protocol_version == v::v1_20_3);
  REQUIRE(out.close);
  CHECK(out.close->cause == session::CloseCause::hooks);
  INFO(out.close->reason);
  CHECK(out.close->reason.find("pitch") != std::string::npos);
  CHECK(out.to_server.empty());  // the offending packet was not forwarded
}

TEST_CASE("In observe mode the session injects nothing and judge the same recording the same way", "[session][engine]") {
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    Replayed run{std::make_shared<const engine::EngineConfig>(), engine::EngineMode::observe};
    const auto records = load_session(version);
    run.feed(records, Timestamp::from_millis(1'700'000'000'000));
    CHECK_FALSE(run.close);
    CHECK(run.session.counters(Direction::clientbound).injected == 0);
    CHECK(run.session.counters(Direction::serverbound).dropped == 0);
    for (const auto& v : run.violations) {
      INFO(v.check << " " << v.type << " " << v.detail);
      CHECK(v.vl < engine::EngineConfig{}.alert_vl(v.check));
    }
    CHECK(run.session.engine().context().in_play);
    CHECK(run.session.engine().mode() == engine::EngineMode::observe);
  }
}

TEST_CASE("Observe mode reads a live engine's transactions back from the stream the client received",
          "[session][engine]") {
  // What a capture between the client and a live RustGuard holds: the
  // client's bytes as sent, and the server's bytes with RustGuard's
  // transactions injected. Replayed in observe mode, it must leave the engine
  // with the same transactions (ids, send times, order) and the same state.
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    const auto config = std::make_shared<const engine::EngineConfig>();
    session::PlayerSession live{ProtocolLimits{}, config};
    session::PlayerSession seen{ProtocolLimits{}, config, engine::EngineMode::observe};
    const Timestamp start = Timestamp::from_millis(1'700'000'000'000);
    session::Output live_out;
    session::Output seen_out;
    for (const auto& r : load_session(version)) {
      const Timestamp now = start + Micros{r.micros};
      live_out.clear();
      live.feed(r.direction, r.bytes, now, live_out);
      seen_out.clear();
      if (r.direction == Direction::serverbound) seen.feed(Direction::serverbound, r.bytes, now, seen_out);
      if (!live_out.to_client.empty()) seen.feed(Direction::clientbound, live_out.to_client, now, seen_out);
      REQUIRE_FALSE(live_out.close);
      REQUIRE_FALSE(seen_out.close);
    }
    const auto& a = live.engine().context();
    const auto& b = seen.engine().context();
    CHECK(live.counters(Direction::clientbound).injected > 0);
    CHECK(seen.counters(Direction::clientbound).injected == 0);
    REQUIRE(a.transactions.pending_count() > 0);  // the recording's client never answered them
    CHECK(b.transactions.pending_count() == a.transactions.pending_count());
    REQUIRE(b.transactions.oldest_pending() != nullptr);
    CHECK(b.transactions.oldest_pending()->id == a.transactions.oldest_pending()->id);
    CHECK(b.transactions.oldest_pending()->sent_at == a.transactions.oldest_pending()->sent_at);
    CHECK(b.transactions.newest()->id == a.transactions.newest()->id);
    CHECK(b.physics.latest() == a.physics.latest());
    CHECK(b.physics.confirmed() == a.physics.confirmed());
    CHECK(b.name == a.name);
  }
}

}  // namespace player_session_test
