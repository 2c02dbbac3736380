#pragma once
// What one io thread counted. Every connection touches only the Stats of the
// thread it runs on, so counting needs no atomics; the threads' Stats are
// merged once the threads have stopped.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadgen/latency.hpp"

namespace rustguard::loadgen {

// One direction of the game traffic, as both ends saw it.
struct DirectionStats {
  std::uint64_t packets_sent = 0;      // by the sending end (every packet)
  std::uint64_t packets_received = 0;  // by the receiving end (every packet)
  std::uint64_t bytes_sent = 0;        // on the wire, frames included
  std::uint64_t bytes_received = 0;
  std::uint64_t measured_sent = 0;      // packets whose latency is measured
  std::uint64_t measured_received = 0;  // ... that arrived and matched a send time
  std::uint64_t mismatches = 0;         // ... that arrived with no send time queued
  std::uint64_t lost = 0;               // ... sent to a player still online at the end, never arrived
  LatencyHistogram latency;             // one-way to the receiver's kernel, for sends inside the measuring window
  LatencyHistogram latency_at_read;     // the same packets, to when this process handled them

  void merge(const DirectionStats& o) {
    packets_sent += o.packets_sent;
    packets_received += o.packets_received;
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    measured_sent += o.measured_sent;
    measured_received += o.measured_received;
    mismatches += o.mismatches;
    lost += o.lost;
    latency.merge(o.latency);
    latency_at_read.merge(o.latency_at_read);
  }
};

// One measured packet, sent at `sent_at`, whose bytes reached the receiving
// socket at `arrived_at` and are handled now.
inline void record_one_way(DirectionStats& d, Clock::time_point sent_at, Clock::time_point arrived_at) {
  const auto micros = [&](Clock::time_point until) {
    return static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(until - sent_at).count()));
  };
  d.latency.add(micros(arrived_at));
  d.latency_at_read.add(micros(Clock::now()));
}

struct Stats {
  // Simulated players.
  std::uint64_t players_started = 0;
  std::uint64_t players_logged_in = 0;                    // reached play and answered the spawn teleport
  std::map<std::string, std::uint64_t> login_failures;    // reason -> players
  std::map<std::string, std::uint64_t> play_disconnects;  // reason -> players
  std::uint64_t keep_alives_answered = 0;
  std::uint64_t transactions_answered = 0;  // Pongs / window confirmations for the proxy's transactions
  std::uint64_t teleports_confirmed = 0;
  std::uint64_t attacks = 0;
  std::uint64_t self_attacks = 0;  // the cheaters' (--cheaters), counted in attacks too
  std::uint64_t chats = 0;
  std::uint64_t ticks_skipped = 0;              // client ticks dropped because this process fell behind
  LatencyHistogram tick_lateness;               // how late each tick-wheel phase ran (this process's own lag)
  // The worst tick lateness in each second since the wheel started (ms):
  // shows whether a late p99 is one stall or a run that stayed behind.
  std::vector<std::uint32_t> late_ms_by_second;
  LatencyHistogram movement_gap;                // time between a player's consecutive movement packets
  std::uint64_t movement_gaps_over_1500ms = 0;  // silences timer.negative may judge, caused here

  // The in-process backend.
  std::uint64_t backend_connections = 0;
  std::uint64_t backend_logins = 0;
  std::uint64_t backend_keep_alive_mismatches = 0;  // an answer that was not the id sent
  std::uint64_t backend_errors = 0;                 // connections closed for a protocol error

  DirectionStats serverbound;
  DirectionStats clientbound;

  void add_reason(std::map<std::string, std::uint64_t>& to, std::string reason) {
    // Reasons are grouped by text; very long ones (a JSON chat component) are cut.
    if (reason.size() > 160) reason = reason.substr(0, 157) + "...";
    ++to[reason];
  }

  void merge(const Stats& o) {
    players_started += o.players_started;
    players_logged_in += o.players_logged_in;
    for (const auto& [k, n] : o.login_failures) login_failures[k] += n;
    for (const auto& [k, n] : o.play_disconnects) play_disconnects[k] += n;
    keep_alives_answered += o.keep_alives_answered;
    transactions_answered += o.transactions_answered;
    teleports_confirmed += o.teleports_confirmed;
    attacks += o.attacks;
    self_attacks += o.self_attacks;
    chats += o.chats;
    ticks_skipped += o.ticks_skipped;
    tick_lateness.merge(o.tick_lateness);
    if (late_ms_by_second.size() < o.late_ms_by_second.size()) late_ms_by_second.resize(o.late_ms_by_second.size());
    for (std::size_t i = 0; i < o.late_ms_by_second.size(); ++i) {
      late_ms_by_second[i] = std::max(late_ms_by_second[i], o.late_ms_by_second[i]);
    }
    movement_gap.merge(o.movement_gap);
    movement_gaps_over_1500ms += o.movement_gaps_over_1500ms;
    backend_connections += o.backend_connections;
    backend_logins += o.backend_logins;
    backend_keep_alive_mismatches += o.backend_keep_alive_mismatches;
    backend_errors += o.backend_errors;
    serverbound.merge(o.serverbound);
    clientbound.merge(o.clientbound);
  }
};

}  // namespace rustguard::loadgen
