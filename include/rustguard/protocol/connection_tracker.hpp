#pragma once
// Follows one Minecraft connection through its states, in both directions, from
// the packets that change them. Sans-I/O: the caller splits frames, learns each
// packet's id, and hands the tracker every packet in the order it crossed the
// wire in its direction. Bodies are needed only for the few packets that carry
// state (handshake, Set Compression, login identity, Velocity forwarding);
// wants_body() says which, so the caller inflates nothing else.
//
// Transitions (serverbound = C2s, clientbound = S2c):
//   handshake  --Intention(1)--> status (both directions)
//              --Intention(2|3)--> login (both; 3 = transfer, which logs in again)
//   login      --S2c Set Compression--> frames after it are compressed, both ways
//              --C2s Encryption Response--> opaque: nothing more can be read
//              --S2c Login Success--> before 1.20.2: play, both directions
//                                     from 1.20.2: wait for the client's ack
//              --C2s Login Acknowledged--> configuration, both directions
//   configuration --C2s Finish Configuration (ack)--> play, both directions
//   play       --C2s Configuration Acknowledged--> configuration, both directions
//              (sent by the client after S2c Start Configuration)
//
// The server's word moves the connection, never the client's alone. Every
// client acknowledgement (Login Acknowledged, Finish Configuration,
// Configuration Acknowledged, Encryption Response) is accepted only after the
// server packet that asks for it went by; an acknowledgement nobody asked
// for is an error that closes the connection. Otherwise a cheat client could
// move the tracker into a state the server is not in (say, configuration
// while the server still sends login packets): the tracker would then read
// every later packet with the wrong table, miss Set Compression, and let the
// client's play packets through uninspected.
//
// The server only sends configuration packets after it received the
// client's acknowledgement, and the client only sends play packets after it
// received Login Success; since the proxy sees the server's request before
// the client does, and the client's answer before the server does, switching
// both directions at the acknowledgement is exact.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/configuration/config_custom_payload_c2s.hpp"
#include "rustguard/protocol/packets/handshake/intention_c2s.hpp"
#include "rustguard/protocol/packets/login/login_plugin_request_s2c.hpp"
#include "rustguard/protocol/packets/login/login_plugin_response_c2s.hpp"
#include "rustguard/protocol/packets/login/login_start_c2s.hpp"
#include "rustguard/protocol/packets/login/login_success_s2c.hpp"
#include "rustguard/protocol/packets/login/set_compression_login_s2c.hpp"
#include "rustguard/protocol/packets/play/custom_payload_c2s.hpp"
#include "rustguard/protocol/packets/play/set_compression_play_s2c.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/velocity_forwarding.hpp"

namespace rustguard::protocol {

// Who the player is, as far as the connection has told us.
struct PlayerIdentity {
  std::string name;               // from Login Start, then Login Success (authoritative)
  std::optional<Uuid> uuid;       // from Login Start (1.20.2+), then Login Success
  std::string forwarded_address;  // the player's address from Velocity forwarding, if any
  bool velocity_forwarded = false;
  bool velocity_verified = false;  // its signature matched the configured secret
  std::string client_brand;       // "vanilla", "fabric", ... from minecraft:brand
};

// What a packet changed, for the caller to act on (switch a decoder to the
// compressed format, log the login, stop inspecting an encrypted stream).
struct TrackerUpdate {
  bool state_changed = false;
  std::optional<std::int32_t> compression_threshold;  // Set Compression: applies from the next frame
  bool encryption_started = false;  // every later byte is opaque, both directions
  bool logged_in = false;           // Login Success seen: identity().name/uuid are final
  bool identity_changed = false;    // Velocity forwarding or brand learned
  bool entered_play = false;        // the serverbound side just reached play
};

class ConnectionTracker {
 public:
  // Velocity's forwarding secret: from now on a forwarding answer must be
  // signed with it, or the packet is refused (Errc::forwarding_signature).
  // Empty: forwarding is read unverified.
  void require_velocity_secret(std::string secret) { velocity_secret_ = std::move(secret); }

  State state(Direction d) const noexcept { return d == Direction::serverbound ? c2s_ : s2c_; }
  // nullptr before the handshake, or when the version has no table (see version_unknown()).
  const VersionInfo* version() const noexcept { return version_; }
  std::int32_t protocol() const noexcept { return protocol_; }
  // The handshake announced a protocol number RustGuard has no table for.
  bool version_unknown() const noexcept { return version_unknown_; }
  packets::Intent intent() const noexcept { return intent_; }
  std::string_view server_address() const noexcept { return server_address_; }
  bool encrypted() const noexcept { return encrypted_; }
  std::int32_t compression_threshold() const noexcept { return compression_threshold_; }
  const PlayerIdentity& identity() const noexcept { return identity_; }

  // The kind of packet `id` in the current state of `direction`. The handshake
  // and status states look alike in every version, so they are classified even
  // before (or without) a known version.
  PacketKind classify(Direction direction, std::int32_t id) const noexcept {
    const State s = state(direction);
    const VersionInfo* table = version_;
    if (table == nullptr && (s == State::handshake || s == State::status)) table = &supported_versions().back();
    if (table == nullptr) return kUnknownPacketKind;
    return table->kind_of(s, direction, id);
  }

  // Whether packet `id` exists at all in the current state of `direction`
  // for the announced version (whether or not RustGuard inspects it). Before
  // the handshake, and in status, the ids are the same in every version.
  bool id_exists(Direction direction, std::int32_t id) const noexcept {
    const State s = state(direction);
    const VersionInfo* table = version_;
    if (table == nullptr && (s == State::handshake || s == State::status)) table = &supported_versions().back();
    if (table == nullptr) return true;  // an unknown version: nothing to judge by (the session is opaque)
    return table->has_id(s, direction, id);
  }

  // Whether on_packet() needs the body of a packet of this kind.
  static constexpr bool wants_body(PacketKind kind) noexcept {
    switch (kind) {
      case PacketKind::intention_c2s:
      case PacketKind::login_start_c2s:
      case PacketKind::login_success_s2c:
      case PacketKind::set_compression_login_s2c:
      case PacketKind::set_compression_play_s2c:
      case PacketKind::login_plugin_request_s2c:
      case PacketKind::login_plugin_response_c2s:
      case PacketKind::config_custom_payload_c2s:
      case PacketKind::custom_payload_c2s:
        return true;
      default:
        return false;
    }
  }

  // Applies one packet. `body` may be empty when !wants_body(kind). An Error
  // means the packet is malformed or impossible here: the connection should be
  // closed with error.message() as the reason.
  Result<TrackerUpdate> on_packet(Direction direction, PacketKind kind, std::span<const std::uint8_t> body) noexcept {
    TrackerUpdate u;
    if (encrypted_) return make_error(Errc::encrypted, "packet after encryption started");
    switch (kind) {
      case PacketKind::intention_c2s: {
        if (c2s_ != State::handshake) return make_error(Errc::unexpected_packet, "second handshake");
        auto p = packets::IntentionC2s::decode(body, 0);
        if (!p) return p.error();
        protocol_ = p->protocol_version;
        intent_ = p->intent;
        server_address_ = std::string(p->host());
        version_ = find_version(protocol_);
        version_unknown_ = version_ == nullptr;
        // Transfer (1.20.5+) logs in again exactly like a fresh login.
        set_both(intent_ == packets::Intent::status ? State::status : State::login, u);
        return u;
      }
      case PacketKind::login_start_c2s: {
        auto p = packets::LoginStartC2s::decode(body, protocol_);
        if (!p) return p.error();
        identity_.name = p->name;
        if (p->uuid) identity_.uuid = *p->uuid;
        return u;
      }
      case PacketKind::set_compression_login_s2c:
      case PacketKind::set_compression_play_s2c: {
        auto threshold = kind == PacketKind::set_compression_login_s2c
                             ? decode_threshold<packets::SetCompressionLoginS2c>(body)
                             : decode_threshold<packets::SetCompressionPlayS2c>(body);
        if (!threshold) return threshold.error();
        compression_threshold_ = *threshold;
        u.compression_threshold = *threshold;
        return u;
      }
      case PacketKind::encryption_request_s2c:
        encryption_requested_ = true;
        return u;
      case PacketKind::encryption_response_c2s:
        if (!encryption_requested_) return make_error(Errc::unexpected_packet, "Encryption Response without a request");
        encrypted_ = true;
        u.encryption_started = true;
        return u;
      case PacketKind::login_plugin_request_s2c: {
        auto p = packets::LoginPluginRequestS2c::decode(body, protocol_);
        if (!p) return p.error();
        if (p->channel == kVelocityForwardingChannel) velocity_message_id_ = p->message_id;
        return u;
      }
      case PacketKind::login_plugin_response_c2s: {
        auto p = packets::LoginPluginResponseC2s::decode(body, protocol_);
        if (!p) return p.error();
        if (velocity_message_id_ && *velocity_message_id_ == p->message_id && p->understood) {
          velocity_message_id_.reset();
          auto forwarded = parse_velocity_forwarding(p->data);
          if (!forwarded) return forwarded.error();
          // Without a secret the identity is taken as it is (docs/security.md).
          if (!velocity_secret_.empty() && !velocity_signature_matches(*forwarded, velocity_secret_)) {
            return make_error(Errc::forwarding_signature, "Velocity forwarding (velocity.forwarding_secret)");
          }
          identity_.velocity_verified = !velocity_secret_.empty();
          identity_.name = forwarded->name;
          identity_.uuid = forwarded->uuid;
          identity_.forwarded_address = forwarded->client_address;
          identity_.velocity_forwarded = true;
          u.identity_changed = true;
        }
        return u;
      }
      case PacketKind::login_success_s2c: {
        auto p = packets::LoginSuccessS2c::decode(body, protocol_);
        if (!p) return p.error();
        identity_.name = p->name;
        identity_.uuid = p->uuid;
        u.logged_in = true;
        if (protocol_ < v::v1_20_2) {
          set_both(State::play, u);
          u.entered_play = true;
        } else {
          awaiting_ = Awaiting::login_acknowledged;
        }
        return u;
      }
      case PacketKind::finish_configuration_s2c:
        awaiting_ = Awaiting::finish_configuration;
        return u;
      case PacketKind::start_configuration_s2c:
        awaiting_ = Awaiting::configuration_acknowledged;
        return u;
      case PacketKind::login_acknowledged_c2s:
        if (!take(Awaiting::login_acknowledged)) {
          return make_error(Errc::unexpected_packet, "Login Acknowledged before Login Success");
        }
        set_both(State::configuration, u);
        return u;
      case PacketKind::finish_configuration_c2s:
        if (!take(Awaiting::finish_configuration)) {
          return make_error(Errc::unexpected_packet, "Finish Configuration the server did not send");
        }
        set_both(State::play, u);
        u.entered_play = true;
        return u;
      case PacketKind::configuration_acknowledged_c2s:
        if (!take(Awaiting::configuration_acknowledged)) {
          return make_error(Errc::unexpected_packet, "Configuration Acknowledged without Start Configuration");
        }
        set_both(State::configuration, u);
        return u;
      case PacketKind::config_custom_payload_c2s:
      case PacketKind::custom_payload_c2s: {
        auto brand = kind == PacketKind::custom_payload_c2s ? brand_of<packets::CustomPayloadC2s>(body)
                                                            : brand_of<packets::ConfigCustomPayloadC2s>(body);
        if (!brand) return brand.error();
        if (!brand->empty()) {
          identity_.client_brand = std::move(*brand);
          u.identity_changed = true;
        }
        return u;
      }
      default:
        (void)direction;
        return u;
    }
  }

 private:
  // The client acknowledgement the server asked for and has not had yet.
  enum class Awaiting : std::uint8_t {
    nothing,
    login_acknowledged,          // after Login Success (1.20.2+)
    finish_configuration,        // after the server's Finish Configuration
    configuration_acknowledged,  // after Start Configuration (play)
  };

  bool take(Awaiting expected) noexcept {
    if (awaiting_ != expected) return false;
    awaiting_ = Awaiting::nothing;
    return true;
  }

  void set_both(State s, TrackerUpdate& u) noexcept {
    u.state_changed = u.state_changed || c2s_ != s || s2c_ != s;
    c2s_ = s;
    s2c_ = s;
  }

  template <class P>
  Result<std::int32_t> decode_threshold(std::span<const std::uint8_t> body) const noexcept {
    auto p = P::decode(body, protocol_);
    if (!p) return p.error();
    return p->threshold;
  }

  // The client brand if this plugin message is minecraft:brand ("MC|Brand" before 1.13), else "".
  template <class P>
  Result<std::string> brand_of(std::span<const std::uint8_t> body) const {
    auto p = P::decode(body, protocol_);
    if (!p) return p.error();
    auto brand = p->brand();
    if (!brand) return std::string{};
    return std::string(*brand);
  }

  State c2s_ = State::handshake;
  State s2c_ = State::handshake;
  const VersionInfo* version_ = nullptr;
  std::int32_t protocol_ = 0;
  bool version_unknown_ = false;
  packets::Intent intent_ = packets::Intent::status;
  std::string server_address_;
  bool encrypted_ = false;
  bool encryption_requested_ = false;
  Awaiting awaiting_ = Awaiting::nothing;
  std::int32_t compression_threshold_ = -1;
  std::optional<std::int32_t> velocity_message_id_;
  std::string velocity_secret_;
  PlayerIdentity identity_;
};

}  // namespace rustguard::protocol
