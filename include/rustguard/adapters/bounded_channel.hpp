#pragma once
// A fixed-capacity multi-producer queue whose push never blocks and never
// allocates: packet threads hand records to the storage writer through it.
// A full channel makes try_push return false and leaves the value untouched,
// so the caller can route it elsewhere instead of waiting.
//
// Each slot carries a sequence number that says whose turn it is (a producer
// writing lap n, or the consumer reading lap n); a position counter per side
// is claimed with a compare-exchange. This is the classic bounded ring design
// with per-slot turn counters, written for this project.

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <utility>

namespace rustguard::adapters {

template <class T>
class BoundedChannel {
 public:
  // Capacity is rounded up to a power of two (at least 2).
  explicit BoundedChannel(std::size_t capacity)
      : mask_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity) - 1),
        slots_(std::make_unique<Slot[]>(mask_ + 1)) {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].turn.store(i, std::memory_order_relaxed);
  }

  BoundedChannel(const BoundedChannel&) = delete;
  BoundedChannel& operator=(const BoundedChannel&) = delete;

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Moves `value` in and returns true, or returns false (value untouched) when
  // the channel is full. Lock-free; safe from any number of threads.
  bool try_push(T& value) noexcept(std::is_nothrow_move_assignable_v<T>) {
    std::size_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = slots_[pos & mask_];
      const std::size_t turn = slot.turn.load(std::memory_order_acquire);
      const auto diff = static_cast<std::ptrdiff_t>(turn) - static_cast<std::ptrdiff_t>(pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          slot.value = std::move(value);
          slot.turn.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // the consumer has not freed this slot yet: full
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // Takes the oldest value, or nothing when empty. Safe from any number of
  // threads, though the storage writer uses a single consumer.
  std::optional<T> try_pop() noexcept(std::is_nothrow_move_constructible_v<T>) {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = slots_[pos & mask_];
      const std::size_t turn = slot.turn.load(std::memory_order_acquire);
      const auto diff = static_cast<std::ptrdiff_t>(turn) - static_cast<std::ptrdiff_t>(pos + 1);
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          std::optional<T> out{std::move(slot.value)};
          slot.value = T{};  // release whatever the moved-from value still holds
          slot.turn.store(pos + mask_ + 1, std::memory_order_release);
          return out;
        }
      } else if (diff < 0) {
        return std::nullopt;  // empty
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // Approximate (racy by nature); for metrics and wake-up heuristics only.
  std::size_t size_approx() const noexcept {
    const std::size_t t = tail_.load(std::memory_order_relaxed);
    const std::size_t h = head_.load(std::memory_order_relaxed);
    return t >= h ? t - h : 0;
  }

 private:
  // Separate cache lines keep producers and the consumer from false sharing.
  static constexpr std::size_t kLine = 64;
  struct Slot {
    std::atomic<std::size_t> turn{0};
    T value{};
  };

  const std::size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  alignas(kLine) std::atomic<std::size_t> tail_{0};
  alignas(kLine) std::atomic<std::size_t> head_{0};
};

}  // namespace rustguard::adapters
