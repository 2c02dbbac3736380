#pragma once
// What the AutoClicker checks count as one click of the attack button.
//
// A vanilla click is an arm swing, with an attack packet when it hit an
// entity, both in the same tick (1.8 swings first, 1.9+ attacks first), so a
// swing and an attack of one tick pair into one click; an attack no swing
// pairs with (a killaura's, see killaura.no_swing) is a click of its own.
// Swings that are not attack-button clicks are left out:
//   - digging: while the button is held on a block the client swings every
//     tick (1.8 and later), between Player Action "start digging" and its
//     cancel / finish, and for the block-hit delay after (5 ticks, also
//     between creative instant breaks); `kDigGraceTicks` covers it;
//   - using: a right click that places a block, uses an item or interacts
//     with an entity may swing too, after its packet in the same tick; so
//     does dropping an item (1.9+: Player Action drop, then the swing).
// The counter knows nothing of time; the checks end its ticks
// (checks/api/client_ticks.hpp).

#include <cstdint>

#include "rustguard/protocol/packets/play/player_action_c2s.hpp"

namespace rustguard::checks::autoclicker {

class ClickCounter {
 public:
  static constexpr std::uint32_t kDigGraceTicks = 6;  // the block-hit delay (5) and one of slack

  // Each returns whether the packet is a new click.
  bool on_attack() noexcept {
    if (swings_ > 0) {  // 1.8: the swing of this click came first
      --swings_;
      return false;
    }
    ++attacks_;
    return true;
  }
  bool on_swing() noexcept {
    if (attacks_ > 0) {  // 1.9+: the attack of this click came first
      --attacks_;
      return false;
    }
    if (uses_ > 0) {
      --uses_;
      return false;
    }
    if (digging_ || dig_grace_ > 0) return false;
    ++swings_;
    return true;
  }
  void on_use() noexcept { ++uses_; }
  void on_action(const protocol::packets::PlayerActionC2s& p) noexcept {
    using protocol::packets::DiggingStatus;
    switch (p.status) {
      case DiggingStatus::start_digging:
        digging_ = true;
        dig_grace_ = kDigGraceTicks;
        break;
      case DiggingStatus::cancel_digging:
      case DiggingStatus::finish_digging:
        digging_ = false;
        dig_grace_ = kDigGraceTicks;
        break;
      case DiggingStatus::drop_item:
      case DiggingStatus::drop_item_stack:
        on_use();
        break;
      default:
        break;
    }
  }
  void end_tick() noexcept {
    attacks_ = swings_ = uses_ = 0;
    if (dig_grace_ > 0) --dig_grace_;
  }

 private:
  std::uint32_t attacks_ = 0;  // unpaired attacks of this tick
  std::uint32_t swings_ = 0;   // unpaired click swings of this tick
  std::uint32_t uses_ = 0;     // right clicks of this tick that may still swing
  std::uint32_t dig_grace_ = 0;
  bool digging_ = false;
};

}  // namespace rustguard::checks::autoclicker
