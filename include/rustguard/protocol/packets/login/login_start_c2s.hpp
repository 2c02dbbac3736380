#pragma once
// Login Start (serverbound, login "login_start"): the player name, and from
// 1.19.1 the profile UUID (optional until 1.20.2, always sent after). 1.19 to
// 1.19.2 may also carry the chat signing key, which is skipped.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct LoginStartC2s {
  static constexpr PacketKind kind = PacketKind::login_start_c2s;
  static constexpr std::int32_t kMaxNameChars = 16;
  // The game's limits on the 1.19-1.19.2 signing key parts.
  static constexpr std::int32_t kMaxPublicKeyBytes = 512;
  static constexpr std::int32_t kMaxKeySignatureBytes = 4096;

  std::string name;
  std::optional<Uuid> uuid;  // absent before 1.19.1, and when a 1.19.x client omits it

  static Result<LoginStartC2s> decode(std::span<const std::uint8_t> body,
                                      std::int32_t protocol) {
    Reader r{body};
    LoginStartC2s p;
    p.name = r.string(kMaxNameChars);
    if (protocol >= v::v1_19 && protocol < v::v1_19_3 && r.boolean()) {
      r.skip(8, "key expiry");
      r.skip(static_cast<std::size_t>(r.length(kMaxPublicKeyBytes, "public key")), "public key");
      r.skip(static_cast<std::size_t>(r.length(kMaxKeySignatureBytes, "key signature")), "key signature");
    }
    if (protocol >= v::v1_20_2) {
      p.uuid = r.uuid();
    } else if (protocol >= v::v1_19_1 && r.boolean()) {
      p.uuid = r.uuid();
    }
    if (auto done = r.finish("Login Start"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
