#pragma once
// Evidence clips: `clips:` in config.yml (adapters/clips_config_loader.hpp
// reads it; docs/recordings.md and docs/configuration.md document it): the
// per-player ring of the client leg (adapters/clip_ring.hpp), and the clip
// files the proxy writes from it when an action fires (tools/proxy/
// clip_writer.hpp). Plain values: no I/O, so the proxy's headers can include
// this one alone.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace rustguard {

struct ClipSettings {
  // On by default: every alert, kick, setback and command carries its
  // evidence (its cost: docs/benchmarks.md, "Clip ring").
  bool enabled = true;
  // Whose rings keep frames after the login (clips.players): false
  // ("flagged"), a player's from his first violation on, or from an
  // operator's POST /clips; true ("all"), everyone's from the login. An
  // honest player then costs only his login's frames: at 1,000 active
  // players every ring filled costs ~100 MiB and ~10 points of CPU
  // (docs/benchmarks.md, "Clips for flagged players").
  bool keep_everyone = false;
  // How far back a ring reaches.
  std::chrono::milliseconds window{30'000};
  // One player's ring at most (older frames go before their window then).
  std::size_t max_bytes_per_player = 128 * 1024;
  // Every ring of the process together (a ring the budget refuses stops
  // growing and evicts instead). Fixed at start.
  std::size_t max_total_bytes = 256u << 20;

  // Where clip files go (created at start). Empty: `clips` next to the
  // violation log's database file, so evidence and rows stay together.
  std::string folder;
  // The action kinds that write a clip (clips.on).
  bool on_alert = true, on_kick = true, on_setback = true, on_command = true;
  // A clip ends this long after the action that started it (a kick ends it
  // at once: the connection closes).
  std::chrono::milliseconds after{5'000};
  // A player's next clip ends at least this long after the previous one;
  // actions in between belong to that next clip. Plus snapshot_interval at
  // most `window` (as is after's), so every action's moment comes after the
  // snapshot its clip replays from.
  std::chrono::milliseconds min_interval{20'000};
  // How often the ring takes a snapshot of the player's context, which a
  // clip from the middle of a session starts from.
  std::chrono::milliseconds snapshot_interval{10'000};
  // Chat (the player's messages and commands, system chat to it) left out
  // of clips.
  bool redact_chat = false;
  // Clips waiting for the writer thread, all together, at most; a clip that
  // does not fit is not written (a warning and rustguard_clips_total).
  std::size_t queue_bytes = 64u << 20;
  // Retention of the clip folder (its clip files only), oldest first, at
  // start and after each clip. 0 = no limit.
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 30)};
  std::uint64_t max_folder_bytes = 2ull << 30;

  bool operator==(const ClipSettings&) const = default;
};

}  // namespace rustguard
