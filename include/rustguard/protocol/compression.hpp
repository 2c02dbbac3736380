#pragma once
// The zlib layer that Set Compression switches on: validating a compressed
// frame's header before spending anything on it, inflating (all of it, or just
// the first bytes to learn the packet id), and deflating frames we write.
//
// Decompression bombs are the threat here. A peer controls both the claimed
// inflated size and the compressed bytes, so nothing is inflated or allocated
// beyond the claim, the claim is capped per direction, and large claims must
// not compress better than a ratio guard allows. Rate limits (inflated bytes
// per second) need a clock and belong to the caller; FrameDecoder counts the
// claimed bytes for it.

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

// Bounds on a compressed frame's claimed (inflated) size.
//
// Defaults and why:
// - max_claimed_size: 8 MiB clientbound, 2 MiB serverbound, as current proxies
//   use. Servers legitimately send multi-MiB packets (registries, modded
//   configuration data); clients have no reason to.
// - max_ratio 64 above ratio_floor 128 KiB: highly compressible packets are
//   normal when small. A chunk packet of a void or superflat world is mostly
//   identical light bytes (0xFF sky light, 2 KiB per section) and deflates at
//   several hundred to one at 40-100 KiB. Below the floor the claim itself
//   bounds the work (at most 128 KiB per frame), so the ratio adds nothing; above
//   it, honest packets (item NBT, registries, chunk data with real blocks)
//   compress well under 64:1, while a bomb (a few KiB of zlib claiming MiBs)
//   compresses at up to ~1000:1.
struct CompressionLimits {
  std::int32_t max_claimed_size = 8 * 1024 * 1024;
  std::int32_t max_ratio = 64;
  std::int32_t ratio_floor = 128 * 1024;

  static constexpr CompressionLimits for_direction(Direction d) noexcept {
    CompressionLimits l;
    l.max_claimed_size = d == Direction::clientbound ? 8 * 1024 * 1024 : 2 * 1024 * 1024;
    return l;
  }
};

// Checks a frame's dataLength against the compression threshold and limits,
// before any inflation. `payload_size` is what follows the dataLength VarInt.
constexpr Result<void> check_compressed_header(std::int32_t data_length, std::size_t payload_size,
                                               std::int32_t threshold,
                                               const CompressionLimits& limits) noexcept {
  const auto size = static_cast<std::int64_t>(payload_size);
  if (data_length < 0) return make_error(Errc::negative_length, "data length", data_length);
  if (data_length == 0) {
    // The sender compresses everything at or above the threshold, so an
    // uncompressed packet that large is malformed (or an attempt to bypass
    // the compressed-size checks).
    if (size >= threshold) return make_error(Errc::uncompressed_too_large, "uncompressed packet", size, threshold);
    return {};
  }
  if (data_length < threshold) {
    return make_error(Errc::compressed_below_threshold, "claimed size", data_length, threshold);
  }
  if (data_length > limits.max_claimed_size) {
    return make_error(Errc::compressed_too_large, "claimed size", data_length, limits.max_claimed_size);
  }
  if (data_length > limits.ratio_floor && data_length > size * limits.max_ratio) {
    return make_error(Errc::compression_ratio, "claimed size vs compressed size x ratio", data_length,
                      size * limits.max_ratio);
  }
  return {};
}

namespace detail {

// zlib keeps a pointer back to its z_stream, so the stream lives on the heap
// and the owning classes stay movable.
struct InflateStreamDeleter {
  void operator()(z_stream* s) const noexcept {
    inflateEnd(s);
    delete s;
  }
};
struct DeflateStreamDeleter {
  void operator()(z_stream* s) const noexcept {
    deflateEnd(s);
    delete s;
  }
};

inline Bytef* zlib_input(std::span<const std::uint8_t> in) noexcept {
  // zlib's API is not const-correct; it never writes through next_in.
  return const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data()));
}

}  // namespace detail

// Inflates the zlib payloads of compressed frames. Every call starts from a
// reset stream (each compressed Minecraft packet is a complete zlib stream),
// so nothing carries over from one packet to the next and one Inflater can
// serve any number of connections (CompressionWorkspace). Allocates nothing
// after the first inflate except what the caller's output buffer needs:
// zlib's state (~7 KiB) at construction, its 32 KiB window on first use.
class Inflater {
 public:
  // Throws std::bad_alloc when zlib cannot allocate its state, as any other
  // allocation would; nothing here depends on peer input.
  Inflater() : stream_(new z_stream{}) {
    if (inflateInit(stream_.get()) != Z_OK) {
      delete stream_.release();
      throw std::bad_alloc{};
    }
  }

  // Inflates a whole packet into `out`, which is resized to exactly
  // `claimed_size` (its capacity is reused across calls). Succeeds only when
  // the zlib stream is intact, ends exactly at `claimed_size` bytes and is
  // followed by nothing. Never writes or allocates beyond the claim. Callers
  // check the claim first (check_compressed_header; FrameDecoder does).
  // Returns a view of `out`.
  Result<std::span<const std::uint8_t>> inflate(std::span<const std::uint8_t> compressed,
                                                std::int32_t claimed_size, std::vector<std::uint8_t>& out) {
    if (claimed_size < 0) return make_error(Errc::negative_length, "claimed size", claimed_size);
    out.resize(static_cast<std::size_t>(claimed_size));
    z_stream& s = start(compressed);
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    int rc = Z_OK;
    while (rc == Z_OK && s.avail_out > 0 && s.avail_in > 0) rc = ::inflate(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return zlib_error(rc);
    if (rc != Z_STREAM_END && s.avail_out == 0) {
      // The claim is filled; the stream must now end without another byte.
      std::uint8_t extra = 0;
      s.next_out = &extra;
      s.avail_out = 1;
      rc = ::inflate(&s, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return zlib_error(rc);
      if (s.avail_out == 0) {
        return make_error(Errc::inflated_size_mismatch, "inflates beyond claimed size", claimed_size + 1,
                          claimed_size);
      }
    }
    if (rc != Z_STREAM_END) return make_error(Errc::inflate_failed, "zlib stream ends early");
    const auto produced = static_cast<std::int64_t>(s.total_out);
    if (produced != claimed_size) {
      return make_error(Errc::inflated_size_mismatch, "inflated size", produced, claimed_size);
    }
    if (s.avail_in != 0) return make_error(Errc::leftover_bytes, "after zlib stream", s.avail_in);
    return std::span<const std::uint8_t>{out};
  }

  // Checks that a compressed packet inflates to exactly `claimed_size` bytes,
  // without keeping them: the output goes through a small scratch buffer and
  // inflation stops one byte past the claim. For frames that are forwarded
  // uninspected: a peer could otherwise claim 300 bytes and send a stream that
  // inflates to 64 MiB, which only the receiver would find out. Returns the
  // bytes inflated (the claim) for the caller's inflate budget.
  Result<std::int32_t> verify(std::span<const std::uint8_t> compressed, std::int32_t claimed_size) {
    if (claimed_size < 0) return make_error(Errc::negative_length, "claimed size", claimed_size);
    std::uint8_t scratch[16 * 1024];
    z_stream& s = start(compressed);
    const auto claim = static_cast<std::uint64_t>(claimed_size);
    int rc = Z_OK;
    while (rc == Z_OK) {
      s.next_out = scratch;
      s.avail_out = sizeof scratch;
      rc = ::inflate(&s, Z_NO_FLUSH);
      if (s.total_out > claim) {
        return make_error(Errc::inflated_size_mismatch, "inflates beyond claimed size",
                          static_cast<std::int64_t>(s.total_out), claimed_size);
      }
      // No progress possible: the input ran out (Z_BUF_ERROR) before the end.
      if (rc == Z_OK && s.avail_in == 0 && s.avail_out != 0) break;
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return zlib_error(rc);
    if (rc != Z_STREAM_END) return make_error(Errc::inflate_failed, "zlib stream ends early");
    if (s.total_out != claim) {
      return make_error(Errc::inflated_size_mismatch, "inflated size", static_cast<std::int64_t>(s.total_out),
                        claimed_size);
    }
    if (s.avail_in != 0) return make_error(Errc::leftover_bytes, "after zlib stream", s.avail_in);
    return claimed_size;
  }

  // Inflates only the first min(dest.size(), claimed_size) bytes into `dest`
  // and returns them; the rest of the stream is not touched (not validated
  // either: inflate() does that). Costs the block header plus a few symbols,
  // whatever the packet's size.
  Result<std::span<const std::uint8_t>> peek(std::span<const std::uint8_t> compressed, std::int32_t claimed_size,
                                             std::span<std::uint8_t> dest) {
    if (claimed_size < 0) return make_error(Errc::negative_length, "claimed size", claimed_size);
    const std::size_t want = std::min(dest.size(), static_cast<std::size_t>(claimed_size));
    z_stream& s = start(compressed);
    s.next_out = dest.data();
    s.avail_out = static_cast<uInt>(want);
    int rc = Z_OK;
    while (rc == Z_OK && s.avail_out > 0 && s.avail_in > 0) rc = ::inflate(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return zlib_error(rc);
    const std::size_t produced = want - s.avail_out;
    if (produced < want) {
      if (rc == Z_STREAM_END) {
        return make_error(Errc::inflated_size_mismatch, "inflated size", static_cast<std::int64_t>(produced),
                          claimed_size);
      }
      return make_error(Errc::inflate_failed, "zlib stream ends early");
    }
    return std::span<const std::uint8_t>{dest.data(), produced};
  }

  // The packet id of a compressed packet, learned by inflating at most the 5
  // bytes of its VarInt.
  Result<std::int32_t> peek_packet_id(std::span<const std::uint8_t> compressed, std::int32_t claimed_size) {
    std::uint8_t head[kMaxVarIntBytes];
    auto got = peek(compressed, claimed_size, head);
    if (!got) return got.error();
    const auto id = read_varint_prefix(*got, kMaxVarIntBytes);
    if (id.status == VarIntStatus::too_long) return make_error(Errc::varint_too_long, "packet id");
    if (id.status != VarIntStatus::ok) return make_error(Errc::truncated, "packet id");
    return id.value;
  }

 private:
  z_stream& start(std::span<const std::uint8_t> compressed) noexcept {
    z_stream& s = *stream_;
    inflateReset(&s);
    s.next_in = detail::zlib_input(compressed);
    s.avail_in = static_cast<uInt>(compressed.size());
    return s;
  }
  static Error zlib_error(int rc) noexcept { return make_error(Errc::inflate_failed, "zlib error", rc); }

  std::unique_ptr<z_stream, detail::InflateStreamDeleter> stream_;
};

// Deflates packets for frames we build (the proxy's own packets, test streams).
// Each call writes one complete zlib stream from a reset state, so one
// Deflater serves any number of connections. zlib's state is large (~260 KiB
// at the default memory level, 64 KiB of it touched at once): create one only
// when something is to be compressed (CompressionWorkspace does).
class Deflater {
 public:
  // level: zlib's 0-9, or Z_DEFAULT_COMPRESSION (6). Throws std::bad_alloc
  // when zlib cannot allocate its state.
  explicit Deflater(int level = Z_DEFAULT_COMPRESSION) : stream_(new z_stream{}) {
    if (deflateInit(stream_.get(), level) != Z_OK) {
      delete stream_.release();
      throw std::bad_alloc{};
    }
  }

  // Appends one complete zlib stream of `in` to `out`.
  void deflate(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
    z_stream& s = *stream_;
    deflateReset(&s);
    const std::size_t start = out.size();
    out.resize(start + deflateBound(&s, static_cast<uLong>(in.size())));
    s.next_in = detail::zlib_input(in);
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = out.data() + start;
    s.avail_out = static_cast<uInt>(out.size() - start);
    // With deflateBound's room a single Z_FINISH call always completes.
    ::deflate(&s, Z_FINISH);
    out.resize(start + s.total_out);
  }

 private:
  std::unique_ptr<z_stream, detail::DeflateStreamDeleter> stream_;
};

// The zlib streams and scratch buffers that reading or writing one packet
// needs, and nothing that outlives the packet. Since each call of an
// Inflater or Deflater starts from a reset stream, one workspace serves any
// number of connections that are fed one at a time: the live proxy keeps one
// per io thread and lends it to every session on that thread; a session
// that is lent none makes its own on first use. Which workspace a session
// uses, or how many there are, never changes a result.
//
// Streams are created on first use (a workspace that only ever meets
// uncompressed packets costs nothing), and the scratch buffers are released
// by trim() after a rare huge packet grew them.
class CompressionWorkspace {
 public:
  static constexpr std::size_t kKeepCapacity = 256 * 1024;

  // `deflate_level`: zlib's 0-9 for the packets this workspace compresses.
  // The session's own packets are tiny: the fastest level by default.
  explicit CompressionWorkspace(int deflate_level = 1) noexcept : deflate_level_(deflate_level) {}
  CompressionWorkspace(CompressionWorkspace&&) noexcept = default;
  CompressionWorkspace& operator=(CompressionWorkspace&&) noexcept = default;

  Inflater& inflater() {
    if (!inflater_) inflater_.emplace();
    return *inflater_;
  }
  Deflater& deflater() {
    if (!deflater_) deflater_.emplace(deflate_level_);
    return *deflater_;
  }
  // A whole inflated packet; valid until the next packet.
  std::vector<std::uint8_t>& inflated() noexcept { return inflated_; }
  // A packet being built (id + fields), and its deflated form.
  std::vector<std::uint8_t>& packet() noexcept { return packet_; }
  std::vector<std::uint8_t>& deflated() noexcept { return deflated_; }

  // Releases the scratch buffers a huge packet grew past kKeepCapacity.
  void trim() noexcept {
    for (auto* v : {&inflated_, &packet_, &deflated_}) {
      if (v->capacity() > kKeepCapacity) std::vector<std::uint8_t>().swap(*v);
    }
  }

  bool has_inflater() const noexcept { return inflater_.has_value(); }
  bool has_deflater() const noexcept { return deflater_.has_value(); }

 private:
  int deflate_level_;
  std::optional<Inflater> inflater_;
  std::optional<Deflater> deflater_;
  std::vector<std::uint8_t> inflated_;
  std::vector<std::uint8_t> packet_;
  std::vector<std::uint8_t> deflated_;
};

}  // namespace rustguard::protocol
