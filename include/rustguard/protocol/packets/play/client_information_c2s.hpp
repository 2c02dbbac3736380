#pragma once
// Client Information (serverbound, "settings"; also sent in configuration):
// locale, view distance, chat and skin options, main hand. Same layout in
// play and configuration.

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

enum class ChatMode : std::uint8_t { enabled = 0, commands_only = 1, hidden = 2 };
enum class MainHand : std::uint8_t { left = 0, right = 1 };
enum class ParticleStatus : std::uint8_t { all = 0, decreased = 1, minimal = 2 };

struct ClientInformationC2s {
  static constexpr PacketKind kind = PacketKind::client_information_c2s;
  static constexpr std::int32_t kMaxLocaleChars = 16;
  // Vanilla clients offer 2..32 chunks; mods and Bedrock bridges go higher.
  // A negative or larger value is not a setting any client offers.
  static constexpr std::int32_t kMaxViewDistance = 64;

  std::string locale;               // "en_us"
  std::int32_t view_distance = 0;   // chunks
  ChatMode chat_mode = ChatMode::enabled;
  bool chat_colors = true;
  std::uint8_t skin_parts = 0;      // bit mask of displayed skin layers
  MainHand main_hand = MainHand::right;  // right before 1.9
  bool text_filtering = false;      // 1.17+
  bool server_listing = true;       // 1.18+ ("allow server listings"); true before
  ParticleStatus particle_status = ParticleStatus::all;  // 1.21.2+

  static Result<ClientInformationC2s> decode(std::span<const std::uint8_t> body,
                                             std::int32_t protocol) {
    Reader r{body};
    ClientInformationC2s p;
    p.locale = r.string(kMaxLocaleChars);
    p.view_distance = r.i8();
    if (r.ok() && (p.view_distance < 0 || p.view_distance > kMaxViewDistance)) {
      r.fail(make_error(Errc::invalid_value, "view distance", p.view_distance, kMaxViewDistance));
    }
    const std::int32_t chat = protocol < v::v1_9 ? r.i8() : r.varint();
    p.chat_mode = checked<ChatMode>(r, chat, 2, "chat mode");
    p.chat_colors = r.boolean();
    p.skin_parts = r.u8();
    if (protocol >= v::v1_9) p.main_hand = checked<MainHand>(r, r.varint(), 1, "main hand");
    if (protocol >= v::v1_17) p.text_filtering = r.boolean();
    if (protocol >= v::v1_18) p.server_listing = r.boolean();
    if (protocol >= v::v1_21_2) {
      p.particle_status = checked<ParticleStatus>(r, r.varint(), 2, "particle status");
    }
    if (auto done = r.finish("Client Information"); !done) return done.error();
    return p;
  }

 private:
  template <class E>
  static E checked(Reader& r, std::int32_t v, std::int32_t max, const char* what) noexcept {
    if (!r.ok()) return E{};
    if (v < 0 || v > max) {
      r.fail(make_error(Errc::invalid_value, what, v, max));
      return E{};
    }
    return static_cast<E>(v);
  }
};

}  // namespace rustguard::protocol::packets
