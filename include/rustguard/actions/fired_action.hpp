#pragma once
// An action a punishment ladder decided, carried by the violation record
// whose flag fired it (Violation::actions), so the one ordered list of core
// events says what was flagged and then what was done, live and in replay.
// Kick, cancel and setback steps are not listed: they act through the
// engine's own verdict and consequences, like a check's thresholds, and are
// recorded the same way.

#include <cstdint>
#include <string>

namespace rustguard::actions {

enum class FiredKind : std::uint8_t {
  alert,    // text: the alert line (placeholders filled in)
  command,  // text: the console command for RCON
  strike,   // the player got a strike in `group` (read back at the next login)
};

constexpr const char* to_string(FiredKind k) noexcept {
  switch (k) {
    case FiredKind::alert: return "alert";
    case FiredKind::command: return "command";
    case FiredKind::strike: return "strike";
  }
  return "alert";
}

struct FiredAction {
  FiredKind kind = FiredKind::alert;
  std::string group;  // the punishment group whose step fired
  std::string text;
  bool operator==(const FiredAction&) const = default;
};

}  // namespace rustguard::actions
