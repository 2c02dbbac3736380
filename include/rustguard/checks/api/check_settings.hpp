#pragma once
// What a check is configured with: the limits every check shares
// (`checks.<key>.*`, defaults from its CheckInfo) and its own Params. The
// engine's configuration (engine/engine_config.hpp) holds one per check.

#include "rustguard/checks/api/check_info.hpp"

namespace rustguard::engine {

template <class Check>
struct CheckSettings {
  CheckLimits limits = Check::kInfo.defaults;
  typename Check::Params params{};
  bool operator==(const CheckSettings&) const = default;
};

}  // namespace rustguard::engine
