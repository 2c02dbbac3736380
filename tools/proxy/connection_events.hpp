#pragma once
// What the proxy does with the core's events for one connection: counts them
// in the metrics, lists the player in /players while logged in, gives the
// ladders the player's earlier strikes at login, writes the alert and kick
// log lines, sends alerts to the webhook and the ladders' commands to RCON
// (action_outlets.hpp), feeds the status cache and the backend-down
// responder, then hands the events to the shared SessionRecorder, which
// writes the rows a replay of the same bytes writes too. No sockets; it runs
// on the connection's io thread like the rest of the connection.
//
// Staff alerts in game: every alert line (a check's alert, a ladder's alert
// action) also goes to the online staff players (PlayerDirectory::
// alert_staff, which rate-limits per staff player). Each connection listed
// in /players gives its entry a sink that posts the line to its own io
// thread; there, deliver_staff_alert() has the session inject a System Chat
// packet in the player's version and writes it to the client. The sink holds
// the connection through a StaffAlertTarget that finish() (on that same
// thread) empties, so a line posted to a connection that ended meanwhile is
// dropped instead of touching a dead object.

#include <asio/any_io_executor.hpp>
#include <asio/post.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "../common/log.hpp"
#include "backend_down_responder.hpp"
#include "connection_log.hpp"
#include "metrics.hpp"
#include "proxy_state.hpp"
#include "rustguard/adapters/session_recorder.hpp"
#include "rustguard/protocol/packets/play/system_chat_s2c.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/time.hpp"
#include "session_recording.hpp"

namespace rustguard::proxy {

class ConnectionEvents {
 public:
  // `session`, `address` and `responder` belong to the connection and outlive this.
  ConnectionEvents(std::uint64_t id, ProxyState& state, session::PlayerSession& session,
                   const ClientAddress& address, BackendDownResponder& responder)
      : id_(id),
        state_(state),
        session_(session),
        address_(address),
        responder_(responder),
        recorder_(state.violation_log, adapters::RecorderOrigin{adapters::SessionSource::live, {}, {}}) {
    if (state.actions != nullptr && state.actions->rcon) {
      recorder_.set_command_runner([this](adapters::ActionRecord row) {
        tools::log_info("command #{} {}: {}", id_, player_name(), row.detail);
        state_.actions->run_command(std::move(row), state_.violation_log);
      });
    }
  }

  ~ConnectionEvents() { staff_target_->events = nullptr; }
  ConnectionEvents(const ConnectionEvents&) = delete;
  ConnectionEvents& operator=(const ConnectionEvents&) = delete;

  // Lets staff alerts reach this player: `executor` is the connection's io
  // thread, `to_client` writes bytes on the client's stream (called on that
  // thread; false once the connection no longer writes to the client).
  // Without it the player gets no alerts.
  using ClientWriter = std::function<bool(std::span<const std::uint8_t>)>;
  void enable_staff_alerts(asio::any_io_executor executor, ClientWriter to_client) {
    executor_ = std::move(executor);
    to_client_ = std::move(to_client);
  }

  // On this connection's io thread: `line` for the client as system chat.
  // False when it could not be sent (not in play, closed, encrypted).
  bool deliver_staff_alert(std::string_view line) {
    Metrics& m = state_.metrics;
    const std::int32_t protocol = session_.tracker().protocol();
    session::Output out;
    const bool injected =
        to_client_ && session_.inject(protocol::Direction::clientbound, protocol::PacketKind::system_chat_s2c, out,
                                      [&](std::vector<std::uint8_t>& body) {
                                        protocol::packets::SystemChatS2c::from_plain_text(line, protocol)
                                            .encode(body, protocol);
                                      });
    if (!injected || !to_client_(out.to_client)) {
      Metrics::add(m.staff_alerts_unsent);
      return false;
    }
    Metrics::add(m.staff_alerts_sent);
    return true;
  }

  // The player's address is known (the peer's, or a trusted PROXY header's).
  void address_changed() { recorder_.set_address(address_.real.to_string()); }

  // One feed of `bytes` read from one side, which the core took `took` to
  // inspect, after they had waited `waited` in the kernel.
  void fed(protocol::Direction from, std::size_t bytes, std::chrono::nanoseconds took,
           std::chrono::microseconds waited) {
    const bool up = from == protocol::Direction::serverbound;
    const std::uint64_t packets = session_.counters(from).packets;
    state_.metrics.read(up, packets - packets_seen_[up ? 0 : 1], bytes, took, waited);
    packets_seen_[up ? 0 : 1] = packets;
  }

  // Acts on the events of the last call to the core, then records them.
  void handle(session::Output& out) {
    Metrics& m = state_.metrics;
    for (session::Event& e : out.events) {
      std::visit([&](auto& event) { on(event, m); }, e);
    }
    const engine::DetectionEngine& engine = session_.engine();
    m.transactions(engine.transactions_sent() - transactions_sent_, engine.transactions_answered() - transactions_answered_);
    transactions_sent_ = engine.transactions_sent();
    transactions_answered_ = engine.transactions_answered();
    recorder_.record(out.events);
    out.events.clear();
  }

  // The connection ended at `now`: its session row closes, the player
  // leaves /players and the per-version gauge.
  void finish(Timestamp now) {
    staff_target_->events = nullptr;  // lines still on their way are dropped
    recorder_.end(now);
    if (listed_) state_.players.remove(id_);
    if (counted_player_) state_.metrics.player(session_.tracker().protocol(), -1);
  }

  // The backend sent its own Disconnect: a kick by the backend, not a lost backend.
  bool backend_kicked() const noexcept { return backend_kicked_; }

  // Evidence clips: `clip_for(kind)` names the clip an action of that kind
  // belongs to ("" = none; connection_clips.hpp). The name goes into the
  // actions row, the webhook alert and the staff alert line.
  using ClipNamer = std::function<std::string(adapters::ActionKind)>;
  // `clip_now` writes a clip at once (an operator's request, on this
  // connection's thread).
  void clip_with(ClipNamer clip_for, std::function<void()> clip_now) {
    recorder_.set_clip_namer(clip_for);
    clip_for_ = std::move(clip_for);
    clip_now_ = std::move(clip_now);
  }

  // The connection's session recording: the strikes given at login go there too.
  void record_to(SessionRecording& recording) noexcept { recording_ = &recording; }

  std::string address_text() const { return proxy::address_text(address_, session_.tracker().identity()); }

 private:
  void on(session::PlayerLoggedIn& e, Metrics& m) {
    if (counted_player_) return;
    counted_player_ = true;
    m.player(session_.tracker().protocol(), 1);
    list_player();
    // Strikes of earlier sessions, before any play packet of the player.
    if (state_.actions != nullptr && e.uuid) {
      const std::int64_t expiry = session_.engine().config().punishments.strike_expiry_ms;
      for (const adapters::Strike& s : state_.actions->strikes.of(e.uuid->to_string(), e.at.to_millis() - expiry)) {
        session_.add_prior_strike(s.group, Timestamp::from_millis(s.time_ms));
        if (recording_ != nullptr) {
          recording_->note({adapters::recording::NoteKind::prior_strike, {}, Timestamp::from_millis(s.time_ms), s.group},
                           e.at);
        }
      }
    }
  }
  void on(session::ClientBrand&, Metrics&) {}
  void on(session::ViolationFound& e, Metrics& m) {
    const Violation& v = e.violation;
    m.violations.add(v.check, v.count);
    if (v.cancelled > 0) m.cancels.add(v.check, v.cancelled);
    const bool alert = has(v.outcome, Outcome::alert);
    if (listed_) {
      listed_->violations.fetch_add(v.count, std::memory_order_relaxed);
      if (alert) listed_->alerts.fetch_add(1, std::memory_order_relaxed);
    }
    for (const actions::FiredAction& a : v.actions) ladder_action(v, a, m);
    if (!alert) return;
    m.alerts.add(v.check);
    const std::string summary = adapters::violation_summary(v);
    const std::string clip = clip_for(adapters::ActionKind::alert);
    tools::log_warn("alert #{} {}: {}{}", id_, player_name(), summary, clip_note(clip));
    to_webhook(v, v.detail, clip);
    to_staff(std::string(player_name()) + " " + summary + clip_note(clip));
  }

  // A ladder's alert, command or strike (the recorder writes its row).
  void ladder_action(const Violation& v, const actions::FiredAction& a, Metrics& m) {
    switch (a.kind) {
      case actions::FiredKind::alert: {
        Metrics::add(m.ladder_alerts);
        const std::string clip = clip_for(adapters::ActionKind::alert);
        tools::log_warn("alert #{} {} [{}]: {}{}", id_, player_name(), a.group, a.text, clip_note(clip));
        to_webhook(v, a.text, clip);
        to_staff(a.text + clip_note(clip));  // the ladder's own text (its default names the player and the check)
        return;
      }
      case actions::FiredKind::command:
        Metrics::add(m.ladder_commands);
        if (state_.actions == nullptr || !state_.actions->rcon) {
          tools::log_warn("command #{} {} [{}] not run, RCON is not enabled: {}", id_, player_name(), a.group, a.text);
        }
        return;
      case actions::FiredKind::strike:
        Metrics::add(m.strikes_given);
        tools::log_warn("strike #{} {} [{}]", id_, player_name(), a.group);
        if (state_.actions != nullptr) state_.actions->strikes.add(v.player_uuid.to_string(), a.group, v.time_ms);
        return;
    }
  }

  std::string clip_for(adapters::ActionKind kind) const { return clip_for_ ? clip_for_(kind) : std::string{}; }
  static std::string clip_note(const std::string& clip) { return clip.empty() ? std::string{} : " [clip " + clip + "]"; }

  void to_webhook(const Violation& v, std::string_view detail, const std::string& clip) {
    if (state_.actions == nullptr || !state_.actions->webhook) return;
    webhook::Alert alert;
    alert.player = v.player_name;
    alert.uuid = v.player_uuid.to_string();
    alert.address = player_address(address_, session_.tracker().identity());
    alert.check = v.check;
    alert.type = v.type;
    alert.vl = v.vl;
    alert.detail = std::string(detail);
    alert.ping_ms = v.ping_ms;
    const auto names = protocol::release_names(v.protocol_version);
    alert.version = std::string(names.substr(0, names.find(',')));
    alert.server = state_.actions->server_name;
    alert.clip = clip;
    alert.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(v.time_ms));
    state_.actions->webhook->submit(std::move(alert));  // a refusal is counted by the sender
  }
  // The line to every online staff player (on their own threads); dropped
  // lines (rate limit) are counted here, delivered ones where they arrive.
  void to_staff(std::string_view line) {
    const auto fanout = state_.players.alert_staff(line, state_.clock.now_us());
    Metrics::add(state_.metrics.staff_alerts_dropped, fanout.dropped);
  }

  void on(session::PlayerKicked& e, Metrics& m) {
    const std::string check = e.check.empty() ? std::string("other") : e.check;
    m.kicks.add(check);
    tools::log_warn("kick #{} {} {}: {} (check {}){}", id_, player_name(), address_text(), e.reason, check,
                    clip_note(clip_for(adapters::ActionKind::kick)));
  }
  void on(session::EncryptionStarted&, Metrics& m) {
    Metrics::add(m.encrypted_connections);
    tools::log_info("#{} {}: encrypted (online-mode) connection, forwarded uninspected", id_, address_text());
  }
  void on(session::StatusRequested&, Metrics&) { responder_.status_requested(); }
  void on(session::StatusPinged& e, Metrics&) { responder_.pinged(e.payload); }
  void on(session::StatusAnswered& e, Metrics&) { state_.status.store(session_.tracker().protocol(), std::move(e.json)); }
  void on(session::ServerDisconnected&, Metrics&) { backend_kicked_ = true; }
  void on(session::TimingFlagsHeld& e, Metrics& m) { Metrics::add(m.timing_flags_held, e.count); }
  void on(session::ModelJudged& e, Metrics& m) {
    Metrics::add(m.model_windows, e.windows);
    if (e.first_gate_pass) Metrics::add(m.model_gated_players);
  }
  void on(session::SetbackSent& e, Metrics& m) {
    Metrics::add(m.setbacks_sent);
    tools::log_debug("#{} {}: set back to {:.3f} {:.3f} {:.3f}", id_, player_name(), e.position.x, e.position.y,
                     e.position.z);
  }

  std::string_view player_name() const {
    const std::string& name = session_.tracker().identity().name;
    return name.empty() ? std::string_view("-") : std::string_view(name);
  }

  // Puts the player in the operators' index (GET /players) until disconnect.
  void list_player() {
    const auto& identity = session_.tracker().identity();
    auto entry = std::make_shared<PlayerEntry>();
    entry->connection_id = id_;
    entry->name = identity.name;
    entry->uuid = identity.uuid ? identity.uuid->to_string() : std::string{};
    entry->address = player_address(address_, identity);
    entry->protocol = session_.tracker().protocol();
    const auto names = protocol::release_names(entry->protocol);
    entry->release = std::string(names.substr(0, names.find(',')));
    entry->since_ms = state_.clock.now_us() / 1000;
    if (to_client_) {
      // Called on the alerting player's thread; runs the delivery on ours.
      entry->alert_sink = [executor = executor_, target = staff_target_](std::string line) {
        asio::post(executor, [target, text = std::move(line)] {
          if (target->events != nullptr) target->events->deliver_staff_alert(text);
        });
      };
    }
    if (clip_now_) {
      entry->clip_sink = [executor = executor_, target = staff_target_] {
        asio::post(executor, [target] {
          if (target->events != nullptr && target->events->clip_now_) target->events->clip_now_();
        });
      };
    }
    listed_ = state_.players.add(std::move(entry));
  }

  // What a staff alert posted to this connection's thread reaches: this
  // object until finish(); read and cleared on that thread only.
  struct StaffAlertTarget {
    ConnectionEvents* events = nullptr;
  };

  std::uint64_t id_;
  ProxyState& state_;
  session::PlayerSession& session_;
  // What fed() and handle() update after every read, in the object's first
  // cache line with the references they follow.
  std::array<std::uint64_t, 2> packets_seen_{};  // the session's packet counts already in the metrics
  std::uint64_t transactions_sent_ = 0;          // likewise the engine's transaction counts
  std::uint64_t transactions_answered_ = 0;
  const ClientAddress& address_;
  BackendDownResponder& responder_;
  adapters::SessionRecorder recorder_;
  std::shared_ptr<PlayerEntry> listed_;  // our entry in state_.players while logged in
  SessionRecording* recording_ = nullptr;  // the connection's (record_to)
  ClipNamer clip_for_;                     // clips on: the connection's (clip_with)
  std::function<void()> clip_now_;
  bool counted_player_ = false;
  bool backend_kicked_ = false;
  asio::any_io_executor executor_;  // the connection's io thread (enable_staff_alerts)
  ClientWriter to_client_;
  std::shared_ptr<StaffAlertTarget> staff_target_ = std::make_shared<StaffAlertTarget>(StaffAlertTarget{this});
};

}  // namespace rustguard::proxy
