#pragma once
// The hooks a replayed connection session runs with.
//
// CountingHooks<Inner> counts the packets of each kind per direction (for the
// summary and the expectations) and passes everything on to Inner, the hooks
// that judge the player. Until the detection engine's session adapter lands,
// Inner is PassiveHooks, which judges nothing. Any Inner needs:
//
//   explicit Inner(const ReplaySettings&);         // one per connection
//   bool wants(Direction, PacketKind) const;        // ConnectionSession's hooks
//   PacketDisposition on_packet(const PacketView&);
//   void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&);
//   void set_now(Timestamp);                        // capture time of the bytes about to be fed
//   std::vector<Violation>& violations();           // drained after every feed
//   double alert_vl(std::string_view check) const;  // the check's alert threshold
//
// so plugging in the engine is one type alias in replay_analysis.hpp.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rustguard/config.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/session/connection_session.hpp"
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
  std::vector<Violation>& violations() noexcept { return violations_; }
  double alert_vl(std::string_view) const noexcept { return 0; }

 private:
  std::vector<Violation> violations_;
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

  Inner& inner() noexcept { return inner_; }
  const Inner& inner() const noexcept { return inner_; }
  const KindCounts& kind_counts() const noexcept { return counts_; }

 private:
  Inner inner_;
  mutable KindCounts counts_{};  // see wants()
};

}  // namespace rustguard::replay
