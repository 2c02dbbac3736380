#pragma once
// Update Attributes: base values and modifiers of an entity's attributes.
// Movement speed, jump strength, gravity, step height, scale and the reach
// ranges feed the movement and reach checks directly.
//
// Layouts: 1.8-1.16 an i32 count of (string key, f64 base, VarInt count of
// (uuid, f64 amount, byte operation)); 1.17 a VarInt count; 1.20.5 the key
// becomes a registry id; 1.21 modifiers are named by an identifier instead of
// a uuid.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/attribute_ids_s2c.hpp"
#include "rustguard/protocol/packets/play/attribute_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct AttributeModifier {
  Uuid uuid;        // before 1.21
  std::string id;   // 1.21+: an identifier such as "minecraft:sprinting"
  double amount = 0;
  std::uint8_t operation = 0;  // 0 add value, 1 add multiplied base, 2 multiply total
};

struct AttributeUpdate {
  Attribute attribute = Attribute::other;
  std::int32_t registry_id = -1;  // 1.20.5+; -1 before
  std::string name;               // before 1.20.5: the key as sent
  double base_value = 0;
  std::vector<AttributeModifier> modifiers;
};

struct UpdateAttributesS2c {
  static constexpr PacketKind kind = PacketKind::update_attributes_s2c;

  // The game has a few dozen attributes and a handful of modifiers each; the
  // caps only stop a hostile server from making the proxy allocate.
  static constexpr std::int32_t kMaxAttributes = 256;
  static constexpr std::int32_t kMaxModifiers = 1024;
  static constexpr std::size_t kMinAttributeBytes = 10;  // key >= 1, f64, count
  static constexpr std::size_t kMinModifierBytes = 10;   // id >= 1, f64, operation

  std::int32_t entity_id = 0;
  std::vector<AttributeUpdate> attributes;

  static Result<UpdateAttributesS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    UpdateAttributesS2c p;
    p.entity_id = r.varint();
    std::int32_t count = 0;
    if (protocol >= v::v1_17) {
      count = r.length(kMaxAttributes, "Update Attributes count");
    } else {
      count = r.i32();
      if (r.ok() && count < 0) r.fail(make_error(Errc::negative_length, "Update Attributes count", count));
      if (r.ok() && count > kMaxAttributes) {
        r.fail(make_error(Errc::array_too_long, "Update Attributes count", count, kMaxAttributes));
      }
    }
    if (!r.ok()) return r.error();
    // Reserve no more than the body could hold, whatever the count claims.
    p.attributes.reserve(std::min<std::size_t>(static_cast<std::size_t>(count), r.remaining() / kMinAttributeBytes));
    const auto ids = detail::attribute_id_table(protocol);
    for (std::int32_t i = 0; i < count && r.ok(); ++i) {
      AttributeUpdate a;
      if (protocol >= v::v1_20_5) {
        a.registry_id = r.varint();
        if (r.ok() && a.registry_id < 0) r.fail(make_error(Errc::invalid_value, "attribute id", a.registry_id));
        if (a.registry_id >= 0 && static_cast<std::size_t>(a.registry_id) < ids.size()) {
          a.attribute = ids[static_cast<std::size_t>(a.registry_id)];
        }
      } else {
        a.name = r.string(32767);
        a.attribute = attribute_from_name(a.name);
      }
      a.base_value = r.f64();
      const std::int32_t modifiers = r.length(kMaxModifiers, "attribute modifier count");
      if (!r.ok()) break;
      a.modifiers.reserve(std::min<std::size_t>(static_cast<std::size_t>(modifiers), r.remaining() / kMinModifierBytes));
      for (std::int32_t m = 0; m < modifiers && r.ok(); ++m) {
        AttributeModifier mod;
        if (protocol >= v::v1_21) {
          mod.id = r.string(32767);
        } else {
          mod.uuid = r.uuid();
        }
        mod.amount = r.f64();
        mod.operation = r.u8();
        if (r.ok() && mod.operation > 2) r.fail(make_error(Errc::invalid_value, "attribute modifier operation", mod.operation));
        a.modifiers.push_back(std::move(mod));
      }
      p.attributes.push_back(std::move(a));
    }
    if (auto res = r.finish("Update Attributes"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
