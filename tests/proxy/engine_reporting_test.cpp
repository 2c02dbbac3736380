#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "../../tools/proxy/cancel_ledger.hpp"
#include "../../tools/proxy/metrics.hpp"
#include "../../tools/proxy/proxy_hooks.hpp"
#include "../../tools/proxy/proxy_state.hpp"
#include "../session/recorded_session.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/engine_hooks.hpp"

using namespace rustguard;
using protocol::Direction;
using protocol::PacketKind;

namespace {

constexpr std::int64_t kStartUs = 1'700'000'000'000'000;

// The live proxy's hooks around the real engine, fed a recorded 1.20.4 session.
struct Live {
  session::ConnectionSession session;
  proxy::ProxyHooks<session::EngineHooks> hooks;
  session::Output out;
  std::int64_t now_us = kStartUs;

  explicit Live(std::shared_ptr<const engine::EngineConfig> config) : hooks(std::move(config)) {}

  void feed(Direction d, const std::vector<std::uint8_t>& bytes, std::int64_t at_us) {
    now_us = at_us;
    hooks.set_now(at_us);
    out.clear();
    session.feed(d, bytes, hooks, out);
  }
  void replay(const std::string& version) {
    for (const auto& r : test::load_session(version)) {
      feed(r.direction, r.bytes, kStartUs + r.micros);
      REQUIRE_FALSE(out.close);
    }
  }
  // One serverbound play packet, framed for the compressed stream (small: dataLength 0).
  void send(PacketKind kind, const std::vector<std::uint8_t>& body) {
    const protocol::VersionInfo* version = session.tracker().version();
    REQUIRE(version);
    std::vector<std::uint8_t> contents;
    protocol::Writer{contents}.varint(0).varint(version->id_of(kind)).bytes(body);
    std::vector<std::uint8_t> frame;
    REQUIRE(protocol::append_frame(frame, contents).ok());
    feed(Direction::serverbound, frame, now_us + 50'000);
  }
};

}  // namespace

TEST_CASE("ProxyHooks hands the engine the proxy's clock and counts its transactions", "[proxy][engine]") {
  Live live{std::make_shared<const engine::EngineConfig>()};
  live.replay("1.20.4");
  CHECK(live.hooks.inspector().now() == Timestamp{live.now_us});
  CHECK(live.hooks.inspector().engine().context().in_play);
  // Every transaction the engine asked for went into the client's stream.
  const auto injected = live.session.counters(Direction::clientbound).injected;
  CHECK(injected > 0);
  CHECK(live.hooks.seen().transactions_sent == injected);
  CHECK(live.hooks.seen().transactions_answered == 0);  // the recorded client never saw them

  // The client answers the first one: swallowed, counted as an answer, not as a cancel.
  live.hooks.seen().cancels.clear();
  std::vector<std::uint8_t> pong;
  protocol::Writer{pong}.i32(-1);
  live.send(PacketKind::pong_c2s, pong);
  CHECK_FALSE(live.out.close);
  CHECK(live.out.to_server.empty());
  CHECK(live.hooks.seen().transactions_answered == 1);
  CHECK(live.hooks.seen().cancels.empty());
}

TEST_CASE("ProxyHooks tells a check's cancel from a swallowed transaction answer", "[proxy][engine]") {
  Live live{std::make_shared<const engine::EngineConfig>()};
  live.replay("1.20.4");
  live.hooks.inspector().take_violations();
  live.hooks.seen().cancels.clear();

  // Pitch 150: badpackets.pitch flags with cancel_vl 1, so the packet is dropped.
  std::vector<std::uint8_t> look;
  protocol::Writer{look}.f64(6.5).f64(64).f64(0.5).f32(0).f32(150).boolean(true);
  live.send(PacketKind::set_position_rotation_c2s, look);
  CHECK(live.out.to_server.empty());
  const auto& violations = live.hooks.inspector().violations();
  REQUIRE_FALSE(violations.empty());
  REQUIRE(live.hooks.seen().cancels.size() == 1);
  const proxy::CancelTally& c = live.hooks.seen().cancels.front();
  CHECK(c.check == "badpackets.pitch");
  CHECK(c.kind == PacketKind::set_position_rotation_c2s);
  CHECK(c.packets == 1);
  CHECK(live.hooks.seen().transactions_answered == 0);
}

TEST_CASE("ProxyHooks tallies every cancelled packet of a flood although its violations are folded",
          "[proxy][engine]") {
  Live live{std::make_shared<const engine::EngineConfig>()};
  live.replay("1.20.4");
  live.hooks.inspector().take_violations();
  live.hooks.seen().cancels.clear();

  // 100 looks with pitch 150 in one read: each is cancelled until the 51st
  // cancel within a second kicks.
  const protocol::VersionInfo* version = live.session.tracker().version();
  REQUIRE(version);
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 100; ++i) {
    std::vector<std::uint8_t> contents;
    protocol::Writer{contents}.varint(0).varint(version->id_of(PacketKind::set_rotation_c2s)).f32(0).f32(150).boolean(true);
    REQUIRE(protocol::append_frame(bytes, contents).ok());
  }
  live.feed(Direction::serverbound, bytes, live.now_us + 50'000);
  REQUIRE(live.out.close);
  CHECK(live.out.close->cause == session::CloseCause::hooks);
  CHECK(live.out.close->reason == "too many cancelled packets (51 in 1 s, limit 50)");
  CHECK(live.out.to_server.empty());
  REQUIRE(live.hooks.seen().cancels.size() == 1);
  CHECK(live.hooks.seen().cancels.front().check == "badpackets.pitch");
  CHECK(live.hooks.seen().cancels.front().packets == 50);
  CHECK(live.hooks.seen().transactions_answered == 0);

  // One record so far (the first flag); the rest waits folded until the
  // connection finishes.
  auto records = live.hooks.inspector().take_violations();
  std::uint64_t pitch_records = 0, pitch_flags = 0;
  live.hooks.inspector().finish();
  for (const auto& v : live.hooks.inspector().take_violations()) records.push_back(v);
  for (const auto& v : records) {
    if (v.check != "badpackets.pitch") continue;
    ++pitch_records;
    pitch_flags += v.count;
  }
  CHECK(pitch_records == 2);
  CHECK(pitch_flags == 51);

  // The proxy writes one cancel action per record for what its check dropped.
  proxy::CancelLedger ledger;
  ledger.add(live.hooks.seen().cancels.front());
  CHECK(ledger.take("movement.speed") == std::nullopt);
  CHECK(ledger.take("badpackets.pitch") == "50 packets dropped (set_rotation_c2s 50)");
  CHECK(ledger.take("badpackets.pitch") == std::nullopt);
  CHECK(ledger.waiting() == 0);
}

namespace {
// What the session looks for to apply a packet-rate limit.
template <class Hooks>
concept CountsFrames = requires(Hooks& h) { h.on_serverbound_frame(); };
}  // namespace

TEST_CASE("ProxyHooks passes the engine's packet-rate limit to the session", "[proxy][engine]") {
  static_assert(!CountsFrames<proxy::ProxyHooks<session::ForwardOnlyHooks>>);
  static_assert(CountsFrames<proxy::ProxyHooks<session::EngineHooks>>);
  Live live{std::make_shared<const engine::EngineConfig>()};
  live.replay("1.20.4");
  REQUIRE_FALSE(live.hooks.kick_reason());
  // Swing Arm frames, which nobody inspects, 3,000 in one read: over the
  // 2,500 the bucket holds.
  const protocol::VersionInfo* version = live.session.tracker().version();
  REQUIRE(version);
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 3'000; ++i) {
    std::vector<std::uint8_t> contents;
    protocol::Writer{contents}.varint(0).varint(version->id_of(PacketKind::swing_arm_c2s)).varint(0);
    REQUIRE(protocol::append_frame(bytes, contents).ok());
  }
  live.feed(Direction::serverbound, bytes, live.now_us + 50'000);
  REQUIRE(live.out.close);
  CHECK(live.out.close->cause == session::CloseCause::hooks);
  CHECK(live.out.close->reason.rfind("too many packets (", 0) == 0);
  CHECK(live.out.close->reason.find("/s, limit 500)") != std::string::npos);
  REQUIRE(live.hooks.kick_reason());
  CHECK(*live.hooks.kick_reason() == live.out.close->reason);
}

TEST_CASE("RuntimeConfig shares one engine config and knows each check's thresholds", "[proxy][engine]") {
  Config config;
  config.checks.get<checks::timer::TimerCheck>().limits.alert_vl = 7;
  config.checks.get<checks::badpackets::PitchCheck>().limits.enabled = false;
  const proxy::RuntimeConfig runtime{config};
  REQUIRE(runtime.engine);
  CHECK(*runtime.engine == config.checks);
  const proxy::CheckThresholds* timer = runtime.thresholds_of("timer");
  REQUIRE(timer);
  CHECK(timer->alert_vl == 7);
  CHECK(timer->alert_vl == config.checks.alert_vl("timer"));
  const proxy::CheckThresholds* pitch = runtime.thresholds_of("badpackets.pitch");
  REQUIRE(pitch);
  CHECK(pitch->alert_vl == 0);  // disabled: never an alert
  CHECK(runtime.thresholds_of("no.such.check") == nullptr);
  CHECK(runtime.thresholds.size() == proxy::check_keys().size());
}

TEST_CASE("Metrics count detections per check and show the violation log's figures", "[proxy][metrics]") {
  proxy::Metrics m;
  m.violations.add("movement.speed");
  m.violations.add("movement.speed");
  m.alerts.add("movement.speed");
  m.kicks.add("malformed");  // no check of that name: "other"
  m.cancels.add("badpackets.pitch", 3);
  proxy::Metrics::add(m.transactions_sent, 5);
  proxy::Metrics::add(m.transactions_answered, 4);
  CHECK(m.violations.get("movement.speed") == 2);
  CHECK(m.violations.total() == 2);
  std::string text = m.render();
  const auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
  CHECK(has("rustguard_violations_total{check=\"movement.speed\"} 2"));
  CHECK(has("rustguard_violations_total{check=\"timer\"} 0"));
  CHECK(has("rustguard_alerts_total{check=\"movement.speed\"} 1"));
  CHECK(has("rustguard_kicks_total{check=\"other\"} 1"));
  CHECK(has("rustguard_cancels_total{check=\"badpackets.pitch\"} 3"));
  CHECK(has("rustguard_transactions_sent_total 5"));
  CHECK(has("rustguard_transactions_answered_total 4"));
  CHECK(text.find("rustguard_violation_log_records_total") == std::string::npos);  // no log attached

  m.storage = [] { return proxy::StorageFigures{10, 7, 2, 1, 3, 1, 0}; };
  text = m.render();
  CHECK(has("rustguard_violation_log_records_total{outcome=\"accepted\"} 10"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"written\"} 7"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"spilled\"} 2"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"imported\"} 1"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"dropped\"} 1"));
  CHECK(has("rustguard_violation_log_retries_total 3"));
}
