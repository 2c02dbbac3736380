#pragma once
// Login Plugin Request (clientbound, login, 1.13+): a server-side plugin
// message during login (Velocity modern forwarding, Forge handshakes). The
// data stays raw.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginPluginRequestS2c {
  static constexpr PacketKind kind = PacketKind::login_plugin_request_s2c;
  static constexpr std::size_t kMaxDataBytes = 1048576;

  std::int32_t message_id = 0;
  std::string channel;
  std::vector<std::uint8_t> data;

  static Result<LoginPluginRequestS2c> decode(std::span<const std::uint8_t> body,
                                              std::int32_t /*protocol*/) {
    Reader r{body};
    LoginPluginRequestS2c p;
    p.message_id = r.varint();
    p.channel = r.string(32767);
    if (r.ok() && r.remaining() > kMaxDataBytes) {
      return make_error(Errc::array_too_long, "Login Plugin Request data",
                        static_cast<std::int64_t>(r.remaining()), kMaxDataBytes);
    }
    const auto rest = r.take_rest();
    if (auto done = r.finish("Login Plugin Request"); !done) return done.error();
    p.data.assign(rest.begin(), rest.end());
    return p;
  }
};

}  // namespace rustguard::protocol::packets
