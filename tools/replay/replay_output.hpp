#pragma once
// Prints replay reports: a table per capture for people, JSON for machines.

#include <fmt/core.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "replay/replay_report.hpp"

namespace rustguard::replay {

inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// "speed 3 (max VL 7.5)" for every check that flagged the player, or "-".
inline std::string checks_summary(const PlayerReport& p) {
  std::string out;
  for (const auto& [key, t] : p.checks) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {} (max VL {:.1f})", key, t.count, t.max_vl);
  }
  return out.empty() ? "-" : out;
}

// "observe", or "live (session recording)" for a connection replayed from
// a recording's core input, or the evidence clip note.
inline std::string_view replay_mode(const PlayerReport& p) {
  if (p.session_recording) return "live (session recording)";
  return p.clip_context_restored ? "observe (evidence clip: context restored, checks restarted there)" : "observe";
}

// ", 4 notes (1 malformed, ...)" when the run held notes of session
// recordings, else nothing: ordinary captures print as they always did.
inline std::string notes_summary(const ReplayTotals& t) {
  if (t.notes + t.malformed_notes + t.unmatched_notes + t.refused_notes == 0) return {};
  std::string out = fmt::format(", {} notes", t.notes);
  std::string ignored;
  const auto add = [&ignored](std::uint64_t n, std::string_view what) {
    if (n == 0) return;
    ignored += fmt::format("{}{} {}", ignored.empty() ? "" : ", ", n, what);
  };
  add(t.malformed_notes, "malformed");
  add(t.unmatched_notes, "for no open connection");
  add(t.refused_notes, "refused");
  if (!ignored.empty()) out += " (ignored: " + ignored + ")";
  return out;
}

inline std::string format_text(const std::vector<CaptureReport>& reports) {
  std::string out;
  ReplayTotals all;
  for (const CaptureReport& r : reports) {
    out += fmt::format("{}\n", r.capture);
    if (r.players.empty()) out += "  (no players)\n";
    for (const PlayerReport& p : r.players) {
      out += fmt::format("  {:<16} {:<36} protocol {:>3} {:<8} {:>6} sb {:>6} cb {:>6.1f} s  violations: {}\n",
                         p.name.empty() ? "?" : p.name, p.uuid.empty() ? "-" : p.uuid, p.protocol,
                         p.release.empty() ? "?" : p.release, p.packets_serverbound, p.packets_clientbound,
                         p.duration_s(), checks_summary(p));
      if (!p.closed_by_core.empty()) out += fmt::format("  {:<16} closed by the core: {}\n", "", p.closed_by_core);
      if (!p.stream_problem.empty()) out += fmt::format("  {:<16} {}\n", "", p.stream_problem);
      if (p.session_recording || p.clip_context_restored) out += fmt::format("  {:<16} mode: {}\n", "", replay_mode(p));
      if (!p.recording_problem.empty()) out += fmt::format("  {:<16} {}\n", "", p.recording_problem);
    }
    for (const std::string& e : r.totals.errors) out += fmt::format("  error: {}\n", e);
    all += r.totals;
  }
  out += fmt::format(
      "total: {} capture(s), {} frames, {} bytes, {} TCP flows, {} Minecraft ({} status pings), {} skipped, "
      "{} packets, {} violations{}\n",
      reports.size(), all.frames, all.bytes, all.tcp_flows, all.minecraft_flows, all.status_flows, all.skipped_flows,
      all.packets, all.violations, notes_summary(all));
  return out;
}

inline std::string format_json(const std::vector<CaptureReport>& reports) {
  std::string out = "{\"captures\":[";
  ReplayTotals all;
  bool first_capture = true;
  for (const CaptureReport& r : reports) {
    if (!first_capture) out += ',';
    first_capture = false;
    out += fmt::format("{{\"capture\":{},\"players\":[", json_string(r.capture));
    bool first_player = true;
    for (const PlayerReport& p : r.players) {
      if (!first_player) out += ',';
      first_player = false;
      out += fmt::format(
          "{{\"flow\":{},\"capture_file\":{},\"name\":{},\"uuid\":{},\"address\":{},\"protocol\":{},\"release\":{},"
          "\"brand\":{},\"packets\":{{\"serverbound\":{},\"clientbound\":{}}},"
          "\"bytes\":{{\"serverbound\":{},\"clientbound\":{}}},\"start_ms\":{},\"end_ms\":{},\"duration_s\":{:.3f},"
          "\"reached_play\":{},\"closed_by_core\":{},\"stream_problem\":{},\"mode\":{},"
          "\"recording_problem\":{},\"violations\":{{",
          p.flow, json_string(p.capture_file), json_string(p.name), json_string(p.uuid), json_string(p.address),
          p.protocol, json_string(p.release), json_string(p.brand), p.packets_serverbound, p.packets_clientbound,
          p.bytes_serverbound, p.bytes_clientbound, p.start_ns / 1'000'000, p.end_ns / 1'000'000, p.duration_s(),
          p.reached_play, json_string(p.closed_by_core), json_string(p.stream_problem), json_string(replay_mode(p)),
          json_string(p.recording_problem));
      bool first = true;
      for (const auto& [key, t] : p.checks) {
        out += fmt::format("{}{}:{{\"count\":{},\"max_vl\":{},\"alerts\":{}}}", first ? "" : ",", json_string(key),
                           t.count, t.max_vl, t.alerts);
        first = false;
      }
      out += "},\"kinds\":{";
      first = true;
      for (const auto& [kind, n] : p.kinds) {
        out += fmt::format("{}{}:{}", first ? "" : ",", json_string(kind), n);
        first = false;
      }
      out += "}}";
    }
    const ReplayTotals& t = r.totals;
    out += fmt::format("],\"totals\":{{\"frames\":{},\"bytes\":{},\"tcp_flows\":{},\"minecraft_flows\":{},"
                       "\"status_flows\":{},\"skipped_flows\":{},\"packets\":{},\"violations\":{},\"gaps\":{},"
                       "\"errors\":[",
                       t.frames, t.bytes, t.tcp_flows, t.minecraft_flows, t.status_flows, t.skipped_flows, t.packets,
                       t.violations, t.gaps);
    for (std::size_t i = 0; i < t.errors.size(); ++i) out += (i ? "," : "") + json_string(t.errors[i]);
    out += fmt::format("],\"notes\":{},\"malformed_notes\":{},\"unmatched_notes\":{},\"refused_notes\":{}}}}}",
                       t.notes, t.malformed_notes, t.unmatched_notes, t.refused_notes);
    all += r.totals;
  }
  out += fmt::format("],\"totals\":{{\"captures\":{},\"frames\":{},\"bytes\":{},\"tcp_flows\":{},"
                     "\"minecraft_flows\":{},\"status_flows\":{},\"skipped_flows\":{},\"packets\":{},"
                     "\"violations\":{},\"notes\":{},\"malformed_notes\":{},\"unmatched_notes\":{},"
                     "\"refused_notes\":{}}}}}\n",
                     reports.size(), all.frames, all.bytes, all.tcp_flows, all.minecraft_flows, all.status_flows,
                     all.skipped_flows, all.packets, all.violations, all.notes, all.malformed_notes,
                     all.unmatched_notes, all.refused_notes);
  return out;
}

}  // namespace rustguard::replay
