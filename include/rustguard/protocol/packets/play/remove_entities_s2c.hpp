#pragma once
// Remove Entities (entity_destroy): tracked entities disappear. A VarInt count
// and ids, except 1.17.0 (protocol 755) which sent one id per packet.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct RemoveEntitiesS2c {
  static constexpr PacketKind kind = PacketKind::remove_entities_s2c;

  // Far more than a server removes in one tick; stops a hostile count.
  static constexpr std::int32_t kMaxIds = 65536;

  std::vector<std::int32_t> entity_ids;

  static Result<RemoveEntitiesS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    RemoveEntitiesS2c p;
    if (protocol == v::v1_17) {
      p.entity_ids.push_back(r.varint());
    } else {
      const std::int32_t n = r.length(kMaxIds, "Remove Entities count");
      p.entity_ids.reserve(std::min<std::size_t>(static_cast<std::size_t>(n), r.remaining()));
      for (std::int32_t i = 0; i < n && r.ok(); ++i) p.entity_ids.push_back(r.varint());
    }
    if (auto res = r.finish("Remove Entities"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
