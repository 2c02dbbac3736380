#pragma once
// The player's context as bytes, for evidence clips (docs/recordings.md,
// "Evidence clips"). A clip starts in the middle of a session: the live proxy
// keeps a snapshot of the PlayerContext now and then, the clip carries the
// oldest one still inside its ring, and the replay restores it where the
// clip's frames begin (DetectionEngine::restore_context), so the checks judge
// the clip's moves against the state the live engine had then.
//
// Format, version 2 (1 lacked the block interaction range): the magic "RGCS", the version byte, then every member of
// PlayerContext and of everything it holds, depth first in declaration order:
//   - integers little-endian at their own width (std::size_t as 64 bits),
//     bool and enums as their byte / underlying value;
//   - float and double by bit pattern (NaN payloads and -0 survive);
//   - std::array element by element; std::vector, std::deque, RingQueue and
//     std::string a u32 count then the elements; std::optional a presence
//     byte, then the value; maps a u32 count then key-value pairs in sorted
//     key order (an unordered container is written sorted, so the same
//     context always gives the same bytes).
// Nothing else: no field names, no padding. So decode(encode(x)) holds what
// x held and encode(decode(b)) == b byte for byte. A change to any member
// list changes the format: bump kSnapshotVersion (an old clip is then
// rejected, not misread).
//
// Each type names its members once, for both directions: classes with private
// members in a static member `visit_fields(self, v)` next to the members, the
// plain structs here in SnapshotFields<T>. tests/context/context_snapshot_test.cpp
// pins the sizes of these types so a new member is not silently left out.
//
// Decoding reads untrusted bytes (a clip file): every read is bounds-checked,
// counts are capped by the bytes left and by kMaxElements before anything is
// allocated, bools must be 0 or 1 and enums in range, and the invariants the
// classes rely on (ring sizes, the entity index, step counts) are checked
// before the context is handed out. Wrong magic, another version, truncation
// or trailing bytes give an error, never a partial context.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rustguard/context/player_context.hpp"
#include "rustguard/context/ring_queue.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/time.hpp"

namespace rustguard::context {

inline constexpr std::array<std::uint8_t, 4> kSnapshotMagic{'R', 'G', 'C', 'S'};
inline constexpr std::uint8_t kSnapshotVersion = 4;
// No container in a context comes near this (the largest, the transaction
// queue, holds at most 32768); a bound on what a hostile file can ask for.
inline constexpr std::uint32_t kSnapshotMaxElements = 1u << 16;

// The members of the plain structs, in declaration order.
template <class T>
struct SnapshotFields;

template <>
struct SnapshotFields<protocol::Vec3> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.x, s.y, s.z);
  }
};
template <>
struct SnapshotFields<protocol::Uuid> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.high, s.low);
  }
};
template <>
struct SnapshotFields<Timestamp> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.micros);
  }
};
template <>
struct SnapshotFields<Abilities> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.invulnerable, s.flying, s.may_fly, s.instabuild, s.fly_speed, s.walk_speed);
  }
};
template <>
struct SnapshotFields<EffectLevels> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.levels);
  }
};
template <>
struct SnapshotFields<AttributeValues> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.movement_speed, s.jump_strength, s.gravity, s.step_height, s.scale, s.entity_interaction_range,
      s.block_interaction_range);
  }
};
template <>
struct SnapshotFields<PhysicsState> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.game_mode, s.abilities, s.effects, s.attributes, s.food, s.riding);
  }
};
template <>
struct SnapshotFields<Knockback> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.velocity, s.begin_seq, s.end_seq, s.ticks_since_confirmed, s.confirmed, s.active);
    // As live (engine/lag_compensation.hpp): the decay of an infinite
    // velocity would loop once per tick since it was confirmed.
    v.require(
        [&s] { return std::isfinite(s.velocity.x) && std::isfinite(s.velocity.y) && std::isfinite(s.velocity.z); },
        "knockback velocity not finite");
  }
};
template <>
struct SnapshotFields<PendingTeleport> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.id, s.target, s.velocity, s.sent_at, s.confirmed, s.ours, s.on_ground);
  }
};
template <>
struct SnapshotFields<AcceptedPosition> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.known, s.position, s.on_ground);
  }
};
template <>
struct SnapshotFields<Transaction> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.id, s.seq, s.sent_at);
  }
};
template <>
struct SnapshotFields<MovementHistory> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.position_known, s.position, s.yaw, s.pitch, s.on_ground, s.on_ground_before, s.last_delta, s.last_had_position,
      s.last_delta_known, s.air_ticks, s.ticks_since_reset);
  }
};
template <>
struct SnapshotFields<ClientClaims> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.sprinting, s.sneaking, s.flying, s.gliding, s.tick_end, s.held_slot);
  }
};
template <>
struct SnapshotFields<EntityDimensions> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.width, s.height, s.known);
  }
};
template <>
struct SnapshotFields<Look> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.yaw, s.pitch);
  }
};
template <>
struct SnapshotFields<Turn> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.from, s.to, s.comparable, s.may_repeat);
  }
};
template <>
struct SnapshotFields<ReceiptMarker> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.kind, s.id, s.seq, s.sent_at, s.used);
  }
};
template <>
struct SnapshotFields<PlayerContext> {
  template <class S, class V>
  static void visit(S& s, V& v) {
    v(s.protocol, s.name, s.uuid, s.entity_id, s.vehicle_id, s.in_play, s.respawns);
    v(s.physics, s.knockback, s.teleports, s.teleport_ids, s.accepted, s.unseen_setback, s.transactions);
    v(s.movement, s.claims, s.looks, s.entities, s.ping_ms, s.in_bundle, s.bundle_changed_state, s.server_pings);
    v(s.observe, s.observed_change_open, s.observed_own_transactions, s.receipts, s.host_late_until);
    v(s.last_movement_at, s.any_movement);
  }
};

namespace detail {

// The largest valid value of the enums in a context (all start at 0).
constexpr std::uint64_t enum_max(GameMode) noexcept { return 3; }
constexpr std::uint64_t enum_max(ReceiptKind) noexcept { return 1; }

template <class T>
concept HasVisitFields = requires(T& t, int& v) {
  T::visit_fields(t, v);
};
template <class T>
concept HasSnapshotFields = requires {
  sizeof(SnapshotFields<T>);
};

template <class T>
struct IsSequence : std::false_type {};
template <class T, class A>
struct IsSequence<std::vector<T, A>> : std::true_type {};
template <class T, class A>
struct IsSequence<std::deque<T, A>> : std::true_type {};
template <class T>
struct IsSequence<RingQueue<T>> : std::true_type {};
template <class T>
struct IsArray : std::false_type {};
template <class T, std::size_t N>
struct IsArray<std::array<T, N>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class K, class T, class C, class A>
struct IsMap<std::map<K, T, C, A>> : std::true_type {};
template <class K, class T, class H, class E, class A>
struct IsMap<std::unordered_map<K, T, H, E, A>> : std::true_type {};

// Integers (and enums) travel at a fixed width: std::size_t as 64 bits, so
// a snapshot reads the same on every platform.
template <class T>
using WireInt = std::conditional_t<std::is_same_v<T, std::size_t>, std::uint64_t, T>;

class SnapshotWriter {
 public:
  static constexpr bool kReading = false;

  template <class... T>
  void operator()(const T&... fields) {
    (put(fields), ...);
  }
  // The invariants a reader checks; what a writer is given holds them.
  template <class Check>
  void require(Check&&, std::string_view) const noexcept {}
  // An index rebuilt from the data: only its size is written (it decides
  // when the index grows next).
  template <class T, class A>
  void table_size(const std::vector<T, A>& table) {
    put(static_cast<std::uint32_t>(table.size()));
  }

  std::vector<std::uint8_t> take() && { return std::move(out_); }
  void put_raw(std::span<const std::uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

 private:
  template <class T>
  void put(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      out_.push_back(value ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      put(static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_integral_v<T>) {
      auto u = static_cast<std::make_unsigned_t<WireInt<T>>>(value);
      for (std::size_t i = 0; i < sizeof(u); ++i) {
        out_.push_back(static_cast<std::uint8_t>(u & 0xFFu));
        if constexpr (sizeof(u) > 1) u = static_cast<decltype(u)>(u >> 8);
      }
    } else if constexpr (std::is_same_v<T, float>) {
      put(std::bit_cast<std::uint32_t>(value));
    } else if constexpr (std::is_same_v<T, double>) {
      put(std::bit_cast<std::uint64_t>(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      put(static_cast<std::uint32_t>(value.size()));
      for (const char c : value) out_.push_back(static_cast<std::uint8_t>(c));
    } else if constexpr (IsArray<T>::value) {
      for (const auto& e : value) put(e);
    } else if constexpr (IsSequence<T>::value) {
      put(static_cast<std::uint32_t>(value.size()));
      for (const auto& e : value) put(e);
    } else if constexpr (IsOptional<T>::value) {
      put(value.has_value());
      if (value) put(*value);
    } else if constexpr (IsMap<T>::value) {
      // Sorted by key: an unordered map's iteration order is no part of the state.
      std::vector<const typename T::value_type*> entries;
      entries.reserve(value.size());
      for (const auto& e : value) entries.push_back(&e);
      std::sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
      put(static_cast<std::uint32_t>(entries.size()));
      for (const auto* e : entries) {
        put(e->first);
        put(e->second);
      }
    } else if constexpr (HasVisitFields<T>) {
      T::visit_fields(value, *this);
    } else {
      static_assert(HasSnapshotFields<T>, "no visit_fields / SnapshotFields for a member type");
      SnapshotFields<T>::visit(value, *this);
    }
  }

  std::vector<std::uint8_t> out_;
};

class SnapshotReader {
 public:
  static constexpr bool kReading = true;

  explicit SnapshotReader(std::span<const std::uint8_t> in) noexcept : in_(in) {}

  template <class... T>
  void operator()(T&... fields) {
    (get(fields), ...);
  }
  template <class Check>
  void require(Check&& holds, std::string_view what) {
    if (error_.empty() && !holds()) fail(what);
  }
  template <class T, class A>
  void table_size(std::vector<T, A>& table) {
    std::uint32_t n = 0;
    get(n);
    if (n > kSnapshotMaxElements) return fail("index too large");
    if (ok()) table.assign(n, T{});
  }

  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  std::size_t remaining() const noexcept { return in_.size() - at_; }
  void fail(std::string_view what) {
    if (error_.empty()) error_ = std::string(what) + " (at byte " + std::to_string(at_) + ")";
  }
  bool take(std::span<const std::uint8_t>& out, std::size_t n) {
    if (!ok()) return false;
    if (n > remaining()) {
      fail("truncated");
      return false;
    }
    out = in_.subspan(at_, n);
    at_ += n;
    return true;
  }

 private:
  // A count of elements that each take at least one byte: never more than
  // the bytes left, so a hostile count cannot make the reader allocate more
  // than the input's size times the element's.
  bool count(std::uint32_t& n) {
    get(n);
    if (!ok()) return false;
    if (n > kSnapshotMaxElements || n > remaining()) {
      fail("count out of range");
      return false;
    }
    return true;
  }

  template <class T>
  void get(T& value) {
    if (!ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t b = 0;
      get(b);
      if (b > 1) return fail("bool not 0 or 1");
      value = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> u{};
      get(u);
      if (static_cast<std::uint64_t>(u) > enum_max(T{})) return fail("enum out of range");
      value = static_cast<T>(u);
    } else if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<WireInt<T>>;
      std::span<const std::uint8_t> b;
      if (!take(b, sizeof(U))) return;
      U u = 0;
      for (std::size_t i = sizeof(U); i-- > 0;) {
        if constexpr (sizeof(U) > 1) u = static_cast<U>(u << 8);
        u = static_cast<U>(u | b[i]);
      }
      if constexpr (sizeof(U) > sizeof(T)) {
        if (u > static_cast<U>(static_cast<std::make_unsigned_t<T>>(-1))) return fail("integer out of range");
      }
      value = static_cast<T>(u);
    } else if constexpr (std::is_same_v<T, float>) {
      std::uint32_t u = 0;
      get(u);
      value = std::bit_cast<float>(u);
    } else if constexpr (std::is_same_v<T, double>) {
      std::uint64_t u = 0;
      get(u);
      value = std::bit_cast<double>(u);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::uint32_t n = 0;
      std::span<const std::uint8_t> b;
      if (!count(n) || !take(b, n)) return;
      value.assign(b.begin(), b.end());
    } else if constexpr (IsArray<T>::value) {
      for (auto& e : value) get(e);
    } else if constexpr (IsSequence<T>::value) {
      std::uint32_t n = 0;
      if (!count(n)) return;
      value.clear();
      // Grown element by element: a count the bytes cannot back fails at
      // the first missing byte, having allocated for what was there.
      for (std::uint32_t i = 0; i < n && ok(); ++i) get(value.emplace_back());
    } else if constexpr (IsOptional<T>::value) {
      bool present = false;
      get(present);
      if (!ok()) return;
      if (!present) {
        value.reset();
        return;
      }
      get(value.emplace());
    } else if constexpr (IsMap<T>::value) {
      std::uint32_t n = 0;
      if (!count(n)) return;
      value.clear();
      std::optional<typename T::key_type> previous;
      for (std::uint32_t i = 0; i < n && ok(); ++i) {
        typename T::key_type key{};
        typename T::mapped_type mapped{};
        get(key);
        get(mapped);
        if (!ok()) return;
        // Strictly increasing: the one order the writer uses, so the bytes
        // stay canonical and no key appears twice.
        if (previous && !(*previous < key)) return fail("map keys not sorted");
        previous = key;
        value.emplace(std::move(key), std::move(mapped));
      }
    } else if constexpr (HasVisitFields<T>) {
      T::visit_fields(value, *this);
    } else {
      static_assert(HasSnapshotFields<T>, "no visit_fields / SnapshotFields for a member type");
      SnapshotFields<T>::visit(value, *this);
    }
  }

  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
  std::string error_;
};

}  // namespace detail

// The context as snapshot bytes: magic, version, every member.
inline std::vector<std::uint8_t> encode_snapshot(const PlayerContext& ctx) {
  detail::SnapshotWriter w;
  w.put_raw(kSnapshotMagic);
  const std::uint8_t version = kSnapshotVersion;
  w(version);
  w(ctx);
  return std::move(w).take();
}

struct DecodedSnapshot {
  std::optional<PlayerContext> context;  // set on success
  std::string error;                     // set on failure
};

// The context of snapshot `bytes`, or why there is none.
inline DecodedSnapshot decode_snapshot(std::span<const std::uint8_t> bytes) {
  DecodedSnapshot out;
  detail::SnapshotReader r{bytes};
  std::span<const std::uint8_t> magic;
  if (!r.take(magic, kSnapshotMagic.size()) || !std::equal(magic.begin(), magic.end(), kSnapshotMagic.begin())) {
    out.error = "not a context snapshot (magic)";
    return out;
  }
  std::uint8_t version = 0;
  r(version);
  if (r.ok() && version != kSnapshotVersion) {
    out.error = "context snapshot version " + std::to_string(version) + ", this build reads " +
                std::to_string(kSnapshotVersion);
    return out;
  }
  PlayerContext ctx;
  r(ctx);
  if (r.ok() && r.remaining() != 0) r.fail("trailing bytes");
  if (!r.ok()) {
    out.error = "context snapshot: " + r.error();
    return out;
  }
  out.context = std::move(ctx);
  return out;
}

// The newest instant a context records (its last move, transaction or
// teleport): the time it was taken is no earlier. A restore does not run
// again the ticks due by then, which the live engine ran.
inline Timestamp newest_instant(const PlayerContext& ctx) noexcept {
  Timestamp t = ctx.last_movement_at;
  if (const auto at = ctx.transactions.last_issued_at()) t = std::max(t, *at);
  if (const PendingTeleport* p = ctx.teleports.newest()) t = std::max(t, p->sent_at);
  if (ctx.unseen_setback) t = std::max(t, ctx.unseen_setback->sent_at);
  return t;
}

// What a restore keeps of `current` (the replay's context) and takes from
// `snapshot` (a live proxy's): everything comes from the snapshot except
//   - observe: the replay reads the stream, it does not originate;
//   - host_late_until: a hold of the live host's event loop, no part of a
//     replay (which has its own, never set);
//   - protocol, when the replay knows it: the replay's codec decodes at it.
// A live (originating) snapshot restored into an observing replay is then
// read as a replay of a client-side capture of the live proxy reads: the
// clip carries RustGuard's own transactions (observed_own_transactions, no
// receipt markers), and a change left open inside a bundle is closed by the
// next transaction the replay sees in the stream, not by one it injects.
inline void adopt_snapshot(PlayerContext& current, PlayerContext snapshot) {
  const bool observe = current.observe;
  const Timestamp host_late_until = current.host_late_until;
  const std::int32_t protocol = current.protocol != 0 ? current.protocol : snapshot.protocol;
  if (observe && !snapshot.observe) {
    snapshot.observed_own_transactions = true;
    snapshot.receipts.clear();
    snapshot.observed_change_open = snapshot.observed_change_open || snapshot.bundle_changed_state;
    snapshot.bundle_changed_state = false;
  }
  current = std::move(snapshot);
  current.observe = observe;
  current.host_late_until = host_late_until;
  current.protocol = protocol;
}

}  // namespace rustguard::context
