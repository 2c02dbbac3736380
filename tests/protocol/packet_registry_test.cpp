// Packet registry: facts checked against minecraft-data 3.119.0 protocol.json
// (the ids below were read from the data, not from the generated header) and
// structural properties that must hold for every supported version.

#include "rustguard/protocol/packet_registry.hpp"

#include <catch2/catch.hpp>

#include <climits>
#include <cstdint>
#include <set>
#include <string>

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace packet_registry_test {

using namespace rustguard::protocol;

namespace {

const VersionInfo& version(std::int32_t protocol) {
  const VersionInfo* v = find_version(protocol);
  REQUIRE(v != nullptr);
  return *v;
}

// Lowest supported protocol in which `kind` exists, or -1.
std::int32_t first_protocol_with(PacketKind kind) {
  for (const VersionInfo& v : supported_versions()) {
    if (v.has(kind)) return v.protocol();
  }
  return -1;
}

std::int32_t last_protocol_with(PacketKind kind) {
  std::int32_t last = -1;
  for (const VersionInfo& v : supported_versions()) {
    if (v.has(kind)) last = v.protocol();
  }
  return last;
}

}  // namespace

// Usable at compile time: decoders can build their own tables from it.
static_assert(find_version(47)->protocol() == 47);
static_assert(find_version(48) == nullptr);
static_assert(find_version(775)->id_of(PacketKind::attack_c2s) == 0x01);
static_assert(find_version(775)->kind_of(State::play, Direction::serverbound, 0x1e) == PacketKind::set_position_c2s);

TEST_CASE("supported protocol range is 1.8 (47) to 26.1 (775), releases only") {
  CHECK(kLowestSupportedProtocol == 47);
  CHECK(kHighestSupportedProtocol == 775);
  const auto all = supported_versions();
  // Release protocol numbers 47..775 in minecraft-data: 1.8 .. 26.1.
  CHECK(all.size() == 48);
  CHECK(all.front().protocol() == 47);
  CHECK(all.back().protocol() == 775);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].protocol() < all[i].protocol());
  for (const VersionInfo& v : all) {
    INFO("protocol " << v.protocol());
    CHECK_FALSE(v.release_names().empty());
    // Releases only: no snapshot, pre-release or release-candidate names.
    CHECK(v.release_names().find('w') == std::string_view::npos);
    CHECK(v.release_names().find("pre") == std::string_view::npos);
    CHECK(v.release_names().find("rc") == std::string_view::npos);
    CHECK(v.data_dir().substr(0, 3) == "pc/");
    CHECK(find_version(v.protocol()) == &v);
  }
}

TEST_CASE("release names group every release sharing one protocol number") {
  CHECK(release_names(version(47)) == "1.8, 1.8.1, 1.8.2, 1.8.3, 1.8.4, 1.8.5, 1.8.6, 1.8.7, 1.8.8, 1.8.9");
  CHECK(release_names(version(340)) == "1.12.2");
  CHECK(release_names(version(754)) == "1.16.4, 1.16.5");
  CHECK(release_names(version(772)) == "1.21.7, 1.21.8");
  CHECK(release_names(version(773)) == "1.21.9, 1.21.10");
  CHECK(release_names(version(775)) == "26.1, 26.1.1, 26.1.2");
  CHECK(release_names(768) == "1.21.2, 1.21.3");
  CHECK(release_names(776).empty());
  // The newest release name picks the data: 1.21.8's, not 1.21.1's for 772.
  CHECK(version(772).data_dir() == "pc/1.21.8");
  CHECK(version(773).data_dir() == "pc/1.21.9");
}

TEST_CASE("unknown protocol numbers have no version") {
  for (const std::int32_t p : {0, -1, 46, 48, 106, 111, 339, 499, 776, 777, 1073742168, INT_MIN, INT_MAX}) {
    INFO("protocol " << p);
    CHECK(find_version(p) == nullptr);
  }
}

TEST_CASE("26.1 (775) serverbound play ids") {
  const VersionInfo& v = version(775);
  CHECK(id_of(v, PacketKind::set_position_c2s) == 0x1e);
  CHECK(id_of(v, PacketKind::attack_c2s) == 0x01);
  CHECK(id_of(v, PacketKind::interact_c2s) == 0x1a);
  CHECK(id_of(v, PacketKind::confirm_teleport_c2s) == 0x00);
  CHECK(id_of(v, PacketKind::client_tick_end_c2s) == 0x0d);
  CHECK(id_of(v, PacketKind::keep_alive_c2s) == 0x1c);
  CHECK(id_of(v, PacketKind::pong_c2s) == 0x2d);
  CHECK(id_of(v, PacketKind::window_confirmation_c2s) == -1);
  CHECK(kind_of(v, State::play, Direction::serverbound, 0x1a) == PacketKind::interact_c2s);
  CHECK(kind_of(v, State::play, Direction::serverbound, 0x01) == PacketKind::attack_c2s);
  // 0x02 is query_block_nbt, which RustGuard does not inspect.
  CHECK(kind_of(v, State::play, Direction::serverbound, 0x02) == kUnknownPacketKind);
}

TEST_CASE("1.8 (47) ids") {
  const VersionInfo& v = version(47);
  CHECK(id_of(v, PacketKind::keep_alive_c2s) == 0x00);
  CHECK(id_of(v, PacketKind::set_movement_flags_c2s) == 0x03);
  CHECK(id_of(v, PacketKind::set_position_c2s) == 0x04);
  CHECK(id_of(v, PacketKind::set_rotation_c2s) == 0x05);
  CHECK(id_of(v, PacketKind::set_position_rotation_c2s) == 0x06);
  CHECK(id_of(v, PacketKind::window_confirmation_c2s) == 0x0f);
  CHECK(id_of(v, PacketKind::player_input_c2s) == 0x0c);  // steer_vehicle
  CHECK(id_of(v, PacketKind::custom_payload_c2s) == 0x17);
  CHECK(id_of(v, PacketKind::window_confirmation_s2c) == 0x32);
  CHECK(id_of(v, PacketKind::set_compression_play_s2c) == 0x46);
  CHECK(id_of(v, PacketKind::update_attributes_s2c) == 0x20);
  CHECK(id_of(v, PacketKind::sync_player_position_s2c) == 0x08);
  // Added in 1.9.
  CHECK(id_of(v, PacketKind::confirm_teleport_c2s) == -1);
  CHECK(id_of(v, PacketKind::use_item_c2s) == -1);
  CHECK(id_of(v, PacketKind::vehicle_move_c2s) == -1);
  CHECK(id_of(v, PacketKind::set_passengers_s2c) == -1);
  CHECK(id_of(v, PacketKind::attach_entity_s2c) == 0x1b);  // riding on 1.8
  CHECK(kind_of(v, State::play, Direction::clientbound, 0x32) == PacketKind::window_confirmation_s2c);
  // Same id, other direction: 0x32 serverbound does not exist in 1.8.
  CHECK(kind_of(v, State::play, Direction::serverbound, 0x32) == kUnknownPacketKind);
}

TEST_CASE("ids that moved between 1.21.8 (772) and 1.21.9 (773), clientbound play") {
  const VersionInfo& before = version(772);
  const VersionInfo& after = version(773);
  CHECK(id_of(before, PacketKind::login_play_s2c) == 0x2b);
  CHECK(id_of(after, PacketKind::login_play_s2c) == 0x30);
  CHECK(id_of(before, PacketKind::sync_player_position_s2c) == 0x41);
  CHECK(id_of(after, PacketKind::sync_player_position_s2c) == 0x46);
  CHECK(id_of(before, PacketKind::keep_alive_s2c) == 0x26);
  CHECK(id_of(after, PacketKind::keep_alive_s2c) == 0x2b);
  CHECK(id_of(before, PacketKind::disconnect_s2c) == 0x1c);
  CHECK(id_of(after, PacketKind::disconnect_s2c) == 0x20);
  // Unmoved, both sides of the change.
  CHECK(id_of(before, PacketKind::custom_payload_s2c) == 0x18);
  CHECK(id_of(after, PacketKind::custom_payload_s2c) == 0x18);
  // The old keep-alive id now means login_play: reading 0x2b with the wrong
  // table would misclassify the join packet.
  CHECK(kind_of(before, State::play, Direction::clientbound, 0x2b) == PacketKind::login_play_s2c);
  CHECK(kind_of(after, State::play, Direction::clientbound, 0x2b) == PacketKind::keep_alive_s2c);
}

TEST_CASE("ids follow the data through renames and one-version quirks") {
  // 1.12 (335) and 1.12.1 (338) differ: 1.12.1 removed prepare_crafting_grid.
  CHECK(id_of(version(335), PacketKind::custom_payload_c2s) == 0x0a);
  CHECK(id_of(version(338), PacketKind::custom_payload_c2s) == 0x09);
  // 1.17 alone sent destroy_entity (one id); it is still remove_entities_s2c.
  CHECK(id_of(version(755), PacketKind::remove_entities_s2c) == 0x3a);
  CHECK(id_of(version(756), PacketKind::remove_entities_s2c) == 0x3a);
  // chat -> chat_message at 1.19.
  CHECK(id_of(version(758), PacketKind::chat_message_c2s) == 0x03);
  CHECK(id_of(version(759), PacketKind::chat_message_c2s) == 0x04);
  CHECK(id_of(version(759), PacketKind::chat_command_c2s) == 0x03);
  // steer_vehicle -> player_input at 1.21.2.
  CHECK(id_of(version(767), PacketKind::player_input_c2s) == 0x26);
  CHECK(id_of(version(768), PacketKind::player_input_c2s) == 0x28);
  // Configuration and login ids.
  CHECK(id_of(version(764), PacketKind::finish_configuration_c2s) == 0x02);
  CHECK(id_of(version(766), PacketKind::finish_configuration_c2s) == 0x03);
  CHECK(id_of(version(766), PacketKind::login_cookie_response_c2s) == 0x04);
  CHECK(id_of(version(764), PacketKind::login_acknowledged_c2s) == 0x03);
  CHECK(kind_of(version(764), State::configuration, Direction::clientbound, 0x02) ==
        PacketKind::finish_configuration_s2c);
  CHECK(kind_of(version(47), State::handshake, Direction::serverbound, 0x00) == PacketKind::intention_c2s);
  // 0xFE (legacy server list ping) is not an inspected kind.
  CHECK(kind_of(version(47), State::handshake, Direction::serverbound, 0xfe) == kUnknownPacketKind);
}

TEST_CASE("packets exist exactly in the versions that have them") {
  CHECK(first_protocol_with(PacketKind::pong_c2s) == 755);
  CHECK(last_protocol_with(PacketKind::pong_c2s) == 775);
  CHECK(first_protocol_with(PacketKind::ping_s2c) == 755);
  CHECK(last_protocol_with(PacketKind::window_confirmation_c2s) == 754);
  CHECK(last_protocol_with(PacketKind::window_confirmation_s2c) == 754);
  CHECK(first_protocol_with(PacketKind::client_tick_end_c2s) == 768);
  CHECK(first_protocol_with(PacketKind::entity_position_sync_s2c) == 768);
  CHECK(first_protocol_with(PacketKind::player_rotation_s2c) == 768);
  CHECK(first_protocol_with(PacketKind::attack_c2s) == 775);
  CHECK(first_protocol_with(PacketKind::confirm_teleport_c2s) == 107);
  CHECK(first_protocol_with(PacketKind::login_plugin_request_s2c) == 393);
  CHECK(first_protocol_with(PacketKind::chat_command_c2s) == 759);
  CHECK(first_protocol_with(PacketKind::bundle_delimiter_s2c) == 762);
  CHECK(first_protocol_with(PacketKind::finish_configuration_s2c) == 764);
  CHECK(first_protocol_with(PacketKind::configuration_acknowledged_c2s) == 764);
  CHECK(first_protocol_with(PacketKind::login_cookie_request_s2c) == 766);
  CHECK(last_protocol_with(PacketKind::spawn_living_entity_s2c) == 758);
  CHECK(last_protocol_with(PacketKind::spawn_player_s2c) == 763);
  CHECK(last_protocol_with(PacketKind::set_compression_play_s2c) == 47);
  // Present across the whole range.
  for (const PacketKind k : {PacketKind::intention_c2s, PacketKind::keep_alive_c2s, PacketKind::keep_alive_s2c,
                             PacketKind::set_position_c2s, PacketKind::interact_c2s, PacketKind::remove_entities_s2c,
                             PacketKind::update_attributes_s2c, PacketKind::chat_message_c2s}) {
    INFO(name_of(k));
    CHECK(first_protocol_with(k) == 47);
    CHECK(last_protocol_with(k) == 775);
  }
}

TEST_CASE("reverse lookup round-trips for every kind in every version") {
  std::size_t present = 0;
  for (const VersionInfo& v : supported_versions()) {
    for (std::size_t k = 0; k < kPacketKindCount; ++k) {
      const auto kind = static_cast<PacketKind>(k);
      const std::int32_t id = v.id_of(kind);
      if (id < 0) continue;
      ++present;
      INFO("protocol " << v.protocol() << " kind " << name_of(kind) << " id " << id);
      CHECK(id < 256);
      CHECK(kind_of(v, state_of(kind), direction_of(kind), id) == kind);
    }
  }
  CHECK(present > 48 * 50);  // sanity: most kinds exist in most versions
}

TEST_CASE("every id the reverse table answers maps back to that id") {
  const State states[] = {State::handshake, State::status, State::login, State::configuration, State::play};
  const Direction directions[] = {Direction::serverbound, Direction::clientbound};
  for (const VersionInfo& v : supported_versions()) {
    std::size_t answered = 0;
    for (const State s : states) {
      for (const Direction d : directions) {
        for (std::int32_t id = 0; id < 256; ++id) {
          const PacketKind kind = v.kind_of(s, d, id);
          if (kind == kUnknownPacketKind) continue;
          ++answered;
          INFO("protocol " << v.protocol() << " id " << id << " -> " << name_of(kind));
          CHECK(state_of(kind) == s);
          CHECK(direction_of(kind) == d);
          CHECK(v.id_of(kind) == id);
        }
        for (const std::int32_t bad : {-1, 256, 1 << 20, INT_MAX, INT_MIN}) {
          CHECK(v.kind_of(s, d, bad) == kUnknownPacketKind);
        }
      }
    }
    std::size_t present = 0;
    for (std::size_t k = 0; k < kPacketKindCount; ++k) present += v.has(static_cast<PacketKind>(k)) ? 1 : 0;
    CHECK(answered == present);
  }
  // A State value outside the enum (corrupted memory, bad cast) stays in bounds.
  CHECK(version(775).kind_of(static_cast<State>(200), Direction::clientbound, 0) == kUnknownPacketKind);
}

TEST_CASE("kind metadata: names, states and directions") {
  std::set<std::string> names;
  for (std::size_t k = 0; k < kPacketKindCount; ++k) {
    const auto kind = static_cast<PacketKind>(k);
    const std::string name{name_of(kind)};
    INFO(name);
    CHECK(names.insert(name).second);
    const bool c2s = name.size() > 4 && name.compare(name.size() - 4, 4, "_c2s") == 0;
    const bool s2c = name.size() > 4 && name.compare(name.size() - 4, 4, "_s2c") == 0;
    CHECK(c2s != s2c);
    CHECK(direction_of(kind) == (c2s ? Direction::serverbound : Direction::clientbound));
  }
  CHECK(name_of(PacketKind::set_position_c2s) == "set_position_c2s");
  CHECK(state_of(PacketKind::intention_c2s) == State::handshake);
  CHECK(state_of(PacketKind::status_pong_s2c) == State::status);
  CHECK(state_of(PacketKind::login_acknowledged_c2s) == State::login);
  CHECK(state_of(PacketKind::config_keep_alive_c2s) == State::configuration);
  CHECK(state_of(PacketKind::keep_alive_c2s) == State::play);
  CHECK(name_of(kUnknownPacketKind) == "unknown");
  CHECK_FALSE(is_known(kUnknownPacketKind));
  CHECK(version(775).id_of(kUnknownPacketKind) == -1);
}

TEST_CASE("version features agree with the packet tables") {
  for (const VersionInfo& v : supported_versions()) {
    const std::int32_t p = v.protocol();
    INFO("protocol " << p);
    CHECK(has_ping_pong(p) == v.has(PacketKind::pong_c2s));
    CHECK(has_ping_pong(p) == v.has(PacketKind::ping_s2c));
    CHECK(has_window_confirmation(p) == v.has(PacketKind::window_confirmation_c2s));
    CHECK(has_configuration_state(p) == v.has(PacketKind::finish_configuration_c2s));
    CHECK(has_configuration_state(p) == v.has(PacketKind::login_acknowledged_c2s));
    CHECK(has_client_tick_end(p) == v.has(PacketKind::client_tick_end_c2s));
    CHECK(has_teleport_confirm(p) == v.has(PacketKind::confirm_teleport_c2s));
    CHECK(has_play_set_compression(p) == v.has(PacketKind::set_compression_play_s2c));
    CHECK(has_login_plugin_messages(p) == v.has(PacketKind::login_plugin_response_c2s));
    CHECK(has_chat_command(p) == v.has(PacketKind::chat_command_c2s));
    CHECK(has_bundles(p) == v.has(PacketKind::bundle_delimiter_s2c));
    CHECK(has_cookies(p) == v.has(PacketKind::login_cookie_request_s2c));
    CHECK(has_attack_packet(p) == v.has(PacketKind::attack_c2s));
  }
  // Boundaries of the features the tables cannot show (field layouts).
  CHECK(movement_flags_byte(768));
  CHECK_FALSE(movement_flags_byte(767));
  CHECK(player_input_is_key_flags(768));
  CHECK_FALSE(player_input_is_key_flags(767));
  CHECK(before_1_14_positions(404));
  CHECK_FALSE(before_1_14_positions(477));
  CHECK_FALSE(keep_alive_id_is_long(338));
  CHECK(keep_alive_id_is_long(340));
  CHECK(entity_delta_units_per_block(47) == 32);
  CHECK(entity_delta_units_per_block(107) == 4096);
}

TEST_CASE("Every version knows how many ids each state has", "[registry]") {
  using rustguard::protocol::State;
  for (const VersionInfo& v : supported_versions()) {
    INFO("protocol " << v.protocol());
    // Every inspected kind lies inside its lane's id range.
    for (std::size_t k = 0; k < kPacketKindCount; ++k) {
      const auto kind = static_cast<PacketKind>(k);
      if (!v.has(kind)) continue;
      CHECK(v.has_id(state_of(kind), direction_of(kind), v.id_of(kind)));
    }
    CHECK(v.id_count(State::handshake, Direction::serverbound) == 1);
    CHECK(v.id_count(State::handshake, Direction::clientbound) == 0);
    CHECK(v.id_count(State::status, Direction::serverbound) == 2);
  }
  // Figures from the protocol documentation: 1.8 has 26 serverbound play
  // packets (0x00-0x19) and 2 serverbound login packets.
  const VersionInfo* v18 = find_version(47);
  REQUIRE(v18 != nullptr);
  CHECK(v18->id_count(State::play, Direction::serverbound) == 26);
  CHECK(v18->id_count(State::login, Direction::serverbound) == 2);
  CHECK_FALSE(v18->has_id(State::play, Direction::serverbound, 26));
  CHECK(v18->id_count(State::configuration, Direction::serverbound) == 0);
}

}  // namespace packet_registry_test
