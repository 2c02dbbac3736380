#pragma once
// Cookie Response (serverbound, login, 1.20.5+): the cookie the client holds
// for a key, if any. The payload stays raw.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginCookieResponseC2s {
  static constexpr PacketKind kind = PacketKind::login_cookie_response_c2s;
  static constexpr std::int32_t kMaxPayloadBytes = 5120;  // the game's cookie size limit

  std::string key;  // identifier
  bool present = false;
  std::vector<std::uint8_t> payload;

  static Result<LoginCookieResponseC2s> decode(std::span<const std::uint8_t> body,
                                               std::int32_t /*protocol*/) {
    Reader r{body};
    LoginCookieResponseC2s p;
    p.key = r.string(32767);
    p.present = r.boolean();
    if (p.present) {
      const auto bytes = r.bytes(static_cast<std::size_t>(r.length(kMaxPayloadBytes, "cookie payload")),
                                 "cookie payload");
      p.payload.assign(bytes.begin(), bytes.end());
    }
    if (auto done = r.finish("Cookie Response"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
