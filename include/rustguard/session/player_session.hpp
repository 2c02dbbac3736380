#pragma once
// One player connection in the core: the framing session and the detection
// engine behind one sans-I/O interface. Bytes and time go in; bytes to send,
// an optional close request and one ordered list of events come out
// (Output). The live proxy and the replay tool are thin adapters around it
// and make the same calls for the same bytes:
//
//   session::PlayerSession player(limits, engine_config);   // originate: live
//   player.feed(Direction::serverbound, bytes, now, out);    // ticks due first
//   write(out.to_server); write(out.to_client);
//   recorder.record(out.events);                             // rows, alerts, metrics
//   if (out.close) close both;
//   ...
//   if (auto at = player.next_deadline()) arm a timer; on expiry: player.advance(now, out);
//   ...
//   player.finish(out);    // the connection ended: the last folded records
//
// A replay builds it with EngineMode::observe (nothing is injected; the
// transactions a live RustGuard put in the capture are read) and calls
// advance() with capture time, so ticks fall on the same instants as live.
//
// Threading: like ConnectionSession, owned by one thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/limits.hpp"
#include "rustguard/protocol/packets/status/status_ping_c2s.hpp"
#include "rustguard/protocol/packets/status/status_response_s2c.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/session/session_event.hpp"
#include "rustguard/time.hpp"

namespace rustguard::session {

class PlayerSession {
 public:
  PlayerSession(const ProtocolLimits& limits, std::shared_ptr<const engine::EngineConfig> config,
                engine::EngineMode mode = engine::EngineMode::originate)
      : session_(limits), judge_(std::move(config), mode) {}

  // Bytes that arrived from one side at `now`. Ticks due before `now` run
  // first, as they would have had the timer fired in time.
  void feed(Direction from, std::span<const std::uint8_t> bytes, Timestamp now, Output& out) {
    advance(now, out);
    if (out.close || closed_) return;
    judge_.begin(now, out.events);
    session_.feed(from, bytes, judge_, out);
    judge_.end();
    report_counts(now, out);
    if (out.close) on_close(now, out);
  }

  // The host read this player's bytes up to `delay` late, measured at `now`
  // (the live proxy's event-loop lag); call it before the feed it concerns.
  // Flags judged from arrival times are held meanwhile (engine::on_host_late).
  void host_late(Timestamp now, Micros delay) {
    if (!closed_) judge_.engine.on_host_late(now, delay);
  }

  // When the core next needs to run without bytes (a tick); nothing while
  // not in play, or once closed.
  std::optional<Timestamp> next_deadline() const noexcept {
    if (closed_ || session_.opaque()) return std::nullopt;
    return judge_.engine.next_deadline();
  }

  // Time passed: runs every tick due at or before `now` (at its own instant).
  void advance(Timestamp now, Output& out) {
    if (closed_ || session_.opaque()) return;
    const auto due = judge_.engine.next_deadline();
    if (!due || *due > now) return;
    judge_.engine.advance(now);
    judge_.drain(out.events);
    if (auto teleport = judge_.engine.take_tick_setback()) {
      const bool sent = session_.inject(Direction::clientbound, PacketKind::sync_player_position_s2c, out,
                                        [&](std::vector<std::uint8_t>& body) {
                                          teleport->encode(body, judge_.engine.context().protocol);
                                        });
      if (sent) out.events.push_back(SetbackSent{now, teleport->position});
    }
    report_counts(now, out);
    if (auto reason = judge_.engine.kick_reason()) {
      out.close = CloseRequest{CloseCause::hooks, Direction::serverbound, protocol::Errc::ok, std::move(*reason)};
      on_close(now, out);
    }
  }

  // The connection ended (either side, or the core closed it): the folded
  // violation records still pending come out as events.
  void finish(Output& out) {
    if (finished_) return;
    finished_ = true;
    judge_.engine.finish();
    judge_.drain(out.events);
  }

  // A strike the player got in an earlier session, for the punishment
  // ladders' strikes steps: the adapters read them from the violation log
  // when PlayerLoggedIn comes out (before any play packet of the player).
  void add_prior_strike(std::string_view group, Timestamp at) { judge_.engine.add_prior_strike(group, at); }

  // A Disconnect with `text` for the client, in its current state.
  void append_disconnect(std::string_view text, Output& out) { session_.append_disconnect(text, out); }

  // A packet of the owner's own between two feeds (the proxy's staff alerts):
  // ConnectionSession::inject, refused once closed or opaque (encrypted).
  template <class EncodeBody>
  bool inject(Direction toward, PacketKind kind, Output& out, EncodeBody&& encode_body) {
    if (closed_ || session_.opaque()) return false;
    return session_.inject(toward, kind, out, std::forward<EncodeBody>(encode_body));
  }

  // Borrow a zlib workspace (ConnectionSession::use_workspace): the proxy lends one per io thread.
  void use_workspace(protocol::CompressionWorkspace& workspace) noexcept { session_.use_workspace(workspace); }
  // The client's leg, frame by frame, to `tap` (frame_tap.hpp); null stops.
  void set_frame_tap(FrameTap* tap) noexcept { session_.set_frame_tap(tap); }
  // Whether a replay (an observing session) reads the body of packets of
  // `kind` at all: the engine's, the tracker's, or announced as events.
  static constexpr bool replay_reads(Direction direction, PacketKind kind) noexcept {
    return Judge::announced(kind) || engine::DetectionEngine::reads(engine::EngineMode::observe, direction, kind) ||
           (protocol::is_known(kind) && protocol::ConnectionTracker::wants_body(kind));
  }

  const ConnectionSession& connection() const noexcept { return session_; }
  const protocol::ConnectionTracker& tracker() const noexcept { return session_.tracker(); }
  // See ConnectionSession::require_velocity_secret.
  void require_velocity_secret(std::string secret) { session_.require_velocity_secret(std::move(secret)); }
  bool opaque() const noexcept { return session_.opaque(); }
  bool legacy_ping() const noexcept { return session_.legacy_ping(); }
  const DirectionCounters& counters(Direction d) const noexcept { return session_.counters(d); }
  const engine::DetectionEngine& engine() const noexcept { return judge_.engine; }
  // Evidence clips: the player's context as bytes (context/context_snapshot.hpp),
  // and a decoded one restored into a replay (DetectionEngine::restore_context).
  std::vector<std::uint8_t> snapshot_context() const { return context::encode_snapshot(judge_.engine.context()); }
  void restore_context(context::PlayerContext ctx) { judge_.engine.restore_context(std::move(ctx)); }
  // Packets of each kind seen per direction [direction][kind], counted when
  // enabled (the replay's report; the proxy does not pay for it).
  using KindCounts = std::array<std::array<std::uint64_t, protocol::kPacketKindCount>, 2>;
  void count_kinds() { judge_.kinds = std::make_unique<KindCounts>(); }
  const KindCounts* kind_counts() const noexcept { return judge_.kinds.get(); }

 private:
  // The ConnectionSession's hooks: the engine, plus the few packets the
  // proxy around the core needs to hear about, turned into events.
  struct Judge {
    Judge(std::shared_ptr<const engine::EngineConfig> config, engine::EngineMode mode)
        : engine(std::move(config), mode) {}

    engine::DetectionEngine engine;
    std::unique_ptr<KindCounts> kinds;
    std::vector<Event>* events = nullptr;  // Output::events during a feed
    Timestamp now{};
    bool started = false;

    void begin(Timestamp t, std::vector<Event>& out) noexcept {
      now = t;
      events = &out;
    }
    void end() noexcept { events = nullptr; }

    bool wants(Direction d, PacketKind kind) const noexcept {
      if (kinds) ++(*kinds)[static_cast<std::size_t>(d)][static_cast<std::size_t>(kind)];
      return announced(kind) || engine.wants(d, kind);
    }

    PacketDisposition on_packet(const PacketView& p) {
      announce(p);
      PacketDisposition out;
      if (!engine.wants(p.direction, p.kind)) return out;
      if (p.direction == Direction::serverbound) {
        const engine::Verdict v = engine.on_serverbound(p.kind, p.body, now);
        drain(*events);
        if (v == engine::Verdict::cancel) out.action = PacketAction::drop;
        if (v == engine::Verdict::kick) {
          out.action = PacketAction::close;
          out.reason = engine.kick_reason().value_or("kicked by RustGuard");
        }
        take_rewrite(out);
        return out;
      }
      const engine::ClientboundDecision d = engine.on_clientbound(p.kind, p.body, now);
      drain(*events);  // checks that read clientbound packets may flag there too
      out.transaction_before = d.transaction_before;
      out.transaction_after = d.transaction_after;
      take_rewrite(out);
      return out;
    }

    // A re-encoded body, and a setback to send after the packet (setbacks.hpp).
    void take_rewrite(PacketDisposition& out) {
      engine::PacketRewrite& r = engine.rewrite();
      if (r.replacement) out.replacement = std::move(r.replacement);
      if (r.teleport) {
        out.to_client_after.emplace(PacketKind::sync_player_position_s2c, std::vector<std::uint8_t>{});
        r.teleport->encode(out.to_client_after->second, engine.context().protocol);
        events->push_back(SetbackSent{now, r.teleport->position});
        r.teleport.reset();
      }
    }

    void on_tracker_update(const protocol::ConnectionTracker& tracker, const protocol::TrackerUpdate& u) {
      if (u.encryption_started) events->push_back(EncryptionStarted{});
      if (u.logged_in) {
        const protocol::PlayerIdentity& id = tracker.identity();
        events->push_back(PlayerLoggedIn{now, id.name, id.uuid, tracker.protocol(),
                                         id.velocity_forwarded ? id.forwarded_address : std::string()});
      }
      if (u.identity_changed) {
        const std::string& brand = tracker.identity().client_brand;
        if (!brand.empty() && brand != brand_) {
          brand_ = brand;
          events->push_back(ClientBrand{now, brand});
        }
      }
      if (!u.state_changed) return;
      const protocol::State state = tracker.state(Direction::serverbound);
      if (!started && tracker.version() != nullptr && state != protocol::State::status) {
        engine.on_connection_start(tracker, now);
        started = true;
      }
      if (!started) return;
      if (u.entered_play) {
        engine.on_play_start(now);
      } else if (state == protocol::State::configuration) {
        engine.on_configuration_start(now);
      }
    }

    // The packet-rate limit: every client frame (ConnectionSession calls it).
    bool on_serverbound_frame() { return engine.on_serverbound_frame(now); }
    std::optional<std::string> kick_reason() const { return engine.kick_reason(); }

    void drain(std::vector<Event>& out) {
      for (Violation& v : engine.violations()) out.push_back(ViolationFound{std::move(v)});
      engine.violations().clear();
    }

    static constexpr bool announced(PacketKind k) noexcept {
      switch (k) {
        case PacketKind::status_request_c2s:
        case PacketKind::status_ping_c2s:
        case PacketKind::status_response_s2c:
        case PacketKind::login_disconnect_s2c:
        case PacketKind::config_disconnect_s2c:
        case PacketKind::disconnect_s2c:
          return true;
        default:
          return false;
      }
    }

   private:
    std::string brand_;

    void announce(const PacketView& p) {
      namespace pk = protocol::packets;
      switch (p.kind) {
        case PacketKind::status_request_c2s:
          events->push_back(StatusRequested{});
          break;
        case PacketKind::status_ping_c2s:
          if (auto ping = pk::StatusPingC2s::decode(p.body, 0)) events->push_back(StatusPinged{ping->payload});
          break;
        case PacketKind::status_response_s2c:
          if (auto r = pk::StatusResponseS2c::decode(p.body, 0)) events->push_back(StatusAnswered{std::move(r->json)});
          break;
        case PacketKind::login_disconnect_s2c:
        case PacketKind::config_disconnect_s2c:
        case PacketKind::disconnect_s2c:
          events->push_back(ServerDisconnected{});
          break;
        default:
          break;
      }
    }
  };

  void report_counts(Timestamp now, Output& out) {
    const std::uint64_t held = judge_.engine.timing_flags_held();
    if (held != held_reported_) {
      out.events.push_back(TimingFlagsHeld{now, held - held_reported_});
      held_reported_ = held;
    }
    const auto& model = judge_.engine.check<checks::model::CombatCheck>();
    // A restored context (an evidence clip's) starts the checks over.
    if (model.windows_scored() < windows_reported_) windows_reported_ = 0;
    if (model.windows_scored() != windows_reported_ || model.passed_gate() != gate_reported_) {
      out.events.push_back(ModelJudged{now, model.windows_scored() - windows_reported_,
                                       model.passed_gate() && !gate_reported_});
      windows_reported_ = model.windows_scored();
      gate_reported_ = model.passed_gate();
    }
  }

  // The core closed the connection. A close the engine asked for is a kick
  // (after the violation that caused it, already in the events).
  void on_close(Timestamp now, Output& out) {
    closed_ = true;
    if (out.close->cause != CloseCause::hooks) return;
    // At the instant of the packet or tick that kicked, not of the call
    // (a tick's kick runs in a later advance() or feed()).
    const Timestamp at = judge_.engine.kick_reason() ? judge_.engine.kick_at() : now;
    out.events.push_back(PlayerKicked{at, out.close->reason, std::string(judge_.engine.kick_check())});
  }

  // The flags and counts every feed reads first, ahead of the sessions'
  // kilobytes: in a proxy with many players they then share a cache line
  // with the frame decoder's state instead of costing one of their own.
  bool closed_ = false;
  bool finished_ = false;
  bool gate_reported_ = false;
  std::uint64_t held_reported_ = 0;
  std::uint64_t windows_reported_ = 0;
  ConnectionSession session_;
  Judge judge_;
};

}  // namespace rustguard::session
