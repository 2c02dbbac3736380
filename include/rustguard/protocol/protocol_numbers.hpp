#pragma once
// Protocol numbers of the releases where packet layouts change, so decoders
// read `protocol >= v1_21_2` instead of a bare 768. The full list of supported
// versions and their packet ids is generated (packet_ids.gen.hpp).

#include <cstdint>

namespace rustguard::protocol::v {

inline constexpr std::int32_t v1_8 = 47;
inline constexpr std::int32_t v1_9 = 107;
inline constexpr std::int32_t v1_9_1 = 108;
inline constexpr std::int32_t v1_10 = 210;
inline constexpr std::int32_t v1_11 = 315;
inline constexpr std::int32_t v1_12 = 335;
inline constexpr std::int32_t v1_12_2 = 340;
inline constexpr std::int32_t v1_13 = 393;
inline constexpr std::int32_t v1_14 = 477;
inline constexpr std::int32_t v1_15 = 573;
inline constexpr std::int32_t v1_16 = 735;
inline constexpr std::int32_t v1_16_2 = 751;
inline constexpr std::int32_t v1_16_5 = 754;
inline constexpr std::int32_t v1_17 = 755;
inline constexpr std::int32_t v1_17_1 = 756;
inline constexpr std::int32_t v1_18 = 757;
inline constexpr std::int32_t v1_18_2 = 758;
inline constexpr std::int32_t v1_19 = 759;
inline constexpr std::int32_t v1_19_1 = 760;
inline constexpr std::int32_t v1_19_3 = 761;
inline constexpr std::int32_t v1_19_4 = 762;
inline constexpr std::int32_t v1_20 = 763;
inline constexpr std::int32_t v1_20_2 = 764;
inline constexpr std::int32_t v1_20_3 = 765;
inline constexpr std::int32_t v1_20_5 = 766;
inline constexpr std::int32_t v1_21 = 767;
inline constexpr std::int32_t v1_21_2 = 768;
inline constexpr std::int32_t v1_21_4 = 769;
inline constexpr std::int32_t v1_21_5 = 770;
inline constexpr std::int32_t v1_21_6 = 771;
inline constexpr std::int32_t v1_21_7 = 772;
inline constexpr std::int32_t v1_21_9 = 773;
inline constexpr std::int32_t v1_21_11 = 774;
inline constexpr std::int32_t v26_1 = 775;

}  // namespace rustguard::protocol::v
