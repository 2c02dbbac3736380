#pragma once
// Window Confirmation (serverbound, "transaction", before 1.17): the client's
// answer to a clientbound transaction. Before 1.17 the proxy injects
// transactions with negative action numbers on window 0 to learn which server
// packets the client has processed, as it uses Ping/Pong from 1.17.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct WindowConfirmationC2s {
  static constexpr PacketKind kind = PacketKind::window_confirmation_c2s;

  std::int8_t window_id = 0;
  std::int16_t action_number = 0;
  bool accepted = false;

  static Result<WindowConfirmationC2s> decode(std::span<const std::uint8_t> body,
                                              std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    WindowConfirmationC2s p;
    p.window_id = r.i8();
    p.action_number = r.i16();
    p.accepted = r.boolean();
    if (auto done = r.finish("Window Confirmation"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
