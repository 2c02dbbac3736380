#pragma once
// A system chat line for the client (play): what the proxy injects for its
// staff alerts. One kind, five layouts (minecraft-data's protocol.json):
//
//   47..734    chat         JSON string, i8 position (1 = system)
//   735..758   chat         JSON string, i8 position, UUID sender (1.16+)
//   759        system_chat  JSON string, varint chat type (1 = system, 1.19 only)
//   760..764   system_chat  JSON string, bool overlay (1.19.1+)
//   765..      system_chat  NBT text component, bool overlay (1.20.3+)
//
// The text is a component as in Disconnect (disconnect_s2c.hpp): JSON before
// 1.20.3, network NBT from 1.20.3, kept as its bytes. RustGuard only writes
// it (from_plain_text); decode() is there for the tests and the replay.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/disconnect_s2c.hpp"
#include "rustguard/protocol/packets/play/nbt_skip_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct SystemChatS2c {
  static constexpr PacketKind kind = PacketKind::system_chat_s2c;

  // The game reads a JSON component of at most 262144 characters.
  static constexpr std::int32_t kMaxJsonChars = 262144;
  // Chat position (before 1.19) and chat type (1.19): both say "system
  // message" with 1, which a client shows even with chat set to commands only.
  static constexpr std::int8_t kSystemPosition = 1;

  bool content_is_nbt = false;         // 1.20.3+
  std::vector<std::uint8_t> content;   // JSON text (UTF-8, no length prefix) or one NBT value
  std::int32_t position = kSystemPosition;  // before 1.19: the i8 position; 1.19: the chat type
  bool overlay = false;                // 1.19.1+: above the hotbar instead of in the chat
  Uuid sender{};                       // 1.16..1.18.2: zero for a system message

  static Result<SystemChatS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SystemChatS2c p;
    p.content_is_nbt = protocol >= v::v1_20_3;
    if (p.content_is_nbt) {
      const auto before = r.rest();
      detail::skip_nbt(r, false);
      if (r.ok()) p.content.assign(before.begin(), before.end() - static_cast<std::ptrdiff_t>(r.remaining()));
    } else {
      const std::string_view json = r.string_view(kMaxJsonChars);
      p.content.assign(json.begin(), json.end());
    }
    if (protocol < v::v1_19) {
      p.position = r.i8();
      if (protocol >= v::v1_16) p.sender = r.uuid();
    } else if (protocol == v::v1_19) {
      p.position = r.varint();
    } else {
      p.overlay = r.boolean();
    }
    if (auto res = r.finish("System Chat"); !res) return res.error();
    return p;
  }

  // A system line showing `text` (UTF-8) in the chat, in the version's form.
  static SystemChatS2c from_plain_text(std::string_view text, std::int32_t protocol) {
    // Disconnect's reason is the same text component, switching to NBT at the same release.
    DisconnectS2c component = DisconnectS2c::from_plain_text(text, protocol);
    SystemChatS2c p;
    p.content_is_nbt = component.reason_is_nbt;
    p.content = std::move(component.reason);
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t protocol) const {
    Writer w{body};
    if (content_is_nbt) {
      w.bytes(content);
    } else {
      w.varint(static_cast<std::int32_t>(content.size())).bytes(content);
    }
    if (protocol < v::v1_19) {
      w.i8(static_cast<std::int8_t>(position));
      if (protocol >= v::v1_16) w.uuid(sender);
    } else if (protocol == v::v1_19) {
      w.varint(position);
    } else {
      w.boolean(overlay);
    }
  }
};

}  // namespace rustguard::protocol::packets
