#pragma once
// Protocol numbers where a clientbound layout changes that protocol_numbers.hpp
// does not name (yet); the rest come from rustguard::protocol::v.

#include <cstdint>

#include "rustguard/protocol/protocol_numbers.hpp"

namespace rustguard::protocol::packets::detail {

inline constexpr std::int32_t v1_9_1 = 108;   // Join Game dimension byte -> int
inline constexpr std::int32_t v1_17_1 = 756;  // Remove Entities back to an id list
inline constexpr std::int32_t v1_18_2 = 758;  // effect ids byte -> VarInt

}  // namespace rustguard::protocol::packets::detail
