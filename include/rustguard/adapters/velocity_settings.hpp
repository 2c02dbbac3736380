#pragma once
// Velocity modern forwarding: `velocity:` in config.yml (read by
// adapters/config_loader.hpp, documented in docs/configuration.md and
// docs/security.md). With the forwarding secret, RustGuard checks that each
// player's forwarded identity was signed by your Velocity
// (protocol/velocity_forwarding.hpp); without it the identity is read as
// sent. Plain values: no I/O.

#include <string>

namespace rustguard {

struct VelocitySettings {
  // The secret itself: velocity.forwarding_secret as written, or the
  // contents of velocity.forwarding_secret_file (line breaks removed, as
  // Velocity reads its file). Empty: forwarding is not verified.
  std::string forwarding_secret;
  // Where the secret came from, when from a file (for messages); resolved
  // against the config file's folder.
  std::string forwarding_secret_file;
  friend bool operator==(const VelocitySettings&, const VelocitySettings&) = default;
};

}  // namespace rustguard
