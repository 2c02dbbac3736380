#pragma once
// Splits one direction of a Minecraft TCP stream into frames, sans I/O.
//
// The caller feeds whatever each read returned; every complete frame is handed
// to a handler as a view into the fed bytes, without copying, when it lies
// wholly inside the chunk. Only the unfinished tail of a chunk is copied, and
// the copy grows with the bytes that actually arrive, never with what the
// length prefix claims.
//
//   FrameDecoder dec{Direction::clientbound};
//   auto fed = dec.feed(chunk, [&](const Frame& f) {
//     if (is_set_compression(f)) dec.set_compression_threshold(threshold_of(f));
//   });
//   if (!fed) disconnect(fed.error());
//
// The handler runs between two frames, so whatever it changes (compression
// threshold, state and with it the frame cap) applies from the very next
// frame, even one in the same chunk: Set Compression followed by compressed
// frames in a single read is the normal case, not an edge case.
//
// A handler may return FrameAction::pause to stop after its frame; feed()
// then returns how many bytes of the chunk it consumed, and the caller feeds
// the rest later (after setting up decryption for it, for instance, since
// encryption starts right after Encryption Response). Otherwise feed()
// consumes the whole chunk. The handler must not call feed() itself.
//
// Errors are sticky: after the first one every feed() returns it again.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

enum class FrameAction : std::uint8_t { proceed, pause };

// Per-direction limits. The frame cap can differ per state (a status or
// handshake frame has no business being large, while configuration can carry
// over a MiB of modded data); the default is the protocol's own maximum.
struct FrameLimits {
  std::array<std::int32_t, kStateCount> max_frame_length{kMaxFrameLength, kMaxFrameLength, kMaxFrameLength,
                                                         kMaxFrameLength, kMaxFrameLength};
  CompressionLimits compression;

  static constexpr FrameLimits for_direction(Direction d) noexcept {
    FrameLimits l;
    l.compression = CompressionLimits::for_direction(d);
    return l;
  }
  constexpr std::int32_t max_frame_length_in(State s) const noexcept {
    return max_frame_length[static_cast<std::size_t>(s)];
  }
};

class FrameDecoder {
 public:
  // The held-back tail keeps at most this much capacity once its frame is
  // delivered: a chunk split across reads must not pin its size for the rest
  // of the connection, while the small frames of play reuse their buffer.
  static constexpr std::size_t kKeepTailCapacity = 4 * 1024;

  // Starts in the handshake state, uncompressed. A serverbound decoder also
  // watches for the legacy server-list ping until the first frame.
  explicit FrameDecoder(Direction direction, FrameLimits limits)
      : limits_(limits), direction_(direction), legacy_ping_watch_(direction == Direction::serverbound) {
    apply_state();
  }
  explicit FrameDecoder(Direction direction) : FrameDecoder(direction, FrameLimits::for_direction(direction)) {}

  // Negative: compression off. Takes effect from the next frame.
  void set_compression_threshold(std::int32_t threshold) noexcept { threshold_ = threshold; }
  std::int32_t compression_threshold() const noexcept { return threshold_; }

  // Selects the frame cap for the next frames. Leaving the handshake state
  // ends the legacy ping watch.
  void set_state(State s) noexcept {
    state_ = s;
    if (s != State::handshake) legacy_ping_watch_ = false;
    apply_state();
  }
  State state() const noexcept { return state_; }
  void set_limits(const FrameLimits& limits) noexcept {
    limits_ = limits;
    apply_state();
  }
  const FrameLimits& limits() const noexcept { return limits_; }
  // Turns the legacy ping watch off (a connection that starts behind a
  // PROXY protocol header, say) or back on before the first byte.
  void watch_for_legacy_ping(bool on) noexcept { legacy_ping_watch_ = on && !started_; }

  bool failed() const noexcept { return error_.code != Errc::ok; }
  const Error& error() const noexcept { return error_; }
  Direction direction() const noexcept { return direction_; }

  // Frames handed to the handler (legacy ping included).
  std::uint64_t frames() const noexcept { return frames_; }
  // Frames of length 0, skipped as the game and established proxies do.
  // Counted so the caller can treat a flood of them as abuse.
  std::uint64_t zero_length_frames() const noexcept { return zero_length_frames_; }
  // Sum of the claimed sizes of compressed frames handed out: what inflating
  // them all would cost, for a per-connection inflated-bytes-per-second limit.
  std::uint64_t claimed_inflated_bytes() const noexcept { return claimed_inflated_bytes_; }
  // Bytes held back waiting for the rest of their frame, and the memory
  // held for them.
  std::size_t buffered_bytes() const noexcept { return tail_.size(); }
  std::size_t buffer_capacity() const noexcept { return tail_.capacity(); }
  // True once a legacy ping was reported; later input is ignored.
  bool saw_legacy_ping() const noexcept { return legacy_ping_seen_; }

  // Feeds one chunk. Returns the number of bytes consumed (the chunk's size
  // unless the handler paused), or the sticky error.
  //
  // Handler: callable with `const Frame&`, returning void or FrameAction.
  template <class Handler>
  Result<std::size_t> feed(std::span<const std::uint8_t> chunk, Handler&& handler) {
    static_assert(std::is_invocable_v<Handler&, const Frame&>, "the handler takes a const Frame&");
    if (failed()) return error_;
    if (legacy_ping_seen_) return chunk.size();  // the proxy answers the ping and closes
    const std::uint8_t* p = chunk.data();
    const std::uint8_t* const end = p + chunk.size();
    started_ = started_ || p != end;

    if (legacy_ping_watch_) {
      switch (classify_opening(chunk)) {
        case Opening::undecided:
          tail_.insert(tail_.end(), p, end);
          return chunk.size();
        case Opening::legacy_ping:
          return report_legacy_ping(chunk, handler);
        case Opening::modern:
          legacy_ping_watch_ = false;
          break;
      }
    }

    if (!tail_.empty() || pending_length_ >= 0) {
      switch (complete_tail(p, end)) {
        case Tail::failed: return error_;
        case Tail::incomplete: return chunk.size();
        case Tail::drained: break;
        case Tail::complete: {
          const auto action = deliver(std::span<const std::uint8_t>{tail_}, handler);
          release_tail();
          pending_length_ = -1;
          if (failed()) return error_;
          if (action == FrameAction::pause) return consumed(chunk, p);
          break;
        }
      }
    }

    while (p != end) {
      const auto len = read_varint_prefix({p, static_cast<std::size_t>(end - p)}, kMaxFrameLengthBytes);
      if (len.status != VarIntStatus::ok) {
        if (len.status == VarIntStatus::too_long) return fail(make_error(Errc::frame_length_too_long, "frame length"));
        tail_.assign(p, end);  // at most two bytes of a length prefix
        return chunk.size();
      }
      p += len.size;
      if (len.value > max_frame_length_) {
        return fail(make_error(Errc::frame_too_large, "frame length", len.value, max_frame_length_));
      }
      if (len.value == 0) {
        ++zero_length_frames_;
        continue;
      }
      const auto n = static_cast<std::size_t>(len.value);
      if (static_cast<std::size_t>(end - p) < n) {
        pending_length_ = len.value;
        tail_.assign(p, end);
        return chunk.size();
      }
      const auto action = deliver(std::span<const std::uint8_t>{p, n}, handler);
      p += n;
      if (failed()) return error_;
      if (action == FrameAction::pause) return consumed(chunk, p);
    }
    return chunk.size();
  }

 private:
  enum class Opening : std::uint8_t { undecided, legacy_ping, modern };

  // Decides whether the connection opens with a legacy ping, looking at the
  // held-back opening bytes plus the new chunk. 0xFE is also the first byte
  // of a modern frame whose length is 126 mod 128 (254: FE 01), so, as the
  // game itself does: FE or FE 01 ending the read is a ping (those clients
  // send nothing more and wait), FE 01 FA 00 starts the 1.6 ping (FA, then the
  // u16 length of "MC|PingHost"), and anything else is a modern frame.
  Opening classify_opening(std::span<const std::uint8_t> chunk) const noexcept {
    std::uint8_t head[4];
    std::size_t n = 0;
    for (std::size_t i = 0; i < tail_.size() && n < 4; ++i) head[n++] = tail_[i];
    for (std::size_t i = 0; i < chunk.size() && n < 4; ++i) head[n++] = chunk[i];
    if (n == 0) return Opening::undecided;
    if (head[0] != 0xFE) return Opening::modern;
    if (n == 1) return Opening::legacy_ping;
    if (head[1] != 0x01) return Opening::modern;
    if (n == 2) return Opening::legacy_ping;
    if (head[2] != 0xFA) return Opening::modern;
    if (n == 3) return Opening::undecided;
    return head[3] == 0x00 ? Opening::legacy_ping : Opening::modern;
  }

  template <class Handler>
  Result<std::size_t> report_legacy_ping(std::span<const std::uint8_t> chunk, Handler& handler) {
    legacy_ping_seen_ = true;
    legacy_ping_watch_ = false;
    Frame f;
    f.kind = FrameKind::legacy_ping;
    if (tail_.empty()) {
      f.payload = chunk;
    } else {
      // Only when the opening bytes came in several reads; the ping itself
      // is a few hundred bytes, so a bounded copy keeps all of it.
      constexpr std::size_t kKeep = 1024;
      tail_.insert(tail_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(std::min(chunk.size(), kKeep)));
      f.payload = tail_;
    }
    ++frames_;
    (void)invoke(handler, f);
    release_tail();
    return chunk.size();
  }

  enum class Tail : std::uint8_t {
    complete,    // the held-back frame is whole (in tail_)
    incomplete,  // the chunk ran out first; everything is held back
    drained,     // the tail held only zero-length frames; carry on in the chunk
    failed,
  };

  // Moves bytes from [p, end) into the tail until the held-back frame is
  // complete.
  Tail complete_tail(const std::uint8_t*& p, const std::uint8_t* end) {
    while (pending_length_ < 0) {
      const auto len = read_varint_prefix(tail_, kMaxFrameLengthBytes);
      if (len.status == VarIntStatus::too_long) {
        (void)fail(make_error(Errc::frame_length_too_long, "frame length"));
        return Tail::failed;
      }
      if (len.status == VarIntStatus::ok) {
        if (len.value > max_frame_length_) {
          (void)fail(make_error(Errc::frame_too_large, "frame length", len.value, max_frame_length_));
          return Tail::failed;
        }
        tail_.erase(tail_.begin(), tail_.begin() + len.size);
        if (len.value == 0) {
          // A zero-length frame; what follows it starts the next one.
          ++zero_length_frames_;
          if (tail_.empty()) return Tail::drained;
          continue;
        }
        pending_length_ = len.value;
        break;
      }
      if (p == end) return Tail::incomplete;
      tail_.push_back(*p++);
    }
    const std::size_t need = static_cast<std::size_t>(pending_length_) - tail_.size();
    const std::size_t take = std::min(need, static_cast<std::size_t>(end - p));
    tail_.insert(tail_.end(), p, p + take);
    p += take;
    return take == need ? Tail::complete : Tail::incomplete;
  }

  // Strips the dataLength once compression is on, checks it, and hands the
  // frame to the handler.
  template <class Handler>
  FrameAction deliver(std::span<const std::uint8_t> frame, Handler& handler) {
    Frame f;
    f.contents = frame;
    if (threshold_ < 0) {
      f.payload = frame;
    } else {
      const auto dl = read_varint_prefix(frame, kMaxVarIntBytes);
      if (dl.status != VarIntStatus::ok) {
        (void)fail(dl.status == VarIntStatus::too_long ? make_error(Errc::varint_too_long, "data length")
                                                       : make_error(Errc::truncated, "data length"));
        return FrameAction::pause;
      }
      f.payload = frame.subspan(dl.size);
      f.data_length = dl.value;
      if (auto ok = check_compressed_header(dl.value, f.payload.size(), threshold_, limits_.compression); !ok) {
        (void)fail(ok.error());
        return FrameAction::pause;
      }
      claimed_inflated_bytes_ += static_cast<std::uint64_t>(dl.value);
    }
    ++frames_;
    return invoke(handler, f);
  }

  template <class Handler>
  static FrameAction invoke(Handler& handler, const Frame& f) {
    if constexpr (std::is_same_v<std::invoke_result_t<Handler&, const Frame&>, FrameAction>) {
      return handler(f);
    } else {
      handler(f);
      return FrameAction::proceed;
    }
  }

  Error fail(Error e) noexcept {
    error_ = e;
    std::vector<std::uint8_t>().swap(tail_);
    return e;
  }
  void release_tail() noexcept {
    tail_.clear();
    if (tail_.capacity() > kKeepTailCapacity) std::vector<std::uint8_t>().swap(tail_);
  }
  static std::size_t consumed(std::span<const std::uint8_t> chunk, const std::uint8_t* p) noexcept {
    return static_cast<std::size_t>(p - chunk.data());
  }
  void apply_state() noexcept { max_frame_length_ = limits_.max_frame_length_in(state_); }

  FrameLimits limits_;
  std::vector<std::uint8_t> tail_;  // held-back bytes of the unfinished frame
  std::int32_t pending_length_ = -1;  // its length once known; the tail then holds payload only
  std::int32_t max_frame_length_ = kMaxFrameLength;
  std::int32_t threshold_ = -1;
  State state_ = State::handshake;
  Direction direction_;
  bool legacy_ping_watch_;
  bool legacy_ping_seen_ = false;
  bool started_ = false;
  Error error_{};
  std::uint64_t frames_ = 0;
  std::uint64_t zero_length_frames_ = 0;
  std::uint64_t claimed_inflated_bytes_ = 0;
};

}  // namespace rustguard::protocol
