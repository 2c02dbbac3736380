#pragma once
// The proxy's counters and their Prometheus text rendering (GET /metrics).
// Every io thread updates the same atomics with relaxed ordering: they are
// statistics, read by a scrape that only needs each number to be eventually
// right, so no ordering between them is paid for on the packet path.

#include <fmt/core.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accept_backoff.hpp"
#include "limit.hpp"
#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::proxy {

// The process's heap as the allocator sees it: bytes handed out (in use) and
// bytes it holds free (fragmentation, or not yet returned to the system).
// glibc only; elsewhere (and under sanitizers, whose allocator glibc does
// not see) both read 0.
struct HeapFigures {
  std::uint64_t in_use = 0;
  std::uint64_t free = 0;
};
inline HeapFigures heap_figures() noexcept {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = ::mallinfo2();
  return {static_cast<std::uint64_t>(mi.uordblks + mi.hblkhd), static_cast<std::uint64_t>(mi.fordblks)};
#else
  return {};
#endif
}

// Upper bounds (microseconds) of the inspection-time histogram buckets; +Inf is implicit.
inline constexpr std::array<std::uint64_t, 12> kInspectionBucketsUs = {1, 2, 5, 10, 20, 50, 100, 200, 500,
                                                                       1000, 5000, 20000};
// Upper bounds (microseconds) of the buckets of how long a read's bytes
// waited in the kernel before the proxy read them; +Inf is implicit.
inline constexpr std::array<std::uint64_t, 12> kReadWaitBucketsUs = {10, 50, 100, 250, 500, 1000,
                                                                     2500, 5000, 10000, 25000, 50000, 100000};

// The keys of the default engine's checks, in chain order: the label values
// of the per-check counters.
inline std::span<const std::string_view> check_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> k;
    engine::EngineConfig config;
    config.for_each_limits([&](const engine::CheckInfo& info, engine::CheckLimits&) { k.push_back(info.key); });
    return k;
  }();
  return keys;
}

// One counter per check key, plus "other" for anything no check owns (a kick
// for a malformed packet). Looked up by key: only flags pay for it.
class CheckCounters {
 public:
  static constexpr std::size_t kMaxChecks = 48;

  void add(std::string_view key, std::uint64_t n = 1) noexcept {
    counters_[index(key)].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t get(std::string_view key) const noexcept {
    return counters_[index(key)].load(std::memory_order_relaxed);
  }
  std::uint64_t total() const noexcept {
    std::uint64_t t = 0;
    for (const auto& c : counters_) t += c.load(std::memory_order_relaxed);
    return t;
  }

  // Every known check (zeros too, so a dashboard sees the series from the
  // start), and "other" when it is not zero.
  void render(std::string& out, std::string_view name) const {
    const auto keys = check_keys();
    for (std::size_t i = 0; i < keys.size() && i < kMaxChecks; ++i) {
      out += fmt::format("{}{{check=\"{}\"}} {}\n", name, keys[i], counters_[i].load(std::memory_order_relaxed));
    }
    if (const auto n = counters_[kMaxChecks].load(std::memory_order_relaxed); n != 0) {
      out += fmt::format("{}{{check=\"other\"}} {}\n", name, n);
    }
  }

 private:
  static std::size_t index(std::string_view key) noexcept {
    const auto keys = check_keys();
    for (std::size_t i = 0; i < keys.size() && i < kMaxChecks; ++i) {
      if (keys[i] == key) return i;
    }
    return kMaxChecks;
  }
  std::array<std::atomic<std::uint64_t>, kMaxChecks + 1> counters_{};
};

// The violation log's totals as /metrics shows them (see adapters/violation_log.hpp).
struct StorageFigures {
  std::uint64_t accepted = 0;
  std::uint64_t written = 0;
  std::uint64_t spilled = 0;
  std::uint64_t imported = 0;
  std::uint64_t retried = 0;
  std::uint64_t dropped = 0;
  std::uint64_t rejected = 0;
  std::uint64_t disk_bytes = 0;  // database + journal + spill file now (a gauge)
};

// The action outlets (action_outlets.hpp) as /metrics shows them.
struct ActionFigures {
  bool rcon_enabled = false;
  bool rcon_connected = false;
  std::uint64_t rcon_sent = 0, rcon_failed = 0, rcon_reconnects = 0, rcon_connect_failures = 0, rcon_queue = 0;
  bool webhook_enabled = false;
  std::uint64_t webhook_sent = 0, webhook_failed = 0, webhook_dropped = 0, webhook_retried = 0,
                webhook_rate_limited = 0, webhook_waiting = 0;
};

// The session recordings' writer (recording_writer.hpp) as /metrics shows it.
struct RecordingFigures {
  std::uint64_t started = 0;     // recordings opened
  std::uint64_t finished = 0;    // closed whole (NAME.pcapng)
  std::uint64_t incomplete = 0;  // cut (queue full) or failed to write (NAME.pcapng.incomplete)
  std::uint64_t bytes = 0;       // game bytes written
  std::uint64_t removed = 0;     // files deleted by retention
  std::uint64_t queued_bytes = 0;
};

// The evidence clips' writer (clip_writer.hpp).
struct ClipFigures {
  std::uint64_t written = 0;      // NAME.pcapng whole
  std::uint64_t failed = 0;       // could not be made or written (the log says why)
  std::uint64_t dropped = 0;      // the writer's queue was full
  std::uint64_t bytes = 0;        // file bytes written
  std::uint64_t removed = 0;      // files deleted by retention
  std::uint64_t queued_bytes = 0;
};

class Metrics {
 public:
  using Counter = std::atomic<std::uint64_t>;
  static constexpr std::size_t kErrcCount = static_cast<std::size_t>(protocol::Errc::forwarding_signature) + 1;

  Counter connections_current{0};
  Counter connections_total{0};
  Counter encrypted_connections{0};
  Counter backend_unavailable{0};
  Counter status_from_cache{0};
  // accept() failures by AcceptErrorKind, and the pauses they caused.
  std::array<Counter, 3> accept_errors{};
  Counter accept_pauses{0};
  std::array<Counter, kErrcCount> decode_errors{};
  std::array<Counter, static_cast<std::size_t>(Limit::count)> limit_hits{};
  // Detection: by check key.
  CheckCounters violations, alerts, kicks, cancels;
  // Timing flags the engine held because this proxy read late (overload).
  Counter timing_flags_held{0};
  // Setbacks sent (engine/setbacks.hpp).
  Counter setbacks_sent{0};
  // The model stage (checks/model/combat.hpp): windows scored, and players
  // who were at its gate when a window was due.
  Counter model_windows{0}, model_gated_players{0};
  // Set once before the io threads start (main); read by the admin endpoint.
  std::function<StorageFigures()> storage;
  std::function<ActionFigures()> actions;
  std::function<std::optional<RecordingFigures>()> recordings;  // nothing while no recording writer exists
  // The clip rings' memory, all connections together, and its limit (clips.*).
  std::function<std::pair<std::size_t, std::size_t>()> clip_rings;
  std::function<std::optional<ClipFigures>()> clips;  // nothing while clips are off
  // Clips started, by an action (clips.on) or an admin request; later
  // actions join a pending clip and start none.
  Counter clips_started{0};
  // Rings that began keeping frames after the login (clips.players: flagged:
  // a player's first violation, or an operator's request).
  Counter clip_rings_started{0};
  // The punishment ladders' actions, by kind, and the strikes they gave.
  Counter ladder_alerts{0}, ladder_commands{0}, strikes_given{0};
  // Alert lines for staff in game (player_directory.hpp): written into a staff
  // player's stream, dropped by the per-staff rate limit, or not sent because
  // the staff player was not in play (configuration, leaving) when it arrived.
  Counter staff_alerts_sent{0}, staff_alerts_dropped{0}, staff_alerts_unsent{0};
  std::function<std::chrono::microseconds()> event_loop_lag;  // the worst io thread's
  // The proxy's clock now, ms since the Unix epoch (clock.hpp): what rows are stamped with.
  std::function<std::int64_t()> clock_ms;

  void decode_error(protocol::Errc e) noexcept { add(decode_errors[static_cast<std::size_t>(e)]); }
  void limit_hit(Limit l) noexcept { add(limit_hits[static_cast<std::size_t>(l)]); }
  void accept_error(AcceptErrorKind k) noexcept { add(accept_errors[static_cast<std::size_t>(k)]); }

  // A player reached play (or login) with this protocol number; `delta` -1 when it leaves.
  void player(std::int32_t protocol, std::int64_t delta) noexcept {
    const auto versions = protocol::supported_versions();
    std::size_t slot = versions.size();  // unknown versions share the last slot
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].protocol() == protocol) slot = i;
    }
    if (slot >= players_.size()) slot = players_.size() - 1;
    players_[slot].fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
  }

  // One read fed to a session: its frames, its bytes, how long the
  // inspection took, and how long its bytes had waited in the kernel
  // (arrival_time.hpp; 0 when not stamped). The inspection is kept in
  // nanoseconds: most reads take one or two microseconds, which whole
  // microseconds would misfile (1.9 µs at or below 1) and their sum would
  // understate.
  void read(bool serverbound, std::uint64_t packets, std::uint64_t bytes, std::chrono::nanoseconds inspection,
            std::chrono::microseconds waited = {}) noexcept {
    ReadCounters& c = read_counters();
    const std::size_t d = serverbound ? 0 : 1;
    if (packets != 0) add(c.packets[d], packets);
    add(c.bytes[d], bytes);
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(inspection.count(), 0));
    add(c.inspection_buckets[bucket_of(kInspectionBucketsUs, ns)]);
    add(c.inspection_ns[d], ns);
    add(c.reads[d]);
    const auto wait_us = static_cast<std::uint64_t>(std::max<std::int64_t>(waited.count(), 0));
    add(c.read_wait_buckets[bucket_of(kReadWaitBucketsUs, wait_us * 1000)]);
    add(c.read_wait_us[d], wait_us);
  }
  // Lag-compensation transactions injected toward clients, and answered.
  void transactions(std::uint64_t sent, std::uint64_t answered) noexcept {
    if (sent == 0 && answered == 0) return;
    ReadCounters& c = read_counters();
    add(c.transactions_sent, sent);
    add(c.transactions_answered, answered);
  }
  std::uint64_t packets(bool serverbound) const noexcept { return summed(&ReadCounters::packets, serverbound ? 0 : 1); }
  std::uint64_t bytes(bool serverbound) const noexcept { return summed(&ReadCounters::bytes, serverbound ? 0 : 1); }
  std::uint64_t transactions_sent() const noexcept { return summed(&ReadCounters::transactions_sent); }
  std::uint64_t transactions_answered() const noexcept { return summed(&ReadCounters::transactions_answered); }

  static void add(Counter& c, std::uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }
  static std::uint64_t get(const Counter& c) noexcept { return c.load(std::memory_order_relaxed); }

  // Prometheus text exposition format 0.0.4.
  std::string render() const {
    std::string out;
    auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    auto sample = [&](std::string_view name, std::string_view labels, std::uint64_t v) {
      out += labels.empty() ? fmt::format("{} {}\n", name, v) : fmt::format("{}{{{}}} {}\n", name, labels, v);
    };
    family("rustguard_connections", "gauge", "Open player connections.");
    sample("rustguard_connections", "", get(connections_current));
    family("rustguard_connections_total", "counter", "Player connections accepted since start.");
    sample("rustguard_connections_total", "", get(connections_total));
    family("rustguard_players", "gauge", "Players logged in, by protocol version.");
    const auto versions = protocol::supported_versions();
    for (std::size_t i = 0; i < versions.size() && i + 1 < players_.size(); ++i) {
      const auto n = get(players_[i]);
      if (n != 0) {
        sample("rustguard_players",
               fmt::format("protocol=\"{}\",release=\"{}\"", versions[i].protocol(), versions[i].release_names()), n);
      }
    }
    if (const auto n = get(players_.back()); n != 0) sample("rustguard_players", "protocol=\"other\",release=\"\"", n);
    family("rustguard_packets_total", "counter", "Frames seen, by direction.");
    sample("rustguard_packets_total", "direction=\"serverbound\"", packets(true));
    sample("rustguard_packets_total", "direction=\"clientbound\"", packets(false));
    family("rustguard_bytes_total", "counter", "Bytes read from each side, by direction.");
    sample("rustguard_bytes_total", "direction=\"serverbound\"", bytes(true));
    sample("rustguard_bytes_total", "direction=\"clientbound\"", bytes(false));
    // Which side's traffic the inspection's time goes to (the histogram
    // below has both together).
    family("rustguard_reads_total", "counter", "Reads fed to the sessions, by the side they came from.");
    sample("rustguard_reads_total", "direction=\"serverbound\"", summed(&ReadCounters::reads, 0));
    sample("rustguard_reads_total", "direction=\"clientbound\"", summed(&ReadCounters::reads, 1));
    family("rustguard_inspection_seconds_total", "counter", "Time spent inspecting reads, by the side they came from.");
    const auto seconds = [&](std::size_t d) {
      return static_cast<double>(summed(&ReadCounters::inspection_ns, d)) / 1e9;
    };
    out += fmt::format("rustguard_inspection_seconds_total{{direction=\"serverbound\"}} {}\n", seconds(0));
    out += fmt::format("rustguard_inspection_seconds_total{{direction=\"clientbound\"}} {}\n", seconds(1));
    // Which side's bytes wait longer in the kernel before the proxy reads
    // them (the histogram below has both together).
    family("rustguard_read_wait_seconds_total", "counter",
           "Time reads' bytes had waited in the kernel before the proxy read them, by the side they came from.");
    const auto waited = [&](std::size_t d) { return static_cast<double>(summed(&ReadCounters::read_wait_us, d)) / 1e6; };
    out += fmt::format("rustguard_read_wait_seconds_total{{direction=\"serverbound\"}} {}\n", waited(0));
    out += fmt::format("rustguard_read_wait_seconds_total{{direction=\"clientbound\"}} {}\n", waited(1));
    family("rustguard_decode_errors_total", "counter", "Connections closed for undecodable bytes, by reason.");
    for (std::size_t i = 1; i < decode_errors.size(); ++i) {
      sample("rustguard_decode_errors_total",
             fmt::format("reason=\"{}\"", protocol::to_string(static_cast<protocol::Errc>(i))), get(decode_errors[i]));
    }
    family("rustguard_limit_hits_total", "counter", "Connections closed or refused for breaking a limit.");
    for (std::size_t i = 0; i < limit_hits.size(); ++i) {
      sample("rustguard_limit_hits_total", fmt::format("limit=\"{}\"", to_string(static_cast<Limit>(i))),
             get(limit_hits[i]));
    }
    family("rustguard_encrypted_connections_total", "counter",
           "Online-mode (encrypted) connections, forwarded uninspected.");
    sample("rustguard_encrypted_connections_total", "", get(encrypted_connections));
    family("rustguard_backend_unavailable_total", "counter", "Connections the backend did not accept.");
    sample("rustguard_backend_unavailable_total", "", get(backend_unavailable));
    family("rustguard_accept_errors_total", "counter",
           "accept() failures, by reason: file_descriptors (EMFILE/ENFILE) and memory pause accepting.");
    for (std::size_t i = 0; i < accept_errors.size(); ++i) {
      sample("rustguard_accept_errors_total",
             fmt::format("reason=\"{}\"", to_string(static_cast<AcceptErrorKind>(i))), get(accept_errors[i]));
    }
    family("rustguard_accept_pauses_total", "counter",
           "Times accepting new connections was paused (100 ms doubling to 1 s) after a resource error.");
    sample("rustguard_accept_pauses_total", "", get(accept_pauses));
    family("rustguard_status_from_cache_total", "counter", "Server-list pings answered by the proxy itself.");
    sample("rustguard_status_from_cache_total", "", get(status_from_cache));
    family("rustguard_violations_total", "counter", "Violations raised, by check.");
    violations.render(out, "rustguard_violations_total");
    family("rustguard_alerts_total", "counter", "Violations at or above their check's alert_vl, by check.");
    alerts.render(out, "rustguard_alerts_total");
    family("rustguard_kicks_total", "counter", "Players kicked by the checks, by check.");
    kicks.render(out, "rustguard_kicks_total");
    family("rustguard_cancels_total", "counter", "Packets a check cancelled (not forwarded), by check.");
    cancels.render(out, "rustguard_cancels_total");
    family("rustguard_transactions_sent_total", "counter", "Lag-compensation transactions injected toward clients.");
    sample("rustguard_transactions_sent_total", "", transactions_sent());
    family("rustguard_transactions_answered_total", "counter",
           "Client answers to those transactions (swallowed, never forwarded).");
    sample("rustguard_transactions_answered_total", "", transactions_answered());
    family("rustguard_timing_flags_held_total", "counter",
           "Timing flags (timer, transaction timeouts) not raised because RustGuard itself read late: an overloaded "
           "proxy, not the players. Non-zero means the host needs more CPU.");
    sample("rustguard_timing_flags_held_total", "", get(timing_flags_held));
    family("rustguard_setbacks_total", "counter",
           "Players sent back to where the server last saw them after a flag with a setback outcome; the "
           "illegal moves never reached the server.");
    sample("rustguard_setbacks_total", "", get(setbacks_sent));
    family("rustguard_model_windows_total", "counter",
           "Fighting windows the model stage scored (checks.model.combat; a verdict is a model.combat violation).");
    sample("rustguard_model_windows_total", "", get(model_windows));
    family("rustguard_model_gated_players_total", "counter",
           "Players who were at the model stage's suspicion gate when a window of theirs was due (judged at least "
           "once, or would have been with enough attacks). Divided by logins: the share of players the stage "
           "looks at.");
    sample("rustguard_model_gated_players_total", "", get(model_gated_players));
    if (event_loop_lag) {
      family("rustguard_event_loop_lag_seconds", "gauge",
             "How late the slowest io thread's event loop last ran (a 20 ms probe timer). Above "
             "connections.refuse_logins_lag_ms new logins are refused.");
      out += fmt::format("rustguard_event_loop_lag_seconds {}\n", static_cast<double>(event_loop_lag().count()) / 1e6);
    }
    if (clock_ms) {
      // The rows' clock is monotonic, anchored to the wall clock once at
      // start: a host whose clock is stepped later drifts from it, and this
      // shows by how much (compare with the host's time when scraped).
      family("rustguard_clock_milliseconds", "gauge",
             "The proxy's clock, which stamps the violation log's rows (time_ms): milliseconds since the Unix "
             "epoch, monotonic since start.");
      out += fmt::format("rustguard_clock_milliseconds {}\n", clock_ms());
    }
    if (storage) {
      const StorageFigures f = storage();
      family("rustguard_violation_log_records_total", "counter",
             "Violation-log records (sessions, violations, actions) by outcome: accepted by the log, written to "
             "SQLite, spilled to the spill file while the database was unavailable, imported from it later, "
             "dropped (lost; also logged), rejected after shutdown.");
      sample("rustguard_violation_log_records_total", "outcome=\"accepted\"", f.accepted);
      sample("rustguard_violation_log_records_total", "outcome=\"written\"", f.written);
      sample("rustguard_violation_log_records_total", "outcome=\"spilled\"", f.spilled);
      sample("rustguard_violation_log_records_total", "outcome=\"imported\"", f.imported);
      sample("rustguard_violation_log_records_total", "outcome=\"dropped\"", f.dropped);
      sample("rustguard_violation_log_records_total", "outcome=\"rejected\"", f.rejected);
      family("rustguard_violation_log_retries_total", "counter", "Failed database writes that were retried.");
      sample("rustguard_violation_log_retries_total", "", f.retried);
      family("rustguard_violation_log_disk_bytes", "gauge",
             "Bytes the violation log occupies on disk: database, journal and spill file.");
      sample("rustguard_violation_log_disk_bytes", "", f.disk_bytes);
    }
    family("rustguard_ladder_actions_total", "counter",
           "Actions the punishment ladders fired: alerts, console commands (through RCON) and strikes.");
    sample("rustguard_ladder_actions_total", "kind=\"alert\"", get(ladder_alerts));
    sample("rustguard_ladder_actions_total", "kind=\"command\"", get(ladder_commands));
    sample("rustguard_ladder_actions_total", "kind=\"strike\"", get(strikes_given));
    family("rustguard_staff_alerts_total", "counter",
           "Alert lines for staff players in game: sent as system chat, dropped by the per-staff rate limit, or "
           "unsent (the staff player was not in play).");
    sample("rustguard_staff_alerts_total", "outcome=\"sent\"", get(staff_alerts_sent));
    sample("rustguard_staff_alerts_total", "outcome=\"dropped\"", get(staff_alerts_dropped));
    sample("rustguard_staff_alerts_total", "outcome=\"unsent\"", get(staff_alerts_unsent));
    if (actions) {
      const ActionFigures f = actions();
      if (f.rcon_enabled) {
        family("rustguard_rcon_connected", "gauge", "1 while the RCON connection is logged in.");
        sample("rustguard_rcon_connected", "", f.rcon_connected ? 1 : 0);
        family("rustguard_rcon_commands_total", "counter",
               "Console commands by outcome: answered by the server, or failed (refused, timed out, connection "
               "lost, wrong password; each also an actions row saying why).");
        sample("rustguard_rcon_commands_total", "outcome=\"sent\"", f.rcon_sent);
        sample("rustguard_rcon_commands_total", "outcome=\"failed\"", f.rcon_failed);
        family("rustguard_rcon_connect_failures_total", "counter", "RCON connection attempts that failed.");
        sample("rustguard_rcon_connect_failures_total", "", f.rcon_connect_failures);
        family("rustguard_rcon_reconnects_total", "counter", "RCON logins after a failure or a lost connection.");
        sample("rustguard_rcon_reconnects_total", "", f.rcon_reconnects);
        family("rustguard_rcon_queue", "gauge", "Commands waiting for the RCON connection.");
        sample("rustguard_rcon_queue", "", f.rcon_queue);
      }
      if (f.webhook_enabled) {
        family("rustguard_webhook_messages_total", "counter", "Webhook messages delivered or given up on.");
        sample("rustguard_webhook_messages_total", "outcome=\"sent\"", f.webhook_sent);
        sample("rustguard_webhook_messages_total", "outcome=\"failed\"", f.webhook_failed);
        family("rustguard_webhook_alerts_dropped_total", "counter",
               "Alerts the webhook queue refused (full); each is still a log line and an actions row.");
        sample("rustguard_webhook_alerts_dropped_total", "", f.webhook_dropped);
        family("rustguard_webhook_retries_total", "counter", "POSTs repeated after an error or a 429.");
        sample("rustguard_webhook_retries_total", "", f.webhook_retried);
        family("rustguard_webhook_rate_limited_total", "counter", "HTTP 429 answers.");
        sample("rustguard_webhook_rate_limited_total", "", f.webhook_rate_limited);
        family("rustguard_webhook_alerts_waiting", "gauge", "Alerts not yet delivered or failed.");
        sample("rustguard_webhook_alerts_waiting", "", f.webhook_waiting);
      }
    }
    if (recordings) {
      if (const auto f = recordings()) {
        family("rustguard_recordings_total", "counter",
               "Session recordings by outcome: started, finished whole, or kept incomplete (cut or not writable).");
        sample("rustguard_recordings_total", "outcome=\"started\"", f->started);
        sample("rustguard_recordings_total", "outcome=\"finished\"", f->finished);
        sample("rustguard_recordings_total", "outcome=\"incomplete\"", f->incomplete);
        family("rustguard_recorded_bytes_total", "counter", "Game bytes written into session recordings.");
        sample("rustguard_recorded_bytes_total", "", f->bytes);
        family("rustguard_recordings_queue_bytes", "gauge", "Bytes waiting for the recordings' writer thread.");
        sample("rustguard_recordings_queue_bytes", "", f->queued_bytes);
        family("rustguard_recordings_removed_total", "counter", "Recording files deleted by retention.");
        sample("rustguard_recordings_removed_total", "", f->removed);
      }
    }
    if (clip_rings) {
      const auto [used, limit] = clip_rings();
      family("rustguard_clip_ring_bytes", "gauge",
             "Bytes the players' clip rings hold (the last seconds of each client leg), all connections together.");
      sample("rustguard_clip_ring_bytes", "", used);
      family("rustguard_clip_ring_limit_bytes", "gauge", "clips.max_total_bytes: what the rings may hold together.");
      sample("rustguard_clip_ring_limit_bytes", "", limit);
    }
    if (clips) {
      if (const auto f = clips()) {
        family("rustguard_clips_total", "counter",
               "Evidence clips by outcome: written, failed (see the log), dropped (the writer's queue was full).");
        sample("rustguard_clips_total", "outcome=\"written\"", f->written);
        sample("rustguard_clips_total", "outcome=\"failed\"", f->failed);
        sample("rustguard_clips_total", "outcome=\"dropped\"", f->dropped);
        family("rustguard_clip_bytes_total", "counter", "Bytes of clip files written.");
        sample("rustguard_clip_bytes_total", "", f->bytes);
        family("rustguard_clips_queue_bytes", "gauge", "Bytes of clips waiting for the clip writer thread.");
        sample("rustguard_clips_queue_bytes", "", f->queued_bytes);
        family("rustguard_clips_removed_total", "counter", "Clip files deleted by retention.");
        sample("rustguard_clips_removed_total", "", f->removed);
        family("rustguard_clips_started_total", "counter", "Clips started by an action or an admin request.");
        sample("rustguard_clips_started_total", "", get(clips_started));
        family("rustguard_clip_rings_started_total", "counter",
               "Rings that began keeping a player's frames after his login (clips.players: flagged: his first "
               "violation or an admin request).");
        sample("rustguard_clip_rings_started_total", "", get(clip_rings_started));
      }
    }
    const HeapFigures heap = heap_figures();
    family("rustguard_heap_in_use_bytes", "gauge", "Heap bytes allocated by the process (malloc's view).");
    sample("rustguard_heap_in_use_bytes", "", heap.in_use);
    family("rustguard_heap_free_bytes", "gauge", "Heap bytes malloc holds free, not returned to the system.");
    sample("rustguard_heap_free_bytes", "", heap.free);
    // A histogram of the per-thread read counters: `buckets` (upper edges in
    // µs), their counts, and the sum, kept in units of 1 / `sum_per_second` s;
    // every read has a sample in both.
    const std::uint64_t reads = summed(&ReadCounters::reads, 0) + summed(&ReadCounters::reads, 1);
    auto read_histogram = [&](std::string_view name, std::string_view help, std::span<const std::uint64_t> buckets,
                              auto bucket_counts, std::uint64_t sum, double sum_per_second) {
      family(name, "histogram", help);
      const std::string bucket = fmt::format("{}_bucket", name);
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < buckets.size(); ++b) {
        cumulative += summed(bucket_counts, b);
        sample(bucket, fmt::format("le=\"{}\"", static_cast<double>(buckets[b]) / 1e6), cumulative);
      }
      cumulative += summed(bucket_counts, buckets.size());
      sample(bucket, "le=\"+Inf\"", cumulative);
      out += fmt::format("{}_sum {}\n", name, static_cast<double>(sum) / sum_per_second);
      sample(fmt::format("{}_count", name), "", reads);
    };
    read_histogram("rustguard_inspection_seconds", "Time spent inspecting one read (session.feed).",
                   kInspectionBucketsUs, &ReadCounters::inspection_buckets,
                   summed(&ReadCounters::inspection_ns, 0) + summed(&ReadCounters::inspection_ns, 1), 1e9);
    read_histogram("rustguard_read_wait_seconds",
                   "How long a read's bytes had waited in the kernel before the proxy read them (its own queueing "
                   "delay; 0 where the kernel did not stamp them).",
                   kReadWaitBucketsUs, &ReadCounters::read_wait_buckets,
                   summed(&ReadCounters::read_wait_us, 0) + summed(&ReadCounters::read_wait_us, 1), 1e6);
    return out;
  }

 private:
  std::array<Counter, protocol::supported_versions().size() + 1> players_{};
  // What every read counts, one set per io thread, each on cache lines of
  // its own, summed when read: shared counters that both io threads added
  // to at every read bounced their cache line between the cores (the
  // locked adds were a tenth of Connection::inspect's own time at 1,000
  // players). A thread takes a set on its first count; sets are shared
  // round-robin beyond kReadCounterSets threads, which stays correct.
  struct alignas(64) ReadCounters {
    std::array<Counter, 2> packets{};  // serverbound, clientbound
    std::array<Counter, 2> bytes{};
    std::array<Counter, kInspectionBucketsUs.size() + 1> inspection_buckets{};
    std::array<Counter, 2> inspection_ns{};  // serverbound, clientbound
    std::array<Counter, 2> reads{};
    std::array<Counter, kReadWaitBucketsUs.size() + 1> read_wait_buckets{};
    std::array<Counter, 2> read_wait_us{};  // serverbound, clientbound
    Counter transactions_sent{0}, transactions_answered{0};
  };
  static constexpr std::size_t kReadCounterSets = 8;
  // The histogram bucket of `ns`: the first whose upper edge (µs) it does
  // not exceed; edges.size() for +Inf.
  static std::size_t bucket_of(std::span<const std::uint64_t> edges_us, std::uint64_t ns) noexcept {
    std::size_t b = 0;
    while (b < edges_us.size() && ns > edges_us[b] * 1000) ++b;
    return b;
  }
  ReadCounters& read_counters() noexcept {
    static std::atomic<std::size_t> next_set{0};
    thread_local const std::size_t set = next_set.fetch_add(1, std::memory_order_relaxed) % kReadCounterSets;
    return read_counters_[set];
  }
  template <typename Member>
  std::uint64_t summed(Member member, std::size_t i) const noexcept {
    std::uint64_t n = 0;
    for (const ReadCounters& c : read_counters_) n += get((c.*member)[i]);
    return n;
  }
  std::uint64_t summed(Counter ReadCounters::*member) const noexcept {
    std::uint64_t n = 0;
    for (const ReadCounters& c : read_counters_) n += get(c.*member);
    return n;
  }
  std::array<ReadCounters, kReadCounterSets> read_counters_{};
};

}  // namespace rustguard::proxy
