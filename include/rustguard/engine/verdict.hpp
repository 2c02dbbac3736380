#pragma once
// What the engine answers for one packet. Serverbound: whether the session
// forwards it. Clientbound: the transactions the session injects around it.

#include <algorithm>
#include <cstdint>
#include <optional>

namespace rustguard::engine {

// Ordered by severity, so the verdict of a packet is the max over its checks.
enum class Verdict : std::uint8_t {
  pass,    // forward the packet
  cancel,  // drop this packet, keep the player
  kick,    // close the connection; kick_reason() says why
};

constexpr Verdict worst(Verdict a, Verdict b) noexcept { return std::max(a, b); }

// Transaction ids the session injects immediately before / after a clientbound
// packet, in the same stream: Ping (1.17+) with this id, or Window
// Confirmation on window 0 with this id as the action number (before 1.17).
// Never set for a packet inside a bundle: the engine waits for the bundle's
// closing delimiter and asks for the transaction after it.
struct ClientboundDecision {
  std::optional<std::int32_t> transaction_before;
  std::optional<std::int32_t> transaction_after;
};

}  // namespace rustguard::engine
