#pragma once
// Punishment ladders (`punishments:` in config.yml): named groups of checks,
// each a list of steps that fire actions when the group's violation level or
// the player's strikes reach a threshold. Plain data, immutable once loaded,
// part of the engine's configuration so a reload swaps it with the checks'.
//
// The measure of a group (docs/actions.md):
// - vl: the sum, over the group's checks, of each check's VL at its last flag
//   within the step's `within` window (a check that has not flagged within it
//   adds nothing), so a step fires on a combination of checks, each decaying
//   as its own settings say;
// - strikes: the player's strikes in the group that have not expired
//   (`strike_expiry`), those of earlier sessions (read back from the
//   violation log at login) and this session's.
// A step fires when its measure reaches `at` and it has not fired within the
// group's `cooldown`; a step with `strike: true` gives the player a strike
// each time it fires.

#include <cstdint>
#include <string>
#include <vector>

namespace rustguard::actions {

enum class ActionType : std::uint8_t {
  alert,    // a log line, the webhook, the in-game staff alert
  cancel,   // drop the packet whose flag fired the step
  setback,  // teleport the player back to the last accepted position
  kick,     // Disconnect with `text`
  command,  // `text` run on the server's console through RCON
};

constexpr const char* to_string(ActionType t) noexcept {
  switch (t) {
    case ActionType::alert: return "alert";
    case ActionType::cancel: return "cancel";
    case ActionType::setback: return "setback";
    case ActionType::kick: return "kick";
    case ActionType::command: return "command";
  }
  return "alert";
}

// One action of a step. `text` holds placeholders (placeholders.hpp): the
// kick message, the console command, or the alert's own line (empty: the
// violation's summary).
struct ActionSpec {
  ActionType type = ActionType::alert;
  std::string text;
  bool operator==(const ActionSpec&) const = default;
};

// Which checks a group covers: keys with `*` wildcards ("combat.*",
// "aim.s*"); a pattern starting with `!` excludes what it matches. A check is
// in the group when an including pattern matches it and no excluding one does.
struct CheckPattern {
  std::string pattern;  // without the `!`
  bool exclude = false;
  bool operator==(const CheckPattern&) const = default;
};

enum class StepMeasure : std::uint8_t { vl, strikes };

struct LadderStep {
  StepMeasure measure = StepMeasure::vl;
  double at = 0;                 // fires at or above this
  std::int64_t within_ms = 60'000;  // vl: the window of flags counted
  std::vector<ActionSpec> actions;
  bool strike = false;           // firing gives the player a strike in the group
  bool operator==(const LadderStep&) const = default;
};

struct PunishmentGroup {
  std::string name;
  std::vector<CheckPattern> checks;
  std::vector<LadderStep> steps;
  std::int64_t cooldown_ms = 30'000;  // a step fires at most once per cooldown
  bool operator==(const PunishmentGroup&) const = default;
};

struct Punishments {
  std::vector<PunishmentGroup> groups;
  std::int64_t strike_expiry_ms = 7LL * 24 * 3600 * 1000;
  // How often a proxy whose violation log is a shared PostgreSQL store reads
  // the strikes the fleet's other instances gave (tools/proxy/strike_sync.hpp).
  // The core never reads it: it is here because it is a punishments key.
  std::int64_t strike_sync_ms = 2'000;
  std::string server_name;  // %server%
  bool operator==(const Punishments&) const = default;
};

}  // namespace rustguard::actions
