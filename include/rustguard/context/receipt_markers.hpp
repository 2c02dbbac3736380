#pragma once
// Observe mode (replaying a capture): clientbound packets the client answers
// that are not the engine's transactions — Keep Alive, and the server's own
// Ping / window-0 Window Confirmation — remembered with their place in the
// transaction sequence. An answer proves the client received everything sent
// before it, which is the only evidence a capture taken between the proxy and
// the backend holds (the proxy swallowed its own transactions' answers).
//
// Fixed size, allocated by the first marker (a live session never adds one,
// and the proxy holds thousands of sessions): a marker never answered is
// overwritten by newer ones, which is harmless (a later answer acknowledges
// at least as much).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rustguard/time.hpp"

namespace rustguard::context {

enum class ReceiptKind : std::uint8_t { keep_alive, server_ping };

struct ReceiptMarker {
  ReceiptKind kind = ReceiptKind::keep_alive;
  std::int64_t id = 0;
  std::uint64_t seq = 0;  // its place in the transaction sequence
  Timestamp sent_at{};
  bool used = false;
};

class ReceiptMarkers {
 public:
  static constexpr std::size_t kCapacity = 64;

  void add(ReceiptKind kind, std::int64_t id, std::uint64_t seq, Timestamp sent_at) {
    if (markers_.empty()) markers_.resize(kCapacity);
    markers_[next_ % kCapacity] = ReceiptMarker{kind, id, seq, sent_at, true};
    ++next_;
  }

  // The oldest unanswered marker of this kind and id (the client answers in
  // order), forgotten on return.
  std::optional<ReceiptMarker> take(ReceiptKind kind, std::int64_t id) noexcept {
    std::optional<ReceiptMarker> best;
    std::size_t at = 0;
    for (std::size_t i = 0; i < markers_.size(); ++i) {
      const ReceiptMarker& m = markers_[i];
      if (m.used && m.kind == kind && m.id == id && (!best || m.seq < best->seq)) {
        best = m;
        at = i;
      }
    }
    if (best) markers_[at].used = false;
    return best;
  }

  void clear() noexcept { markers_ = {}; }  // and its memory

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.markers_, self.next_);
    // add() writes into the ring assuming it is empty or whole.
    v.require([&self] { return self.markers_.empty() || self.markers_.size() == kCapacity; },
              "receipt markers not a whole ring");
  }

 private:
  std::vector<ReceiptMarker> markers_;  // empty or kCapacity
  std::size_t next_ = 0;
};

}  // namespace rustguard::context
