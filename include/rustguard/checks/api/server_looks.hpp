#pragma once
// The server's part of a look check: Synchronize Player Position and Player
// Rotation set (or may set) the client's look, Login and Respawn start it
// over. A check that judges rotations with a LookTracker and has nothing else
// to do on those packets derives from ServerLooks<ItsOwnClass> and writes
// `using ServerLooks::on;` beside its own on() overloads; it inherits the
// clientbound kinds to read (kReadsClientbound) and the tracker (looks_).
// Part of the check API (checks/api/); the names stay in rustguard::engine.

#include <array>

#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/login_play_s2c.hpp"
#include "rustguard/protocol/packets/play/player_rotation_s2c.hpp"
#include "rustguard/protocol/packets/play/respawn_s2c.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"

namespace rustguard::engine {

template <class Check>
class ServerLooks {
 public:
  static constexpr std::array kReadsClientbound{
      protocol::PacketKind::sync_player_position_s2c, protocol::PacketKind::player_rotation_s2c,
      protocol::PacketKind::login_play_s2c, protocol::PacketKind::respawn_s2c};

  Verdict on(const protocol::packets::SyncPlayerPositionS2c&, const context::PlayerContext& ctx,
             const CheckSettings<Check>&, Reporter&) {
    looks_.server_rotation(ctx, /*is_teleport=*/true);
    return Verdict::pass;
  }
  Verdict on(const protocol::packets::PlayerRotationS2c&, const context::PlayerContext& ctx,
             const CheckSettings<Check>&, Reporter&) {
    looks_.server_rotation(ctx, /*is_teleport=*/false);
    return Verdict::pass;
  }
  Verdict on(const protocol::packets::LoginPlayS2c&, const context::PlayerContext&, const CheckSettings<Check>&,
             Reporter&) {
    looks_.reset();
    return Verdict::pass;
  }
  Verdict on(const protocol::packets::RespawnS2c&, const context::PlayerContext&, const CheckSettings<Check>&,
             Reporter&) {
    looks_.reset();
    return Verdict::pass;
  }

 protected:
  LookTracker looks_;
};

}  // namespace rustguard::engine
