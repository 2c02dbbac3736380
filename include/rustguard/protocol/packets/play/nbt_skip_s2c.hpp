#pragma once
// Skips one NBT value (registry codecs, dimension types, effect factor data,
// NBT chat components) without building it: RustGuard only needs to know
// where the value ends so it can read the fields after it, or keep its bytes.
//
// Network NBT has a root tag type byte followed, before 1.20.2, by the root's
// name (u16 length + bytes); from 1.20.2 the root is nameless. A root of type
// 0 (TAG_End) is an empty value. Nesting is capped at the game's 512 levels,
// and work is bounded by the input: every list element of a non-primitive
// type consumes at least one byte, and primitive lists are skipped in one go.

#include <cstddef>
#include <cstdint>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets::detail {

inline constexpr int kMaxNbtDepth = 512;

// Size of a tag's payload when fixed, 0 when variable (arrays, strings,
// lists, compounds), -1 for an unknown tag type.
constexpr int nbt_fixed_size(std::uint8_t type) noexcept {
  switch (type) {
    case 1: return 1;
    case 2: return 2;
    case 3: return 4;
    case 4: return 8;
    case 5: return 4;
    case 6: return 8;
    case 7: case 8: case 9: case 10: case 11: case 12: return 0;
    default: return -1;
  }
}

inline void skip_nbt_payload(Reader& r, std::uint8_t type, int depth) noexcept {
  if (!r.ok()) return;
  if (depth > kMaxNbtDepth) {
    r.fail(make_error(Errc::invalid_value, "NBT nesting depth", depth, kMaxNbtDepth));
    return;
  }
  const int fixed = nbt_fixed_size(type);
  if (fixed < 0 || type == 0) {
    r.fail(make_error(Errc::invalid_value, "NBT tag type", type));
    return;
  }
  if (fixed > 0) {
    r.skip(static_cast<std::size_t>(fixed), "NBT value");
    return;
  }
  auto array = [&r](std::size_t element_size) {
    const std::int32_t n = r.i32();
    if (!r.ok()) return;
    if (n < 0) {
      r.fail(make_error(Errc::negative_length, "NBT array length", n));
      return;
    }
    r.skip(static_cast<std::size_t>(n) * element_size, "NBT array");
  };
  switch (type) {
    case 7: array(1); return;
    case 11: array(4); return;
    case 12: array(8); return;
    case 8: r.skip(r.u16(), "NBT string"); return;
    case 9: {
      const std::uint8_t element = r.u8();
      const std::int32_t n = r.i32();
      if (!r.ok()) return;
      if (n < 0) {
        r.fail(make_error(Errc::negative_length, "NBT list length", n));
        return;
      }
      if (n == 0) return;
      if (element == 0) {
        r.fail(make_error(Errc::invalid_value, "NBT list of TAG_End", n));
        return;
      }
      const int element_size = nbt_fixed_size(element);
      if (element_size < 0) {
        r.fail(make_error(Errc::invalid_value, "NBT tag type", element));
        return;
      }
      if (element_size > 0) {
        r.skip(static_cast<std::size_t>(n) * static_cast<std::size_t>(element_size), "NBT list");
        return;
      }
      for (std::int32_t i = 0; i < n && r.ok(); ++i) skip_nbt_payload(r, element, depth + 1);
      return;
    }
    case 10:
      while (r.ok()) {
        const std::uint8_t child = r.u8();
        if (!r.ok() || child == 0) return;
        r.skip(r.u16(), "NBT name");
        skip_nbt_payload(r, child, depth + 1);
      }
      return;
    default: return;
  }
}

// Skips one network NBT value; `named_root` is true before 1.20.2.
inline void skip_nbt(Reader& r, bool named_root) noexcept {
  const std::uint8_t type = r.u8();
  if (!r.ok() || type == 0) return;
  if (named_root) r.skip(r.u16(), "NBT root name");
  skip_nbt_payload(r, type, 1);
}

}  // namespace rustguard::protocol::packets::detail
