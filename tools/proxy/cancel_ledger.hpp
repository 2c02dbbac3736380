#pragma once
// Cancelled packets waiting to be written down. Every packet a check cancels
// is counted in the metrics at once, but the database gets at most one
// cancel action per stored violation record: the packets a check cancelled
// wait here until a record of that check is stored (from the same read or a
// later one) and are summed into one action on it. Every cancel comes from a
// flag and every flag ends up in a record (folded ones when the connection
// finishes), so every cancelled packet is written down, and the actions stay
// within the violation records' budget.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy_hooks.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::proxy {

class CancelLedger {
 public:
  void add(const CancelTally& t) {
    for (CancelTally& e : waiting_) {
      if (e.check == t.check && e.kind == t.kind) {
        e.packets += t.packets;
        return;
      }
    }
    waiting_.push_back(t);
  }

  // The text of one cancel action for every packet of `check` not written
  // down yet ("set_rotation_c2s dropped", "40 packets dropped
  // (set_rotation_c2s 30, set_position_rotation_c2s 10)"); nothing when none wait.
  std::optional<std::string> take(std::string_view check) {
    std::uint64_t total = 0;
    std::string kinds;
    std::string single;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->check != check) {
        ++it;
        continue;
      }
      const std::string name(protocol::name_of(it->kind));
      kinds += (kinds.empty() ? "" : ", ") + name + " " + std::to_string(it->packets);
      single = name;
      total += it->packets;
      it = waiting_.erase(it);
    }
    if (total == 0) return std::nullopt;
    if (total == 1) return single + " dropped";
    return std::to_string(total) + " packets dropped (" + kinds + ")";
  }

  std::uint64_t waiting() const noexcept {
    std::uint64_t n = 0;
    for (const CancelTally& e : waiting_) n += e.packets;
    return n;
  }

 private:
  std::vector<CancelTally> waiting_;  // one entry per (check, kind)
};

}  // namespace rustguard::proxy
