#pragma once
// A bounds-checked reader over one packet body. It never reads past its buffer.
//
// Errors are sticky: the first failure is recorded, every later read returns a
// zero value and changes nothing, and the caller checks once at the end:
//
//   Reader r{body};
//   double x = r.f64(); double y = r.f64(); bool on_ground = r.boolean();
//   if (auto res = r.finish("Set Position"); !res) return res.error();
//
// This keeps decoders short and branch-light on the hot path while still
// turning every short read or oversized field into an Error value.

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) noexcept
      : pos_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool ok() const noexcept { return error_.code == Errc::ok; }
  const Error& error() const noexcept { return error_; }
  std::size_t remaining() const noexcept { return ok() ? static_cast<std::size_t>(end_ - pos_) : 0; }
  bool at_end() const noexcept { return pos_ == end_; }
  std::span<const std::uint8_t> rest() const noexcept {
    return {pos_, static_cast<std::size_t>(end_ - pos_)};
  }

  // Records `e` unless an earlier error is already recorded.
  void fail(Error e) noexcept {
    if (ok()) error_ = e;
  }

  // Success when every read succeeded and the whole body was consumed.
  Result<void> finish(const char* packet) noexcept {
    if (!ok()) return error_;
    if (pos_ != end_) return make_error(Errc::leftover_bytes, packet, end_ - pos_);
    return {};
  }

  std::uint8_t u8() noexcept {
    if (!need(1, "u8")) return 0;
    return *pos_++;
  }
  std::int8_t i8() noexcept { return static_cast<std::int8_t>(u8()); }
  // Any non-zero byte reads as true, as the game itself does.
  bool boolean() noexcept { return u8() != 0; }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(big_endian<2>()); }
  std::int16_t i16() noexcept { return static_cast<std::int16_t>(u16()); }
  std::int32_t i32() noexcept { return static_cast<std::int32_t>(big_endian<4>()); }
  std::int64_t i64() noexcept { return static_cast<std::int64_t>(big_endian<8>()); }
  std::uint64_t u64() noexcept { return big_endian<8>(); }
  float f32() noexcept { return std::bit_cast<float>(static_cast<std::uint32_t>(big_endian<4>())); }
  double f64() noexcept { return std::bit_cast<double>(big_endian<8>()); }

  std::int32_t varint() noexcept {
    if (!ok()) return 0;
    const auto r = read_varint_prefix(rest(), kMaxVarIntBytes);
    if (r.status == VarIntStatus::ok) {
      pos_ += r.size;
      return r.value;
    }
    fail(r.status == VarIntStatus::too_long ? make_error(Errc::varint_too_long, "VarInt")
                                            : make_error(Errc::truncated, "VarInt"));
    return 0;
  }

  std::int64_t varlong() noexcept {
    if (!ok()) return 0;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kMaxVarLongBytes; ++i) {
      if (pos_ == end_) {
        fail(make_error(Errc::truncated, "VarLong"));
        return 0;
      }
      const std::uint8_t b = *pos_++;
      value |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) return static_cast<std::int64_t>(value);
    }
    fail(make_error(Errc::varlong_too_long, "VarLong"));
    return 0;
  }

  // A length prefix for arrays and byte strings: non-negative and <= max.
  std::int32_t length(std::int32_t max, const char* what) noexcept {
    const std::int32_t n = varint();
    if (!ok()) return 0;
    if (n < 0) {
      fail(make_error(Errc::negative_length, what, n));
      return 0;
    }
    if (n > max) {
      fail(make_error(Errc::array_too_long, what, n, max));
      return 0;
    }
    return n;
  }

  // A UTF-8 string with a VarInt byte-length prefix, capped at `max_chars`
  // UTF-16 code units as the game caps it (so at most 3 bytes per unit).
  // Returns a view into the buffer: valid as long as the buffer is.
  std::string_view string_view(std::int32_t max_chars = 32767) noexcept {
    const std::int32_t bytes = varint();
    if (!ok()) return {};
    if (bytes < 0) {
      fail(make_error(Errc::negative_length, "string", bytes));
      return {};
    }
    if (static_cast<std::int64_t>(bytes) > static_cast<std::int64_t>(max_chars) * 3) {
      fail(make_error(Errc::string_too_long, "string bytes", bytes, static_cast<std::int64_t>(max_chars) * 3));
      return {};
    }
    if (!need(static_cast<std::size_t>(bytes), "string")) return {};
    std::string_view s{reinterpret_cast<const char*>(pos_), static_cast<std::size_t>(bytes)};
    pos_ += bytes;
    if (const auto units = utf16_units(s); units > max_chars) {
      fail(make_error(Errc::string_too_long, "string", units, max_chars));
      return {};
    }
    return s;
  }
  std::string string(std::int32_t max_chars = 32767) { return std::string{string_view(max_chars)}; }

  Uuid uuid() noexcept {
    Uuid u;
    u.high = u64();
    u.low = u64();
    return u;
  }

  // Block position packed in 64 bits. Before 1.14 (protocol 477) the layout was
  // x:26 y:12 z:26; from 1.14 it is x:26 z:26 y:12.
  BlockPos position(bool before_1_14) noexcept {
    const std::int64_t v = i64();
    BlockPos p;
    p.x = static_cast<std::int32_t>(v >> 38);
    if (before_1_14) {
      p.y = static_cast<std::int32_t>((v << 26) >> 52);
      p.z = static_cast<std::int32_t>((v << 38) >> 38);
    } else {
      p.y = static_cast<std::int32_t>((v << 52) >> 52);
      p.z = static_cast<std::int32_t>((v << 26) >> 38);
    }
    return p;
  }

  // A rotation as a fraction of a full turn in one byte; returns degrees.
  float angle() noexcept { return static_cast<float>(u8()) * (360.0f / 256.0f); }

  // Skips n bytes (a field RustGuard does not need).
  void skip(std::size_t n, const char* what = "skipped field") noexcept {
    if (need(n, what)) pos_ += n;
  }
  // Consumes and returns everything that is left.
  std::span<const std::uint8_t> take_rest() noexcept {
    auto r = rest();
    if (ok()) pos_ = end_;
    return ok() ? r : std::span<const std::uint8_t>{};
  }
  std::span<const std::uint8_t> bytes(std::size_t n, const char* what = "bytes") noexcept {
    if (!need(n, what)) return {};
    std::span<const std::uint8_t> s{pos_, n};
    pos_ += n;
    return s;
  }

 private:
  bool need(std::size_t n, const char* what) noexcept {
    if (!ok()) return false;
    if (static_cast<std::size_t>(end_ - pos_) < n) {
      fail(make_error(Errc::truncated, what, static_cast<std::int64_t>(n), end_ - pos_));
      return false;
    }
    return true;
  }

  template <int N>
  std::uint64_t big_endian() noexcept {
    if (!need(N, "fixed-width field")) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < N; ++i) v = (v << 8) | pos_[i];
    pos_ += N;
    return v;
  }

  // UTF-16 code units the string would occupy: one per code point, two for
  // code points above U+FFFF (4-byte UTF-8 sequences).
  static std::int64_t utf16_units(std::string_view s) noexcept {
    std::int64_t units = 0;
    for (unsigned char c : s) {
      if ((c & 0xC0) != 0x80) units += (c >= 0xF0) ? 2 : 1;
    }
    return units;
  }

  const std::uint8_t* pos_;
  const std::uint8_t* end_;
  Error error_{};
};

}  // namespace rustguard::protocol
