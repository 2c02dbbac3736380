#pragma once
// Evidence clips: `clips:` in config.yml (adapters/clips_config_loader.hpp
// reads it; docs/recordings.md and docs/configuration.md document it). For
// now the per-player ring buffer of the client leg (adapters/clip_ring.hpp);
// writing clips when an action fires is not built yet (docs/status.md).
// Plain values: no I/O, so the proxy's headers can include this one alone.

#include <chrono>
#include <cstddef>

namespace rustguard {

struct ClipSettings {
  // Off until clips are written: a ring nobody reads would cost memory for
  // nothing (docs/status.md).
  bool enabled = false;
  // How far back a ring reaches.
  std::chrono::milliseconds window{30'000};
  // One player's ring at most (older frames go before their window then).
  std::size_t max_bytes_per_player = 128 * 1024;
  // Every ring of the process together (a ring the budget refuses stops
  // growing and evicts instead). Fixed at start.
  std::size_t max_total_bytes = 256u << 20;

  bool operator==(const ClipSettings&) const = default;
};

}  // namespace rustguard
