#pragma once
// Server teleports (Synchronize Player Position) the client has not finished
// yet. From 1.9 the client confirms each by id, then sends its position at the
// target; 1.8 has no confirmation, only that position. Until then the client's
// movement may still continue from the old position, so a position jump is
// legal only when it lands on a pending target.

#include <cmath>
#include <cstdint>

#include "rustguard/context/ring_queue.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/time.hpp"

namespace rustguard::context {

struct PendingTeleport {
  std::int32_t id = 0;
  protocol::Vec3 target{};
  protocol::Vec3 velocity{};  // 1.21.2+: the motion the teleport sets
  Timestamp sent_at{};
  bool confirmed = false;
  bool ours = false;  // a setback of RustGuard's, not the server's teleport
  bool on_ground = false;  // ours: the ground state of the position it sends the player back to
};

enum class ConfirmResult : std::uint8_t { ok, out_of_order, unknown };

class PendingTeleports {
 public:
  // Far more than a server ever has in flight; a bound against a hostile one.
  static constexpr std::size_t kCapacity = 64;
  // Targets are doubles echoed back as doubles: equal to well below this.
  static constexpr double kMatchEpsilon = 1e-4;

  void add(const PendingTeleport& t) {
    if (queue_.size() >= kCapacity) queue_.pop_front();
    queue_.push_back(t);
  }

  ConfirmResult confirm(std::int32_t id) noexcept {
    for (std::size_t i = 0; i < queue_.size(); ++i) {
      if (queue_[i].id != id || queue_[i].confirmed) continue;
      bool skipped = false;
      for (std::size_t j = 0; j < i; ++j) {
        skipped = skipped || !queue_[j].confirmed;
        queue_[j].confirmed = true;
      }
      queue_[i].confirmed = true;
      return skipped ? ConfirmResult::out_of_order : ConfirmResult::ok;
    }
    return ConfirmResult::unknown;
  }

  // The pending teleport whose target `pos` is, removing it and every older
  // one; nullptr when `pos` is no teleport target. `require_confirmation`: 1.9+
  // clients must have confirmed it first.
  const PendingTeleport* match(const protocol::Vec3& pos, bool require_confirmation) noexcept {
    for (std::size_t i = 0; i < queue_.size(); ++i) {
      const auto& t = queue_[i];
      if (std::abs(t.target.x - pos.x) > kMatchEpsilon || std::abs(t.target.y - pos.y) > kMatchEpsilon ||
          std::abs(t.target.z - pos.z) > kMatchEpsilon) {
        continue;
      }
      if (require_confirmation && !t.confirmed) return nullptr;
      matched_ = t;
      queue_.erase_front(i + 1);
      return &matched_;
    }
    return nullptr;
  }

  bool empty() const noexcept { return queue_.empty(); }
  // Whether one of RustGuard's own teleports (a setback) is still on its way:
  // the client has not yet arrived at it, nor at a later target.
  bool has_ours() const noexcept {
    for (const auto& t : queue_) {
      if (t.ours) return true;
    }
    return false;
  }
  std::size_t size() const noexcept { return queue_.size(); }
  const PendingTeleport* oldest() const noexcept { return queue_.empty() ? nullptr : &queue_.front(); }
  const PendingTeleport* newest() const noexcept { return queue_.empty() ? nullptr : &queue_.back(); }
  PendingTeleport* newest() noexcept { return queue_.empty() ? nullptr : &queue_.back(); }
  void clear() noexcept { queue_.clear(); }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.queue_, self.matched_);
    v.require([&self] { return self.queue_.size() <= kCapacity; }, "too many pending teleports");
  }

 private:
  RingQueue<PendingTeleport> queue_;
  PendingTeleport matched_{};
};

}  // namespace rustguard::context
