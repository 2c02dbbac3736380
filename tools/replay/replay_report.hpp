#pragma once
// What one replay found: per player (one Minecraft connection that logged in)
// and in total. Plain values; replay_output.hpp prints them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rustguard/checks/model/combat.hpp"

namespace rustguard::replay {

// One check's flags against one player.
struct CheckTally {
  std::uint64_t count = 0;   // flags (a stored record may fold several)
  double max_vl = 0;         // highest violation level a record shows
  std::uint64_t alerts = 0;  // records at or above the check's alert threshold (the proxy's alerts)
};

struct PlayerReport {
  std::uint64_t flow = 0;    // the connection's flow number in the capture (1-based)
  std::string capture_file;  // file the connection started in
  std::string name;
  std::string uuid;          // canonical text, empty if never learned
  std::string address;       // the client's endpoint
  std::int32_t protocol = 0;
  std::string release;       // "1.21.4", or "" for an unknown protocol
  std::string brand;
  std::uint64_t packets_serverbound = 0;
  std::uint64_t packets_clientbound = 0;
  std::uint64_t bytes_serverbound = 0;
  std::uint64_t bytes_clientbound = 0;
  std::int64_t start_ns = 0;  // first byte of the connection
  std::int64_t end_ns = 0;    // its close (or the end of the capture)
  bool reached_play = false;
  std::string closed_by_core;      // why the session would have closed it (malformed, kick), else ""
  std::string stream_problem;      // a gap or encryption: packets after it were not seen
  // A session recording (its core-input note came before any byte): replayed
  // as the live proxy ran it, engine in originate mode, notes applied.
  bool session_recording = false;
  std::string recording_problem;   // a note that could not be applied to this connection, else ""
  // An evidence clip that starts mid-session: its context note restored the
  // player's context, and the checks started over there (VLs from 0).
  bool clip_context_restored = false;
  std::map<std::string, std::uint64_t> kinds;  // packet kind name -> count, both directions
  std::map<std::string, CheckTally> checks;    // check key -> tally
  // The model stage's feature windows (only when checks.model.combat.collect is set).
  std::vector<checks::model::FeatureWindow> feature_windows;

  double duration_s() const { return static_cast<double>(end_ns - start_ns) / 1e9; }
  std::uint64_t violations() const {
    std::uint64_t n = 0;
    for (const auto& [key, t] : checks) n += t.count;
    return n;
  }
};

struct ReplayTotals {
  std::uint64_t frames = 0;           // captured frames read
  std::uint64_t bytes = 0;            // captured frame bytes
  std::uint64_t tcp_flows = 0;        // TCP connections whose SYN was captured
  std::uint64_t minecraft_flows = 0;  // of those, the ones that started with a handshake
  std::uint64_t status_flows = 0;     // server-list pings among them
  std::uint64_t skipped_flows = 0;    // no handshake, or no SYN (capture started mid-connection)
  std::uint64_t packets = 0;          // Minecraft packets, both directions
  std::uint64_t violations = 0;
  std::uint64_t gaps = 0;             // stream directions cut short by missing segments
  // Session recordings' notes (adapters/recording_control.hpp):
  std::uint64_t notes = 0;            // applied to their connection
  std::uint64_t malformed_notes = 0;  // started with the magic but did not parse: ignored
  std::uint64_t unmatched_notes = 0;  // no open connection between the datagram's endpoints: ignored
  std::uint64_t refused_notes = 0;    // core-input after the connection's first bytes: ignored
  std::vector<std::string> errors;    // unreadable files, with libpcap's message

  ReplayTotals& operator+=(const ReplayTotals& o) {
    frames += o.frames;
    bytes += o.bytes;
    tcp_flows += o.tcp_flows;
    minecraft_flows += o.minecraft_flows;
    status_flows += o.status_flows;
    skipped_flows += o.skipped_flows;
    packets += o.packets;
    violations += o.violations;
    gaps += o.gaps;
    notes += o.notes;
    malformed_notes += o.malformed_notes;
    unmatched_notes += o.unmatched_notes;
    refused_notes += o.refused_notes;
    errors.insert(errors.end(), o.errors.begin(), o.errors.end());
    return *this;
  }
};

// One CAPTURE argument (a file, or a folder of rotated files read as one run).
struct CaptureReport {
  std::string capture;  // the argument's file name
  std::vector<PlayerReport> players;  // in flow order
  ReplayTotals totals;
};

}  // namespace rustguard::replay
