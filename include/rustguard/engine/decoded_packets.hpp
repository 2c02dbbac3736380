#pragma once
// The play packets the engine can decode, one list per direction. Each entry
// is a packet struct (protocol/packets/play/<packet>.hpp) that declares its
// own `kind` and `decode(body, protocol)`; the engine's dispatch tables (kind
// -> decoder -> updaters and checks) are built from these lists at compile
// time, so no code switches over packet kinds. A kind is decoded only when
// something reads it (a check's kReads / kReadsClientbound, a context
// updater, or the engine itself); a check that reads a kind missing here
// fails to compile (engine/check_chain.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"

namespace rustguard::engine {

template <class... Packets>
struct PacketList {
  static constexpr std::size_t size = sizeof...(Packets);

  // Whether a struct of this list is the one of `kind`.
  static constexpr bool contains(protocol::PacketKind kind) noexcept { return ((Packets::kind == kind) || ...); }

  // f.template operator()<Packet>() for each struct, in list order.
  template <class F>
  static constexpr void for_each(F&& f) {
    (f.template operator()<Packets>(), ...);
  }
};

namespace pk = protocol::packets;

using DecodedServerbound = PacketList<
    pk::SetPositionC2s, pk::SetPositionRotationC2s, pk::SetRotationC2s, pk::SetMovementFlagsC2s,
    pk::ConfirmTeleportC2s, pk::PongC2s, pk::WindowConfirmationC2s, pk::KeepAliveC2s, pk::ClientTickEndC2s,
    pk::SetHeldItemC2s, pk::PlayerCommandC2s, pk::PlayerAbilitiesC2s, pk::PlayerInputC2s, pk::PlayerActionC2s,
    pk::InteractC2s, pk::AttackC2s, pk::SwingArmC2s, pk::UseItemC2s, pk::UseItemOnC2s, pk::VehicleMoveC2s,
    pk::ClientCommandC2s, pk::ClientInformationC2s, pk::CustomPayloadC2s, pk::ChatMessageC2s, pk::ChatCommandC2s,
    pk::ConfigurationAcknowledgedC2s>;

using DecodedClientbound = PacketList<
    pk::BundleDelimiterS2c, pk::LoginPlayS2c, pk::RespawnS2c, pk::StartConfigurationS2c, pk::GameEventS2c,
    pk::PlayerAbilitiesS2c, pk::EntityEffectS2c, pk::RemoveEntityEffectS2c, pk::UpdateAttributesS2c,
    pk::SetHealthS2c, pk::SetEntityVelocityS2c, pk::ExplosionS2c, pk::SyncPlayerPositionS2c,
    pk::PlayerRotationS2c, pk::SetPassengersS2c, pk::AttachEntityS2c, pk::PingS2c, pk::WindowConfirmationS2c,
    pk::KeepAliveS2c, pk::SpawnEntityS2c, pk::SpawnLivingEntityS2c, pk::SpawnPlayerS2c, pk::RemoveEntitiesS2c,
    pk::EntityRelativeMoveS2c, pk::EntityMoveRotationS2c, pk::EntityRotationS2c, pk::EntityTeleportS2c,
    pk::EntityPositionSyncS2c, pk::EntityStatusS2c, pk::ChunkDataS2c, pk::SetCompressionPlayS2c,
    pk::DisconnectS2c>;

// Marker packets whose arrival is all there is to read: the engine does not
// decode their (empty) body, as it never did, so a stray byte in one is the
// server's business, not a kick.
template <class Packet>
inline constexpr bool kArrivalOnly = false;
template <>
inline constexpr bool kArrivalOnly<pk::ClientTickEndC2s> = true;
template <>
inline constexpr bool kArrivalOnly<pk::BundleDelimiterS2c> = true;

// The packet of this body, as the engine reads it.
template <class Packet>
protocol::Result<Packet> decode_packet(std::span<const std::uint8_t> body, std::int32_t protocol_version) noexcept {
  if constexpr (kArrivalOnly<Packet>) {
    (void)body, (void)protocol_version;
    return Packet{};
  } else {
    return Packet::decode(body, protocol_version);
  }
}

// Every struct of both lists decodes a play kind of its own direction, once.
namespace detail {
template <class List>
constexpr bool well_formed(protocol::Direction direction) {
  std::array<int, protocol::kPacketKindCount> seen{};
  bool ok = true;
  List::for_each([&]<class Packet>() {
    ok = ok && protocol::is_known(Packet::kind) && protocol::state_of(Packet::kind) == protocol::State::play &&
         protocol::direction_of(Packet::kind) == direction && ++seen[static_cast<std::size_t>(Packet::kind)] == 1;
    if constexpr (kArrivalOnly<Packet>) ok = ok && std::is_empty_v<Packet>;
  });
  return ok;
}
}  // namespace detail
static_assert(detail::well_formed<DecodedServerbound>(protocol::Direction::serverbound),
              "DecodedServerbound: a struct of another state or direction, or one kind listed twice");
static_assert(detail::well_formed<DecodedClientbound>(protocol::Direction::clientbound),
              "DecodedClientbound: a struct of another state or direction, or one kind listed twice");

}  // namespace rustguard::engine
