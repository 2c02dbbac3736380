// Clientbound play decoders against minecraft-protocol's own bytes and values
// (tests/fixtures/packets/*.txt, written by tests/node/fixtures/clientbound.mjs),
// plus malformed bodies and the layouts the fixtures cannot produce.

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "packet_fixtures.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace clientbound_packets_test {

namespace {

using namespace rustguard::protocol;
using namespace rustguard::protocol::packets;
using rustguard::test::field_text;
using Fields = std::map<std::string, std::string>;

// --- fields_of: decoded struct -> {fixture field name: text} -------------------

void put_vec(Fields& f, const std::string& prefix, const Vec3& v) {
  f[prefix + "_x"] = field_text(v.x);
  f[prefix + "_y"] = field_text(v.y);
  f[prefix + "_z"] = field_text(v.z);
}
void put_xyz(Fields& f, const Vec3& v) {
  f["x"] = field_text(v.x);
  f["y"] = field_text(v.y);
  f["z"] = field_text(v.z);
}
void put_relative(Fields& f, const RelativeFlags& r) {
  f["relative_x"] = field_text(r.x);
  f["relative_y"] = field_text(r.y);
  f["relative_z"] = field_text(r.z);
  f["relative_yaw"] = field_text(r.yaw);
  f["relative_pitch"] = field_text(r.pitch);
  f["relative_velocity_x"] = field_text(r.velocity_x);
  f["relative_velocity_y"] = field_text(r.velocity_y);
  f["relative_velocity_z"] = field_text(r.velocity_z);
  f["rotate_velocity"] = field_text(r.rotate_velocity);
}
void put_dimension(Fields& f, const DimensionIdentity& d) {
  f["legacy_dimension"] = field_text(d.legacy_dimension);
  f["dimension_type_id"] = field_text(d.dimension_type_id);
  f["dimension_type_name"] = d.dimension_type_name;
  f["world_name"] = d.world_name;
}
template <class Ids>
void put_ids(Fields& f, const std::string& name, const Ids& ids) {
  f[name + ".length"] = field_text(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) f[name + "." + std::to_string(i)] = field_text(ids[i]);
}
std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (const auto b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 0xF]);
  }
  return s;
}

Fields fields_of(const SetEntityVelocityS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}};
  put_vec(f, "velocity", p.velocity);
  return f;
}
Fields fields_of(const SyncPlayerPositionS2c& p) {
  Fields f{{"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)}, {"teleport_id", field_text(p.teleport_id)},
           {"dismount_vehicle", field_text(p.dismount_vehicle)}};
  put_xyz(f, p.position);
  put_vec(f, "velocity", p.velocity);
  put_relative(f, p.relative);
  return f;
}
Fields fields_of(const PlayerRotationS2c& p) {
  return {{"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)}, {"relative_yaw", field_text(p.relative_yaw)},
          {"relative_pitch", field_text(p.relative_pitch)}};
}
Fields fields_of(const EntityEffectS2c& p) {
  return {{"entity_id", field_text(p.entity_id)}, {"effect_id", field_text(p.effect_id)},
          {"amplifier", field_text(p.amplifier)}, {"duration_ticks", field_text(p.duration_ticks)},
          {"ambient", field_text(p.ambient)}, {"show_particles", field_text(p.show_particles)},
          {"show_icon", field_text(p.show_icon)}, {"blend", field_text(p.blend)},
          {"has_factor_data", field_text(p.has_factor_data)}};
}
Fields fields_of(const RemoveEntityEffectS2c& p) {
  return {{"entity_id", field_text(p.entity_id)}, {"effect_id", field_text(p.effect_id)}};
}
Fields fields_of(const UpdateAttributesS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"attributes.length", field_text(p.attributes.size())}};
  for (std::size_t i = 0; i < p.attributes.size(); ++i) {
    const auto& a = p.attributes[i];
    const std::string k = "attributes." + std::to_string(i) + ".";
    f[k + "attribute"] = std::string(to_string(a.attribute));
    f[k + "name"] = a.name;
    f[k + "registry_id"] = field_text(a.registry_id);
    f[k + "base_value"] = field_text(a.base_value);
    f[k + "modifiers.length"] = field_text(a.modifiers.size());
    for (std::size_t m = 0; m < a.modifiers.size(); ++m) {
      const std::string km = k + "modifiers." + std::to_string(m) + ".";
      f[km + "uuid"] = a.modifiers[m].uuid.to_string();
      f[km + "id"] = a.modifiers[m].id;
      f[km + "amount"] = field_text(a.modifiers[m].amount);
      f[km + "operation"] = field_text(a.modifiers[m].operation);
    }
  }
  return f;
}
Fields fields_of(const ExplosionS2c& p) {
  Fields f{{"has_knockback", field_text(p.has_knockback)}};
  put_xyz(f, p.center);
  put_vec(f, "knockback", p.knockback);
  return f;
}
Fields fields_of(const GameEventS2c& p) { return {{"event", field_text(p.event)}, {"value", field_text(p.value)}}; }
Fields fields_of(const PlayerAbilitiesS2c& p) {
  return {{"invulnerable", field_text(p.invulnerable)}, {"flying", field_text(p.flying)},
          {"may_fly", field_text(p.may_fly)}, {"instabuild", field_text(p.instabuild)},
          {"fly_speed", field_text(p.fly_speed)}, {"walk_speed", field_text(p.walk_speed)}};
}
Fields fields_of(const KeepAliveS2c& p) { return {{"id", field_text(p.id)}}; }
Fields fields_of(const PingS2c& p) { return {{"id", field_text(p.id)}}; }
Fields fields_of(const WindowConfirmationS2c& p) {
  return {{"window_id", field_text(p.window_id)}, {"action", field_text(p.action)}, {"accepted", field_text(p.accepted)}};
}
Fields fields_of(const LoginPlayS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"hardcore", field_text(p.hardcore)},
           {"game_mode", field_text(p.game_mode)}, {"previous_game_mode", field_text(p.previous_game_mode)}};
  put_dimension(f, p.dimension);
  return f;
}
Fields fields_of(const RespawnS2c& p) {
  Fields f{{"game_mode", field_text(p.game_mode)}, {"previous_game_mode", field_text(p.previous_game_mode)},
           {"data_kept", field_text(p.data_kept)}};
  put_dimension(f, p.dimension);
  return f;
}
Fields fields_of(const SpawnEntityS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"uuid", p.uuid.to_string()}, {"type", field_text(p.type)},
           {"pitch", field_text(p.pitch)}, {"yaw", field_text(p.yaw)}, {"head_yaw", field_text(p.head_yaw)},
           {"data", field_text(p.data)}};
  put_xyz(f, p.position);
  put_vec(f, "velocity", p.velocity);
  return f;
}
Fields fields_of(const SpawnLivingEntityS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"uuid", p.uuid.to_string()}, {"type", field_text(p.type)},
           {"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)}, {"head_yaw", field_text(p.head_yaw)}};
  put_xyz(f, p.position);
  put_vec(f, "velocity", p.velocity);
  return f;
}
Fields fields_of(const SpawnPlayerS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"uuid", p.uuid.to_string()}, {"yaw", field_text(p.yaw)},
           {"pitch", field_text(p.pitch)}};
  put_xyz(f, p.position);
  return f;
}
Fields fields_of(const EntityRelativeMoveS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"on_ground", field_text(p.on_ground)}};
  put_vec(f, "delta", p.delta);
  return f;
}
Fields fields_of(const EntityMoveRotationS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"on_ground", field_text(p.on_ground)},
           {"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)}};
  put_vec(f, "delta", p.delta);
  return f;
}
Fields fields_of(const EntityRotationS2c& p) {
  return {{"entity_id", field_text(p.entity_id)}, {"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)},
          {"on_ground", field_text(p.on_ground)}};
}
Fields fields_of(const EntityTeleportS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)},
           {"on_ground", field_text(p.on_ground)}};
  put_xyz(f, p.position);
  put_vec(f, "velocity", p.velocity);
  put_relative(f, p.relative);
  return f;
}
Fields fields_of(const EntityPositionSyncS2c& p) {
  Fields f{{"entity_id", field_text(p.entity_id)}, {"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)},
           {"on_ground", field_text(p.on_ground)}};
  put_xyz(f, p.position);
  put_vec(f, "velocity", p.velocity);
  return f;
}
Fields fields_of(const RemoveEntitiesS2c& p) {
  Fields f;
  put_ids(f, "entity_ids", p.entity_ids);
  return f;
}
Fields fields_of(const SetHealthS2c& p) {
  return {{"health", field_text(p.health)}, {"food", field_text(p.food)}, {"saturation", field_text(p.saturation)}};
}
Fields fields_of(const StartConfigurationS2c&) { return {}; }
Fields fields_of(const BundleDelimiterS2c&) { return {}; }
Fields fields_of(const DisconnectS2c& p) {
  return {{"reason_is_nbt", field_text(p.reason_is_nbt)}, {"reason", hex(p.reason)}};
}
Fields fields_of(const AttachEntityS2c& p) {
  return {{"entity_id", field_text(p.entity_id)}, {"vehicle_id", field_text(p.vehicle_id)}, {"leash", field_text(p.leash)}};
}
Fields fields_of(const SetPassengersS2c& p) {
  Fields f{{"vehicle_id", field_text(p.vehicle_id)}};
  put_ids(f, "passenger_ids", p.passenger_ids);
  return f;
}
Fields fields_of(const EntityStatusS2c& p) {
  return {{"entity_id", field_text(p.entity_id)}, {"status", field_text(p.status)}};
}
Fields fields_of(const ChunkDataS2c& p) {
  return {{"chunk_x", field_text(p.chunk_x)}, {"chunk_z", field_text(p.chunk_z)}};
}
Fields fields_of(const SetCompressionPlayS2c& p) { return {{"threshold", field_text(p.threshold)}}; }

// --- dispatch by kind name -----------------------------------------------------

struct Decoded {
  Error error;
  Fields fields;
};
using DecodeFn = std::function<Decoded(std::span<const std::uint8_t>, std::int32_t)>;

template <class T>
std::pair<std::string, DecodeFn> entry() {
  return {std::string(name_of(T::kind)), [](std::span<const std::uint8_t> body, std::int32_t protocol) {
            auto res = T::decode(body, protocol);
            if (!res) return Decoded{res.error(), {}};
            return Decoded{{}, fields_of(*res)};
          }};
}

const std::map<std::string, DecodeFn>& decoders() {
  static const std::map<std::string, DecodeFn> table = {
      entry<LoginPlayS2c>(), entry<SyncPlayerPositionS2c>(), entry<PlayerRotationS2c>(),
      entry<EntityEffectS2c>(), entry<RemoveEntityEffectS2c>(), entry<UpdateAttributesS2c>(),
      entry<SetEntityVelocityS2c>(), entry<ExplosionS2c>(), entry<GameEventS2c>(),
      entry<PlayerAbilitiesS2c>(), entry<RespawnS2c>(), entry<KeepAliveS2c>(), entry<PingS2c>(),
      entry<WindowConfirmationS2c>(), entry<SpawnEntityS2c>(), entry<SpawnLivingEntityS2c>(),
      entry<SpawnPlayerS2c>(), entry<EntityRelativeMoveS2c>(), entry<EntityMoveRotationS2c>(),
      entry<EntityRotationS2c>(), entry<EntityTeleportS2c>(), entry<EntityPositionSyncS2c>(),
      entry<RemoveEntitiesS2c>(), entry<SetHealthS2c>(), entry<StartConfigurationS2c>(),
      entry<BundleDelimiterS2c>(), entry<DisconnectS2c>(), entry<SetPassengersS2c>(), entry<AttachEntityS2c>(),
      entry<EntityStatusS2c>(), entry<ChunkDataS2c>(), entry<SetCompressionPlayS2c>(),
  };
  return table;
}

// Kinds whose decoder stops after the needed fields (take_rest) in `protocol`:
// a cut inside the skipped tail is not an error there.
bool tail_is_skipped(const std::string& kind, std::int32_t protocol) {
  if (kind == "chunk_data_s2c") return true;
  if (kind == "explosion_s2c") return protocol >= v::v1_20_3;
  if (kind == "spawn_living_entity_s2c" || kind == "spawn_player_s2c") return protocol < v::v1_15;
  return false;
}

const VersionInfo& version_of(const std::string& release) {
  for (const VersionInfo& v : supported_versions()) {
    const std::string names{v.release_names()};
    std::size_t start = 0;
    while (start <= names.size()) {
      const std::size_t end = std::min(names.find(", ", start), names.size());
      if (names.substr(start, end - start) == release) return v;
      start = end + 2;
    }
  }
  throw std::runtime_error("release not in the registry: " + release);
}

PacketKind kind_named(const std::string& name) {
  for (std::size_t k = 0; k < static_cast<std::size_t>(PacketKind::count); ++k) {
    if (name_of(static_cast<PacketKind>(k)) == name) return static_cast<PacketKind>(k);
  }
  return kUnknownPacketKind;
}

std::vector<rustguard::test::PacketFixture> clientbound_play_fixtures(const std::string& release) {
  std::vector<rustguard::test::PacketFixture> out;
  for (auto& f : rustguard::test::load_packet_fixtures(release)) {
    const PacketKind k = kind_named(f.kind);
    if (is_known(k) && direction_of(k) == Direction::clientbound && state_of(k) == State::play) out.push_back(f);
  }
  return out;
}

std::span<const std::uint8_t> bytes_of(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

}  // namespace

TEST_CASE("clientbound play decoders read what minecraft-protocol wrote, in every release", "[packets][s2c]") {
  std::set<std::string> seen;
  for (const auto& release : rustguard::test::fixture_releases()) {
    const VersionInfo& version = version_of(release);
    const auto fixtures = clientbound_play_fixtures(release);
    REQUIRE(fixtures.size() > 20);
    for (const auto& f : fixtures) {
      INFO(release << " line " << f.line << ": " << f.kind);
      const auto it = decoders().find(f.kind);
      REQUIRE(it != decoders().end());
      CHECK(f.id == id_of(version, kind_named(f.kind)));
      const Decoded d = it->second(bytes_of(f.body), version.protocol());
      INFO(d.error.message());
      REQUIRE(d.error.code == Errc::ok);
      rustguard::test::check_fields(f, d.fields);
      seen.insert(f.kind);
    }
  }
  // Every decoder met at least one fixture.
  for (const auto& [kind, fn] : decoders()) {
    INFO(kind);
    CHECK(seen.count(kind) == 1);
  }
}

TEST_CASE("clientbound play decoders reject truncated and overlong bodies", "[packets][s2c]") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const std::int32_t protocol = version_of(release).protocol();
    for (const auto& f : clientbound_play_fixtures(release)) {
      INFO(release << " line " << f.line << ": " << f.kind);
      const DecodeFn& decode = decoders().at(f.kind);
      const bool skips_tail = tail_is_skipped(f.kind, protocol);
      for (std::size_t cut = 0; cut < f.body.size(); ++cut) {
        const std::vector<std::uint8_t> shorter(f.body.begin(), f.body.begin() + static_cast<std::ptrdiff_t>(cut));
        const Decoded d = decode(bytes_of(shorter), protocol);
        if (!skips_tail || cut == 0) {
          INFO("cut at " << cut);
          CHECK(d.error.code != Errc::ok);
        }
      }
      if (!skips_tail) {
        auto longer = f.body;
        longer.push_back(0);
        CHECK(decode(bytes_of(longer), protocol).error.code == Errc::leftover_bytes);
      }
    }
  }
}

TEST_CASE("keep-alive, ping and window confirmation encode the bytes minecraft-protocol writes", "[packets][s2c]") {
  int checked = 0;
  for (const auto& release : rustguard::test::fixture_releases()) {
    const std::int32_t protocol = version_of(release).protocol();
    for (const auto& f : clientbound_play_fixtures(release)) {
      INFO(release << " line " << f.line << ": " << f.kind);
      std::vector<std::uint8_t> out;
      if (f.kind == "keep_alive_s2c") {
        KeepAliveS2c::decode(bytes_of(f.body), protocol)->encode(out, protocol);
      } else if (f.kind == "ping_s2c") {
        PingS2c::decode(bytes_of(f.body), protocol)->encode(out, protocol);
      } else if (f.kind == "window_confirmation_s2c") {
        WindowConfirmationS2c::decode(bytes_of(f.body), protocol)->encode(out, protocol);
      } else {
        continue;
      }
      CHECK(out == f.body);
      ++checked;
    }
  }
  CHECK(checked >= 3 * 12);
}

TEST_CASE("disconnect from plain text matches minecraft-protocol in every release", "[packets][s2c]") {
  // The same texts as DISCONNECT_TEXTS in tests/node/fixtures/clientbound.mjs.
  const std::vector<std::string> texts = {"Kicked by RustGuard: Speed (A) \"x3\"\n\tbye \\ \xc3\xa9\xe4\xb8\xad", "x"};
  for (const auto& release : rustguard::test::fixture_releases()) {
    const std::int32_t protocol = version_of(release).protocol();
    std::size_t index = 0;
    for (const auto& f : clientbound_play_fixtures(release)) {
      if (f.kind != "disconnect_s2c") continue;
      INFO(release << " line " << f.line);
      REQUIRE(index < texts.size());
      std::vector<std::uint8_t> out;
      DisconnectS2c::from_plain_text(texts[index++], protocol).encode(out, protocol);
      CHECK(out == f.body);
    }
    CHECK(index == texts.size());
  }
}

TEST_CASE("disconnect NBT text escapes NUL and astral characters as modified UTF-8", "[packets][s2c]") {
  const auto p = DisconnectS2c::from_plain_text(std::string("a\0b\xf0\x9f\x98\x80", 7), v::v1_20_3);
  const std::vector<std::uint8_t> expected = {8, 0, 10, 'a', 0xC0, 0x80, 'b', 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80};
  CHECK(p.reason == expected);
  std::vector<std::uint8_t> body;
  p.encode(body, v::v1_20_3);
  const auto back = DisconnectS2c::decode(bytes_of(body), v::v1_20_3);
  REQUIRE(back.ok());
  CHECK(back->reason == expected);

  // A compound component is kept whole.
  const std::vector<std::uint8_t> compound = {10, 8, 0, 4, 't', 'e', 'x', 't', 0, 2, 'h', 'i', 1, 0, 4, 'b', 'o', 'l', 'd', 1, 0};
  const auto c = DisconnectS2c::decode(bytes_of(compound), v::v26_1);
  REQUIRE(c.ok());
  CHECK(c->reason == compound);
}

TEST_CASE("explosion knockback is three doubles in 1.21.2/1.21.3", "[packets][s2c]") {
  // minecraft-data types it as f32 for these two releases; the game writes f64.
  std::vector<std::uint8_t> body;
  Writer w{body};
  w.f64(1.5).f64(-2.25).f64(3.0).boolean(true).f64(0.125).f64(0.5).f64(-0.75);
  w.varint(22).varint(0);  // a particle id and a sound id: skipped
  const auto p = ExplosionS2c::decode(bytes_of(body), v::v1_21_2);
  REQUIRE(p.ok());
  CHECK(p->center == Vec3{1.5, -2.25, 3.0});
  CHECK(p->has_knockback);
  CHECK(p->knockback == Vec3{0.125, 0.5, -0.75});
}

TEST_CASE("layouts of releases without fixtures", "[packets][s2c]") {
  SECTION("1.17 position carries dismount_vehicle") {
    std::vector<std::uint8_t> body;
    Writer{body}.f64(1).f64(2).f64(3).f32(10).f32(20).u8(0x03).varint(9).boolean(true);
    const auto p = SyncPlayerPositionS2c::decode(bytes_of(body), v::v1_17);
    REQUIRE(p.ok());
    CHECK(p->dismount_vehicle);
    CHECK(p->teleport_id == 9);
    CHECK(p->relative.x);
    CHECK(p->relative.y);
    CHECK_FALSE(p->relative.z);
  }
  SECTION("1.17.0 remove entities sends one id") {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(300);
    const auto p = RemoveEntitiesS2c::decode(bytes_of(body), v::v1_17);
    REQUIRE(p.ok());
    CHECK(p->entity_ids == std::vector<std::int32_t>{300});
  }
  SECTION("1.19 effect with named-root factor NBT") {
    std::vector<std::uint8_t> body;
    Writer w{body};
    w.varint(5).varint(2).i8(1).varint(100).u8(0x06).boolean(true);
    // TAG_Compound "" { TAG_Int "a" = 7 }
    w.u8(10).u16(0).u8(3).u16(1).u8('a').i32(7).u8(0);
    const auto p = EntityEffectS2c::decode(bytes_of(body), v::v1_19);
    REQUIRE(p.ok());
    CHECK(p->effect_id == 1);  // 1-based on the wire before 1.20.2
    CHECK(p->has_factor_data);
  }
  SECTION("1.9.1+ login dimension is an int, hardcore in the mode byte") {
    std::vector<std::uint8_t> body;
    Writer{body}.i32(7).u8(0x08 | 1).i32(-1).u8(2).u8(20).string("default").boolean(false);
    const auto p = LoginPlayS2c::decode(bytes_of(body), v::v1_12_2);
    REQUIRE(p.ok());
    CHECK(p->hardcore);
    CHECK(p->game_mode == 1);
    CHECK(p->dimension.legacy_dimension == -1);
  }
  SECTION("a game mode above spectator is rejected") {
    std::vector<std::uint8_t> body;
    Writer{body}.i32(7).u8(5).i8(0).u8(2).u8(20).string("default").boolean(false);
    const auto p = LoginPlayS2c::decode(bytes_of(body), v::v1_8);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::invalid_value);
    CHECK(p.error().value == 5);
  }
}

TEST_CASE("attribute names normalise across eras", "[packets][s2c]") {
  CHECK(attribute_from_name("generic.movementSpeed") == Attribute::movement_speed);
  CHECK(attribute_from_name("minecraft:generic.movement_speed") == Attribute::movement_speed);
  CHECK(attribute_from_name("minecraft:movement_speed") == Attribute::movement_speed);
  CHECK(attribute_from_name("horse.jumpStrength") == Attribute::jump_strength);
  CHECK(attribute_from_name("minecraft:player.block_interaction_range") == Attribute::block_interaction_range);
  CHECK(attribute_from_name("generic.attackDamage") == Attribute::other);
  CHECK(attribute_from_name("movement_speedx") == Attribute::other);
  CHECK(attribute_from_name("") == Attribute::other);
  // Tables are dense and every id maps to something.
  CHECK(rustguard::protocol::packets::detail::attribute_id_table(v::v1_20_3).empty());
  CHECK(rustguard::protocol::packets::detail::attribute_id_table(v::v1_20_5).size() == 22);
  CHECK(rustguard::protocol::packets::detail::attribute_id_table(v::v26_1).size() >= 35);
}

TEST_CASE("hostile counts and NBT are errors, not allocations or hangs", "[packets][s2c]") {
  SECTION("attribute count above the cap") {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(1).varint(UpdateAttributesS2c::kMaxAttributes + 1);
    const auto p = UpdateAttributesS2c::decode(bytes_of(body), v::v1_21_5);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::array_too_long);
  }
  SECTION("legacy i32 attribute count negative") {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(1).i32(-1);
    const auto p = UpdateAttributesS2c::decode(bytes_of(body), v::v1_8);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::negative_length);
  }
  SECTION("modifier operation out of range") {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(1).varint(1).varint(17).f64(0.1).varint(1).string("minecraft:x").f64(1).u8(3);
    const auto p = UpdateAttributesS2c::decode(bytes_of(body), v::v1_21_5);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::invalid_value);
  }
  SECTION("remove entities count above the cap") {
    std::vector<std::uint8_t> body;
    Writer{body}.varint(RemoveEntitiesS2c::kMaxIds + 1);
    CHECK(RemoveEntitiesS2c::decode(bytes_of(body), v::v1_21_5).error().code == Errc::array_too_long);
  }
  SECTION("NBT nested deeper than 512 lists") {
    std::vector<std::uint8_t> body;
    Writer w{body};
    w.u8(9);  // root list (a 1.20.3+ disconnect reason is one anonymous NBT value)
    for (int i = 0; i < 600; ++i) w.u8(9).i32(1);  // list of one list of ...
    w.u8(1).i32(0);
    const auto p = DisconnectS2c::decode(bytes_of(body), v::v1_21_5);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::invalid_value);
  }
  SECTION("NBT list claiming two billion compounds in a few bytes") {
    std::vector<std::uint8_t> body;
    Writer{body}.u8(9).u8(10).i32(2000000000).u8(0).u8(0);
    CHECK(DisconnectS2c::decode(bytes_of(body), v::v1_21_5).error().code == Errc::truncated);
  }
  SECTION("NBT list of TAG_End with elements, unknown tag type") {
    std::vector<std::uint8_t> a;
    Writer{a}.u8(9).u8(0).i32(5);
    CHECK(DisconnectS2c::decode(bytes_of(a), v::v1_21_5).error().code == Errc::invalid_value);
    std::vector<std::uint8_t> b;
    Writer{b}.u8(13).u8(0);
    CHECK(DisconnectS2c::decode(bytes_of(b), v::v1_21_5).error().code == Errc::invalid_value);
  }
}

TEST_CASE("lpVec3 velocity decodes the zero form and large scales", "[packets][s2c]") {
  std::vector<std::uint8_t> zero = {0x05, 0x00};
  const auto z = SetEntityVelocityS2c::decode(bytes_of(zero), v::v1_21_9);
  REQUIRE(z.ok());
  CHECK(z->entity_id == 5);
  CHECK(z->velocity == Vec3{});
  // A continuation byte whose VarInt is cut off is an error.
  std::vector<std::uint8_t> cut = {0x05, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK(SetEntityVelocityS2c::decode(bytes_of(cut), v::v1_21_9).error().code == Errc::truncated);
}

// RustGuard writes Synchronize Player Position itself (setbacks, rewritten
// teleport ids): what it writes must be byte for byte what the game sends.
TEST_CASE("sync player position re-encodes to the game's own bytes", "[packets][s2c][setback]") {
  std::size_t checked = 0;
  for (const std::string& release : rustguard::test::fixture_releases()) {
    const std::int32_t protocol = version_of(release).protocol();
    for (const auto& f : clientbound_play_fixtures(release)) {
      if (f.kind != "sync_player_position_s2c") continue;
      INFO(release);
      const auto p = SyncPlayerPositionS2c::decode(bytes_of(f.body), protocol);
      REQUIRE(p.ok());
      std::vector<std::uint8_t> again;
      p->encode(again, protocol);
      CHECK(again == f.body);
      ++checked;
    }
  }
  CHECK(checked >= 5);
}

}  // namespace clientbound_packets_test
