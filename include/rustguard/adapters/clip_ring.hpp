#pragma once
// The last seconds of one player's client leg, kept for evidence clips
// (docs/recordings.md, "Evidence clips"): every frame the client sent and
// every frame it was sent, as on the wire, with the time the proxy handled
// it. A session::FrameTap: the connection's session shows it each frame.
//
// Bounded three ways: frames older than the window go; the ring's bytes stop
// at `max_bytes` per player (older frames then go before their window ends,
// counted in evicted_early()); and every ring of the process draws its
// capacity from one ClipBudget, so a full house cannot make the rings take
// more than the budget (a ring the budget refuses stays at its size and
// evicts instead). What a ring holds is charged to its connection
// (memory_bytes()) and the budget's total is in /metrics.
//
// A frame whose body no replay reads (PlayerSession::replay_reads: chunk
// data, light, sounds, tags, ...) is kept as its id and size only, and comes
// back out as a frame with that id and an empty body: a replay of the clip
// judges the same packets and never looks inside those. The client's frames
// are always kept whole: a replay checks every one of them.
//
// The frames until the client's first movement packet in play (handshake,
// login, configuration, Login (play), the first teleport and its answer) are
// kept apart (the prologue, at most `max_prologue_bytes`, kept for the
// connection's life): a clip starts with them so that its replay knows the
// version, the compression and the player, as at a fresh login.
//
// The owner adds a snapshot of the player's context now and then
// (add_snapshot, context/context_snapshot.hpp): a record among the frames,
// evicted with them. A clip from the middle of a session starts at the
// oldest snapshot still in the ring (adapters/clip_cut.hpp): the replay
// restores that context there and reads the frames after it.
//
// Storage is one circular byte buffer of records:
//   varint  microseconds since the previous record (the first: since head_time_)
//   u8      flags: 1 clientbound, 2 stub, 4 compressed framing, 8 context
//           snapshot, 16 chat (a frame clips.redact_chat leaves out)
//   stub:   varint id, varint size on the wire
//   else:   varint size, then the frame's contents (a snapshot's bytes)
// No allocation per frame once the buffer has grown.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/protocol/varint.hpp"
#include "rustguard/session/frame_tap.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/time.hpp"

namespace rustguard::adapters {

struct ClipRingLimits {
  Micros window{30'000'000};
  std::size_t max_bytes = 128 * 1024;          // one player's ring
  std::size_t max_prologue_bytes = 32 * 1024;  // one player's login, configuration and first tick in play
};

// What every ring of a process may hold together. Thread-safe.
class ClipBudget {
 public:
  explicit ClipBudget(std::size_t limit) : limit_(limit) {}
  bool reserve(std::size_t bytes) noexcept {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > limit_) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void release(std::size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

// One frame of a clip, ready to write: length prefix and contents as on the
// wire (a stub: the id alone, framed for the stream). A context record
// carries the snapshot's bytes unframed instead.
struct ClipFrame {
  protocol::Direction direction = protocol::Direction::serverbound;
  Timestamp time{};
  bool stub = false;
  bool context = false;  // a context snapshot, not a frame
  bool chat = false;     // a chat frame (clips.redact_chat)
  std::uint32_t wire_size = 0;  // of the original frame (stubs: what it was)
  std::vector<std::uint8_t> bytes;
};

// A ring's raw contents, copied on the packet path (two memcpys) and turned
// into frames elsewhere (adapters/clip_cut.hpp, on the clip writer's thread).
struct ClipCut {
  std::vector<std::uint8_t> prologue;  // records
  Timestamp prologue_start{};
  bool prologue_complete = false;
  std::vector<std::uint8_t> records;   // the ring's records, oldest first
  Timestamp head_time{};               // of the first of them
  // The ring still holds every frame since the prologue: the clip needs no
  // snapshot (the prologue and the ring are the whole session).
  bool from_start = false;
};

class ClipRing final : public session::FrameTap {
 public:
  ClipRing(const ClipRingLimits& limits, ClipBudget* budget) : limits_(limits), budget_(budget) {}
  ClipRing(const ClipRing&) = delete;
  ClipRing& operator=(const ClipRing&) = delete;
  ~ClipRing() { release_all(); }

  // The time of the frames shown next (the owner's `now` for the feed).
  void set_time(Timestamp now) noexcept { now_ = now; }
  // Ends the prologue now, before the first movement packet (frames that
  // never went through a login: benchmarks, tests).
  void end_prologue() noexcept { in_prologue_ = false; }
  // Whether frames after the prologue are kept (and snapshots taken); the
  // prologue always is. Off, a frame costs one test (clips.players: flagged
  // turns it on at the player's first violation).
  void keep(bool on) noexcept { keeping_ = on; }
  bool keeping() const noexcept { return keeping_; }

  void on_frame(protocol::Direction direction, protocol::PacketKind kind, std::int32_t id,
                std::span<const std::uint8_t> contents, bool compressed_framing) override {
    const bool clientbound = direction == protocol::Direction::clientbound;
    const bool stub = clientbound && !session::PlayerSession::replay_reads(direction, kind);
    const std::uint8_t extra = is_chat(kind) ? kChat : 0;
    if (in_prologue_) {
      append_prologue(clientbound, stub, compressed_framing, id, contents, extra);
      // The client's first movement packet: it has its position, and the
      // session's own state is that of a fresh login.
      if (!clientbound && is_movement(kind)) in_prologue_ = false;
      return;
    }
    if (!keeping_) {
      dropped_any_ = true;  // a clip then starts at a snapshot, not at the prologue's end
      return;
    }
    evict_older_than(now_ - limits_.window);
    append(clientbound, stub, compressed_framing, id, contents, extra);
  }

  // A snapshot of the player's context as the core holds it after the frames
  // shown so far (context/context_snapshot.hpp). Ignored in the prologue
  // (a clip then starts at the login) and when larger than half the ring.
  void add_snapshot(std::span<const std::uint8_t> context) {
    if (in_prologue_ || !keeping_ || context.empty()) return;
    evict_older_than(now_ - limits_.window);
    const Header h = header(delta(), false, false, false, 0, context.size(), kContext);
    if (h.size + context.size() > limits_.max_bytes / 2 || !make_room(h.size + context.size())) return;
    place(h, context);
    ++snapshots_;
  }

  // The prologue and the ring as they are, for a clip (adapters/clip_cut.hpp).
  ClipCut cut() const {
    ClipCut c;
    c.prologue = prologue_;
    c.prologue_start = prologue_start_;
    c.prologue_complete = prologue_complete_ && !in_prologue_;
    c.records.resize(used_);
    const std::size_t first = std::min(used_, ring_.size() - head_);
    if (used_ > 0) {
      std::memcpy(c.records.data(), ring_.data() + head_, first);
      std::memcpy(c.records.data() + first, ring_.data(), used_ - first);
    }
    c.head_time = head_time_;
    c.from_start = !dropped_any_;
    return c;
  }
  std::uint64_t snapshots_added() const noexcept { return snapshots_; }

  // Bytes this ring holds (its buffers' capacity): charged to its connection.
  std::size_t memory_bytes() const noexcept { return ring_.size() + prologue_reserved_; }
  // Frames dropped before the end of their window because of a byte limit.
  std::uint64_t evicted_early() const noexcept { return evicted_early_; }
  // The prologue did not fit: a clip of this connection cannot start clean.
  bool prologue_complete() const noexcept { return prologue_complete_; }
  bool in_prologue() const noexcept { return in_prologue_; }
  std::size_t frames_held() const noexcept { return frames_; }
  // The time of the oldest frame in the ring (not the prologue); none: empty.
  std::optional<Timestamp> oldest() const noexcept {
    if (frames_ == 0) return std::nullopt;
    return head_time_;
  }

  // The prologue, then every record in the ring, oldest first.
  std::vector<ClipFrame> frames() const {
    std::vector<ClipFrame> out;
    Reader prologue{prologue_.data(), prologue_.size(), 0, prologue_.size(), prologue_start_};
    while (prologue.remaining() > 0) out.push_back(prologue.next());
    Reader ring{ring_.data(), ring_.size(), head_, used_, head_time_};
    bool first = true;
    while (ring.remaining() > 0) {
      ClipFrame f = ring.next(first);
      first = false;
      out.push_back(std::move(f));
    }
    return out;
  }

  static constexpr std::uint8_t kClientbound = 1, kStub = 2, kCompressed = 4, kContext = 8, kChat = 16;

  // Reads records from a (possibly wrapped) byte buffer. The buffer is the
  // ring's own or a ClipCut's copy of it: trusted, written by this class.
  struct Reader {
    const std::uint8_t* data;
    std::size_t capacity;
    std::size_t pos;
    std::size_t left;
    Timestamp time;

    std::size_t remaining() const noexcept { return left; }
    std::uint8_t byte() noexcept {
      const std::uint8_t b = data[pos];
      pos = pos + 1 == capacity ? 0 : pos + 1;
      --left;
      return b;
    }
    std::uint64_t varint() noexcept {
      std::uint64_t v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        const std::uint8_t b = byte();
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) break;
      }
      return v;
    }
    // The first record of the ring carries no usable delta: its time is the
    // ring's head time.
    ClipFrame next(bool first = false) {
      const std::uint64_t dt = varint();
      if (!first) time += Micros{static_cast<std::int64_t>(dt)};
      const std::uint8_t flags = byte();
      ClipFrame f;
      f.direction = (flags & kClientbound) != 0 ? protocol::Direction::clientbound : protocol::Direction::serverbound;
      f.time = time;
      f.stub = (flags & kStub) != 0;
      f.context = (flags & kContext) != 0;
      f.chat = (flags & kChat) != 0;
      if (f.context) {
        f.bytes.resize(static_cast<std::size_t>(varint()));
        for (std::uint8_t& b : f.bytes) b = byte();
      } else if (f.stub) {
        const auto id = static_cast<std::int32_t>(varint());
        f.wire_size = static_cast<std::uint32_t>(varint());
        std::vector<std::uint8_t> contents;
        if ((flags & kCompressed) != 0) contents.push_back(0);  // data length 0: not deflated
        std::uint8_t idv[protocol::kMaxVarIntBytes];
        contents.insert(contents.end(), idv, idv + protocol::write_varint(idv, id));
        frame(f.bytes, contents);
      } else {
        const std::size_t size = static_cast<std::size_t>(varint());
        std::vector<std::uint8_t> contents(size);
        for (std::size_t i = 0; i < size; ++i) contents[i] = byte();
        f.wire_size = static_cast<std::uint32_t>(protocol::varint_size(static_cast<std::int32_t>(size)) + size);
        frame(f.bytes, contents);
      }
      return f;
    }
    static void frame(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& contents) {
      std::uint8_t len[protocol::kMaxVarIntBytes];
      out.insert(out.end(), len, len + protocol::write_varint(len, static_cast<std::int32_t>(contents.size())));
      out.insert(out.end(), contents.begin(), contents.end());
    }
  };

  // A record's header: delta, flags, then id+size or size.
 private:
  struct Header {
    std::uint8_t bytes[32];
    std::size_t size = 0;
    void varint(std::uint64_t v) noexcept {
      do {
        std::uint8_t b = v & 0x7f;
        v >>= 7;
        if (v != 0) b |= 0x80;
        bytes[size++] = b;
      } while (v != 0);
    }
  };

  static Header header(std::uint64_t dt, bool clientbound, bool stub, bool compressed, std::int32_t id,
                       std::size_t contents_size, std::uint8_t extra = 0) noexcept {
    Header h;
    h.varint(dt);
    h.bytes[h.size++] = static_cast<std::uint8_t>((clientbound ? kClientbound : 0) | (stub ? kStub : 0) |
                                                  (compressed ? kCompressed : 0) | extra);
    if (stub) {
      h.varint(static_cast<std::uint32_t>(id));
      h.varint(protocol::varint_size(static_cast<std::int32_t>(contents_size)) + contents_size);
    } else {
      h.varint(contents_size);
    }
    return h;
  }

  void append_prologue(bool clientbound, bool stub, bool compressed, std::int32_t id,
                       std::span<const std::uint8_t> contents, std::uint8_t extra) {
    if (!prologue_complete_) return;
    if (prologue_.empty()) prologue_start_ = prologue_last_ = now_;
    const Header h = header(static_cast<std::uint64_t>(std::max<std::int64_t>(0, (now_ - prologue_last_).count())),
                            clientbound, stub, compressed, id, contents.size(), extra);
    const std::size_t need = h.size + (stub ? 0 : contents.size());
    const std::size_t before = prologue_reserved_;
    if (prologue_.size() + need > before) {
      const std::size_t grown = std::min(limits_.max_prologue_bytes, std::max({before * 2, prologue_.size() + need,
                                                                               std::size_t{512}}));
      if (prologue_.size() + need > grown || (budget_ != nullptr && !budget_->reserve(grown - before))) {
        drop_prologue();
        return;
      }
      prologue_.reserve(grown);
      prologue_reserved_ = grown;
    }
    prologue_.insert(prologue_.end(), h.bytes, h.bytes + h.size);
    if (!stub) prologue_.insert(prologue_.end(), contents.begin(), contents.end());
    prologue_last_ = now_;
  }

  void append(bool clientbound, bool stub, bool compressed, std::int32_t id, std::span<const std::uint8_t> contents,
              std::uint8_t extra) {
    Header h = header(delta(), clientbound, stub, compressed, id, contents.size(), extra);
    std::size_t need = h.size + (stub ? 0 : contents.size());
    if (need > limits_.max_bytes / 2 && !stub) {
      // One frame bigger than half the ring: kept as its id and size (a
      // client's giant frame would otherwise empty the ring).
      stub = true;
      ++evicted_early_;
      h = header(delta(), clientbound, true, compressed, id, contents.size(), extra);
      need = h.size;
    }
    if (!make_room(need)) {
      ++evicted_early_;  // not even an empty ring can take it (the budget is spent)
      return;
    }
    place(h, stub ? std::span<const std::uint8_t>{} : contents);
  }

  // Microseconds since the newest record (0 for the first).
  std::uint64_t delta() const noexcept {
    const Timestamp prev = frames_ == 0 ? now_ : last_time_;
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, (now_ - prev).count()));
  }
  // Writes a record make_room made room for.
  void place(const Header& h, std::span<const std::uint8_t> contents) noexcept {
    if (frames_ == 0) head_time_ = now_;
    put(h.bytes, h.size);
    put(contents.data(), contents.size());
    ++frames_;
    last_time_ = now_;
  }

  static constexpr bool is_movement(protocol::PacketKind kind) noexcept {
    using K = protocol::PacketKind;
    return kind == K::set_position_c2s || kind == K::set_position_rotation_c2s || kind == K::set_rotation_c2s ||
           kind == K::set_movement_flags_c2s;
  }
  static constexpr bool is_chat(protocol::PacketKind kind) noexcept {
    using K = protocol::PacketKind;
    return kind == K::chat_message_c2s || kind == K::chat_command_c2s || kind == K::system_chat_s2c;
  }

  // Room for `need` more bytes: grow (within the per-player limit and the
  // budget), else drop the oldest frames.
  bool make_room(std::size_t need) {
    if (used_ + need <= ring_.size()) return true;
    const std::size_t cap = ring_.size();
    if (cap < limits_.max_bytes) {
      const std::size_t grown =
          std::min(limits_.max_bytes, std::max({cap + cap / 2, used_ + need, std::size_t{4096}}));
      if (budget_ == nullptr || budget_->reserve(grown - cap)) {
        relinearize(grown);
        return true;
      }
    }
    while (frames_ > 0 && used_ + need > ring_.size()) {
      drop_head();
      ++evicted_early_;
    }
    return used_ + need <= ring_.size();
  }

  void relinearize(std::size_t capacity) {
    std::vector<std::uint8_t> fresh(capacity);
    const std::size_t first = std::min(used_, ring_.size() - head_);
    if (used_ > 0) {
      std::memcpy(fresh.data(), ring_.data() + head_, first);
      std::memcpy(fresh.data() + first, ring_.data(), used_ - first);
    }
    ring_.swap(fresh);
    head_ = 0;
  }

  void put(const std::uint8_t* p, std::size_t n) noexcept {
    if (n == 0) return;  // a stub's empty body: its data() may be null, which memcpy must not get
    std::size_t tail = head_ + used_;
    if (tail >= ring_.size()) tail -= ring_.size();
    const std::size_t first = std::min(n, ring_.size() - tail);
    std::memcpy(ring_.data() + tail, p, first);
    std::memcpy(ring_.data(), p + first, n - first);
    used_ += n;
  }

  void evict_older_than(Timestamp cutoff) {
    while (frames_ > 0 && head_time_ < cutoff) drop_head();
  }

  // Drops the oldest record; the next one's delta moves the head time.
  void drop_head() {
    Reader r{ring_.data(), ring_.size(), head_, used_, head_time_};
    (void)r.varint();
    const std::uint8_t flags = r.byte();
    dropped_any_ = true;
    if ((flags & kStub) != 0) {
      (void)r.varint();
      (void)r.varint();
    } else {
      const std::size_t size = static_cast<std::size_t>(r.varint());
      r.pos = (r.pos + size) % ring_.size();
      r.left -= size;
    }
    head_ = r.pos;
    used_ = r.left;
    --frames_;
    if (frames_ > 0) {
      Reader next{ring_.data(), ring_.size(), head_, used_, head_time_};
      const std::uint64_t dt = next.varint();
      head_time_ += Micros{static_cast<std::int64_t>(dt)};
    } else {
      head_ = 0;
      used_ = 0;
    }
  }

  // Too long a login to keep: clips of this connection cannot start clean.
  void drop_prologue() {
    prologue_complete_ = false;
    release(prologue_reserved_);
    prologue_reserved_ = 0;
    prologue_ = std::vector<std::uint8_t>();  // not `= {}`: that keeps the capacity
  }

  void release(std::size_t bytes) noexcept {
    if (budget_ != nullptr && bytes > 0) budget_->release(bytes);
  }
  void release_all() noexcept { release(ring_.size() + prologue_reserved_); }

  ClipRingLimits limits_;
  ClipBudget* budget_;
  Timestamp now_{};
  // The flags every frame reads (and dropped_any_, which it may write) next
  // to the time, ahead of the buffers: one cache line for all of them.
  bool in_prologue_ = true;
  bool keeping_ = true;
  bool prologue_complete_ = true;
  bool dropped_any_ = false;  // a record left the ring, or was never kept: it no longer starts at the prologue's end
  std::vector<std::uint8_t> prologue_;
  std::size_t prologue_reserved_ = 0;  // drawn from the budget for prologue_
  Timestamp prologue_start_{};
  Timestamp prologue_last_{};
  std::vector<std::uint8_t> ring_;  // its size() is the capacity; used_ bytes from head_
  std::size_t head_ = 0;
  std::size_t used_ = 0;
  std::size_t frames_ = 0;
  Timestamp head_time_{};  // of the oldest record
  Timestamp last_time_{};  // of the newest
  std::uint64_t evicted_early_ = 0;
  std::uint64_t snapshots_ = 0;
};

}  // namespace rustguard::adapters
