#pragma once
// Encryption Request (clientbound, login "encryption_begin"): the server asks
// for encryption; the client's Encryption Response that follows switches the
// stream to ciphertext. The server id, key and token are not parsed.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct EncryptionRequestS2c {
  static constexpr PacketKind kind = PacketKind::encryption_request_s2c;

  static Result<EncryptionRequestS2c> decode(std::span<const std::uint8_t> body,
                                             std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    r.take_rest();  // server id, public key, verify token: not needed
    if (auto done = r.finish("Encryption Request"); !done) return done.error();
    return EncryptionRequestS2c{};
  }
};

}  // namespace rustguard::protocol::packets
