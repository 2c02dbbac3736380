#pragma once
// Velocity the server gave the player (Set Entity Velocity for its own
// entity, Explosion knockback), with the transactions around it. The client
// applies it on some tick between acknowledging the transaction before and the
// one after; from then on physics decays it. The movement checks widen their
// envelopes by what may be left of it: the full vector until the closing
// acknowledgement, then the horizontal part times air friction per tick and
// the vertical part under gravity and drag.
//
// A fixed array: no allocation on the movement path. When full, the weakest
// entry is replaced. A bit mask says which entries are active, so a player
// without knockback costs one word, not the array.

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

struct Knockback {
  protocol::Vec3 velocity{};
  std::uint64_t begin_seq = 0;
  std::uint64_t end_seq = 0;  // 0 = closed later (inside a bundle)
  std::uint32_t ticks_since_confirmed = 0;
  bool confirmed = false;
  bool active = false;
};

class KnockbackTracker {
 public:
  static constexpr std::size_t kCapacity = 8;
  static constexpr double kAirFriction = 0.91;
  static constexpr double kNegligible = 0.003;

  void add(const protocol::Vec3& v, std::uint64_t begin_seq, std::uint64_t end_seq) noexcept {
    std::size_t slot = 0;
    if (const unsigned free = ~active_ & kAll; free != 0) {
      slot = static_cast<std::size_t>(std::countr_zero(free));
    } else {
      double weakest = 1e300;
      for (std::size_t i = 0; i < kCapacity; ++i) {
        if (const double h = horizontal(entries_[i]); h < weakest) {
          weakest = h;
          slot = i;
        }
      }
    }
    entries_[slot] = Knockback{v, begin_seq, end_seq, 0, false, true};
    active_ |= 1U << slot;
  }

  void close_open(std::uint64_t end_seq) noexcept {
    for_active(*this, [&](Knockback& e, std::size_t) {
      if (e.end_seq == 0) e.end_seq = end_seq;
    });
  }

  void acknowledge(std::uint64_t acked_seq) noexcept {
    for_active(*this, [&](Knockback& e, std::size_t) {
      if (e.end_seq != 0 && e.end_seq <= acked_seq) e.confirmed = true;
    });
  }

  // One movement tick passed.
  void tick() noexcept {
    for_active(*this, [&](Knockback& e, std::size_t i) {
      if (!e.confirmed) return;
      ++e.ticks_since_confirmed;
      if (horizontal(e) < kNegligible && vertical(e) < kNegligible) {
        e.active = false;
        active_ &= ~(1U << i);
      }
    });
  }

  // Horizontal speed (blocks/tick) the client may still carry from knockback.
  double horizontal_allowance(std::uint64_t acked_seq) const noexcept {
    double best = 0;
    for_active(*this, [&](const Knockback& e, std::size_t) {
      if (e.begin_seq <= acked_seq && horizontal(e) > best) best = horizontal(e);
    });
    return best;
  }

  // Upward speed (blocks/tick) the client may still carry from knockback.
  double upward_allowance(std::uint64_t acked_seq) const noexcept {
    double best = 0;
    for_active(*this, [&](const Knockback& e, std::size_t) {
      if (e.begin_seq <= acked_seq && vertical(e) > best) best = vertical(e);
    });
    return best;
  }

  void clear() noexcept {
    entries_ = {};
    active_ = 0;
  }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  // The mask of active slots is derived from the entries: the reader rebuilds it.
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.entries_);
    if constexpr (V::kReading) {
      self.active_ = 0;
      for (std::size_t i = 0; i < kCapacity; ++i) self.active_ |= self.entries_[i].active ? 1U << i : 0U;
    }
  }

 private:
  static double horizontal(const Knockback& e) noexcept {
    const double h = std::hypot(e.velocity.x, e.velocity.z);
    return h * std::pow(kAirFriction, static_cast<double>(e.ticks_since_confirmed));
  }
  static double vertical(const Knockback& e) noexcept {
    double vy = e.velocity.y;
    for (std::uint32_t i = 0; i < e.ticks_since_confirmed && vy > 0; ++i) vy = (vy - 0.08) * 0.98;
    return vy > 0 ? vy : 0;
  }

  // Calls f(entry, slot) for each active entry, touching no other: every
  // movement asks for the allowances (and ticks the tracker) several times,
  // and most players carry no knockback at all; scanning all eight entries
  // (six cache lines) for it was a tenth of the cache misses of a movement
  // read at 1,000 players (docs/benchmarks.md, 2026-12-06).
  template <class Self, class F>
  static void for_active(Self& self, F&& f) {
    for (unsigned m = self.active_; m != 0; m &= m - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(m));
      f(self.entries_[i], i);
    }
  }

  static constexpr unsigned kAll = (1U << kCapacity) - 1;
  unsigned active_ = 0;  // bit i: entries_[i].active, kept in step
  std::array<Knockback, kCapacity> entries_{};
};

}  // namespace rustguard::context
