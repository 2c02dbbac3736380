#pragma once
// Cookie Request (clientbound, login, 1.20.5+): the server asks for a cookie
// it stored on the client (e.g. before a transfer).

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginCookieRequestS2c {
  static constexpr PacketKind kind = PacketKind::login_cookie_request_s2c;

  std::string key;  // identifier

  static Result<LoginCookieRequestS2c> decode(std::span<const std::uint8_t> body,
                                              std::int32_t /*protocol*/) {
    Reader r{body};
    LoginCookieRequestS2c p;
    p.key = r.string(32767);
    if (auto done = r.finish("Cookie Request"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
