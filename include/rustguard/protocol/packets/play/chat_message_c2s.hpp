#pragma once
// Chat Message (serverbound, "chat" / "chat_message"): a chat line the player
// typed (before 1.19 also commands, with a leading '/'). The 1.19+ signature
// parts are skipped: RustGuard reads the text and the client's timestamp.

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

namespace detail {

// Caps on 1.19-1.19.2 signature parts; vanilla's own limits are lower.
inline constexpr std::int32_t kMaxSignatureBytes = 4096;
inline constexpr std::int32_t kMaxLastSeenMessages = 20;
inline constexpr std::size_t kSignatureBytes1_19_3 = 256;  // fixed size from 1.19.3
inline constexpr std::size_t kAcknowledgedBitsetBytes = 3;  // 20 last-seen bits

inline void skip_byte_array(Reader& r, const char* what) noexcept {
  r.skip(static_cast<std::size_t>(r.length(kMaxSignatureBytes, what)), what);
}

// 1.19.1-1.19.2: the last seen messages (sender UUID + signature) and an
// optional last rejected message of the same form.
inline void skip_last_seen_1_19_1(Reader& r) noexcept {
  const std::int32_t seen = r.length(kMaxLastSeenMessages, "last seen messages");
  for (std::int32_t i = 0; i < seen && r.ok(); ++i) {
    r.skip(16, "last seen sender");
    skip_byte_array(r, "last seen signature");
  }
  if (r.boolean()) {
    r.skip(16, "last rejected sender");
    skip_byte_array(r, "last rejected signature");
  }
}

}  // namespace detail

struct ChatMessageC2s {
  static constexpr PacketKind kind = PacketKind::chat_message_c2s;

  std::string message;
  std::int64_t timestamp_ms = 0;  // client clock, Unix epoch ms; 1.19+, 0 before

  // Vanilla's limit on a chat line: 100 characters before 1.11, 256 after.
  static constexpr std::int32_t max_chars(std::int32_t protocol) noexcept {
    return protocol < v::v1_11 ? 100 : 256;
  }

  static Result<ChatMessageC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) {
    Reader r{body};
    ChatMessageC2s p;
    p.message = r.string(max_chars(protocol));
    if (protocol >= v::v1_19) {
      p.timestamp_ms = r.i64();
      r.skip(8, "salt");
      if (protocol < v::v1_19_3) {
        detail::skip_byte_array(r, "message signature");
        r.skip(1, "signed preview");
        if (protocol >= v::v1_19_1) detail::skip_last_seen_1_19_1(r);
      } else {
        if (r.boolean()) r.skip(detail::kSignatureBytes1_19_3, "message signature");
        r.varint();  // last-seen offset
        r.skip(detail::kAcknowledgedBitsetBytes, "acknowledged");
        if (protocol >= v::v1_21_5) r.skip(1, "checksum");
      }
    }
    if (auto done = r.finish("Chat Message"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
