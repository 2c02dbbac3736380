#pragma once
// Session recordings: `recordings:` in config.yml
// (adapters/recordings_config_loader.hpp reads it, docs/recordings.md and
// docs/configuration.md document it). A recording is one connection, from
// its first byte, as RustGuard's core read it, written as a pcapng file that
// rustguard-replay turns into exactly the rows the live proxy wrote
// (adapters/recording_control.hpp has the format).
// Plain values: no I/O, so the proxy's headers can include this one alone.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/adapters/staff_alert_settings.hpp"

namespace rustguard {

struct RecordingSettings {
  // Where the files go (created at start when missing).
  std::string folder = "recordings";
  // Every player's connection is recorded (a test suite, a tuning session).
  bool all_players = false;
  // These players' connections are recorded from their next login (names
  // ignore ASCII case). Whether a connection is recorded is decided when its
  // Login Start names the player; the bytes before are kept until then.
  std::vector<std::string> players;
  // Bytes waiting for the writer thread, all recordings together, at most.
  // A recording whose bytes do not fit is cut there and kept as
  // NAME.pcapng.incomplete (it would not replay to the live rows); the
  // packet path never waits for the disk.
  std::size_t queue_bytes = 64u << 20;
  // Retention, enforced by the proxy on the files it wrote (NAME.pcapng and
  // NAME.pcapng.incomplete in `folder`): older files go first, at start and
  // after every recording that ends. 0 = no limit.
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 30)};
  std::uint64_t max_total_bytes = 10ull << 30;

  bool enabled() const noexcept { return all_players || !players.empty(); }
  bool records(std::string_view name) const noexcept {
    if (all_players) return !name.empty();
    for (const std::string& p : players) {
      if (StaffAlertSettings::same_name(p, name)) return true;
    }
    return false;
  }

  bool operator==(const RecordingSettings&) const = default;
};

}  // namespace rustguard
