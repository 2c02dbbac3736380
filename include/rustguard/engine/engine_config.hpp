#pragma once
// The engine's configuration: settings of the engine itself (`checks.engine.*`
// in config.yml) and, per check, the shared limits (`checks.<key>.*`) and the
// check's own parameters. Built once, immutable, shared by every connection.

#include <cstdint>
#include <string_view>
#include <tuple>

#include "rustguard/actions/punishment_config.hpp"
#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_list.hpp"
#include "rustguard/checks/api/check_settings.hpp"

namespace rustguard::engine {

struct EngineSettings {
  // Ask for a transaction after any inspected clientbound packet when the last
  // one is older than this, so Timer and NegativeTimer always have recent
  // evidence of what the client processed. 0 disables.
  std::int64_t heartbeat_ms = 1'000;
  // Heavy checks run only while the suspicion score is at or above this.
  double suspicion_gate = 5;
  double suspicion_half_life_s = 30;
  // Repeats of one check and type within this many ms of its last stored
  // record are folded into one record with a count (violation_folding.hpp),
  // so a flood of flags cannot flood the database. 0: every flag is a record.
  std::int64_t violation_row_interval_ms = 1'000;
  // At most this many records per player per minute (fixed minutes from its
  // first flag); further flags are folded. 0: no budget.
  std::uint32_t max_violation_rows_per_minute = 120;
  // Kick when the checks cancel more packets than this within one second:
  // dropped packets never reach the server, so its own packet limiter cannot
  // see a flood of them. 0 disables.
  std::uint32_t max_cancels_per_second = 50;
  // Kick when the client sends frames faster than this sustained rate
  // (every serverbound frame counts, inspected or not)...
  std::uint32_t max_packets_per_second = 500;
  // ...with bursts of up to rate x this many seconds (a token bucket), so a
  // client catching up after a lag spike is not kicked. 0 rate disables.
  double packet_rate_window_s = 5;
  // The host's own lateness (the live proxy's event-loop lag): a delay at or
  // above host_late_threshold_ms means arrival times measure the proxy, so
  // flags judged from them are held for the delay plus host_late_hold_ms
  // (the burst of packets that queued meanwhile is read in that window).
  std::int64_t host_late_threshold_ms = 50;
  std::int64_t host_late_hold_ms = 2'000;
  // Carry out setbacks (engine/setbacks.hpp): a flag with a setback outcome
  // sends the player back to where the server last saw it, and the server
  // never sees the illegal moves. Off: no flag asks for a setback (no
  // setback outcome, no row), and teleport ids pass unchanged.
  bool setbacks = true;

  // Every field by its config name (checks.engine.<name>), for the loader.
  template <class F>
  void visit(F&& f) {
    f("heartbeat_ms", heartbeat_ms);
    f("suspicion_gate", suspicion_gate);
    f("suspicion_half_life_s", suspicion_half_life_s);
    f("violation_row_interval_ms", violation_row_interval_ms);
    f("max_violation_rows_per_minute", max_violation_rows_per_minute);
    f("max_cancels_per_second", max_cancels_per_second);
    f("max_packets_per_second", max_packets_per_second);
    f("packet_rate_window_s", packet_rate_window_s);
    f("host_late_threshold_ms", host_late_threshold_ms);
    f("host_late_hold_ms", host_late_hold_ms);
    f("setbacks", setbacks);
  }
  bool operator==(const EngineSettings&) const = default;
};

template <class List>
struct BasicEngineConfig;

template <class... Checks>
struct BasicEngineConfig<CheckList<Checks...>> {
  EngineSettings engine{};
  std::tuple<CheckSettings<Checks>...> checks{};
  // `punishments:` in config.yml: the ladders the engine runs on every flag.
  actions::Punishments punishments{};

  template <class Check>
  CheckSettings<Check>& get() noexcept {
    return std::get<CheckSettings<Check>>(checks);
  }
  template <class Check>
  const CheckSettings<Check>& get() const noexcept {
    return std::get<CheckSettings<Check>>(checks);
  }

  // f(const CheckInfo&, CheckLimits&) for every check, in chain order: lets a
  // loader fill `checks.<key>.*` without naming each check.
  template <class F>
  void for_each_limits(F&& f) {
    (f(Checks::kInfo, get<Checks>().limits), ...);
  }

  // f(const CheckInfo&, CheckSettings<Check>&) for every check, in chain
  // order: the loader reads limits and params through it.
  template <class F>
  void for_each_settings(F&& f) {
    (f(Checks::kInfo, get<Checks>()), ...);
  }

  bool operator==(const BasicEngineConfig&) const = default;

  // The alert threshold of the check with this key (0 when unknown).
  double alert_vl(std::string_view key) const noexcept {
    double out = 0;
    ((Checks::kInfo.key == key ? (out = get<Checks>().limits.alert_vl, 0) : 0), ...);
    return out;
  }
};

}  // namespace rustguard::engine
