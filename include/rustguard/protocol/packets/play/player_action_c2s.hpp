#pragma once
// Player Action (serverbound, "block_dig"): digging, dropping items, releasing
// a used item, swapping hands. Also defines BlockFace, the face of a block a
// packet refers to.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

enum class BlockFace : std::uint8_t { down = 0, up = 1, north = 2, south = 3, west = 4, east = 5 };

enum class DiggingStatus : std::uint8_t {
  start_digging = 0,
  cancel_digging = 1,
  finish_digging = 2,
  drop_item_stack = 3,
  drop_item = 4,
  release_use_item = 5,  // shoot a bow, finish eating
  swap_item_in_hand = 6, // 1.9+
  stab = 7,              // 1.21.11+ (spear)
};

namespace detail {

inline BlockFace face_from(std::int32_t v, Reader& r) noexcept {
  if (v < 0 || v > 5) {
    r.fail(make_error(Errc::invalid_value, "block face", v, 5));
    return BlockFace::down;
  }
  return static_cast<BlockFace>(v);
}

}  // namespace detail

struct PlayerActionC2s {
  static constexpr PacketKind kind = PacketKind::player_action_c2s;

  DiggingStatus status = DiggingStatus::start_digging;
  BlockPos position{};
  BlockFace face = BlockFace::down;
  std::int32_t sequence = 0;  // block-change acknowledgement id, 1.19+; 0 before

  static Result<PlayerActionC2s> decode(std::span<const std::uint8_t> body,
                                        std::int32_t protocol) noexcept {
    Reader r{body};
    PlayerActionC2s p;
    const std::int32_t status = r.varint();
    const std::int32_t max_status = protocol >= v::v1_21_11 ? 7 : protocol >= v::v1_9 ? 6 : 5;
    if (r.ok() && (status < 0 || status > max_status)) {
      r.fail(make_error(Errc::invalid_value, "Player Action status", status, max_status));
    }
    p.status = static_cast<DiggingStatus>(r.ok() ? status : 0);
    p.position = r.position(protocol < v::v1_14);
    const std::int8_t face = r.i8();
    if (r.ok()) p.face = detail::face_from(face, r);
    if (protocol >= v::v1_19) p.sequence = r.varint();
    if (auto done = r.finish("Player Action"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
