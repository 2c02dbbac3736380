#pragma once
// Login Plugin Response (serverbound, login, 1.13+): the client's answer to a
// Login Plugin Request with the same message id (Velocity modern forwarding,
// Forge handshakes). The data stays raw.

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginPluginResponseC2s {
  static constexpr PacketKind kind = PacketKind::login_plugin_response_c2s;
  static constexpr std::size_t kMaxDataBytes = 1048576;

  std::int32_t message_id = 0;
  bool understood = false;          // false: the client does not know the channel
  std::vector<std::uint8_t> data;   // only when understood

  static Result<LoginPluginResponseC2s> decode(std::span<const std::uint8_t> body,
                                               std::int32_t /*protocol*/) {
    Reader r{body};
    LoginPluginResponseC2s p;
    p.message_id = r.varint();
    p.understood = r.boolean();
    if (r.ok() && r.remaining() > kMaxDataBytes) {
      return make_error(Errc::array_too_long, "Login Plugin Response data",
                        static_cast<std::int64_t>(r.remaining()), kMaxDataBytes);
    }
    if (p.understood) {
      const auto rest = r.take_rest();
      p.data.assign(rest.begin(), rest.end());
    }
    if (auto done = r.finish("Login Plugin Response"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
