#pragma once
// What a check emits when it flags a player. A plain value: the core builds it
// from its inputs (the time it was fed, the numbers it computed) and hands it
// to whoever listens; storing it is an adapter's business.

#include <cstdint>
#include <string>
#include <vector>

#include "rustguard/actions/fired_action.hpp"

#include "rustguard/protocol/types.hpp"

namespace rustguard {

// What the engine did about a violation, decided when the check flagged,
// from the check's thresholds (checks.<key>.alert_vl, cancel_vl, setback_vl,
// kick_vl). A folded record carries every outcome of the flags it stands
// for. Adapters act on it (log an alert, write action rows); they never
// compare VLs with thresholds themselves.
enum class Outcome : std::uint8_t {
  none = 0,
  alert = 1,    // at or above alert_vl: tell the staff
  cancel = 2,   // at or above cancel_vl on a packet: the packet was dropped
  setback = 4,  // at or above setback_vl: the player should be sent back
  kick = 8,     // at or above kick_vl: the player was kicked
};

constexpr Outcome operator|(Outcome a, Outcome b) noexcept {
  return static_cast<Outcome>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr Outcome& operator|=(Outcome& a, Outcome b) noexcept { return a = a | b; }
constexpr bool has(Outcome set, Outcome one) noexcept {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(one)) != 0;
}

struct Violation {
  // The time fed into the core: wall-clock epoch ms in the live proxy, the
  // capture timestamp in replay. Never read from a clock here.
  std::int64_t time_ms = 0;
  std::string player_name;
  protocol::Uuid player_uuid;
  std::string check;         // "timer.balance"
  std::string type;          // "balance"
  double vl = 0;             // violation level after this flag
  std::string detail;        // short human text with the numbers
  std::string numbers_json;  // the triggering numbers as a JSON object
  std::int32_t protocol_version = 0;
  std::int32_t ping_ms = 0;
  std::uint32_t count = 1;  // flags this record stands for (repeats fold: engine/violation_folding.hpp)
  Outcome outcome = Outcome::none;  // of every flag it stands for
  std::uint32_t cancelled = 0;      // packets its flags dropped
  // What the punishment ladders decided on this flag (alerts, commands,
  // strikes), in the order they fired; such a flag is never folded.
  std::vector<actions::FiredAction> actions;
  std::uint64_t session_id = 0;  // assigned by the violation log at session start
};

}  // namespace rustguard
