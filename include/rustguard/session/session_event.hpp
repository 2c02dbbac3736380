#pragma once
// What the core tells its owner, besides the bytes to send: one ordered list
// of typed events per feed (PlayerSession::feed, advance, finish). The live
// proxy and the replay tool read the same list; the shared recorder
// (adapters/session_recorder.hpp) turns it into the database rows, so both
// tools store exactly what the core decided and never decide it again.
//
// Order: the events of one call come in the order the core learned them, so
// the login comes before the player's first violation and a violation before
// the kick it caused.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "rustguard/protocol/types.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::session {

// Login Success: the player's identity is final (a `sessions` row starts).
struct PlayerLoggedIn {
  Timestamp at{};
  std::string name;
  std::optional<protocol::Uuid> uuid;
  std::int32_t protocol = 0;
  std::string forwarded_address;  // the player's address from Velocity forwarding, if any
};

// The client named its brand (minecraft:brand), or named a new one.
struct ClientBrand {
  Timestamp at{};
  std::string brand;
};

// A check flagged the player: one stored record (possibly several folded
// flags), stamped with what was done about it (Violation::outcome).
struct ViolationFound {
  Violation violation;
};

// The core ended the connection for the player's behaviour: a check's kick
// threshold (`check` is its key, and the ViolationFound carrying
// Outcome::kick came just before), or a limit of the engine (`check`
// empty: too many packets, too many cancelled packets, an undecodable play
// packet).
struct PlayerKicked {
  Timestamp at{};
  std::string reason;
  std::string check;
};

// Encryption started (online mode): nothing after it can be inspected.
struct EncryptionStarted {};

// Server-list traffic and the server's own goodbye, for the proxy's status
// cache, its answers while the backend is down, and telling a backend kick
// from a lost backend.
struct StatusRequested {};
struct StatusPinged {
  std::int64_t payload = 0;
};
struct StatusAnswered {
  std::string json;
};
struct ServerDisconnected {};

// Flags judged from arrival times were held (not raised) because the host
// said it was reading late (PlayerSession::host_late): `count` more since the
// last such event. Only the live proxy reports lateness.
struct TimingFlagsHeld {
  Timestamp at{};
  std::uint64_t count = 0;
};

// RustGuard sent the player back to `position`, where the server last saw it
// (engine/setbacks.hpp), after a flag with Outcome::setback. Live only: a
// replay sends nothing.
struct SetbackSent {
  Timestamp at{};
  protocol::Vec3 position{};
};

// The model stage (checks/model/combat.hpp) scored `windows` more of the
// player's fighting windows since the last such event; `first_gate_pass`:
// this is the first time the player was at the stage's gate.
struct ModelJudged {
  Timestamp at{};
  std::uint64_t windows = 0;
  bool first_gate_pass = false;
};

using Event = std::variant<PlayerLoggedIn, ClientBrand, ViolationFound, PlayerKicked, EncryptionStarted,
                           StatusRequested, StatusPinged, StatusAnswered, ServerDisconnected, TimingFlagsHeld,
                           SetbackSent, ModelJudged>;

}  // namespace rustguard::session
