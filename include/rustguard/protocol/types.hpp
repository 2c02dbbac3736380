#pragma once
// Plain value types that appear in packets.

#include <array>
#include <cstdint>
#include <string>

namespace rustguard::protocol {

struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  // Canonical 8-4-4-4-12 lowercase hex form.
  std::string to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 32; ++i) {
      const std::uint64_t word = i < 16 ? high : low;
      const int shift = 60 - 4 * (i % 16);
      s.push_back(kHex[(word >> shift) & 0xF]);
      if (i == 7 || i == 11 || i == 15 || i == 19) s.push_back('-');
    }
    return s;
  }
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

struct BlockPos {
  std::int32_t x = 0;
  std::int32_t y = 0;
  std::int32_t z = 0;
  friend bool operator==(const BlockPos&, const BlockPos&) = default;
};

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
  friend bool operator==(const Vec3&, const Vec3&) = default;
};

}  // namespace rustguard::protocol
