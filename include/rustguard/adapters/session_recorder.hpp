#pragma once
// Turns one player connection's core events (session/session_event.hpp) into
// the violation log's rows: the `sessions` row, its brand, every violation
// record, and the actions the core decided (alert, cancel, kick, and the
// punishment ladders' alerts, commands and strikes). The live
// proxy and the replay tool both record through this one class, so for the
// same bytes they write the same rows; the only difference is the actions'
// `result`: "ok" live, where they were carried out, and "not executed" in a
// replay, which records what live would have done.
//
// It reads only what the events say: no thresholds, no clocks. Times are
// the core's (the time of the bytes that caused the event).

#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rustguard/actions/fired_action.hpp"
#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/session/session_event.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::adapters {

// The result column of an action a replay recorded but nobody carried out.
inline constexpr std::string_view kNotExecuted = "not executed";

// Where a session's rows come from, beyond what the core knows.
struct RecorderOrigin {
  SessionSource source = SessionSource::live;
  std::string address;       // the client's address (a Velocity-forwarded one replaces it)
  std::string capture_file;  // replay only
};

// "movement.speed horizontal VL 12.5 (4 flags): moved 0.91 > 0.62": one line
// for a violation record in logs and action details.
inline std::string violation_summary(const Violation& v) {
  char vl[32];
  std::snprintf(vl, sizeof vl, "%.1f", v.vl);
  std::string s = v.check + " " + v.type + " VL " + vl;
  if (v.count > 1) s += " (" + std::to_string(v.count) + " flags)";
  return s + ": " + v.detail;
}

class SessionRecorder {
 public:
  // `log` may be null: nothing is stored (the events are still valid).
  SessionRecorder(ViolationLog* log, RecorderOrigin origin) : log_(log), origin_(std::move(origin)) {}

  void record(std::span<session::Event> events) {
    for (session::Event& e : events) record(e);
  }

  void record(session::Event& e) {
    std::visit([this](auto& event) { on(event); }, e);
  }

  // The connection ended at `at` (the core's time of its last bytes, or the
  // proxy's clock when it closed).
  void end(Timestamp at) {
    if (log_ != nullptr && session_id_ != 0 && !ended_) log_->end_session(session_id_, at.to_millis());
    ended_ = true;
  }

  // The client's address, once known (the proxy learns it from a PROXY header).
  void set_address(std::string address) { origin_.address = std::move(address); }

  // Where live ladder commands go (the proxy's RCON client): it must store
  // the row (ViolationLog::log_action) with the result once it has one.
  void set_command_runner(std::function<void(ActionRecord)> runner) { command_runner_ = std::move(runner); }

  // Names the evidence clip (docs/recordings.md "Evidence clips") of each
  // action row this recorder writes from now on: alert, cancel, setback,
  // kick, strike, and the command rows handed to the command runner all get
  // `clip = namer(kind)`; the namer answers "" for kinds that get no clip
  // (stored as NULL). The live proxy's connection sets it, naming the clip it
  // will write (tools/proxy); the replay never does, so its rows have no clip.
  void set_clip_namer(std::function<std::string(ActionKind)> namer) { clip_namer_ = std::move(namer); }

  // The `sessions` row's id; 0 before the login (or without a log).
  std::uint64_t session_id() const noexcept { return session_id_; }

 private:
  void on(session::PlayerLoggedIn& e) {
    if (log_ == nullptr || session_id_ != 0) return;
    SessionStart start;
    if (e.uuid) start.player_uuid = *e.uuid;
    start.player_name = e.name;
    start.address = e.forwarded_address.empty() ? origin_.address : e.forwarded_address;
    start.protocol_version = e.protocol;
    start.start_ms = e.at.to_millis();
    start.source = origin_.source;
    start.capture_file = origin_.capture_file;
    session_id_ = log_->begin_session(std::move(start));
  }

  void on(session::ClientBrand& e) {
    if (log_ != nullptr && session_id_ != 0) log_->set_client_brand(session_id_, e.brand);
  }

  void on(session::ViolationFound& e) {
    Violation& v = e.violation;
    if (log_ == nullptr || session_id_ == 0) return;
    v.session_id = session_id_;
    const Outcome outcome = v.outcome;
    const std::uint32_t cancelled = v.cancelled;
    const std::int64_t time_ms = v.time_ms;
    std::vector<actions::FiredAction> fired = std::move(v.actions);
    std::string summary = violation_summary(v);
    const std::uint64_t id = log_->log_violation(std::move(v));
    if (has(outcome, Outcome::alert)) action(id, time_ms, ActionKind::alert, summary);
    if (cancelled > 0) {
      action(id, time_ms, ActionKind::cancel,
             (cancelled == 1 ? std::string("1 packet dropped") : std::to_string(cancelled) + " packets dropped") +
                 ": " + summary);
    }
    // Live: the move was held and the player sent back (engine/setbacks.hpp);
    // the SetbackSent event that follows is the proxy's metric.
    if (has(outcome, Outcome::setback)) action(id, time_ms, ActionKind::setback, summary);
    for (actions::FiredAction& a : fired) fired_action(id, time_ms, std::move(a));
    if (has(outcome, Outcome::kick)) kick_violation_ = id;
  }

  void on(session::PlayerKicked& e) {
    if (log_ == nullptr || session_id_ == 0) return;
    action(e.check.empty() ? 0 : kick_violation_, e.at.to_millis(), ActionKind::kick, e.reason);
  }

  // Nothing to store for these: the proxy acts on them.
  void on(session::EncryptionStarted&) {}
  void on(session::StatusRequested&) {}
  void on(session::StatusPinged&) {}
  void on(session::StatusAnswered&) {}
  void on(session::ServerDisconnected&) {}
  void on(session::TimingFlagsHeld&) {}  // a metric, not a row: nothing was flagged
  void on(session::SetbackSent&) {}      // the violation's setback row is already written
  void on(session::ModelJudged&) {}      // a metric; its verdicts are ViolationFound

  // A ladder's action: alerts and strikes are rows at once (the alert's log
  // line is the proxy's business); a command goes to the runner, which
  // stores its row once the server answered. Without a runner (replay, or no
  // RCON) the row says it was not executed.
  void fired_action(std::uint64_t violation_id, std::int64_t time_ms, actions::FiredAction a) {
    switch (a.kind) {
      case actions::FiredKind::alert: action(violation_id, time_ms, ActionKind::alert, std::move(a.text)); return;
      case actions::FiredKind::strike: action(violation_id, time_ms, ActionKind::strike, std::move(a.group)); return;
      case actions::FiredKind::command: break;
    }
    ActionRecord row{0, session_id_, violation_id, time_ms, ActionKind::command, std::move(a.text), {}};
    row.clip = clip_for(ActionKind::command);
    if (origin_.source == SessionSource::live && command_runner_) {
      command_runner_(std::move(row));
      return;
    }
    row.result = origin_.source == SessionSource::replay ? std::string(kNotExecuted) : "failed: RCON is not enabled";
    log_->log_action(std::move(row));
  }

  void action(std::uint64_t violation_id, std::int64_t time_ms, ActionKind kind, std::string detail) {
    const std::string_view result = origin_.source == SessionSource::replay ? kNotExecuted : "ok";
    ActionRecord row{0, session_id_, violation_id, time_ms, kind, std::move(detail), std::string(result)};
    row.clip = clip_for(kind);
    log_->log_action(std::move(row));
  }

  std::string clip_for(ActionKind kind) const { return clip_namer_ ? clip_namer_(kind) : std::string{}; }

  ViolationLog* log_;
  RecorderOrigin origin_;
  std::uint64_t session_id_ = 0;
  std::uint64_t kick_violation_ = 0;  // the record whose flag kicked
  std::function<void(ActionRecord)> command_runner_;
  std::function<std::string(ActionKind)> clip_namer_;
  bool ended_ = false;
};

}  // namespace rustguard::adapters
