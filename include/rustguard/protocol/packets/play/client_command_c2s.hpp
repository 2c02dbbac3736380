#pragma once
// Client Command (serverbound, "client_command"): respawn after death, or a
// statistics request.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

enum class ClientCommandAction : std::uint8_t {
  perform_respawn = 0,
  request_stats = 1,
  open_inventory_achievement = 2,  // before 1.12 only
  request_gamerule_values = 3,     // 26.1+, sent as 2
};

struct ClientCommandC2s {
  static constexpr PacketKind kind = PacketKind::client_command_c2s;

  ClientCommandAction action = ClientCommandAction::perform_respawn;

  static Result<ClientCommandC2s> decode(std::span<const std::uint8_t> body,
                                         std::int32_t protocol) noexcept {
    Reader r{body};
    ClientCommandC2s p;
    const std::int32_t action = r.varint();
    const bool has_third = protocol < v::v1_12 || protocol >= v::v26_1;
    const std::int32_t max = has_third ? 2 : 1;
    if (r.ok()) {
      if (action < 0 || action > max) {
        r.fail(make_error(Errc::invalid_value, "Client Command action", action, max));
      } else if (action == 2) {
        p.action = protocol >= v::v26_1 ? ClientCommandAction::request_gamerule_values
                                        : ClientCommandAction::open_inventory_achievement;
      } else {
        p.action = static_cast<ClientCommandAction>(action);
      }
    }
    if (auto done = r.finish("Client Command"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
