#pragma once
// A FIFO of small records, for the context's bounded queues (pending
// transactions, teleports, lag-compensated changes, teleport ids).
//
// Why not std::deque: libstdc++'s deque allocates a 512-byte block and its
// map when it is constructed, empty or not, and a player's context holds four
// of them: 2.2 KiB for every connected player, most of whom never have more
// than a handful of entries pending (found measuring 9,900 idle players,
// docs/benchmarks.md). This ring allocates on the first push, grows by
// doubling, and halves (down to 16 slots) while it is three quarters
// empty, so a burst (a client that stopped answering transactions) does
// not pin its high-water mark.
//
// Elements must be default-constructible and copyable (plain records).

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <vector>

namespace rustguard::context {

template <class T>
class RingQueue {
  template <bool Const>
  class Iter {
    using Queue = std::conditional_t<Const, const RingQueue, RingQueue>;

   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const T*, T*>;
    using reference = std::conditional_t<Const, const T&, T&>;

    Iter() = default;
    Iter(Queue* q, std::size_t i) : q_(q), i_(i) {}
    reference operator*() const { return (*q_)[i_]; }
    pointer operator->() const { return &(*q_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++i_;
      return old;
    }
    bool operator==(const Iter& o) const { return i_ == o.i_; }

   private:
    Queue* q_ = nullptr;
    std::size_t i_ = 0;
  };

 public:
  using value_type = T;
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t capacity() const noexcept { return slots_.size(); }

  // i counts from the oldest entry.
  T& operator[](std::size_t i) noexcept { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  const T& operator[](std::size_t i) const noexcept { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  T& front() noexcept { return (*this)[0]; }
  const T& front() const noexcept { return (*this)[0]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }

  iterator begin() noexcept { return {this, 0}; }
  iterator end() noexcept { return {this, size_}; }
  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, size_}; }

  // References to entries stay valid until the next push or erase (either
  // may move the ring: growing, or shrinking once it is sparse).
  T& push_back(const T& value) {
    if (size_ == slots_.size()) reallocate(std::max<std::size_t>(4, slots_.size() * 2));
    T& slot = (*this)[size_];
    slot = value;
    ++size_;
    return slot;
  }
  T& emplace_back() { return push_back(T{}); }

  void pop_front() noexcept { erase_front(1); }
  // Removes the n oldest entries (n <= size()).
  void erase_front(std::size_t n) noexcept {
    if (n == 0) return;
    head_ = (head_ + n) & (slots_.size() - 1);
    size_ -= n;
    if (size_ == 0) head_ = 0;
    shrink_if_sparse();
  }
  // Removes the entry at i, keeping the order of the others.
  void erase_at(std::size_t i) noexcept {
    for (std::size_t j = i; j + 1 < size_; ++j) (*this)[j] = (*this)[j + 1];
    --size_;
    shrink_if_sparse();
  }
  void clear() noexcept {
    head_ = 0;
    size_ = 0;
    shrink_if_sparse();
  }

 private:
  static constexpr std::size_t kKeep = 16;  // never shrunk below: the usual handful stays put

  // Halves the capacity until the ring is more than a quarter full (or at
  // kKeep), in one reallocation: a queue drained all at once gives its memory
  // back at once.
  void shrink_if_sparse() noexcept {
    std::size_t capacity = slots_.size();
    while (capacity > kKeep && size_ * 4 <= capacity) capacity /= 2;
    if (capacity == slots_.size()) return;
    try {
      reallocate(capacity);
    } catch (...) {  // out of memory: keep the larger block, which still works
    }
  }
  // capacity: a power of two, at least size_.
  void reallocate(std::size_t capacity) {
    std::vector<T> next(capacity);
    for (std::size_t i = 0; i < size_; ++i) next[i] = (*this)[i];
    slots_.swap(next);
    head_ = 0;
  }

  std::vector<T> slots_;  // size() is the capacity, a power of two (or 0)
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace rustguard::context
