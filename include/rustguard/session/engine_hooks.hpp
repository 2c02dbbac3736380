#pragma once
// Plugs the detection engine into a ConnectionSession: the session's hooks
// contract on one side, the engine's contract on the other.
//
//   session::EngineHooks hooks{engine_config};
//   hooks.set_now(now);                       // before every feed
//   session.feed(direction, bytes, hooks, out);
//   for (auto& v : hooks.take_violations()) log.log_violation(std::move(v));
//   hooks.on_tick(now);                       // every few hundred ms, packets or not
//   if (auto reason = hooks.kick_reason()) { session.append_disconnect(*reason, out); close; }
//   ...
//   hooks.finish();                           // the connection ended: the last folded
//   for (auto& v : hooks.take_violations()) ...  // violation records
//
// The session itself calls on_serverbound_frame() for every client frame
// (the engine's packet-rate limit; false: close with kick_reason()).
//
// A replay constructs it with EngineMode::observe: nothing is injected and
// the transactions a live RustGuard put into the captured stream are read.
//
// The owner supplies the time; this header reads no clock, so the proxy and
// the replay tool give the engine exactly the same inputs for the same bytes.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::session {

class EngineHooks {
 public:
  // `observe` for replays: the engine injects nothing and reads the
  // transactions already in the stream (engine_mode.hpp).
  explicit EngineHooks(std::shared_ptr<const engine::EngineConfig> config,
                       engine::EngineMode mode = engine::EngineMode::originate)
      : engine_(std::move(config), mode) {}

  // The time of the bytes about to be fed (or of the tick).
  void set_now(Timestamp now) noexcept { now_ = now; }
  Timestamp now() const noexcept { return now_; }

  bool wants(Direction d, PacketKind kind) const noexcept { return engine_.wants(d, kind); }

  PacketDisposition on_packet(const PacketView& p) {
    PacketDisposition out;
    if (p.direction == Direction::serverbound) {
      switch (engine_.on_serverbound(p.kind, p.body, now_)) {
        case engine::Verdict::pass:
          break;
        case engine::Verdict::cancel:
          out.action = PacketAction::drop;
          break;
        case engine::Verdict::kick:
          out.action = PacketAction::close;
          out.reason = engine_.kick_reason().value_or("kicked by RustGuard");
          break;
      }
      return out;
    }
    const engine::ClientboundDecision d = engine_.on_clientbound(p.kind, p.body, now_);
    out.transaction_before = d.transaction_before;
    out.transaction_after = d.transaction_after;
    return out;
  }

  void on_tracker_update(const protocol::ConnectionTracker& tracker, const protocol::TrackerUpdate& u) {
    if (!u.state_changed) return;
    const protocol::State state = tracker.state(Direction::serverbound);
    if (!started_ && tracker.version() != nullptr && state != protocol::State::status) {
      engine_.on_connection_start(tracker, now_);
      started_ = true;
    }
    if (!started_) return;
    if (u.entered_play) {
      engine_.on_play_start(now_);
    } else if (state == protocol::State::configuration) {
      engine_.on_configuration_start(now_);
    }
  }

  // Every serverbound frame, at the time of the bytes being fed. False: the
  // client is over the packet rate; close with kick_reason().
  bool on_serverbound_frame() { return engine_.on_serverbound_frame(now_); }

  // Time passing without packets: transaction timeouts, the timer balance.
  void on_tick(Timestamp now) {
    now_ = now;
    if (started_) engine_.on_tick(now);
  }

  // The connection ended: the folded violation records still pending are
  // appended to violations() (drain them once more).
  void finish() { engine_.finish(); }

  // Which check cancelled the last serverbound packet the session dropped;
  // empty when the drop swallowed the answer to one of the engine's own
  // transactions.
  std::string_view cancelling_check() const noexcept { return engine_.cancelling_check(); }

  // Violations raised since the last call, oldest first.
  std::vector<Violation> take_violations() { return std::exchange(engine_.violations(), {}); }
  // The same, in place (the replay drains them without a new vector per feed).
  std::vector<Violation>& violations() noexcept { return engine_.violations(); }
  std::optional<std::string> kick_reason() const { return engine_.kick_reason(); }

  engine::DetectionEngine& engine() noexcept { return engine_; }
  const engine::DetectionEngine& engine() const noexcept { return engine_; }

 private:
  engine::DetectionEngine engine_;
  Timestamp now_{};
  bool started_ = false;
};

}  // namespace rustguard::session
