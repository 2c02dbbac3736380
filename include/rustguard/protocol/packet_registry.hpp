#pragma once
// Packet registry: which PacketKind a (protocol, state, direction, id) triple
// is, and back. The data comes from packet_ids.gen.hpp (generated from
// minecraft-data by tools/codegen/generate_packet_ids.mjs); this header adds
// the lookups the packet path needs.
//
// kind_of() runs for every packet, so each supported version carries a reverse
// table built at compile time: one flat PacketKind array split into one lane
// per (state, direction), each lane as wide as the highest id any inspected
// kind uses there in any version. A lookup is a bounds check and a load; no
// maps, no allocation, no static-init order to worry about.
//
// The handshake is the only place a protocol number enters: find_version()
// turns it into a `const VersionInfo*` (nullptr: report
// Errc::unknown_protocol_version) that the connection keeps.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/state.hpp"

namespace rustguard::protocol {

// kind_of() answer for an id RustGuard does not inspect in that state and
// direction (or that the version does not have).
inline constexpr PacketKind kUnknownPacketKind = PacketKind::count;

constexpr bool is_known(PacketKind kind) noexcept { return kind < PacketKind::count; }

constexpr std::string_view name_of(PacketKind kind) noexcept {
  return is_known(kind) ? detail::kKindNames[static_cast<std::size_t>(kind)] : std::string_view{"unknown"};
}

// Callers must pass a known kind; an unknown one maps to handshake/serverbound
// rather than reading out of bounds.
constexpr State state_of(PacketKind kind) noexcept {
  return is_known(kind) ? detail::kKindStates[static_cast<std::size_t>(kind)] : State::handshake;
}

constexpr Direction direction_of(PacketKind kind) noexcept {
  return is_known(kind) ? detail::kKindDirections[static_cast<std::size_t>(kind)] : Direction::serverbound;
}

namespace detail {

inline constexpr std::size_t kLaneCount = static_cast<std::size_t>(kStateCount) * 2;

constexpr std::size_t lane_index(State state, Direction direction) noexcept {
  return static_cast<std::size_t>(state) * 2 + static_cast<std::size_t>(direction);
}

// One past the highest id of any kind in each lane, over every version. Ids a
// lane never reaches need no slot: they are unknown by the bounds check.
constexpr std::array<std::size_t, kLaneCount> compute_lane_widths() noexcept {
  std::array<std::size_t, kLaneCount> widths{};
  for (const VersionIds& version : kVersions) {
    for (std::size_t k = 0; k < kPacketKindCount; ++k) {
      const std::int16_t id = version.ids[k];
      if (id < 0) continue;
      std::size_t& width = widths[lane_index(kKindStates[k], kKindDirections[k])];
      if (static_cast<std::size_t>(id) + 1 > width) width = static_cast<std::size_t>(id) + 1;
    }
  }
  return widths;
}

inline constexpr std::array<std::size_t, kLaneCount> kLaneWidths = compute_lane_widths();

constexpr std::array<std::size_t, kLaneCount + 1> compute_lane_offsets() noexcept {
  std::array<std::size_t, kLaneCount + 1> offsets{};
  for (std::size_t lane = 0; lane < kLaneCount; ++lane) offsets[lane + 1] = offsets[lane] + kLaneWidths[lane];
  return offsets;
}

inline constexpr std::array<std::size_t, kLaneCount + 1> kLaneOffsets = compute_lane_offsets();
inline constexpr std::size_t kReverseTableSize = kLaneOffsets[kLaneCount];

constexpr bool versions_ascending() noexcept {
  for (std::size_t i = 1; i < kVersions.size(); ++i) {
    if (kVersions[i - 1].protocol >= kVersions[i].protocol) return false;
  }
  return true;
}

// Deliberately not constexpr. The generator already rejects data where two
// kinds share an id in one lane; VersionInfo calls this on such a collision,
// which turns a hand-edited header into a compile error ("non-constexpr
// function ... in a constant expression") instead of a table where one kind
// silently shadows another. Cheaper to compile than a separate static_assert.
inline void two_packet_kinds_share_an_id_in_one_lane() noexcept {}

static_assert(!kVersions.empty());
static_assert(versions_ascending(), "kVersions must be sorted by protocol for find_version()");

}  // namespace detail

// The packet ids of one supported protocol number, both directions of lookup.
class VersionInfo {
 public:
  constexpr explicit VersionInfo(const detail::VersionIds& source) noexcept
      : protocol_(source.protocol),
        release_names_(source.release_names),
        data_dir_(source.data_dir),
        ids_(source.ids),
        id_counts_(source.id_counts),
        kinds_by_id_() {
    kinds_by_id_.fill(kUnknownPacketKind);
    for (std::size_t k = 0; k < kPacketKindCount; ++k) {
      if (ids_[k] < 0) continue;
      const std::size_t lane = detail::lane_index(detail::kKindStates[k], detail::kKindDirections[k]);
      PacketKind& slot = kinds_by_id_[detail::kLaneOffsets[lane] + static_cast<std::size_t>(ids_[k])];
      if (slot != kUnknownPacketKind) detail::two_packet_kinds_share_an_id_in_one_lane();
      slot = static_cast<PacketKind>(k);
    }
  }

  constexpr std::int32_t protocol() const noexcept { return protocol_; }

  // Every release sharing this protocol number, ascending: "1.21.7, 1.21.8".
  constexpr std::string_view release_names() const noexcept { return release_names_; }

  // minecraft-data directory the ids were taken from ("pc/1.21.8"), for logs.
  constexpr std::string_view data_dir() const noexcept { return data_dir_; }

  // The packet id of `kind` in this version, -1 when the version lacks it.
  constexpr std::int32_t id_of(PacketKind kind) const noexcept {
    return is_known(kind) ? ids_[static_cast<std::size_t>(kind)] : -1;
  }

  constexpr bool has(PacketKind kind) const noexcept { return id_of(kind) >= 0; }

  // How many packet ids the game has in `state` and `direction` in this
  // version: ids 0 .. count-1 exist, every other id is one the game itself
  // would reject (a client speaking another version, or forging a packet
  // that does not belong to its state).
  constexpr std::int32_t id_count(State state, Direction direction) const noexcept {
    const std::size_t lane = detail::lane_index(state, direction);
    return lane < detail::kLaneCount ? id_counts_[lane] : 0;
  }
  constexpr bool has_id(State state, Direction direction, std::int32_t id) const noexcept {
    return id >= 0 && id < id_count(state, direction);
  }

  // The kind of packet `id` in `state` and `direction`, or kUnknownPacketKind
  // for ids RustGuard does not inspect. `id` is untrusted (a decoded VarInt).
  constexpr PacketKind kind_of(State state, Direction direction, std::int32_t id) const noexcept {
    const std::size_t lane = detail::lane_index(state, direction);
    if (lane >= detail::kLaneCount || id < 0 || static_cast<std::size_t>(id) >= detail::kLaneWidths[lane]) {
      return kUnknownPacketKind;
    }
    return kinds_by_id_[detail::kLaneOffsets[lane] + static_cast<std::size_t>(id)];
  }

 private:
  std::int32_t protocol_;
  std::string_view release_names_;
  std::string_view data_dir_;
  std::array<std::int16_t, kPacketKindCount> ids_;
  std::array<std::uint8_t, detail::kLaneCount> id_counts_;
  std::array<PacketKind, detail::kReverseTableSize> kinds_by_id_;
};

namespace detail {

template <std::size_t... I>
constexpr std::array<VersionInfo, sizeof...(I)> make_version_infos(std::index_sequence<I...>) noexcept {
  return {{VersionInfo(kVersions[I])...}};
}

inline constexpr std::array<VersionInfo, kVersions.size()> kVersionInfos =
    make_version_infos(std::make_index_sequence<kVersions.size()>{});

}  // namespace detail

inline constexpr std::int32_t kLowestSupportedProtocol = kVersions.front().protocol;
inline constexpr std::int32_t kHighestSupportedProtocol = kVersions.back().protocol;

// Every supported version, ascending by protocol number.
constexpr std::span<const VersionInfo> supported_versions() noexcept { return detail::kVersionInfos; }

// The version a client announced in its handshake; nullptr when RustGuard has
// no table for it (callers report Errc::unknown_protocol_version).
constexpr const VersionInfo* find_version(std::int32_t protocol) noexcept {
  const auto& all = detail::kVersionInfos;
  std::size_t lo = 0;
  std::size_t hi = all.size();
  while (lo < hi) {  // binary search; once per connection
    const std::size_t mid = lo + (hi - lo) / 2;
    if (all[mid].protocol() < protocol) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return (lo < all.size() && all[lo].protocol() == protocol) ? &all[lo] : nullptr;
}

constexpr std::string_view release_names(const VersionInfo& version) noexcept { return version.release_names(); }

// For logs that only have the number; empty when unsupported.
constexpr std::string_view release_names(std::int32_t protocol) noexcept {
  const VersionInfo* version = find_version(protocol);
  return version ? version->release_names() : std::string_view{};
}

constexpr PacketKind kind_of(const VersionInfo& version, State state, Direction direction,
                             std::int32_t id) noexcept {
  return version.kind_of(state, direction, id);
}

constexpr std::int32_t id_of(const VersionInfo& version, PacketKind kind) noexcept { return version.id_of(kind); }

// ---------------------------------------------------------------------------
// Version features. Decoders branch on these rather than on raw numbers so the
// reason for each branch has a name. All take the handshake protocol number.
// ---------------------------------------------------------------------------

// Protocol numbers come from protocol_numbers.hpp (namespace v).

// 1.8 only: the server may also switch compression on from the play state.
constexpr bool has_play_set_compression(std::int32_t protocol) noexcept { return protocol < v::v1_9; }

// 1.9+: the client acknowledges every server teleport by its teleport id.
constexpr bool has_teleport_confirm(std::int32_t protocol) noexcept { return protocol >= v::v1_9; }

// Entity relative-move deltas: 1.8 sends bytes in 1/32 block, 1.9+ shorts in
// 1/4096 block (absolute entity positions went from 1/32 fixed point to f64).
constexpr std::int32_t entity_delta_units_per_block(std::int32_t protocol) noexcept {
  return protocol >= v::v1_9 ? 4096 : 32;
}

// Keep-alive ids: VarInt up to 1.12.1, i64 from 1.12.2.
constexpr bool keep_alive_id_is_long(std::int32_t protocol) noexcept { return protocol >= v::v1_12_2; }

// Login plugin request/response exist from 1.13.
constexpr bool has_login_plugin_messages(std::int32_t protocol) noexcept { return protocol >= v::v1_13; }

// Packed block positions: before 1.14 the bit layout is x(26) y(12) z(26);
// from 1.14 it is x(26) z(26) y(12).
constexpr bool before_1_14_positions(std::int32_t protocol) noexcept { return protocol < v::v1_14; }

// 1.17 replaced window-confirmation transactions with play ping/pong, the
// round-trip marker transaction-based latency checks rely on.
constexpr bool has_ping_pong(std::int32_t protocol) noexcept { return protocol >= v::v1_17; }
constexpr bool has_window_confirmation(std::int32_t protocol) noexcept { return protocol < v::v1_17; }

// 1.19: commands travel in chat_command, no longer as "/..." chat messages.
constexpr bool has_chat_command(std::int32_t protocol) noexcept { return protocol >= v::v1_19; }

// 1.19.4: bundle delimiters group clientbound packets applied in one tick.
constexpr bool has_bundles(std::int32_t protocol) noexcept { return protocol >= v::v1_19_4; }

// 1.20.2: login ends with login_acknowledged and a configuration state sits
// between login and play (and can be re-entered from play).
constexpr bool has_configuration_state(std::int32_t protocol) noexcept { return protocol >= v::v1_20_2; }

// 1.20.5: cookie request/response packets exist.
constexpr bool has_cookies(std::int32_t protocol) noexcept { return protocol >= v::v1_20_5; }

// 1.21.2: movement packets end in a flags byte (on_ground, horizontal
// collision) instead of an on_ground bool; the client sends tick_end after
// each tick; player_input carries key flags for walking too (it was
// steer_vehicle with floats, sent only while riding).
constexpr bool movement_flags_byte(std::int32_t protocol) noexcept { return protocol >= v::v1_21_2; }
constexpr bool has_client_tick_end(std::int32_t protocol) noexcept { return protocol >= v::v1_21_2; }
constexpr bool player_input_is_key_flags(std::int32_t protocol) noexcept { return protocol >= v::v1_21_2; }

// 26.1: attacks have their own serverbound packet instead of an action of
// use_entity (interact).
constexpr bool has_attack_packet(std::int32_t protocol) noexcept { return protocol >= v::v26_1; }

}  // namespace rustguard::protocol
