#pragma once
// Where the server last saw the player: the last position the proxy
// forwarded while no teleport was on its way, or the target the client
// arrived at after one. A setback sends the player back here, so the
// server's view never leaves what the checks accepted (engine/setbacks.hpp).

#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

struct AcceptedPosition {
  bool known = false;
  protocol::Vec3 position{};
  // The ground claim of the move that got there: after a setback the client
  // continues from this state, not from the ground a server teleport assumes
  // (a fly cheat set back in mid-air would otherwise get a fresh jump).
  bool on_ground = false;

  void accept(const protocol::Vec3& p, bool ground) noexcept {
    position = p;
    on_ground = ground;
    known = true;
  }
  // A respawn or a new world: the server places the player again.
  void forget() noexcept { known = false; }
};

}  // namespace rustguard::context
