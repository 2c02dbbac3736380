#pragma once
// The teleport ids the client sees, when RustGuard sends teleports of its own
// (setbacks, engine/setbacks.hpp). Every server teleport reaches the client
// with an id from RustGuard's sequence, and the client's confirmation goes
// back to the server with the server's id; RustGuard's own teleports take ids
// from the same sequence. So our ids can never collide with the server's,
// whatever scheme the server numbers by (vanilla counts from 0, plugins may
// not), and the confirmations of ours are known and kept from the server,
// which never sent those teleports. 1.8 has no teleport ids: nothing to map.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "rustguard/context/ring_queue.hpp"

namespace rustguard::context {

class TeleportIds {
 public:
  // Teleports in flight at once: far beyond what a server sends before the
  // client answers. The oldest mapping goes first when a hostile client
  // never confirms; its late confirmation then passes unchanged.
  static constexpr std::size_t kCapacity = 64;

  enum class Owner : std::uint8_t { server, ours, unknown };
  struct Confirmed {
    Owner owner = Owner::unknown;
    std::int32_t server_id = 0;  // for Owner::server: the id to forward
  };

  // The id the client sees for the server's teleport `server_id`.
  std::int32_t from_server(std::int32_t server_id) { return add(Entry{next(), server_id, false}); }
  // The id of a teleport of our own.
  std::int32_t ours() { return add(Entry{next(), 0, true}); }

  // The client confirmed `client_id`: whose teleport it was. Each id is
  // answered once; a repeat is unknown (and passes to the server as sent).
  Confirmed confirm(std::int32_t client_id) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (e.client_id != client_id) continue;
      const Confirmed c{e.ours ? Owner::ours : Owner::server, e.server_id};
      entries_.erase_at(i);
      return c;
    }
    return {};
  }

  std::size_t size() const noexcept { return entries_.size(); }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.entries_, self.next_);
    v.require([&self] { return self.entries_.size() <= kCapacity; }, "too many teleport ids");
  }

 private:
  struct Entry {
    std::int32_t client_id;
    std::int32_t server_id;
    bool ours;
    template <class Self, class V>
    static void visit_fields(Self& self, V& v) {
      v(self.client_id, self.server_id, self.ours);
    }
  };

  std::int32_t next() noexcept {
    // Positive and increasing, as the game's own; wraps after 2^31 teleports.
    next_ = next_ == std::numeric_limits<std::int32_t>::max() ? 1 : next_ + 1;
    return next_;
  }
  std::int32_t add(const Entry& e) {
    if (entries_.size() >= kCapacity) entries_.pop_front();
    entries_.push_back(e);
    return e.client_id;
  }

  RingQueue<Entry> entries_;
  std::int32_t next_ = 0;
};

}  // namespace rustguard::context
