#pragma once
// The records the violation log persists. Producers build them on packet
// threads; the writer thread turns them into rows, or into spill-file entries
// when the database is unavailable. Every record carries the id the log
// assigned when it was accepted, and every row is written with an upsert or
// INSERT OR IGNORE keyed by that id, so applying a record twice (a spill import
// interrupted by a crash and redone) or out of order is harmless.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rustguard/protocol/types.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::adapters {

// Where a session's packets came from.
enum class SessionSource : std::uint8_t { live = 0, replay = 1 };

constexpr std::string_view to_string(SessionSource s) noexcept {
  return s == SessionSource::replay ? "replay" : "live";
}

// What was decided about a player, and done.
// Stored by name; the numbers are the spill file's encoding: never reuse one.
enum class ActionKind : std::uint8_t { alert = 0, cancel = 1, kick = 2, command = 3, strike = 4, setback = 5 };

constexpr std::string_view to_string(ActionKind k) noexcept {
  switch (k) {
    case ActionKind::alert: return "alert";
    case ActionKind::cancel: return "cancel";
    case ActionKind::kick: return "kick";
    case ActionKind::command: return "command";
    case ActionKind::strike: return "strike";
    case ActionKind::setback: return "setback";
  }
  return "alert";
}

struct SessionStart {
  std::uint64_t id = 0;  // assigned by the log
  protocol::Uuid player_uuid;
  std::string player_name;
  std::string address;  // "203.0.113.7:51234"
  std::int32_t protocol_version = 0;
  std::int64_t start_ms = 0;
  SessionSource source = SessionSource::live;
  std::string capture_file;  // replay only
};

// The client brand arrives in a plugin message after the session started.
struct SessionBrand {
  std::uint64_t session_id = 0;
  std::string client_brand;
};

struct SessionEnd {
  std::uint64_t session_id = 0;
  std::int64_t end_ms = 0;
};

struct ViolationRecord {
  std::uint64_t id = 0;  // assigned by the log
  Violation violation;
};

struct ActionRecord {
  std::uint64_t id = 0;  // assigned by the log
  std::uint64_t session_id = 0;
  std::uint64_t violation_id = 0;  // 0: the action concerns the whole session
  std::int64_t time_ms = 0;
  ActionKind kind = ActionKind::alert;
  std::string detail;  // the command line, the kick message, ...
  std::string result;  // "ok", "failed: <why>", ...
  // Last, so positional initialisation of the members above still compiles;
  // the explicit `{}` keeps -Wmissing-field-initializers quiet about those.
  // Only the live proxy names one (SessionRecorder::set_clip_namer).
  std::string clip{};  // evidence clip file name (docs/recordings.md), "" = none
};

using StorageRecord = std::variant<std::monostate, SessionStart, SessionBrand, SessionEnd,
                                   ViolationRecord, ActionRecord>;

}  // namespace rustguard::adapters
