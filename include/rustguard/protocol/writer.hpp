#pragma once
// Builds packet bodies and frames: the proxy uses it for the few packets it
// writes itself (Disconnect, its own Ping/transactions), tests use it to build
// inputs. Appends to a std::vector it does not own, so a caller can reuse one
// buffer for many packets.

#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) noexcept : out_(out) {}

  Writer& u8(std::uint8_t v) { out_.push_back(v); return *this; }
  Writer& i8(std::int8_t v) { return u8(static_cast<std::uint8_t>(v)); }
  Writer& boolean(bool v) { return u8(v ? 1 : 0); }
  Writer& u16(std::uint16_t v) { return big_endian(v, 2); }
  Writer& i16(std::int16_t v) { return big_endian(static_cast<std::uint16_t>(v), 2); }
  Writer& i32(std::int32_t v) { return big_endian(static_cast<std::uint32_t>(v), 4); }
  Writer& i64(std::int64_t v) { return big_endian(static_cast<std::uint64_t>(v), 8); }
  Writer& u64(std::uint64_t v) { return big_endian(v, 8); }
  Writer& f32(float v) { return big_endian(std::bit_cast<std::uint32_t>(v), 4); }
  Writer& f64(double v) { return big_endian(std::bit_cast<std::uint64_t>(v), 8); }
  Writer& varint(std::int32_t v) {
    std::uint8_t tmp[kMaxVarIntBytes];
    const auto n = write_varint(tmp, v);
    out_.insert(out_.end(), tmp, tmp + n);
    return *this;
  }
  Writer& varlong(std::int64_t v) {
    std::uint8_t tmp[kMaxVarLongBytes];
    const auto n = write_varlong(tmp, v);
    out_.insert(out_.end(), tmp, tmp + n);
    return *this;
  }
  Writer& string(std::string_view s) {
    varint(static_cast<std::int32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  Writer& bytes(std::span<const std::uint8_t> b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  Writer& uuid(const Uuid& u) { return u64(u.high).u64(u.low); }
  Writer& position(const BlockPos& p, bool before_1_14) {
    const auto x = static_cast<std::uint64_t>(p.x) & 0x3FFFFFF;
    const auto y = static_cast<std::uint64_t>(p.y) & 0xFFF;
    const auto z = static_cast<std::uint64_t>(p.z) & 0x3FFFFFF;
    return u64(before_1_14 ? (x << 38) | (y << 26) | z : (x << 38) | (z << 12) | y);
  }

  std::size_t size() const noexcept { return out_.size(); }

 private:
  Writer& big_endian(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<std::uint8_t>& out_;
};

}  // namespace rustguard::protocol
