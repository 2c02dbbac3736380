#pragma once
// The end of a run: a summary for people and one JSON line for scripts
// (tools/loadgen/README.md lists its fields).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "loadgen/stats.hpp"

namespace rustguard::loadgen {

struct RunDescription {
  std::string target;
  std::int32_t protocol = 0;
  std::string release;
  std::uint32_t players = 0;
  double move_hz = 0;
  double duration_s = 0;
  double ramp_s = 0;
  std::size_t threads = 0;
  std::int32_t compression_threshold = 0;
  bool backend_in_process = false;
  double wall_s = 0;
  double cpu_user_s = 0;
  double cpu_system_s = 0;
  std::uint64_t max_rss_kib = 0;
};

inline std::uint64_t count_of(const std::map<std::string, std::uint64_t>& m) {
  std::uint64_t n = 0;
  for (const auto& [reason, count] : m) n += count;
  return n;
}

inline std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

inline std::string json_reasons(const std::map<std::string, std::uint64_t>& m) {
  std::string out = "{";
  for (const auto& [reason, count] : m) {
    if (out.size() > 1) out += ',';
    out += fmt::format("\"{}\":{}", json_escape(reason), count);
  }
  return out + "}";
}

// The histogram's buckets as [[upper edge, count], ...] (latency.hpp).
inline std::string json_buckets(const LatencyHistogram& h) {
  std::string out = "[";
  h.for_each_bucket([&](std::uint64_t edge, std::uint64_t count) {
    if (out.size() > 1) out += ',';
    out += fmt::format("[{},{}]", edge, count);
  });
  return out + "]";
}

inline std::string json_latency(const LatencyHistogram& h) {
  return fmt::format(
      "{{\"count\":{},\"mean\":{:.1f},\"p50\":{},\"p99\":{},\"p999\":{},\"max\":{},\"buckets\":{}}}",
      h.count(), h.mean(), h.quantile(0.5), h.quantile(0.99), h.quantile(0.999), h.max(), json_buckets(h));
}

inline std::string json_direction(const DirectionStats& d) {
  return fmt::format(
      "{{\"packets_sent\":{},\"packets_received\":{},\"bytes_sent\":{},\"bytes_received\":{},"
      "\"measured_sent\":{},\"measured_received\":{},\"mismatches\":{},\"lost\":{},"
      "\"latency_us\":{},\"latency_at_read_us\":{}}}",
      d.packets_sent, d.packets_received, d.bytes_sent, d.bytes_received, d.measured_sent, d.measured_received,
      d.mismatches, d.lost, json_latency(d.latency), json_latency(d.latency_at_read));
}

inline std::string json_line(const RunDescription& run, const Stats& s) {
  return fmt::format(
      "{{\"tool\":\"rustguard-loadgen\",\"target\":\"{}\",\"protocol\":{},\"players_requested\":{},"
      "\"players_started\":{},\"logged_in\":{},\"failed_logins\":{},\"failed_login_reasons\":{},"
      "\"play_disconnects\":{},\"play_disconnect_reasons\":{},\"move_hz\":{},\"duration_s\":{},\"ramp_s\":{},"
      "\"threads\":{},\"compression_threshold\":{},\"backend_in_process\":{},\"serverbound\":{},"
      "\"clientbound\":{},\"keep_alives_answered\":{},\"transactions_answered\":{},\"teleports_confirmed\":{},"
      "\"attacks\":{},\"self_attacks\":{},\"chats\":{},\"ticks_skipped\":{},\"backend_connections\":{},\"backend_logins\":{},"
      "\"backend_errors\":{},\"backend_keep_alive_mismatches\":{},\"wall_s\":{:.3f},\"cpu_user_s\":{:.3f},"
      "\"cpu_system_s\":{:.3f},\"max_rss_kib\":{},\"tick_lateness_us\":{{\"p50\":{},\"p99\":{},\"max\":{}}},"
      "\"tick_lateness_max_ms_by_second\":[{}],"
      "\"movement_gap_us\":{{\"p50\":{},\"p99\":{},\"max\":{}}},\"movement_gaps_over_1500ms\":{}}}",
      json_escape(run.target), run.protocol, run.players, s.players_started, s.players_logged_in,
      count_of(s.login_failures), json_reasons(s.login_failures), count_of(s.play_disconnects),
      json_reasons(s.play_disconnects), run.move_hz, run.duration_s, run.ramp_s, run.threads, run.compression_threshold,
      run.backend_in_process, json_direction(s.serverbound), json_direction(s.clientbound), s.keep_alives_answered,
      s.transactions_answered, s.teleports_confirmed, s.attacks, s.self_attacks, s.chats, s.ticks_skipped, s.backend_connections,
      s.backend_logins, s.backend_errors, s.backend_keep_alive_mismatches, run.wall_s, run.cpu_user_s, run.cpu_system_s,
      run.max_rss_kib, s.tick_lateness.quantile(0.5), s.tick_lateness.quantile(0.99), s.tick_lateness.max(),
      fmt::join(s.late_ms_by_second, ","), s.movement_gap.quantile(0.5), s.movement_gap.quantile(0.99),
      s.movement_gap.max(), s.movement_gaps_over_1500ms);
}

inline std::string direction_summary(std::string_view name, const DirectionStats& d, bool measured) {
  std::string out = fmt::format("{:<12} {} packets sent, {} received ({:.1f} / {:.1f} MiB)\n", name, d.packets_sent,
                                d.packets_received, static_cast<double>(d.bytes_sent) / (1 << 20),
                                static_cast<double>(d.bytes_received) / (1 << 20));
  if (!measured) return out;
  const auto line = [&](std::string_view what, const LatencyHistogram& h) {
    out += fmt::format("{:<12} {} over {} packets: p50 {} us, p99 {} us, p99.9 {} us, max {} us\n", "", what,
                       h.count(), h.quantile(0.5), h.quantile(0.99), h.quantile(0.999), h.max());
  };
  line("one-way latency to the kernel", d.latency);
  line("to this process's read", d.latency_at_read);
  out += fmt::format("{:<12} measured {} sent, {} matched, {} mismatched, {} lost\n", "", d.measured_sent,
                     d.measured_received, d.mismatches, d.lost);
  return out;
}

inline std::string summary(const RunDescription& run, const Stats& s) {
  std::string out = fmt::format(
      "rustguard-loadgen: {} players, protocol {} ({}), target {}, movement {} Hz, {} s after a {} s ramp, {} "
      "threads\n",
      run.players, run.protocol, run.release, run.target, run.move_hz, run.duration_s, run.ramp_s, run.threads);
  out += fmt::format("logins       {} requested, {} in play, {} failed\n", run.players, s.players_logged_in,
                     count_of(s.login_failures));
  for (const auto& [reason, count] : s.login_failures) out += fmt::format("{:<12}   {} x {}\n", "", count, reason);
  out += fmt::format("in play      {} disconnected during play\n", count_of(s.play_disconnects));
  for (const auto& [reason, count] : s.play_disconnects) out += fmt::format("{:<12}   {} x {}\n", "", count, reason);
  out += direction_summary("serverbound", s.serverbound, run.backend_in_process);
  out += direction_summary("clientbound", s.clientbound, run.backend_in_process);
  out += fmt::format("answered     {} keep-alives, {} transactions, {} teleports; {} attacks, {} chat lines sent\n",
                     s.keep_alives_answered, s.transactions_answered, s.teleports_confirmed, s.attacks, s.chats);
  if (s.self_attacks != 0) out += fmt::format("cheated      {} attacks on the player's own entity\n", s.self_attacks);
  if (run.backend_in_process) {
    out += fmt::format("backend      {} connections, {} logins, {} protocol errors, {} keep-alive mismatches\n",
                       s.backend_connections, s.backend_logins, s.backend_errors, s.backend_keep_alive_mismatches);
  }
  const double cpu = run.cpu_user_s + run.cpu_system_s;
  out += fmt::format(
      "loadgen      {:.2f} s CPU ({:.2f} user + {:.2f} system) in {:.2f} s: {:.0f}% of one core; "
      "max RSS {} MiB; {} ticks dropped (over 10 behind)\n",
      cpu, run.cpu_user_s, run.cpu_system_s, run.wall_s, run.wall_s > 0 ? 100 * cpu / run.wall_s : 0.0,
      run.max_rss_kib / 1024, s.ticks_skipped);
  out += fmt::format(
      "self-lag     ticks ran late by p50 {} us, p99 {} us, max {} us; gaps between a player's movement packets p50 "
      "{} us, p99 {} us, max {} us, {} over 1.5 s{}\n",
      s.tick_lateness.quantile(0.5), s.tick_lateness.quantile(0.99), s.tick_lateness.max(),
      s.movement_gap.quantile(0.5), s.movement_gap.quantile(0.99), s.movement_gap.max(), s.movement_gaps_over_1500ms,
      s.movement_gaps_over_1500ms != 0 ? " (this process fell behind: timing checks may flag it)" : "");
  // Which seconds had a tick over 10 ms late: one stall, or a run that stayed behind.
  std::string late_seconds;
  std::size_t shown = 0, late = 0;
  for (std::size_t i = 0; i < s.late_ms_by_second.size(); ++i) {
    if (s.late_ms_by_second[i] <= 10) continue;
    ++late;
    if (shown++ < 12) late_seconds += fmt::format(" {}s:{}ms", i, s.late_ms_by_second[i]);
  }
  if (late != 0) {
    out += fmt::format("             {} of {} seconds had a tick over 10 ms late:{}{}\n", late, s.late_ms_by_second.size(),
                       late_seconds, late > shown ? " ..." : "");
  }
  return out;
}

}  // namespace rustguard::loadgen
