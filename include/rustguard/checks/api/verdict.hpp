#pragma once
// What a check answers for one input, and so what the engine answers for one
// serverbound packet: whether the session forwards it. Part of the check API
// (checks/api/: what a check header may include besides context/ and
// protocol/; the names stay in rustguard::engine, the engine's contract with
// its checks).

#include <algorithm>
#include <cstdint>

namespace rustguard::engine {

// Ordered by severity, so the verdict of a packet is the max over its checks.
enum class Verdict : std::uint8_t {
  pass,    // forward the packet
  cancel,  // drop this packet, keep the player
  kick,    // close the connection; kick_reason() says why
};

constexpr Verdict worst(Verdict a, Verdict b) noexcept { return std::max(a, b); }

}  // namespace rustguard::engine
