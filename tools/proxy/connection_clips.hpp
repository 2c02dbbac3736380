#pragma once
// One connection's evidence clips (docs/recordings.md, "Evidence clips"): its
// ring of the client leg, the context snapshots it takes, and the clip an
// action asks for. Runs on the connection's io thread, like the connection.
//
// Whose ring keeps frames after the login (clips.players): with "flagged"
// (the default) a player's from his first violation on, or from an
// operator's request; before that the ring holds his login alone and a
// frame costs one test. The ring then starts with a context snapshot taken
// at once, so a clip starts there (or at the next snapshot, once the window
// moved past it).
//
// When an action of a kind in clips.on fires, the clip gets its name at once
// (so the actions row, the webhook and the staff alert can carry it) and is
// cut `clips.after` later, or when the connection ends (a kick ends it at
// once). Actions until then join that clip. A player's next clip is cut no
// sooner than `clips.min_interval` after the previous one, and the actions
// until then join it: every action's moment comes after the snapshot its
// clip replays from (min_interval and after, each plus snapshot_interval, are
// at most the window; the config loader checks it). The cut
// copies the ring (two memcpys); the clip writer's thread makes the file.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "../common/log.hpp"
#include "clip_writer.hpp"
#include "metrics.hpp"
#include "rustguard/adapters/clip_cut.hpp"
#include "rustguard/adapters/clip_ring.hpp"
#include "rustguard/adapters/clip_settings.hpp"
#include "rustguard/adapters/log_level.hpp"
#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/time.hpp"

namespace rustguard::proxy {

class ConnectionClips {
 public:
  ConnectionClips(const ClipSettings& settings, adapters::ClipBudget& budget, ClipWriter& writer,
                  std::uint64_t connection, Metrics& metrics)
      : settings_(settings), writer_(writer), connection_(connection), metrics_(metrics),
        ring_(limits_of(settings), &budget) {
    ring_.keep(settings.keep_everyone);
  }

  session::FrameTap* tap() noexcept { return &ring_; }
  std::size_t memory_bytes() const noexcept { return ring_.memory_bytes(); }

  // Before the session reads at `now`: the time of the frames it shows.
  void before(Timestamp now) noexcept {
    now_ = now;
    ring_.set_time(now);
  }
  // The time of the core call being handled.
  Timestamp now() const noexcept { return now_; }

  // After the session read (or ran its ticks) at `now`: a context snapshot
  // when one is due, and the pending clip once its end has come.
  void after(Timestamp now, const session::PlayerSession& session) {
    // A ring that keeps nothing yet (clips.players: flagged) takes no
    // snapshot: packing one deflates the whole context.
    if (ring_.keeping() && !ring_.in_prologue() &&
        (!last_snapshot_ || now - *last_snapshot_ >= snapshot_interval())) {
      ring_.add_snapshot(adapters::pack_snapshot(session.snapshot_context()));
      last_snapshot_ = now;
    }
    if (pending_ && now >= pending_->cut_at) cut(now);
  }

  // The core's events of the call being handled (before ConnectionEvents
  // takes them): a violation starts this player's ring.
  void saw(const std::vector<session::Event>& events, const session::PlayerSession& session) {
    if (ring_.keeping()) return;
    for (const session::Event& e : events) {
      if (std::holds_alternative<session::ViolationFound>(e)) {
        keep_from_now(session);
        return;
      }
    }
  }

  // An action of `kind` fired at `now` for `player`: the file name of the
  // clip it belongs to ("" when clips.on leaves the kind out). `ends`: the
  // connection's addresses for the file.
  std::string request(adapters::ActionKind kind, Timestamp now, std::string_view player,
                      const adapters::PcapngEndpoints& ends, const session::PlayerSession& session) {
    if (!wanted(kind)) return {};
    // Actions follow violations, which started the ring; but not every
    // path to an action need pass saw() first.
    if (!ring_.keeping()) keep_from_now(session);
    if (!pending_) {
      Timestamp cut_at = now + after();
      if (last_cut_ && *last_cut_ + min_interval() > cut_at) cut_at = *last_cut_ + min_interval();
      pending_ = std::make_unique<Pending>(Pending{ClipWriter::stem_for(now, player, connection_, ++clips_), cut_at,
                                                   ends, std::string(player), adapters::to_string(kind)});
      Metrics::add(metrics_.clips_started);
    }
    return pending_->stem + ".pcapng";
  }
  // An operator asked for a clip of this player now (the admin address).
  // A ring that has kept frames for less than clips.after (a player never
  // flagged starts keeping them now) is cut clips.after after it started,
  // or at disconnect.
  std::string request_now(Timestamp now, std::string_view player, const adapters::PcapngEndpoints& ends,
                          const session::PlayerSession& session) {
    if (!ring_.keeping()) keep_from_now(session);
    const Timestamp ready = kept_from_ && *kept_from_ + after() > now ? *kept_from_ + after() : now;
    if (!pending_) {
      pending_ = std::make_unique<Pending>(
          Pending{ClipWriter::stem_for(now, player, connection_, ++clips_), ready, ends, std::string(player), "request"});
      Metrics::add(metrics_.clips_started);
    } else if (ready < pending_->cut_at) {
      pending_->cut_at = ready;
    }
    const std::string name = pending_->stem + ".pcapng";
    if (pending_->cut_at <= now) cut(now);
    return name;
  }

  // The connection ended: a pending clip is cut now.
  void close(Timestamp now) {
    if (pending_) cut(now);
  }

 private:
  struct Pending {
    std::string stem;
    Timestamp cut_at;
    adapters::PcapngEndpoints ends;
    std::string player;
    std::string_view kind;
  };

  static adapters::ClipRingLimits limits_of(const ClipSettings& s) {
    adapters::ClipRingLimits limits;
    limits.window = std::chrono::duration_cast<Micros>(s.window);
    limits.max_bytes = s.max_bytes_per_player;
    return limits;
  }
  Micros after() const { return std::chrono::duration_cast<Micros>(settings_.after); }
  Micros min_interval() const { return std::chrono::duration_cast<Micros>(settings_.min_interval); }
  Micros snapshot_interval() const { return std::chrono::duration_cast<Micros>(settings_.snapshot_interval); }


 public:
  // Whether an action of `kind` gets a clip (clips.on).
  bool wanted(adapters::ActionKind kind) const noexcept {
    switch (kind) {
      case adapters::ActionKind::alert: return settings_.on_alert;
      case adapters::ActionKind::kick: return settings_.on_kick;
      case adapters::ActionKind::setback: return settings_.on_setback;
      case adapters::ActionKind::command: return settings_.on_command;
      case adapters::ActionKind::cancel:
      case adapters::ActionKind::strike: return false;
    }
    return false;
  }

 private:
  // The ring keeps frames from now on, starting with a snapshot of the
  // context (none in the prologue: a clip then starts at the login).
  void keep_from_now(const session::PlayerSession& session) {
    ring_.keep(true);
    kept_from_ = now_;
    Metrics::add(metrics_.clip_rings_started);
    if (ring_.in_prologue()) return;
    ring_.add_snapshot(adapters::pack_snapshot(session.snapshot_context()));
    last_snapshot_ = now_;
  }

  void cut(Timestamp now) {
    Pending p = std::move(*pending_);
    pending_.reset();
    last_cut_ = now;
    ClipJob job{p.stem, p.ends, ring_.cut(),
                "RustGuard evidence clip: player " + p.player + ", connection #" + std::to_string(connection_) +
                    ", started by " + std::string(p.kind) + "; the client leg as on the wire (RustGuard's own " +
                    "packets included), replay with rustguard-replay"};
    if (!writer_.submit(std::move(job))) {
      tools::log_warn("clip {} not written: the clip writer's queue is full (clips.queue_bytes)", p.stem);
    }
  }

  const ClipSettings& settings_;
  ClipWriter& writer_;
  std::uint64_t connection_;
  Metrics& metrics_;
  // What every read looks at (before, after and the ring's on_frame) sits
  // in the object's first two cache lines: the time, whether a clip is
  // pending (held apart, so only its pointer is here), and the ring's own
  // flags at its start. At 1,000 players a connection's state is out of the
  // cache by its next read (docs/benchmarks.md, "A connection's hot fields
  // in few lines").
  Timestamp now_{};
  std::unique_ptr<Pending> pending_;
  adapters::ClipRing ring_;
  std::optional<Timestamp> last_snapshot_;
  std::optional<Timestamp> last_cut_;
  std::optional<Timestamp> kept_from_;  // when a flagged-only ring started keeping frames
  std::uint32_t clips_ = 0;
};

}  // namespace rustguard::proxy
