#pragma once
// VarInt and VarLong: little-endian base-128, 7 bits per byte, high bit set on
// every byte but the last. A VarInt is at most 5 bytes, a VarLong at most 10;
// anything longer is rejected rather than silently truncated.

#include <cstddef>
#include <cstdint>
#include <span>

namespace rustguard::protocol {

inline constexpr std::size_t kMaxVarIntBytes = 5;
inline constexpr std::size_t kMaxVarLongBytes = 10;

// Outcome of decoding a VarInt from a prefix of a buffer that may still grow
// (a TCP stream). `incomplete` means "need more bytes", not an error.
enum class VarIntStatus : std::uint8_t { ok, incomplete, too_long };

// Eight bytes, so that it comes back in one register. Laid out as status,
// value, size, it took twelve and came back through the stack, and reading
// it there stalled on the byte stores just made (1.3 % of the proxy's
// samples at 1,000 players: docs/benchmarks.md, "A connection's hot fields
// in few lines").
struct VarIntRead {
  std::int32_t value = 0;
  std::uint8_t size = 0;  // bytes consumed when status == ok
  VarIntStatus status = VarIntStatus::incomplete;
};
static_assert(sizeof(VarIntRead) == 8, "returned in one register");

namespace detail {
constexpr VarIntRead read_varint_prefix_loop(std::span<const std::uint8_t> in, std::size_t max_bytes) noexcept {
  std::uint32_t value = 0;
  const std::size_t n = in.size() < max_bytes ? in.size() : max_bytes;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t b = in[i];
    value |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      return {static_cast<std::int32_t>(value), static_cast<std::uint8_t>(i + 1), VarIntStatus::ok};
    }
  }
  return {0, 0, in.size() >= max_bytes ? VarIntStatus::too_long : VarIntStatus::incomplete};
}
}  // namespace detail

// Decodes a VarInt from the start of `in`, reading at most `max_bytes` bytes
// (5 for a field, 3 for a frame length). Most VarInts on the wire (ids,
// small lengths) are one byte: that case is kept small so the compiler can
// inline it, and the loop is apart (it was 1.5 % of the proxy's CPU as a
// call). g++ still calls an out-of-line copy from some large callers, which
// is why the result's layout above matters.
constexpr VarIntRead read_varint_prefix(std::span<const std::uint8_t> in,
                                        std::size_t max_bytes = kMaxVarIntBytes) noexcept {
  if (!in.empty() && max_bytes != 0 && in[0] < 0x80) return {in[0], 1, VarIntStatus::ok};
  return detail::read_varint_prefix_loop(in, max_bytes);
}

constexpr std::size_t varint_size(std::int32_t v) noexcept {
  auto u = static_cast<std::uint32_t>(v);
  std::size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

// Writes `v` into `out` (at least 5 bytes); returns the number of bytes written.
constexpr std::size_t write_varint(std::uint8_t* out, std::int32_t v) noexcept {
  auto u = static_cast<std::uint32_t>(v);
  std::size_t n = 0;
  while (u >= 0x80) {
    out[n++] = static_cast<std::uint8_t>((u & 0x7F) | 0x80);
    u >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(u);
  return n;
}

constexpr std::size_t write_varlong(std::uint8_t* out, std::int64_t v) noexcept {
  auto u = static_cast<std::uint64_t>(v);
  std::size_t n = 0;
  while (u >= 0x80) {
    out[n++] = static_cast<std::uint8_t>((u & 0x7F) | 0x80);
    u >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(u);
  return n;
}

}  // namespace rustguard::protocol
