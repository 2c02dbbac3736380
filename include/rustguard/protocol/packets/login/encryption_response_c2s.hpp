#pragma once
// Encryption Response (serverbound, login "encryption_begin"): from the next
// byte on, both directions are AES-encrypted and opaque to the proxy (online
// mode without the proxy holding the keys). Only its arrival matters; the
// encrypted secret and token are not parsed.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct EncryptionResponseC2s {
  static constexpr PacketKind kind = PacketKind::encryption_response_c2s;

  static Result<EncryptionResponseC2s> decode(std::span<const std::uint8_t> body,
                                              std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    r.take_rest();  // RSA-encrypted secret and token: nothing to read
    if (auto done = r.finish("Encryption Response"); !done) return done.error();
    return EncryptionResponseC2s{};
  }
};

}  // namespace rustguard::protocol::packets
