#pragma once
// The hooks a replayed connection session runs with.
//
// CountingHooks<Inner> counts the packets of each kind per direction (for the
// summary and the expectations) and passes everything on to Inner, the hooks
// that judge the player: EngineJudge (the detection engine in observe mode) by
// default, PassiveHooks to judge nothing. Any Inner needs:
//
//   explicit Inner(const ReplaySettings&);         // one per connection
//   bool wants(Direction, PacketKind) const;        // ConnectionSession's hooks
//   PacketDisposition on_packet(const PacketView&);
//   void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&);
//   void set_now(Timestamp);                        // capture time of the bytes about to be fed
//   void on_tick(Timestamp);                        // after every feed: time passed
//   std::vector<Violation>& violations();           // drained after every feed
//   double alert_vl(std::string_view check) const;  // the check's alert threshold
//
// and optionally, as the live proxy's hooks have them:
//
//   bool on_serverbound_frame();                    // every client frame: the packet-rate limit
//   std::optional<std::string> kick_reason() const; // why, when it returned false
//   void finish();                                  // the connection ended: last records
//
// so which judge runs is one type alias in replay_analysis.hpp.

#include <array>
#include <concepts>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/config.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/session/engine_hooks.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::replay {

// What a replay hands every connection's hooks: the loaded config.
struct ReplaySettings {
  Config config;
};

// Judges nothing: the session only splits, tracks and counts.
class PassiveHooks {
 public:
  explicit PassiveHooks(const ReplaySettings&) {}
  bool wants(protocol::Direction, protocol::PacketKind) const noexcept { return false; }
  session::PacketDisposition on_packet(const session::PacketView&) { return {}; }
  void on_tracker_update(const protocol::ConnectionTracker&, const protocol::TrackerUpdate&) {}
  void set_now(Timestamp) noexcept {}
  void on_tick(Timestamp) noexcept {}
  std::vector<Violation>& violations() noexcept { return violations_; }
  double alert_vl(std::string_view) const noexcept { return 0; }

 private:
  std::vector<Violation> violations_;
};

// The detection engine as the live proxy runs it (session::EngineHooks, with
// config.checks), in observe mode: it injects nothing and reads the
// lag-compensation transactions a live RustGuard put into the capture, or the
// client's keep-alive and ping answers where there are none (captures taken
// between the proxy and the backend). Kicks still close the session, as the
// proxy would have.
class EngineJudge {
 public:
  explicit EngineJudge(const ReplaySettings& settings)
      : config_(std::make_shared<const engine::EngineConfig>(settings.config.checks)),
        hooks_(config_, engine::EngineMode::observe) {}

  bool wants(protocol::Direction d, protocol::PacketKind kind) const noexcept { return hooks_.wants(d, kind); }
  session::PacketDisposition on_packet(const session::PacketView& p) { return hooks_.on_packet(p); }
  void on_tracker_update(const protocol::ConnectionTracker& t, const protocol::TrackerUpdate& u) {
    hooks_.on_tracker_update(t, u);
  }
  void set_now(Timestamp now) noexcept { hooks_.set_now(now); }
  void on_tick(Timestamp now) { hooks_.on_tick(now); }
  bool on_serverbound_frame() { return hooks_.on_serverbound_frame(); }
  std::optional<std::string> kick_reason() const { return hooks_.kick_reason(); }
  void finish() { hooks_.finish(); }
  std::vector<Violation>& violations() noexcept { return hooks_.violations(); }
  double alert_vl(std::string_view check) const noexcept { return config_->alert_vl(check); }

  const session::EngineHooks& hooks() const noexcept { return hooks_; }

 private:
  std::shared_ptr<const engine::EngineConfig> config_;
  session::EngineHooks hooks_;
};

using KindCounts = std::array<std::array<std::uint64_t, protocol::kPacketKindCount>, 2>;

template <class Inner>
class CountingHooks {
 public:
  explicit CountingHooks(const ReplaySettings& settings) : inner_(settings) {}

  // The session asks this once for every packet of a known kind, before it
  // decides whether to inflate the body, so it is the one place that sees
  // every packet without costing an inflate.
  bool wants(protocol::Direction d, protocol::PacketKind kind) const {
    ++counts_[static_cast<std::size_t>(d)][static_cast<std::size_t>(kind)];
    return inner_.wants(d, kind);
  }
  session::PacketDisposition on_packet(const session::PacketView& p) { return inner_.on_packet(p); }
  void on_tracker_update(const protocol::ConnectionTracker& t, const protocol::TrackerUpdate& u) {
    inner_.on_tracker_update(t, u);
  }
  // Present only when Inner has them (the session looks for the first).
  bool on_serverbound_frame()
    requires requires(Inner& i) { { i.on_serverbound_frame() } -> std::same_as<bool>; }
  {
    return inner_.on_serverbound_frame();
  }
  std::optional<std::string> kick_reason() const
    requires requires(const Inner& i) { i.kick_reason(); }
  {
    return inner_.kick_reason();
  }

  Inner& inner() noexcept { return inner_; }
  const Inner& inner() const noexcept { return inner_; }
  const KindCounts& kind_counts() const noexcept { return counts_; }

 private:
  Inner inner_;
  mutable KindCounts counts_{};  // see wants()
};

}  // namespace rustguard::replay
