#pragma once
// Inputs a check may handle besides decoded packets (which it gets as their
// protocol::packets struct) and MoveSamples: the engine's own events.
// A check handles an input by having `Verdict on(const Input&, const
// PlayerContext&, const Settings&, Reporter&)`; the engine calls it for
// exactly those (see check_chain.hpp).

#include <cstdint>

#include "rustguard/context/teleports.hpp"
#include "rustguard/context/transaction_queue.hpp"
#include "rustguard/time.hpp"

namespace rustguard::engine {

// Time passed (the session's periodic on_tick).
struct TickEvent {
  Timestamp now{};
};

// The client answered one of the engine's transactions (or an unknown id in
// the engine's range).
struct TransactionAckEvent {
  context::AckResult result{};
  Timestamp now{};
};

// An attack on entity `target`, whichever packet carried it: Interact with
// the attack action (1.8's Use Entity, 1.9-1.21.11) or 26.1's Attack. A
// check reads it with kReads naming interact_c2s and attack_c2s; an
// Interact that is not an attack still comes as the packet.
struct AttackEvent {
  std::int32_t target = 0;
};

// Confirm Teleportation, matched against the pending teleports.
struct TeleportConfirmEvent {
  std::int32_t teleport_id = 0;
  context::ConfirmResult result = context::ConfirmResult::ok;
};

}  // namespace rustguard::engine
