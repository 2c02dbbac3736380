#pragma once
// The detection engine of one connection: the contract with the connection
// session (see docs/checks.md).
//
// The session (session/player_session.hpp), for every play (and
// configuration) packet, asks wants(); if yes it inflates the body and calls
// on_serverbound / on_clientbound in wire order per direction, runs the ticks
// the engine asks for (next_deadline(), advance()), and after each call
// drains violations() and looks at kick_reason(). It calls
// on_serverbound_frame() for every client frame (the packet-rate limit) and
// finish() when the connection ends, then drains violations() once more.
// The engine never does I/O and never reads a clock; on the movement path it
// does not allocate unless a check flags.
//
// Dispatch comes from types: the packet structs of decoded_packets.hpp
// decode, tables built at compile time map each kind to the reader of its
// struct, the context updaters (context_updaters.hpp) follow the packets
// before and after the checks, and the check chain (check_chain.hpp) calls
// each check that reads the kind with an on() for the input. Checks may read
// clientbound packets as well (kReadsClientbound).
//
// Serverbound verdicts: pass, cancel (drop the packet; also used to swallow
// the answers to the engine's own transactions) or kick. Every violation
// record says what its flags did (Violation::outcome, set by the Reporter
// from the check's thresholds). Clientbound: the ids of transactions to
// inject before/after the packet (Ping 1.17+, Window Confirmation on window
// 0 before), never inside a bundle.
//
// Time: ticks run every kTickInterval from the start of play, at exactly
// those instants, whether the owner's timer fired late or bytes arrived
// first (advance() runs every tick due, at its own time), so the live proxy
// and a replay of its capture tick at the same moments.
//
// Violations are stored folded: repeats of a check and type within a second
// become one record with a count, within a per-player budget of records a
// minute (checks/api/violation_folding.hpp). Verdicts and consequences still follow
// every flag. Past `max_cancels_per_second` cancelled packets the verdict is
// kick, as it is past `max_packets_per_second` frames (packet_rate_limiter.hpp).
//
// In EngineMode::observe (replays) the engine asks for no transaction and
// swallows nothing; it recognises transactions in the stream instead and also
// reads the client's Keep Alive answers as evidence of what it processed.

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rustguard/checks/all_checks.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/suspicion_score.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_folding.hpp"
#include "rustguard/context/context_snapshot.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/cancel_rate_limit.hpp"
#include "rustguard/engine/check_chain.hpp"
#include "rustguard/engine/context_update.hpp"
#include "rustguard/engine/context_updaters.hpp"
#include "rustguard/engine/decoded_packets.hpp"
#include "rustguard/engine/engine_config.hpp"
#include "rustguard/engine/engine_mode.hpp"
#include "rustguard/engine/lag_compensation.hpp"
#include "rustguard/engine/packet_rate_limiter.hpp"
#include "rustguard/engine/setbacks.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::engine {

// `Checks`: an engine::CheckList (checks/all_checks.hpp has the default one).
template <class Checks>
class BasicDetectionEngine {
 public:
  using Chain = CheckChain<Checks>;
  using Config = typename Chain::Config;

  explicit BasicDetectionEngine(std::shared_ptr<const Config> config, EngineMode mode = EngineMode::originate)
      : config_(std::move(config)),
        folder_(FoldingLimits{config_->engine.violation_row_interval_ms, config_->engine.max_violation_rows_per_minute}) {
    ctx_.observe = mode == EngineMode::observe;
  }

  EngineMode mode() const noexcept { return ctx_.observe ? EngineMode::observe : EngineMode::originate; }

  // O(1): whether the engine needs this packet's body.
  bool wants(protocol::Direction direction, protocol::PacketKind kind) const noexcept {
    if (!protocol::is_known(kind)) return false;
    return kWants[ctx_.observe ? 1 : 0][static_cast<std::size_t>(direction)][static_cast<std::size_t>(kind)];
  }
  // Whether an engine in `mode` ever reads packets of `kind`: fixed at
  // compile time, whatever the config (evidence clips keep only the id and
  // size of the packets a replay's engine would not read).
  static constexpr bool reads(EngineMode mode, protocol::Direction direction, protocol::PacketKind kind) noexcept {
    if (!protocol::is_known(kind)) return false;
    return kWants[mode == EngineMode::observe ? 1 : 0][static_cast<std::size_t>(direction)]
                 [static_cast<std::size_t>(kind)];
  }

  // After the handshake: the version is known. The tracker must outlive the
  // engine (the session owns both); identity is read from it at play start.
  void on_connection_start(const protocol::ConnectionTracker& tracker, Timestamp) {
    tracker_ = &tracker;
    ctx_.protocol = tracker.protocol();
  }

  void on_play_start(Timestamp now) {
    if (tracker_ != nullptr) {
      const auto& id = tracker_->identity();
      ctx_.name = id.name;
      if (id.uuid) ctx_.uuid = *id.uuid;
      ctx_.protocol = tracker_->protocol();
    }
    ctx_.in_play = true;
    ctx_.in_bundle = false;
    next_tick_ = now + kTickInterval;
  }

  // A strike of an earlier session (PlayerSession::add_prior_strike).
  void add_prior_strike(std::string_view group, Timestamp at) {
    ladder_.add_prior_strike(config_->punishments, group, at);
  }

  void on_configuration_start(Timestamp) {
    ctx_.in_play = false;
    ctx_.in_bundle = false;
    ctx_.movement.reset(false);
    // The server places the player again when play resumes; a setback still
    // on its way (or one the client, already reading configuration, could
    // not be sent) must not hold the moves after that.
    ctx_.teleports.clear();
    ctx_.unseen_setback.reset();
    ctx_.accepted.forget();
  }

  // One serverbound packet: decodes it if anything reads it, runs the
  // updaters and checks, and says what becomes of it. Defined below the
  // class, out of line: see RUSTGUARD_EXTERN_DEFAULT_ENGINE at the end.
  Verdict on_serverbound(protocol::PacketKind kind, std::span<const std::uint8_t> body, Timestamp now);

  // Every serverbound frame, empty ones and ones nobody inspects too (the
  // session calls it before it decodes the frame). False once the client is
  // over the packet rate; kick_reason() then says why.
  bool on_serverbound_frame(Timestamp now) {
    const EngineSettings& e = config_->engine;
    if (packet_rate_.take(now, e.max_packets_per_second, e.packet_rate_window_s)) return true;
    if (!consequences_.kick_reason) {
      consequences_.kick_at = now;
      consequences_.kick_reason = "too many packets (" + std::to_string(packet_rate_.recent_rate()) + "/s, limit " +
                                  std::to_string(e.max_packets_per_second) + ")";
    }
    return false;
  }

  // The connection ended: appends to violations() every folded record still
  // pending, in chain order, then by type.
  void finish() {
    folder_.finish(violations_, [](std::string_view key) { return Chain::position(key); });
  }

  // Transactions the engine injected / answers to them it swallowed.
  std::uint64_t transactions_sent() const noexcept { return transactions_sent_; }
  std::uint64_t transactions_answered() const noexcept { return transactions_answered_; }

  // Records what the packet changes (context updaters, lag compensation
  // among them), runs the checks that read it, then adds a heartbeat
  // transaction when one is due. A packet that fails to decode changes
  // nothing: the client will reject it as well, or disconnect.
  ClientboundDecision on_clientbound(protocol::PacketKind kind, std::span<const std::uint8_t> body, Timestamp now);

  // How often time passes for the checks without packets: transaction
  // timeouts, the timer balance.
  static constexpr Micros kTickInterval = millis(250);

  // When the engine next needs to run without packets (in play only).
  std::optional<Timestamp> next_deadline() const noexcept {
    if (!ctx_.in_play) return std::nullopt;
    return next_tick_;
  }
  // Runs every tick due at or before `now`, each at its own instant; stops
  // at a kick.
  void advance(Timestamp now) {
    while (ctx_.in_play && next_tick_ <= now && !consequences_.kick_reason) {
      const Timestamp at = next_tick_;
      next_tick_ += kTickInterval;
      on_tick(at);
    }
  }

  // One tick at `now` (tests call it directly; the session uses advance()).
  void on_tick(Timestamp now) {
    if (!ctx_.in_play) return;
    Reporter reporter = make_reporter(now, Judging::event);
    chain_.run_event(TickEvent{now}, ctx_, *config_, reporter, gate(now));
    if (setbacks_on()) {
      PacketRewrite r;
      Setbacks::on_request(ctx_, consequences_, now, r);
      if (r.teleport) {
        read_own_teleport(*r.teleport, now);
        tick_setback_ = r.teleport;
      }
    }
    consequences_.setback = false;
  }

  // What the engine wants changed about the packet it was just given (held,
  // re-encoded, a setback after it); valid until the next packet.
  const PacketRewrite& rewrite() const noexcept { return rewrite_; }
  PacketRewrite& rewrite() noexcept { return rewrite_; }
  // A setback a tick asked for, to send the client now (taken once).
  std::optional<protocol::packets::SyncPlayerPositionS2c> take_tick_setback() noexcept {
    return std::exchange(tick_setback_, std::nullopt);
  }
  // Setbacks sent, and packets held from the server because of them.
  std::uint64_t setbacks_sent() const noexcept { return setbacks_sent_; }
  std::uint64_t packets_held() const noexcept { return packets_held_; }

  // The host read this player's bytes up to `delay` late, as measured at
  // `now` (the live proxy's event-loop lag). From the threshold up, flags
  // judged from arrival times are held until now + delay + the hold
  // (EngineSettings::host_late_*, Reporter::flag_timing).
  void on_host_late(Timestamp now, Micros delay) {
    if (delay < millis(config_->engine.host_late_threshold_ms)) return;
    ctx_.host_late_until = std::max(ctx_.host_late_until, now + delay + millis(config_->engine.host_late_hold_ms));
  }
  // Flags held so far because the host was late.
  std::uint64_t timing_flags_held() const noexcept { return consequences_.timing_flags_held; }

  // Appended by every call; the session moves them out.
  std::vector<Violation>& violations() noexcept { return violations_; }
  const std::vector<Violation>& violations() const noexcept { return violations_; }
  // Set once a check's kick threshold was reached (or a transaction timed out).
  std::optional<std::string> kick_reason() const { return consequences_.kick_reason; }
  // The kick reason is a punishment ladder's message for the player, shown as it is.
  bool kick_reason_is_message() const noexcept { return consequences_.kick_reason_is_message; }
  // The key of the check whose flag kicked; empty when a limit of the engine
  // did (packet rate, cancel rate, a malformed packet) or nobody did.
  std::string_view kick_check() const noexcept { return consequences_.kick_check; }
  // When: the time of the packet, or the tick's own instant, that kicked.
  Timestamp kick_at() const noexcept { return consequences_.kick_at; }

  const context::PlayerContext& context() const noexcept { return ctx_; }
  // Evidence clips (docs/recordings.md): the context of a snapshot taken at
  // the clip's first frame replaces this one, except what the replay itself
  // decides (context::adopt_snapshot: the observe flag, the host-late hold,
  // the protocol). Every check starts over as at construction, state and
  // violation levels, and so does the suspicion score; folded records still
  // pending are released first, so no row mixes flags from both sides.
  // Ticks the live engine ran before the snapshot are not run again: the
  // next one is the first of this engine's tick grid after the newest
  // instant the snapshot records (context::newest_instant).
  void restore_context(context::PlayerContext ctx) {
    finish();
    context::adopt_snapshot(ctx_, std::move(ctx));
    chain_ = Chain{};
    suspicion_ = SuspicionScore{};
    const Timestamp newest = context::newest_instant(ctx_);
    if (next_tick_ <= newest) next_tick_ += kTickInterval * ((newest - next_tick_) / kTickInterval + 1);
  }
  double suspicion(Timestamp now) const noexcept {
    return suspicion_.value(now, config_->engine.suspicion_half_life_s);
  }
  template <class Check>
  const Check& check() const noexcept {
    return chain_.template get<Check>();
  }
  const Config& config() const noexcept { return *config_; }

 private:
  using Updaters = ContextUpdaters;
  using ServerboundReader = Verdict (*)(BasicDetectionEngine&, std::span<const std::uint8_t>, Reporter&);
  using ClientboundReader = void (*)(BasicDetectionEngine&, std::span<const std::uint8_t>, Timestamp,
                                     ClientboundDecision&);

  // --- dispatch, built at compile time from the decoded packet lists
  // (decoded_packets.hpp): a kind has a reader when something reads its
  // packet (a check, a context updater, or the engine itself, below).

  // The engine reads this serverbound packet itself (read()), or only in
  // observe mode (read_observed()).
  template <class Packet>
  static constexpr bool kReadsItself =
      requires(BasicDetectionEngine& e, const Packet& p, Reporter& r) { e.read(p, r); };
  template <class Packet>
  static constexpr bool kReadsWhenObserving =
      requires(BasicDetectionEngine& e, const Packet& p, Reporter& r) { e.read_observed(p, r); };

  template <class Packet>
  static constexpr bool reads_serverbound(bool observe) noexcept {
    return Chain::any_reads(Packet::kind) || kReadsItself<Packet> || (observe && kReadsWhenObserving<Packet>) ||
           Updaters::template follows<Packet, ServerboundUpdate>;
  }
  template <class Packet>
  static constexpr bool reads_clientbound() noexcept {
    return Chain::any_reads(Packet::kind) || Updaters::template follows<Packet, ClientboundUpdate>;
  }

  // Which packets the engine reads, [observe][direction][kind]: from the
  // predicates above alone, so that wants() and reads() never need the
  // readers themselves (instantiating those is most of what compiling the
  // engine costs; see RUSTGUARD_EXTERN_DEFAULT_ENGINE).
  using Wants = std::array<std::array<std::array<bool, protocol::kPacketKindCount>, 2>, 2>;
  static constexpr Wants make_wants() noexcept {
    Wants w{};
    DecodedServerbound::for_each([&]<class Packet>() {
      constexpr auto k = static_cast<std::size_t>(Packet::kind);
      w[0][0][k] = reads_serverbound<Packet>(false);
      w[1][0][k] = reads_serverbound<Packet>(true);
    });
    DecodedClientbound::for_each([&]<class Packet>() {
      for (auto& mode : w) mode[1][static_cast<std::size_t>(Packet::kind)] = reads_clientbound<Packet>();
    });
    for (const auto kind : LagCompensation::kHeartbeatOnly) {
      for (auto& mode : w) mode[1][static_cast<std::size_t>(kind)] = true;
    }
    return w;
  }
  static constexpr Wants kWants = make_wants();

  // Each kind's reader, where something reads that packet (null: nothing
  // does); built from the same predicates as kWants.
  struct Readers {
    std::array<ServerboundReader, protocol::kPacketKindCount> serverbound{};
    std::array<ServerboundReader, protocol::kPacketKindCount> serverbound_observed{};
    std::array<ClientboundReader, protocol::kPacketKindCount> clientbound{};
  };
  static constexpr Readers make_readers() noexcept {
    Readers t;
    DecodedServerbound::for_each([&]<class Packet>() {
      constexpr auto k = static_cast<std::size_t>(Packet::kind);
      if constexpr (reads_serverbound<Packet>(false)) t.serverbound[k] = &read_serverbound<Packet, false>;
      if constexpr (reads_serverbound<Packet>(true)) t.serverbound_observed[k] = &read_serverbound<Packet, true>;
    });
    DecodedClientbound::for_each([&]<class Packet>() {
      if constexpr (reads_clientbound<Packet>()) {
        t.clientbound[static_cast<std::size_t>(Packet::kind)] = &read_clientbound<Packet>;
      }
    });
    return t;
  }
  // Only on_serverbound() and on_clientbound() read it.
  static const Readers& readers() noexcept;

  // Decodes one serverbound packet and hands it to the engine's own reading
  // of it, or else (updaters and checks) to judge().
  template <class Packet, bool Observe>
  static Verdict read_serverbound(BasicDetectionEngine& self, std::span<const std::uint8_t> body,
                                  Reporter& reporter) {
    auto p = decode_packet<Packet>(body, self.ctx_.protocol);
    if (!p) return self.malformed(Packet::kind, p.error(), reporter.now());
    if constexpr (Observe && kReadsWhenObserving<Packet>) {
      return self.read_observed(*p, reporter);
    } else if constexpr (kReadsItself<Packet>) {
      return self.read(*p, reporter);
    } else {
      return self.template judge<Packet::kind>(*p, reporter);
    }
  }

  // Decodes one clientbound packet: updaters before, the checks that read
  // it, updaters after. Its verdict drops nothing; a kick is recorded.
  template <class Packet>
  static void read_clientbound(BasicDetectionEngine& self, std::span<const std::uint8_t> body, Timestamp now,
                               ClientboundDecision& d) {
    auto p = decode_packet<Packet>(body, self.ctx_.protocol);
    if (!p) return;
    constexpr bool teleport = std::is_same_v<Packet, protocol::packets::SyncPlayerPositionS2c>;
    if constexpr (teleport) {
      // Before anything records it: the client will know it by our id.
      if (self.setbacks_on() && !self.ctx_.observe) Setbacks::on_server_teleport(self.ctx_, *p, self.rewrite_);
    }
    ClientboundUpdate u{self.ctx_, now, d};
    Updaters::before(*p, u);
    if constexpr (teleport) {
      if (self.setbacks_on()) Setbacks::on_observed_teleport(self.ctx_, *p);
    }
    if constexpr (Chain::any_reads(Packet::kind)) {
      Reporter reporter = self.make_reporter(now, Judging::event);
      (void)self.chain_.template run<Packet::kind>(*p, self.ctx_, *self.config_, reporter, self.gate(now));
    }
    Updaters::after(*p, u);
  }

  // One serverbound input, packet `Kind` or what the engine made of it:
  // updaters before, the checks that read `Kind`, updaters after.
  template <protocol::PacketKind Kind, class Input>
  Verdict judge(const Input& input, Reporter& reporter) {
    ServerboundUpdate u{ctx_, reporter.now()};
    Updaters::before(input, u);
    const Verdict v = chain_.template run<Kind>(input, ctx_, *config_, reporter, gate(reporter.now()));
    Updaters::after(input, u);
    return v;
  }

  // A setback of ours, read as the client will read it: the updaters record
  // it as pending (and Setbacks marks it ours), the checks that read server
  // teleports see it. What a replay does with the same teleport in a capture.
  // Rare: kept out of line, off the packet path's code.
  [[gnu::noinline]] void read_own_teleport(const protocol::packets::SyncPlayerPositionS2c& t, Timestamp now) {
    ++setbacks_sent_;
    ClientboundDecision ignored;  // our packet carries no transaction of its own
    ClientboundUpdate u{ctx_, now, ignored};
    Updaters::before(t, u);
    Setbacks::on_observed_teleport(ctx_, t);
    Reporter reporter = make_reporter(now, Judging::event);
    (void)chain_.template run<protocol::packets::SyncPlayerPositionS2c::kind>(t, ctx_, *config_, reporter, gate(now));
    Updaters::after(t, u);
  }

  // --- what the engine itself makes of some serverbound packets.

  // A move: one MoveSample every movement check reads; the history advances
  // after them (MovementUpdater).
  template <context::MovementPacket Packet>
  Verdict read(const Packet& p, Reporter& reporter) {
    const context::MovementInput in = context::movement_input(p);
    context::MoveSample sample = ctx_.movement.sample(in);
    const bool awaiting_setback = Setbacks::awaiting(ctx_);
    if (in.has_position) {
      const context::PendingTeleport* t = ctx_.teleports.match(in.position, protocol::has_teleport_confirm(ctx_.protocol));
      sample.teleport_response = t != nullptr;
      sample.setback_response = t != nullptr && t->ours;
      sample.setback_on_ground = sample.setback_response && t->on_ground;
    }
    const Verdict v = judge<Packet::kind>(sample, reporter);
    if (setbacks_on()) Setbacks::after_move(ctx_, in, awaiting_setback, v, consequences_, reporter.now(), rewrite_);
    return v;
  }

  // An attack: one AttackEvent every combat check reads, whatever the
  // version's packet (Interact's attack action, or 26.1's Attack).
  Verdict read(const protocol::packets::InteractC2s& p, Reporter& reporter) {
    constexpr auto kind = protocol::packets::InteractC2s::kind;
    if (p.action != protocol::packets::InteractAction::attack) return judge<kind>(p, reporter);
    return judge<kind>(AttackEvent{p.entity_id}, reporter);
  }
  Verdict read(const protocol::packets::AttackC2s& p, Reporter& reporter) {
    return judge<protocol::packets::AttackC2s::kind>(AttackEvent{p.entity_id}, reporter);
  }

  Verdict read(const protocol::packets::ConfirmTeleportC2s& p, Reporter& reporter) {
    if (setbacks_on() && !ctx_.observe) Setbacks::on_confirm(ctx_, p, rewrite_);
    const TeleportConfirmEvent e{p.teleport_id, ctx_.teleports.confirm(p.teleport_id)};
    return judge<protocol::packets::ConfirmTeleportC2s::kind>(e, reporter);
  }

  Verdict read(const protocol::packets::PongC2s& p, Reporter& reporter) {
    return on_transaction_answer(p.id, reporter);
  }

  Verdict read(const protocol::packets::WindowConfirmationC2s& p, Reporter& reporter) {
    if (p.window_id != 0) return Verdict::pass;
    return on_transaction_answer(p.action_number, reporter);
  }

  // Observe mode: a keep-alive answer is a receipt (see on_receipt).
  Verdict read_observed(const protocol::packets::KeepAliveC2s& p, Reporter& reporter) {
    if (auto m = ctx_.receipts.take(context::ReceiptKind::keep_alive, p.keep_alive_id)) {
      return on_receipt(*m, reporter);
    }
    return Verdict::pass;
  }

  Reporter make_reporter(Timestamp now, Judging judging) noexcept {
    Reporter r(ctx_, folder_, violations_, suspicion_, config_->engine.suspicion_half_life_s, consequences_, now,
               judging, &ladder_, &config_->punishments, config_->engine.setbacks);
    r.set_evidence_source({&BasicDetectionEngine::read_evidence, this});
    return r;
  }
  static MovementEvidence read_evidence(const void* self, Timestamp now) noexcept {
    const auto* engine = static_cast<const BasicDetectionEngine*>(self);
    return engine->chain_.movement_evidence(*engine->config_, now);
  }
  // Every packet starts with nothing to change; only what a setback set is
  // reset (no temporaries on the packet path).
  void clear_rewrite() noexcept {
    rewrite_.hold = false;
    if (rewrite_.replacement) [[unlikely]] rewrite_.replacement.reset();
    if (rewrite_.teleport) [[unlikely]] rewrite_.teleport.reset();
  }
  // Setbacks are carried out live, and their books kept in a replay too
  // (engine/setbacks.hpp).
  bool setbacks_on() const noexcept { return config_->engine.setbacks; }
  bool suspicious(Timestamp now) const noexcept { return suspicion(now) >= config_->engine.suspicion_gate; }
  // The suspicion gate of heavy checks, asked only when one would run.
  auto gate(Timestamp now) const noexcept {
    return [this, now] { return suspicious(now); };
  }

  Verdict malformed(protocol::PacketKind kind, const protocol::Error& e, Timestamp now) {
    if (!consequences_.kick_reason) {
      consequences_.kick_at = now;
      consequences_.kick_reason = "malformed " + std::string(protocol::name_of(kind)) + ": " + e.message();
    }
    return Verdict::kick;
  }

  Verdict kick_for_cancels(Timestamp now) {
    if (!consequences_.kick_reason) {
      consequences_.kick_at = now;
      consequences_.kick_reason = "too many cancelled packets (" + std::to_string(cancel_rate_.in_window()) +
                                  " in 1 s, limit " + std::to_string(config_->engine.max_cancels_per_second) + ")";
    }
    return Verdict::kick;
  }

  Verdict on_transaction_answer(std::int32_t id, Reporter& reporter) {
    if (ctx_.observe) {
      if (!context::TransactionQueue::in_our_range(id)) {
        const auto m = ctx_.receipts.take(context::ReceiptKind::server_ping, id);
        return m ? on_receipt(*m, reporter) : Verdict::pass;
      }
    } else if (ctx_.server_pings.take(id) || !context::TransactionQueue::in_our_range(id)) {
      return Verdict::pass;
    }
    const context::AckResult ack = ctx_.transactions.acknowledge(id);
    if (ack.kind != context::AckKind::unknown) {
      LagCompensation::on_acknowledged(ctx_, ctx_.transactions.acked_seq());
      ctx_.ping_ms = millis_between(ack.transaction.sent_at, reporter.now());
    }
    // Every check that follows transactions hears about it, whatever packet carried it.
    const Verdict v =
        chain_.run_event(TransactionAckEvent{ack, reporter.now()}, ctx_, *config_, reporter, gate(reporter.now()));
    if (!ctx_.observe) swallow_ = true;  // the server never sees answers to our transactions
    return v;
  }

  // Observe mode: the client answered a keep-alive or a server ping, so it
  // has processed everything sent before it.
  Verdict on_receipt(const context::ReceiptMarker& m, Reporter& reporter) {
    ctx_.transactions.acknowledge_through(m.seq);
    LagCompensation::on_acknowledged(ctx_, ctx_.transactions.acked_seq());
    ctx_.ping_ms = millis_between(m.sent_at, reporter.now());
    const context::AckResult r{context::AckKind::evidence,
                               context::Transaction{static_cast<std::int32_t>(m.id), m.seq, m.sent_at}, 0};
    return chain_.run_event(TransactionAckEvent{r, reporter.now()}, ctx_, *config_, reporter, gate(reporter.now()));
  }

  std::shared_ptr<const Config> config_;
  const protocol::ConnectionTracker* tracker_ = nullptr;
  context::PlayerContext ctx_{};
  Chain chain_{};
  std::vector<Violation> violations_;
  ViolationFolder folder_;
  actions::PunishmentLadder ladder_;
  SuspicionScore suspicion_{};
  Consequences consequences_{};
  CancelRateLimit cancel_rate_{};
  PacketRateLimiter packet_rate_{};
  std::uint64_t transactions_sent_ = 0;
  std::uint64_t transactions_answered_ = 0;
  Timestamp next_tick_{};
  bool swallow_ = false;  // the last serverbound packet answered one of our transactions
  PacketRewrite rewrite_{};
  std::optional<protocol::packets::SyncPlayerPositionS2c> tick_setback_;
  std::uint64_t setbacks_sent_ = 0;
  std::uint64_t packets_held_ = 0;
};

template <class Checks>
auto BasicDetectionEngine<Checks>::readers() noexcept -> const Readers& {
  static constexpr Readers kReaders = make_readers();
  // kWants and the readers come from the same predicates in two loops: a
  // serverbound kind is wanted exactly when it has a reader, and a
  // clientbound kind with a reader is wanted (heartbeat-only kinds are
  // wanted without one), or bodies would go unread or undecoded.
  static_assert([] {
    for (std::size_t k = 0; k < protocol::kPacketKindCount; ++k) {
      if (kWants[0][0][k] != (kReaders.serverbound[k] != nullptr)) return false;
      if (kWants[1][0][k] != (kReaders.serverbound_observed[k] != nullptr)) return false;
      if (kReaders.clientbound[k] != nullptr && !(kWants[0][1][k] && kWants[1][1][k])) return false;
    }
    return true;
  }());
  return kReaders;
}

template <class Checks>
Verdict BasicDetectionEngine<Checks>::on_serverbound(protocol::PacketKind kind, std::span<const std::uint8_t> body,
                                                   Timestamp now) {
  Reporter reporter = make_reporter(now, Judging::packet);
  swallow_ = false;
  clear_rewrite();
  Verdict v = Verdict::pass;
  if (protocol::is_known(kind)) {
    const Readers& all = readers();
    const auto& table = ctx_.observe ? all.serverbound_observed : all.serverbound;
    if (const ServerboundReader reader = table[static_cast<std::size_t>(kind)]) v = reader(*this, body, reporter);
  }
  if (v == Verdict::cancel && !cancel_rate_.add(now, config_->engine.max_cancels_per_second)) {
    v = kick_for_cancels(now);
  }
  if (swallow_) {
    v = worst(v, Verdict::cancel);
    ++transactions_answered_;
  }
  if (setbacks_on()) {
    if (consequences_.setback) [[unlikely]] Setbacks::on_request(ctx_, consequences_, now, rewrite_);
    // Held packets are ours to keep from the server, not cancels: they
    // count toward no limit. A replay only keeps the books.
    if (rewrite_.hold && !ctx_.observe) {
      v = worst(v, Verdict::cancel);
      ++packets_held_;
    }
    if (rewrite_.teleport) [[unlikely]] read_own_teleport(*rewrite_.teleport, now);
  }
  consequences_.setback = false;
  return v;
}

template <class Checks>
ClientboundDecision BasicDetectionEngine<Checks>::on_clientbound(protocol::PacketKind kind,
                                                               std::span<const std::uint8_t> body, Timestamp now) {
  ClientboundDecision d;
  clear_rewrite();
  if (protocol::is_known(kind)) {
    const ClientboundReader reader = readers().clientbound[static_cast<std::size_t>(kind)];
    if (reader != nullptr) reader(*this, body, now, d);
  }
  if (consequences_.setback) [[unlikely]] {  // a check that reads clientbound packets asked for one
    if (setbacks_on()) {
      Setbacks::on_request(ctx_, consequences_, now, rewrite_);
      if (rewrite_.teleport) read_own_teleport(*rewrite_.teleport, now);
    }
    consequences_.setback = false;
  }
  if (LagCompensation::carries_heartbeat(kind)) LagCompensation::heartbeat(ctx_, now, d, config_->engine);
  transactions_sent_ += (d.transaction_before ? 1U : 0U) + (d.transaction_after ? 1U : 0U);
  return d;
}

using DetectionEngine = BasicDetectionEngine<checks::DefaultChecks>;
using EngineConfig = DetectionEngine::Config;

// The engine with the default checks is most of what a unit that uses it
// takes to compile (~10 of 17 s at -O2: every packet's reader, decoder and
// check chain). A program of several units defines
// RUSTGUARD_EXTERN_DEFAULT_ENGINE and compiles it once, in one unit that
// instantiates it explicitly (tools/engine/default_engine.cpp, the
// rustguard::engine target); the members defined out of line above are then
// not instantiated anywhere else. Without the macro, as a plain header-only
// library, every unit instantiates what it uses.
#ifdef RUSTGUARD_EXTERN_DEFAULT_ENGINE
extern template class BasicDetectionEngine<checks::DefaultChecks>;
#endif

}  // namespace rustguard::engine
