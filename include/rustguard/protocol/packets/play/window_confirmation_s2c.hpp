#pragma once
// Window Confirmation (transaction, before 1.17). A rejected (accepted =
// false) transaction makes the client answer with the same window id and
// action number, which is what RustGuard injects to mark points in the
// server's packet stream before Ping existed.

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct WindowConfirmationS2c {
  static constexpr PacketKind kind = PacketKind::window_confirmation_s2c;

  std::int8_t window_id = 0;  // 0 = the player's inventory
  std::int16_t action = 0;
  bool accepted = false;

  static Result<WindowConfirmationS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    WindowConfirmationS2c p;
    p.window_id = r.i8();
    p.action = r.i16();
    p.accepted = r.boolean();
    if (auto res = r.finish("Window Confirmation"); !res) return res.error();
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t /*protocol*/) const {
    Writer{body}.i8(window_id).i16(action).boolean(accepted);
  }
};

}  // namespace rustguard::protocol::packets
