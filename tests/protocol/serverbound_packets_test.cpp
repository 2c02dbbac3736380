// Serverbound typed decoders (plus the handshake, status, login and
// configuration packets of both directions) against the bytes and values
// minecraft-protocol produced for every fixture release
// (tests/node/fixtures/serverbound.mjs).

#include <catch2/catch.hpp>

#include <functional>
#include <initializer_list>
#include <optional>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "packet_fixtures.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace serverbound_packets_test {

namespace {

using namespace rustguard::protocol;
using namespace rustguard::protocol::packets;
using rustguard::test::field_text;
using Fields = std::map<std::string, std::string>;

// ---- fields_of: decoded struct -> {C++ field name: text} -------------------

Fields fields_of(const SetPositionC2s& p) {
  return {{"x", field_text(p.x)}, {"feet_y", field_text(p.feet_y)}, {"z", field_text(p.z)},
          {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetPositionRotationC2s& p) {
  return {{"x", field_text(p.x)},         {"feet_y", field_text(p.feet_y)},
          {"z", field_text(p.z)},         {"yaw", field_text(p.yaw)},
          {"pitch", field_text(p.pitch)}, {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetRotationC2s& p) {
  return {{"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)},
          {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetMovementFlagsC2s& p) {
  return {{"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}


std::string hex_of(std::span<const std::uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

std::string name_of(Hand h) { return h == Hand::main_hand ? "main_hand" : "off_hand"; }
std::string name_of(Intent i) {
  switch (i) {
    case Intent::status: return "status";
    case Intent::login: return "login";
    case Intent::transfer: return "transfer";
  }
  return "?";
}
std::string name_of(InteractAction a) {
  switch (a) {
    case InteractAction::interact: return "interact";
    case InteractAction::attack: return "attack";
    case InteractAction::interact_at: return "interact_at";
  }
  return "?";
}
std::string name_of(BlockFace f) {
  static const char* const kNames[] = {"down", "up", "north", "south", "west", "east"};
  return kNames[static_cast<int>(f)];
}
std::string name_of(DiggingStatus s) {
  static const char* const kNames[] = {"start_digging",    "cancel_digging", "finish_digging",
                                       "drop_item_stack",  "drop_item",      "release_use_item",
                                       "swap_item_in_hand", "stab"};
  return kNames[static_cast<int>(s)];
}
std::string name_of(PlayerCommandAction a) {
  static const char* const kNames[] = {"start_sneaking",  "stop_sneaking",   "leave_bed",
                                       "start_sprinting", "stop_sprinting",  "start_horse_jump",
                                       "stop_horse_jump", "open_vehicle_inventory",
                                       "start_elytra_flying"};
  return kNames[static_cast<int>(a)];
}
std::string name_of(ClientCommandAction a) {
  static const char* const kNames[] = {"perform_respawn", "request_stats", "open_inventory_achievement",
                                       "request_gamerule_values"};
  return kNames[static_cast<int>(a)];
}
std::string name_of(ChatMode m) {
  static const char* const kNames[] = {"enabled", "commands_only", "hidden"};
  return kNames[static_cast<int>(m)];
}
std::string name_of(MainHand h) { return h == MainHand::left ? "left" : "right"; }
std::string name_of(ParticleStatus s) {
  static const char* const kNames[] = {"all", "decreased", "minimal"};
  return kNames[static_cast<int>(s)];
}

void put_position(Fields& f, const std::string& prefix, const BlockPos& p) {
  f[prefix + ".x"] = field_text(p.x);
  f[prefix + ".y"] = field_text(p.y);
  f[prefix + ".z"] = field_text(p.z);
}
void put_vec(Fields& f, const std::string& prefix, const Vec3& v) {
  f[prefix + ".x"] = field_text(v.x);
  f[prefix + ".y"] = field_text(v.y);
  f[prefix + ".z"] = field_text(v.z);
}
template <class T>
Fields no_fields(const T&) {
  return {};
}

Fields fields_of(const IntentionC2s& p) {
  return {{"protocol_version", field_text(p.protocol_version)},
          {"server_address", p.server_address},
          {"host", field_text(p.host())},
          {"server_port", field_text(p.server_port)},
          {"intent", name_of(p.intent)}};
}
Fields fields_of(const StatusRequestC2s& p) { return no_fields(p); }
Fields fields_of(const StatusPingC2s& p) { return {{"payload", field_text(p.payload)}}; }
Fields fields_of(const StatusPongS2c& p) { return {{"payload", field_text(p.payload)}}; }
Fields fields_of(const StatusResponseS2c& p) { return {{"json", p.json}}; }
Fields fields_of(const LoginStartC2s& p) {
  Fields f{{"name", p.name}};
  if (p.uuid) f["uuid"] = p.uuid->to_string();
  return f;
}
Fields fields_of(const EncryptionResponseC2s& p) { return no_fields(p); }
Fields fields_of(const EncryptionRequestS2c& p) { return no_fields(p); }
Fields fields_of(const LoginPluginResponseC2s& p) {
  return {{"message_id", field_text(p.message_id)}, {"understood", field_text(p.understood)},
          {"data", hex_of(p.data)}};
}
Fields fields_of(const LoginAcknowledgedC2s& p) { return no_fields(p); }
Fields fields_of(const LoginCookieResponseC2s& p) {
  return {{"key", p.key}, {"present", field_text(p.present)}, {"payload", hex_of(p.payload)}};
}
Fields fields_of(const LoginDisconnectS2c& p) { return {{"reason_json", p.reason_json}}; }
Fields fields_of(const LoginSuccessS2c& p) {
  Fields f{{"uuid", p.uuid.to_string()},
           {"name", p.name},
           {"property_count", field_text(p.properties.size())},
           {"strict_error_handling", field_text(p.strict_error_handling)}};
  for (std::size_t i = 0; i < p.properties.size(); ++i) {
    const std::string k = "properties." + std::to_string(i) + ".";
    f[k + "name"] = p.properties[i].name;
    f[k + "value"] = p.properties[i].value;
    f[k + "signed"] = field_text(p.properties[i].signed_);
    f[k + "signature"] = p.properties[i].signature;
  }
  return f;
}
Fields fields_of(const SetCompressionLoginS2c& p) { return {{"threshold", field_text(p.threshold)}}; }
Fields fields_of(const LoginPluginRequestS2c& p) {
  return {{"message_id", field_text(p.message_id)}, {"channel", p.channel}, {"data", hex_of(p.data)}};
}
Fields fields_of(const LoginCookieRequestS2c& p) { return {{"key", p.key}}; }

Fields fields_of(const ClientInformationC2s& p) {
  return {{"locale", p.locale},
          {"view_distance", field_text(p.view_distance)},
          {"chat_mode", name_of(p.chat_mode)},
          {"chat_colors", field_text(p.chat_colors)},
          {"skin_parts", field_text(p.skin_parts)},
          {"main_hand", name_of(p.main_hand)},
          {"text_filtering", field_text(p.text_filtering)},
          {"server_listing", field_text(p.server_listing)},
          {"particle_status", name_of(p.particle_status)}};
}
template <class P>
Fields payload_fields(const P& p) {
  Fields f{{"channel", p.channel}, {"data", hex_of(p.data)}};
  if (auto brand = p.brand()) f["brand"] = std::string(*brand);
  return f;
}
Fields fields_of(const CustomPayloadC2s& p) { return payload_fields(p); }
Fields fields_of(const ConfigCustomPayloadS2c& p) { return payload_fields(p); }
Fields fields_of(const FinishConfigurationC2s& p) { return no_fields(p); }
Fields fields_of(const FinishConfigurationS2c& p) { return no_fields(p); }
Fields fields_of(const ConfigKeepAliveC2s& p) { return {{"keep_alive_id", field_text(p.keep_alive_id)}}; }
Fields fields_of(const ConfigKeepAliveS2c& p) { return {{"keep_alive_id", field_text(p.keep_alive_id)}}; }
Fields fields_of(const ConfigPingS2c& p) { return {{"id", field_text(p.id)}}; }
Fields fields_of(const ConfigPongC2s& p) { return {{"id", field_text(p.id)}}; }
Fields fields_of(const ConfigDisconnectS2c& p) {
  Fields f{{"reason_is_nbt", field_text(p.reason_is_nbt)}, {"reason", hex_of(p.reason)}};
  if (auto text = p.nbt_plain_text()) f["nbt_plain_text"] = std::string(*text);
  return f;
}

Fields fields_of(const ConfirmTeleportC2s& p) { return {{"teleport_id", field_text(p.teleport_id)}}; }
Fields fields_of(const AttackC2s& p) { return {{"entity_id", field_text(p.entity_id)}}; }
Fields fields_of(const InteractC2s& p) {
  Fields f{{"entity_id", field_text(p.entity_id)},
           {"action", name_of(p.action)},
           {"hand", name_of(p.hand)},
           {"sneaking", field_text(p.sneaking)}};
  put_vec(f, "target", p.target);
  return f;
}
Fields fields_of(const KeepAliveC2s& p) { return {{"keep_alive_id", field_text(p.keep_alive_id)}}; }
Fields fields_of(const PongC2s& p) { return {{"id", field_text(p.id)}}; }
Fields fields_of(const WindowConfirmationC2s& p) {
  return {{"window_id", field_text(p.window_id)},
          {"action_number", field_text(p.action_number)},
          {"accepted", field_text(p.accepted)}};
}
Fields fields_of(const PlayerInputC2s& p) {
  return {{"forward", field_text(p.forward)},   {"backward", field_text(p.backward)},
          {"left", field_text(p.left)},         {"right", field_text(p.right)},
          {"jump", field_text(p.jump)},         {"sneak", field_text(p.sneak)},
          {"sprint", field_text(p.sprint)},     {"forward_impulse", field_text(p.forward_impulse)},
          {"sideways_impulse", field_text(p.sideways_impulse)}};
}
Fields fields_of(const ClientTickEndC2s& p) { return no_fields(p); }
Fields fields_of(const SwingArmC2s& p) { return {{"hand", name_of(p.hand)}}; }
Fields fields_of(const PlayerActionC2s& p) {
  Fields f{{"status", name_of(p.status)}, {"face", name_of(p.face)}, {"sequence", field_text(p.sequence)}};
  put_position(f, "position", p.position);
  return f;
}
Fields fields_of(const UseItemOnC2s& p) {
  Fields f{{"face", name_of(p.face)},
           {"targets_block", field_text(p.targets_block)},
           {"hand", name_of(p.hand)},
           {"inside_block", field_text(p.inside_block)},
           {"world_border_hit", field_text(p.world_border_hit)},
           {"sequence", field_text(p.sequence)}};
  put_position(f, "position", p.position);
  if (p.cursor_known) put_vec(f, "cursor", p.cursor);
  return f;
}
Fields fields_of(const UseItemC2s& p) {
  return {{"hand", name_of(p.hand)},
          {"sequence", field_text(p.sequence)},
          {"yaw", field_text(p.yaw)},
          {"pitch", field_text(p.pitch)},
          {"has_rotation", field_text(p.has_rotation)}};
}
Fields fields_of(const SetHeldItemC2s& p) { return {{"slot", field_text(p.slot)}}; }
Fields fields_of(const PlayerCommandC2s& p) {
  return {{"entity_id", field_text(p.entity_id)},
          {"action", name_of(p.action)},
          {"jump_boost", field_text(p.jump_boost)}};
}
Fields fields_of(const PlayerAbilitiesC2s& p) {
  return {{"flags", field_text(p.flags)},
          {"flying", field_text(p.flying)},
          {"flying_speed", field_text(p.flying_speed)},
          {"walking_speed", field_text(p.walking_speed)}};
}
Fields fields_of(const ChatMessageC2s& p) {
  return {{"message", p.message}, {"timestamp_ms", field_text(p.timestamp_ms)}};
}
Fields fields_of(const ChatCommandC2s& p) { return {{"command", p.command}}; }
Fields fields_of(const ConfigurationAcknowledgedC2s& p) { return no_fields(p); }
Fields fields_of(const VehicleMoveC2s& p) {
  return {{"x", field_text(p.x)},         {"y", field_text(p.y)},
          {"z", field_text(p.z)},         {"yaw", field_text(p.yaw)},
          {"pitch", field_text(p.pitch)}, {"on_ground", field_text(p.on_ground)}};
}
Fields fields_of(const ClientCommandC2s& p) { return {{"action", name_of(p.action)}}; }

// ---- decoder table ----------------------------------------------------------

using Decoded = std::variant<Fields, Error>;

struct Decoder {
  PacketKind kind;
  std::function<Decoded(std::span<const std::uint8_t>, std::int32_t)> decode;
  // True when decode() reads the whole body (calls finish()): then every
  // truncation and one extra byte must be errors. False for packets whose
  // tails are kept or skipped as raw bytes.
  bool whole_body;
};

template <class P>
Decoder decoder(bool whole_body = true) {
  return Decoder{P::kind,
                 [](std::span<const std::uint8_t> body, std::int32_t protocol) -> Decoded {
                   auto r = P::decode(body, protocol);
                   if (!r) return r.error();
                   return fields_of(*r);
                 },
                 whole_body};
}

const std::map<std::string, Decoder>& decoders() {
  static const std::map<std::string, Decoder> table = {
      {"set_position_c2s", decoder<SetPositionC2s>()},
      {"set_position_rotation_c2s", decoder<SetPositionRotationC2s>()},
      {"set_rotation_c2s", decoder<SetRotationC2s>()},
      {"set_movement_flags_c2s", decoder<SetMovementFlagsC2s>()},
      {"intention_c2s", decoder<IntentionC2s>()},
      {"status_request_c2s", decoder<StatusRequestC2s>()},
      {"status_ping_c2s", decoder<StatusPingC2s>()},
      {"status_pong_s2c", decoder<StatusPongS2c>()},
      {"status_response_s2c", decoder<StatusResponseS2c>()},
      {"login_start_c2s", decoder<LoginStartC2s>()},
      {"encryption_response_c2s", decoder<EncryptionResponseC2s>(false)},
      {"login_plugin_response_c2s", decoder<LoginPluginResponseC2s>(false)},
      {"login_acknowledged_c2s", decoder<LoginAcknowledgedC2s>()},
      {"login_cookie_response_c2s", decoder<LoginCookieResponseC2s>()},
      {"login_disconnect_s2c", decoder<LoginDisconnectS2c>()},
      {"encryption_request_s2c", decoder<EncryptionRequestS2c>(false)},
      {"login_success_s2c", decoder<LoginSuccessS2c>()},
      {"set_compression_login_s2c", decoder<SetCompressionLoginS2c>()},
      {"login_plugin_request_s2c", decoder<LoginPluginRequestS2c>(false)},
      {"login_cookie_request_s2c", decoder<LoginCookieRequestS2c>()},
      {"config_client_information_c2s", decoder<ConfigClientInformationC2s>()},
      {"config_custom_payload_c2s", decoder<ConfigCustomPayloadC2s>(false)},
      {"finish_configuration_c2s", decoder<FinishConfigurationC2s>()},
      {"config_keep_alive_c2s", decoder<ConfigKeepAliveC2s>()},
      {"config_pong_c2s", decoder<ConfigPongC2s>()},
      {"config_custom_payload_s2c", decoder<ConfigCustomPayloadS2c>(false)},
      {"config_disconnect_s2c", decoder<ConfigDisconnectS2c>(false)},
      {"finish_configuration_s2c", decoder<FinishConfigurationS2c>()},
      {"config_keep_alive_s2c", decoder<ConfigKeepAliveS2c>()},
      {"config_ping_s2c", decoder<ConfigPingS2c>()},
      {"confirm_teleport_c2s", decoder<ConfirmTeleportC2s>()},
      {"attack_c2s", decoder<AttackC2s>()},
      {"interact_c2s", decoder<InteractC2s>()},
      {"keep_alive_c2s", decoder<KeepAliveC2s>()},
      {"pong_c2s", decoder<PongC2s>()},
      {"window_confirmation_c2s", decoder<WindowConfirmationC2s>()},
      {"player_input_c2s", decoder<PlayerInputC2s>()},
      {"client_tick_end_c2s", decoder<ClientTickEndC2s>()},
      {"swing_arm_c2s", decoder<SwingArmC2s>()},
      {"player_action_c2s", decoder<PlayerActionC2s>()},
      {"use_item_on_c2s", decoder<UseItemOnC2s>()},
      {"use_item_c2s", decoder<UseItemC2s>()},
      {"set_held_item_c2s", decoder<SetHeldItemC2s>()},
      {"player_command_c2s", decoder<PlayerCommandC2s>()},
      {"player_abilities_c2s", decoder<PlayerAbilitiesC2s>()},
      {"chat_message_c2s", decoder<ChatMessageC2s>()},
      {"chat_command_c2s", decoder<ChatCommandC2s>()},
      {"configuration_acknowledged_c2s", decoder<ConfigurationAcknowledgedC2s>()},
      {"custom_payload_c2s", decoder<CustomPayloadC2s>(false)},
      {"vehicle_move_c2s", decoder<VehicleMoveC2s>()},
      {"client_command_c2s", decoder<ClientCommandC2s>()},
      {"client_information_c2s", decoder<ClientInformationC2s>()},
  };
  return table;
}

// Fixture kinds this suite owns: every serverbound kind, and the clientbound
// kinds of the handshake, status, login and configuration states.
bool owned(const std::string& kind) {
  for (std::size_t k = 0; k < kPacketKindCount; ++k) {
    const auto pk = static_cast<PacketKind>(k);
    if (name_of(pk) == kind) return direction_of(pk) == Direction::serverbound || state_of(pk) != State::play;
  }
  return false;
}

const VersionInfo& version_of(const std::string& release) {
  for (const auto& v : supported_versions()) {
    std::string_view names = v.release_names();
    while (!names.empty()) {
      const auto comma = names.find(", ");
      if (names.substr(0, comma) == release) return v;
      names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 2);
    }
  }
  throw std::runtime_error("no protocol for release " + release);
}

}  // namespace

TEST_CASE("serverbound decoders read what minecraft-protocol wrote, in every release") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const auto& version = version_of(release);
    int checked = 0;
    for (const auto& f : rustguard::test::load_packet_fixtures(release)) {
      if (!owned(f.kind)) continue;
      INFO(release << " line " << f.line << ": " << f.kind);
      const auto it = decoders().find(f.kind);
      REQUIRE(it != decoders().end());
      const Decoder& d = it->second;
      CHECK(id_of(version, d.kind) == f.id);
      auto decoded = d.decode(f.body, version.protocol());
      if (auto* e = std::get_if<Error>(&decoded)) FAIL(e->message());
      rustguard::test::check_fields(f, std::get<Fields>(decoded));
      ++checked;
    }
    INFO(release);
    CHECK(checked > 0);
  }
}

TEST_CASE("serverbound decoders reject truncated and overlong bodies without crashing") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const auto& version = version_of(release);
    for (const auto& f : rustguard::test::load_packet_fixtures(release)) {
      if (!owned(f.kind)) continue;
      INFO(release << " line " << f.line << ": " << f.kind);
      const auto it = decoders().find(f.kind);
      REQUIRE(it != decoders().end());
      const Decoder& d = it->second;
      for (std::size_t n = 0; n < f.body.size(); ++n) {
        // A copy of exactly n bytes, so ASan sees any read past the end.
        const std::vector<std::uint8_t> prefix(f.body.begin(), f.body.begin() + static_cast<std::ptrdiff_t>(n));
        const auto decoded = d.decode(prefix, version.protocol());
        if (d.whole_body) {
          INFO("truncated to " << n << " bytes");
          CHECK(std::holds_alternative<Error>(decoded));
        }
      }
      if (d.whole_body) {
        auto longer = f.body;
        longer.push_back(0);
        const auto decoded = d.decode(longer, version.protocol());
        REQUIRE(std::holds_alternative<Error>(decoded));
        CHECK(std::get<Error>(decoded).code == Errc::leftover_bytes);
      }
    }
  }
}

namespace {

// Must match DISCONNECT_TEXT in tests/node/fixtures/serverbound.mjs.
constexpr std::string_view kDisconnectText = "RustGuard: \"Fly\" (a)\\b\tv\xC3\xA9 \xE2\x9C\x93\n";

bool some_fixture_has_body(const std::string& release, const std::string& kind,
                           const std::vector<std::uint8_t>& body) {
  for (const auto& f : rustguard::test::load_packet_fixtures(release)) {
    if (f.kind == kind && f.body == body) return true;
  }
  return false;
}

template <class P>
Error decode_error(std::vector<std::uint8_t> body, std::int32_t protocol) {
  auto r = P::decode(body, protocol);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

std::vector<std::uint8_t> bytes_of(std::initializer_list<int> xs) {
  std::vector<std::uint8_t> out;
  for (int x : xs) out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

}  // namespace

TEST_CASE("disconnect encode() writes what minecraft-protocol writes for the same text") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const std::int32_t protocol = version_of(release).protocol();
    INFO(release);
    std::vector<std::uint8_t> body;
    LoginDisconnectS2c::from_plain_text(kDisconnectText).encode(body, protocol);
    CHECK(some_fixture_has_body(release, "login_disconnect_s2c", body));
    if (protocol >= v::v1_20_2) {
      body.clear();
      const auto config = ConfigDisconnectS2c::from_plain_text(kDisconnectText, protocol);
      config.encode(body, protocol);
      CHECK(some_fixture_has_body(release, "config_disconnect_s2c", body));
      REQUIRE(config.nbt_plain_text().has_value());
      CHECK(*config.nbt_plain_text() == kDisconnectText);
    }
  }
}

TEST_CASE("1.20.2 configuration disconnect is a JSON string and round-trips") {
  const auto p = ConfigDisconnectS2c::from_plain_text("bye \"you\"", v::v1_20_2);
  CHECK_FALSE(p.reason_is_nbt);
  std::vector<std::uint8_t> body;
  p.encode(body, v::v1_20_2);
  const auto back = ConfigDisconnectS2c::decode(body, v::v1_20_2);
  REQUIRE(back.ok());
  CHECK(std::string(back->reason.begin(), back->reason.end()) == R"({"text":"bye \"you\""})");
  CHECK_FALSE(back->nbt_plain_text().has_value());
}

TEST_CASE("NBT disconnect text encodes NUL and supplementary characters as modified UTF-8") {
  const auto p = ConfigDisconnectS2c::from_plain_text(std::string_view("a\0\xF0\x9F\x98\x80", 6), v::v1_21_4);
  CHECK(p.reason == bytes_of({8, 0, 9, 'a', 0xC0, 0x80, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}));
}

TEST_CASE("brand is read only from a brand channel holding exactly one string") {
  const auto brand = bytes_of({6, 'f', 'a', 'b', 'r', 'i', 'c'});
  CHECK(read_brand("minecraft:brand", brand) == std::optional<std::string_view>("fabric"));
  CHECK(read_brand("MC|Brand", brand) == std::optional<std::string_view>("fabric"));
  CHECK_FALSE(read_brand("minecraft:register", brand).has_value());
  auto longer = brand;
  longer.push_back(0);
  CHECK_FALSE(read_brand("minecraft:brand", longer).has_value());
  CHECK_FALSE(read_brand("minecraft:brand", bytes_of({7, 'f'})).has_value());
}

TEST_CASE("handshake validates the intent against the client's own version and caps the host") {
  const auto handshake = [](std::int32_t version, std::string_view address, int intent) {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(version).string(address).u16(25565).varint(intent);
    return IntentionC2s::decode(body, 0);
  };
  CHECK(handshake(v::v1_20_5, "a", 3).ok());
  CHECK(handshake(v::v1_20_3, "a", 3).error().code == Errc::invalid_handshake);
  CHECK(handshake(v::v1_8, "a", 0).error().code == Errc::invalid_handshake);
  CHECK(handshake(v::v1_8, "a", 4).error().code == Errc::invalid_handshake);
  CHECK(handshake(v::v1_8, std::string(256, 'h'), 2).error().code == Errc::string_too_long);
  const std::string forwarded = std::string("host\0", 5) + std::string(2000, 'p');
  const auto bungee = handshake(v::v1_8, forwarded, 2);
  REQUIRE(bungee.ok());
  CHECK(bungee->host() == "host");
  CHECK(bungee->forwarded_data().size() == 2000);
}

TEST_CASE("serverbound enumerations and flag bytes are validated") {
  // Interact action 3 does not exist.
  CHECK(decode_error<InteractC2s>(bytes_of({1, 3}), v::v1_12_2).code == Errc::invalid_value);
  // Hand 2 does not exist.
  CHECK(decode_error<SwingArmC2s>(bytes_of({2}), v::v1_16_5).code == Errc::invalid_value);
  // Block face 6 does not exist.
  CHECK(decode_error<PlayerActionC2s>(bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0}), v::v1_21).code ==
        Errc::invalid_value);
  // Swap-hands (6) is 1.9+, stab (7) 1.21.11+.
  CHECK(decode_error<PlayerActionC2s>(bytes_of({6, 0, 0, 0, 0, 0, 0, 0, 0, 0}), v::v1_8).code ==
        Errc::invalid_value);
  CHECK(decode_error<PlayerActionC2s>(bytes_of({7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), v::v1_21_9).code ==
        Errc::invalid_value);
  CHECK(PlayerActionC2s::decode(bytes_of({7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), v::v1_21_11).ok());
  // Player command 7 is past the end of 1.21.6's table (sneaking moved out).
  CHECK(decode_error<PlayerCommandC2s>(bytes_of({1, 7, 0}), v::v1_21_6).code == Errc::invalid_value);
  CHECK(decode_error<PlayerCommandC2s>(bytes_of({1, 0x7F, 0}), v::v1_8).code == Errc::invalid_value);
  // Movement flags and input flags with unknown bits.
  CHECK(decode_error<SetMovementFlagsC2s>(bytes_of({0x04}), v::v1_21_2).code == Errc::invalid_value);
  CHECK(SetMovementFlagsC2s::decode(bytes_of({0x04}), v::v1_21)->on_ground);
  CHECK(decode_error<PlayerInputC2s>(bytes_of({0x80}), v::v1_21_2).code == Errc::invalid_value);
  CHECK(decode_error<ClientCommandC2s>(bytes_of({2}), v::v1_12_2).code == Errc::invalid_value);
}

TEST_CASE("client information rejects an insane view distance") {
  const auto info = [](int view_distance) {
    std::vector<std::uint8_t> body;
    Writer{body}.string("en_us").i8(static_cast<std::int8_t>(view_distance)).varint(0).boolean(true).u8(0x7F).varint(1)
        .boolean(false).boolean(true);
    return ClientInformationC2s::decode(body, v::v1_20_3);
  };
  CHECK(info(32).ok());
  CHECK(info(-1).error().code == Errc::invalid_value);
  CHECK(info(ClientInformationC2s::kMaxViewDistance + 1).error().code == Errc::invalid_value);
}

TEST_CASE("1.8 block placement with an NBT item keeps position and face, not the cursor") {
  std::vector<std::uint8_t> body;
  Writer w{body};
  w.position({10, 64, -10}, true).i8(1).i16(276).i8(1).i16(0);
  w.u8(10).u16(0).u8(0);  // an empty compound, then the cursor bytes RustGuard does not reach
  w.i8(8).i8(8).i8(8);
  const auto p = UseItemOnC2s::decode(body, v::v1_8);
  REQUIRE(p.ok());
  CHECK(p->position == BlockPos{10, 64, -10});
  CHECK(p->face == BlockFace::up);
  CHECK_FALSE(p->cursor_known);
}

TEST_CASE("login success rejects a malformed text UUID and caps payload sizes") {
  std::vector<std::uint8_t> body;
  Writer{body}.string("069a79f4-44e9-4726-a5be-fca90e38aaXX").string("Steve");
  CHECK(decode_error<LoginSuccessS2c>(body, v::v1_12_2).code == Errc::invalid_value);

  std::vector<std::uint8_t> payload;
  Writer{payload}.string("x:y");
  payload.resize(payload.size() + CustomPayloadC2s::kMaxDataBytes + 1);
  CHECK(decode_error<CustomPayloadC2s>(payload, v::v1_21).code == Errc::array_too_long);
}

TEST_CASE("1.19-1.19.2 login start skips the signing key and reads the optional UUID") {
  std::vector<std::uint8_t> body;
  Writer w{body};
  w.string("Alex").boolean(true).i64(123).varint(3).u8(1).u8(2).u8(3).varint(2).u8(4).u8(5);
  w.boolean(true).uuid(Uuid{0x0123456789abcdefULL, 0xfedcba9876543210ULL});
  const auto p = LoginStartC2s::decode(body, v::v1_19_1);
  REQUIRE(p.ok());
  CHECK(p->name == "Alex");
  REQUIRE(p->uuid.has_value());
  CHECK(p->uuid->to_string() == "01234567-89ab-cdef-fedc-ba9876543210");
  // 1.19 has the key but no UUID field: the UUID bytes are then leftovers.
  CHECK(decode_error<LoginStartC2s>(body, v::v1_19).code == Errc::leftover_bytes);
}

}  // namespace serverbound_packets_test
