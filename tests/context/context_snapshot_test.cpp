// The context snapshot of evidence clips (context/context_snapshot.hpp): on
// real traffic it round-trips byte for byte and field for field; a session
// restored from a snapshot continues exactly as the one it was taken from,
// with its checks started over; hostile bytes give an error, never a crash.

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "rustguard/adapters/config_loader.hpp"
//
#include "../support/captured_flows.hpp"
#include "rustguard/context/context_snapshot.hpp"
#include "rustguard/session/player_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace context_snapshot_test {

using namespace rustguard;
using context::decode_snapshot;
using context::encode_snapshot;
using context::PlayerContext;
using test::CapturedFlow;
using test::Chunk;

namespace {

// A new member of one of these types must be added to its visit_fields (or
// SnapshotFields<T> in context_snapshot.hpp), kSnapshotVersion bumped, and
// the size here updated. Sizes of x86-64 with libstdc++ (the build the
// project tests on); elsewhere the guard is off.
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(PlayerContext) == 1536);
static_assert(sizeof(context::ClientClaims) == 12);
static_assert(sizeof(context::ServerPings) == 168);
static_assert(sizeof(context::PhysicsState) == 104);
static_assert(sizeof(context::Abilities) == 12);
static_assert(sizeof(context::EffectLevels) == 24);
static_assert(sizeof(context::AttributeValues) == 56);
static_assert(sizeof(context::LagCompensated<context::PhysicsState>) == 248);
static_assert(sizeof(context::Knockback) == 48);
static_assert(sizeof(context::KnockbackTracker) == 392);  // the entries and the mask of active ones (derived, not written)
static_assert(sizeof(context::PendingTeleport) == 72);
static_assert(sizeof(context::PendingTeleports) == 112);
static_assert(sizeof(context::TeleportIds) == 48);
static_assert(sizeof(context::AcceptedPosition) == 40);
static_assert(sizeof(context::Transaction) == 24);
static_assert(sizeof(context::TransactionQueue) == 72);
static_assert(sizeof(context::MovementHistory) == 88);
static_assert(sizeof(context::TrackedEntities) == 72);
static_assert(context::TrackedEntities::entity_bytes() == 472);
static_assert(sizeof(context::EntityDimensions) == 12);
static_assert(sizeof(context::ReceiptMarker) == 40);
static_assert(sizeof(context::Look) == 8);
static_assert(sizeof(context::Turn) == 20);
static_assert(sizeof(context::LookTracker) == 48);
static_assert(sizeof(context::ReceiptMarkers) == 32);
#endif

// The regression captures' replay settings (as tests/clips): flying-squid's
// 1.8 chunks compress ~830:1.
Config replay_config() { return adapters::parse_config("", "test", {{"limits.max_compression_ratio", "1000"}}); }

// The plain structs, exactly: each decomposes into as many members as the
// structured binding names (a new member stops the build here), and
// SnapshotFields<T> visits that many.
struct FieldCounter {
  std::size_t n = 0;
  template <class... T>
  void operator()(T&...) {
    n += sizeof...(T);
  }
  template <class Check>
  void require(Check&&, std::string_view) {}
};
template <class T>
std::size_t visited_fields() {
  T t{};
  FieldCounter c;
  context::SnapshotFields<T>::visit(t, c);
  return c.n;
}
std::size_t arity_PlayerContext(const PlayerContext& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
                                m19, m20, m21, m22, m23, m24, m25, m26, m27, m28] = x;
  return 29;
}
std::size_t arity_ClientClaims(const context::ClientClaims& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5] = x;
  return 6;
}
std::size_t arity_PhysicsState(const context::PhysicsState& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5] = x;
  return 6;
}
std::size_t arity_Abilities(const context::Abilities& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5] = x;
  return 6;
}
std::size_t arity_EffectLevels(const context::EffectLevels& x) {
  [[maybe_unused]] const auto& [m0] = x;
  return 1;
}
std::size_t arity_AttributeValues(const context::AttributeValues& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5, m6] = x;
  return 7;
}
std::size_t arity_Knockback(const context::Knockback& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5] = x;
  return 6;
}
std::size_t arity_PendingTeleport(const context::PendingTeleport& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5, m6] = x;
  return 7;
}
std::size_t arity_AcceptedPosition(const context::AcceptedPosition& x) {
  [[maybe_unused]] const auto& [m0, m1, m2] = x;
  return 3;
}
std::size_t arity_Transaction(const context::Transaction& x) {
  [[maybe_unused]] const auto& [m0, m1, m2] = x;
  return 3;
}
std::size_t arity_MovementHistory(const context::MovementHistory& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10] = x;
  return 11;
}
std::size_t arity_EntityDimensions(const context::EntityDimensions& x) {
  [[maybe_unused]] const auto& [m0, m1, m2] = x;
  return 3;
}
std::size_t arity_Look(const context::Look& x) {
  [[maybe_unused]] const auto& [m0, m1] = x;
  return 2;
}
std::size_t arity_Turn(const context::Turn& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3] = x;
  return 4;
}
std::size_t arity_ReceiptMarker(const context::ReceiptMarker& x) {
  [[maybe_unused]] const auto& [m0, m1, m2, m3, m4] = x;
  return 5;
}
std::size_t arity_Vec3(const protocol::Vec3& x) {
  [[maybe_unused]] const auto& [m0, m1, m2] = x;
  return 3;
}
std::size_t arity_Uuid(const protocol::Uuid& x) {
  [[maybe_unused]] const auto& [m0, m1] = x;
  return 2;
}
std::size_t arity_Timestamp(const Timestamp& x) {
  [[maybe_unused]] const auto& [m0] = x;
  return 1;
}

std::unique_ptr<session::PlayerSession> observing_session(const Config& s) {
  auto engine = std::make_shared<const engine::EngineConfig>(s.checks);
  return std::make_unique<session::PlayerSession>(s.limits, engine, engine::EngineMode::observe);
}

PlayerContext decoded(std::span<const std::uint8_t> bytes) {
  context::DecodedSnapshot d = decode_snapshot(bytes);
  INFO(d.error);
  REQUIRE(d.context.has_value());
  CHECK(d.error.empty());
  return std::move(*d.context);
}

// What the public interface shows of two contexts is the same. Entity ids
// are probed over the range the captures use.
void check_same(const PlayerContext& a, const PlayerContext& b) {
  CHECK(a.protocol == b.protocol);
  CHECK(a.name == b.name);
  CHECK(a.uuid == b.uuid);
  CHECK(a.entity_id == b.entity_id);
  CHECK(a.vehicle_id == b.vehicle_id);
  CHECK(a.in_play == b.in_play);
  CHECK(a.respawns == b.respawns);
  CHECK(a.physics.confirmed() == b.physics.confirmed());
  CHECK(a.physics.latest() == b.physics.latest());
  CHECK(a.physics.settled() == b.physics.settled());
  const std::uint64_t acked = a.transactions.acked_seq();
  CHECK(acked == b.transactions.acked_seq());
  CHECK(a.transactions.issued_seq() == b.transactions.issued_seq());
  CHECK(a.transactions.pending_count() == b.transactions.pending_count());
  CHECK(a.transactions.last_issued_at() == b.transactions.last_issued_at());
  if (a.transactions.newest() != nullptr) CHECK(a.transactions.newest()->id == b.transactions.newest()->id);
  CHECK(a.knockback.horizontal_allowance(acked) == b.knockback.horizontal_allowance(acked));
  CHECK(a.knockback.upward_allowance(acked) == b.knockback.upward_allowance(acked));
  CHECK(a.teleports.size() == b.teleports.size());
  if (!a.teleports.empty()) CHECK(a.teleports.newest()->target == b.teleports.newest()->target);
  CHECK(a.teleport_ids.size() == b.teleport_ids.size());
  CHECK(a.accepted.known == b.accepted.known);
  CHECK(a.accepted.position == b.accepted.position);
  CHECK(a.unseen_setback.has_value() == b.unseen_setback.has_value());
  CHECK(a.movement.position == b.movement.position);
  CHECK(a.movement.position_known == b.movement.position_known);
  CHECK(a.movement.yaw == b.movement.yaw);
  CHECK(a.movement.pitch == b.movement.pitch);
  CHECK(a.movement.last_delta == b.movement.last_delta);
  CHECK(a.movement.air_ticks == b.movement.air_ticks);
  CHECK(a.movement.ticks_since_reset == b.movement.ticks_since_reset);
  CHECK(a.claims.sprinting == b.claims.sprinting);
  CHECK(a.claims.held_slot == b.claims.held_slot);
  CHECK(a.looks.current() == b.looks.current());
  CHECK(a.looks.server_rotation_pending() == b.looks.server_rotation_pending());
  CHECK(a.looks.turn() == b.looks.turn());
  CHECK(a.ping_ms == b.ping_ms);
  CHECK(a.in_bundle == b.in_bundle);
  CHECK(a.observe == b.observe);
  CHECK(a.observed_own_transactions == b.observed_own_transactions);
  CHECK(a.host_late_until == b.host_late_until);
  CHECK(a.last_movement_at == b.last_movement_at);
  CHECK(a.any_movement == b.any_movement);
  REQUIRE(a.entities.size() == b.entities.size());
  CHECK(a.entities.dropped_spawns() == b.entities.dropped_spawns());
  std::size_t found = 0;
  for (std::int32_t id = -1; id < 20000 && found < a.entities.size(); ++id) {
    if (!a.entities.contains(id)) continue;
    ++found;
    REQUIRE(b.entities.contains(id));
    const auto ia = *a.entities.info(id);
    const auto ib = *b.entities.info(id);
    CHECK(ia.type == ib.type);
    CHECK(ia.latest == ib.latest);
    CHECK(ia.confirmed == ib.confirmed);
    CHECK(ia.placed == ib.placed);
    CHECK(a.entities.bounds(id, acked) == b.entities.bounds(id, acked));
  }
}

struct Captured {
  const char* capture;
  const char* player;  // whose flow the continuation cases use ("" = every flow)
  const char* check;   // a check that flags that player
};

const std::vector<Captured>& captured() {
  static const std::vector<Captured> all{
      {"speed-1.21.4.pcap", "spee1214_cheat", "movement.speed"},
      {"speed-1.8.8.pcap", "spee188_cheat", "movement.speed"},
      {"reach-1.21.4.pcap", "rea1214_rch", "combat.reach"},
      {"killaura-1.21.4.pcap", "", ""},
      {"reach-26.1.pcap", "", ""},
      {"honest-1.21.4.pcap", "", ""},
      {"honest-1.8.8.pcap", "", ""},
  };
  return all;
}

}  // namespace

TEST_CASE("every member of the plain structs is in the snapshot", "[context][snapshot]") {
  CHECK(visited_fields<PlayerContext>() == arity_PlayerContext(PlayerContext{}));
  CHECK(visited_fields<context::ClientClaims>() == arity_ClientClaims(context::ClientClaims{}));
  CHECK(visited_fields<context::PhysicsState>() == arity_PhysicsState(context::PhysicsState{}));
  CHECK(visited_fields<context::Abilities>() == arity_Abilities(context::Abilities{}));
  CHECK(visited_fields<context::EffectLevels>() == arity_EffectLevels(context::EffectLevels{}));
  CHECK(visited_fields<context::AttributeValues>() == arity_AttributeValues(context::AttributeValues{}));
  CHECK(visited_fields<context::Knockback>() == arity_Knockback(context::Knockback{}));
  CHECK(visited_fields<context::PendingTeleport>() == arity_PendingTeleport(context::PendingTeleport{}));
  CHECK(visited_fields<context::AcceptedPosition>() == arity_AcceptedPosition(context::AcceptedPosition{}));
  CHECK(visited_fields<context::Transaction>() == arity_Transaction(context::Transaction{}));
  CHECK(visited_fields<context::MovementHistory>() == arity_MovementHistory(context::MovementHistory{}));
  CHECK(visited_fields<context::EntityDimensions>() == arity_EntityDimensions(context::EntityDimensions{}));
  CHECK(visited_fields<context::ReceiptMarker>() == arity_ReceiptMarker(context::ReceiptMarker{}));
  CHECK(visited_fields<context::Look>() == arity_Look(context::Look{}));
  CHECK(visited_fields<context::Turn>() == arity_Turn(context::Turn{}));
  CHECK(visited_fields<protocol::Vec3>() == arity_Vec3(protocol::Vec3{}));
  CHECK(visited_fields<protocol::Uuid>() == arity_Uuid(protocol::Uuid{}));
  CHECK(visited_fields<Timestamp>() == arity_Timestamp(Timestamp{}));
}

TEST_CASE("a snapshot round-trips byte for byte on real traffic", "[context][snapshot]") {
  const Captured which = GENERATE(from_range(captured()));
  INFO(which.capture);
  const Config s = replay_config();
  std::size_t snapshots = 0, largest = 0, most_entities = 0;
  for (const CapturedFlow& flow : test::connections_of(which.capture)) {
    auto player = observing_session(s);
    session::Output out;
    for (std::size_t i = 0; i < flow.chunks.size(); ++i) {
      const Chunk& c = flow.chunks[i];
      player->feed(c.direction, c.bytes, c.at(), out);
      out.clear();
      if (i % 5 != 0 && i + 1 != flow.chunks.size()) continue;
      const PlayerContext& live = player->engine().context();
      const std::vector<std::uint8_t> bytes = player->snapshot_context();
      REQUIRE(bytes == encode_snapshot(live));
      const PlayerContext back = decoded(bytes);
      REQUIRE(encode_snapshot(back) == bytes);
      check_same(live, back);
      ++snapshots;
      largest = std::max(largest, bytes.size());
      most_entities = std::max(most_entities, live.entities.size());
    }
  }
  CHECK(snapshots > 40);
  CHECK(most_entities > 0);  // tracked entities were in play
  CHECK(largest < 64 * 1024);
}

namespace {

struct Run {
  std::vector<std::uint8_t> final_context;
  std::vector<Violation> after;  // violations reported after the restore point
};

// Feeds `flow` to a fresh session; before chunk `restore_at`, restores the
// snapshot `snapshot` (none: plain run). Records the snapshot at `snap_at`.
Run run_flow(const CapturedFlow& flow, const Config& s, std::size_t snap_at, std::vector<std::uint8_t>* snapshot_out,
             const std::vector<std::uint8_t>* restore) {
  Run r;
  auto player = observing_session(s);
  session::Output out;
  for (std::size_t i = 0; i < flow.chunks.size(); ++i) {
    if (i == snap_at) {
      if (snapshot_out != nullptr) *snapshot_out = player->snapshot_context();
      if (restore != nullptr) player->restore_context(decoded(*restore));
    }
    const Chunk& c = flow.chunks[i];
    player->feed(c.direction, c.bytes, c.at(), out);
    for (auto& e : out.events) {
      if (auto* v = std::get_if<session::ViolationFound>(&e); v != nullptr && i >= snap_at) {
        r.after.push_back(v->violation);
      }
    }
    out.clear();
  }
  r.final_context = player->snapshot_context();
  player->finish(out);
  return r;
}

const CapturedFlow& flow_of(const std::vector<CapturedFlow>& flows, const Config& s, const std::string& name) {
  for (const CapturedFlow& f : flows) {
    auto player = observing_session(s);
    session::Output out;
    for (const Chunk& c : f.chunks) {
      player->feed(c.direction, c.bytes, c.at(), out);
      out.clear();
      if (player->engine().context().in_play) break;
    }
    if (player->engine().context().name == name) return f;
  }
  FAIL("no connection of " << name);
  return flows.front();
}

// The first chunk after which `check` has flagged at least `n` times in `run`.
std::size_t chunk_after_flags(const CapturedFlow& flow, const Config& s, const std::string& check, std::size_t n) {
  auto player = observing_session(s);
  session::Output out;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < flow.chunks.size(); ++i) {
    const Chunk& c = flow.chunks[i];
    player->feed(c.direction, c.bytes, c.at(), out);
    for (auto& e : out.events) {
      if (auto* v = std::get_if<session::ViolationFound>(&e); v != nullptr && v->violation.check.rfind(check, 0) == 0) {
        seen += v->violation.count;
      }
    }
    out.clear();
    if (seen >= n) return i + 1;
  }
  return flow.chunks.size();
}

}  // namespace

TEST_CASE("a restored session continues as the one the snapshot came from, its checks from scratch",
          "[context][snapshot][restore]") {
  const Captured which = GENERATE(Captured{"speed-1.21.4.pcap", "spee1214_cheat", "movement.speed"},
                                  Captured{"speed-1.8.8.pcap", "spee188_cheat", "movement.speed"},
                                  Captured{"reach-1.21.4.pcap", "rea1214_rch", "combat.reach"});
  INFO(which.capture);
  const Config s = replay_config();
  const std::vector<CapturedFlow> flows = test::connections_of(which.capture);
  const CapturedFlow& flow = flow_of(flows, s, which.player);

  // T: after the cheater's check flagged a few times (its VL is well up).
  const std::size_t t = chunk_after_flags(flow, s, which.check, 3);
  REQUIRE(t < flow.chunks.size() - 10);

  std::vector<std::uint8_t> at_t;
  const Run a = run_flow(flow, s, t, &at_t, nullptr);
  REQUIRE(!at_t.empty());
  const Run b = run_flow(flow, s, t, nullptr, &at_t);

  // The context evolves identically from the restored snapshot.
  CHECK(a.final_context == b.final_context);

  // The checks started over: the first flag of the check after T has a lower
  // VL than where the uninterrupted session stood, and B flags again.
  const auto first_of = [&](const std::vector<Violation>& vs) -> const Violation* {
    for (const Violation& v : vs) {
      if (v.check.rfind(which.check, 0) == 0) return &v;
    }
    return nullptr;
  };
  const Violation* fa = first_of(a.after);
  const Violation* fb = first_of(b.after);
  REQUIRE(fa != nullptr);
  REQUIRE(fb != nullptr);
  INFO("A first VL after T " << fa->vl << ", B " << fb->vl);
  CHECK(fb->vl < fa->vl);
}

namespace {

// Whether both directions' streams are at a frame boundary before each chunk
// (frames: a VarInt length, then that many bytes), so a feed may skip from
// one such chunk to another as a clip skips from its prologue to its ring.
std::vector<bool> frame_aligned(const CapturedFlow& flow) {
  std::array<std::vector<std::uint8_t>, 2> stream;
  std::vector<std::array<std::size_t, 2>> before;
  for (const Chunk& c : flow.chunks) {
    before.push_back({stream[0].size(), stream[1].size()});
    auto& s = stream[static_cast<std::size_t>(c.direction)];
    s.insert(s.end(), c.bytes.begin(), c.bytes.end());
  }
  std::array<std::vector<bool>, 2> starts;
  for (std::size_t d = 0; d < 2; ++d) {
    const auto& s = stream[d];
    starts[d].assign(s.size() + 1, false);
    std::size_t pos = 0;
    while (pos <= s.size()) {
      starts[d][pos] = true;
      std::uint64_t len = 0;
      std::size_t n = 0;
      while (pos + n < s.size() && n < 5) {
        const std::uint8_t b = s[pos + n++];
        len |= static_cast<std::uint64_t>(b & 0x7F) << (7 * (n - 1));
        if ((b & 0x80) == 0) break;
      }
      if (n == 0) break;
      pos += n + len;
    }
  }
  std::vector<bool> out;
  for (const auto& b : before) out.push_back(starts[0][b[0]] && starts[1][b[1]]);
  return out;
}

}  // namespace

TEST_CASE("a replay of the prologue and a restored snapshot continues as the whole session",
          "[context][snapshot][restore]") {
  // As a clip: the session up to the client's first move in play, then the
  // snapshot of the player's context at T, then the frames from T on.
  const Captured which = GENERATE(Captured{"speed-1.21.4.pcap", "spee1214_cheat", "movement.speed"},
                                  Captured{"speed-1.8.8.pcap", "spee188_cheat", "movement.speed"},
                                  Captured{"reach-1.21.4.pcap", "rea1214_rch", "combat.reach"});
  INFO(which.capture);
  const Config s = replay_config();
  const std::vector<CapturedFlow> flows = test::connections_of(which.capture);
  const CapturedFlow& flow = flow_of(flows, s, which.player);
  const std::vector<bool> aligned = frame_aligned(flow);

  std::size_t t = chunk_after_flags(flow, s, which.check, 3);
  while (t < flow.chunks.size() && !aligned[t]) ++t;
  REQUIRE(t + 10 < flow.chunks.size());
  std::vector<std::uint8_t> at_t;
  const Run a = run_flow(flow, s, t, &at_t, nullptr);

  auto b = observing_session(s);
  session::Output out;
  std::size_t i = 0;
  for (; i < t; ++i) {
    if (aligned[i] && b->engine().context().any_movement) break;
    b->feed(flow.chunks[i].direction, flow.chunks[i].bytes, flow.chunks[i].at(), out);
    out.clear();
  }
  INFO("prologue " << i << " chunks, T " << t << " of " << flow.chunks.size());
  REQUIRE(i < t);
  const PlayerContext snapshot = decoded(at_t);
  const Timestamp newest = context::newest_instant(snapshot);
  b->restore_context(snapshot);
  // The ticks the live engine ran before the snapshot are not run again.
  REQUIRE(b->next_deadline().has_value());
  CHECK(*b->next_deadline() > newest);
  CHECK(*b->next_deadline() <= newest + millis(250));
  std::vector<Violation> after;
  for (i = t; i < flow.chunks.size(); ++i) {
    b->feed(flow.chunks[i].direction, flow.chunks[i].bytes, flow.chunks[i].at(), out);
    for (auto& e : out.events) {
      if (auto* v = std::get_if<session::ViolationFound>(&e)) after.push_back(v->violation);
    }
    out.clear();
  }
  CHECK(b->snapshot_context() == a.final_context);
  bool flagged = false;
  for (const Violation& v : after) {
    flagged = flagged || v.check.rfind(which.check, 0) == 0;
    CHECK(v.time_ms >= newest.to_millis());  // nothing judged at an instant before the snapshot
  }
  CHECK(flagged);
}

TEST_CASE("restoring keeps the replay's observe flag and host-late hold", "[context][snapshot][restore]") {
  PlayerContext live;
  live.observe = false;
  live.host_late_until = Timestamp{123};
  live.bundle_changed_state = true;
  live.protocol = 769;
  live.name = "someone";
  PlayerContext replay_ctx;
  replay_ctx.observe = true;
  replay_ctx.protocol = 769;
  replay_ctx.host_late_until = Timestamp{0};
  context::adopt_snapshot(replay_ctx, decoded(encode_snapshot(live)));
  CHECK(replay_ctx.observe);
  CHECK(replay_ctx.host_late_until == Timestamp{0});
  CHECK(replay_ctx.name == "someone");
  // A live snapshot read as a client-side capture of the live proxy.
  CHECK(replay_ctx.observed_own_transactions);
  CHECK(replay_ctx.observed_change_open);
  CHECK_FALSE(replay_ctx.bundle_changed_state);
}

namespace {
std::vector<std::uint8_t> real_snapshot(const char* capture, std::size_t at_chunk) {
  const Config s = replay_config();
  const std::vector<CapturedFlow> flows = test::connections_of(capture);
  const CapturedFlow& flow = flows.front();
  auto player = observing_session(s);
  session::Output out;
  for (std::size_t i = 0; i < flow.chunks.size() && i < at_chunk; ++i) {
    player->feed(flow.chunks[i].direction, flow.chunks[i].bytes, flow.chunks[i].at(), out);
    out.clear();
  }
  return player->snapshot_context();
}
}  // namespace

TEST_CASE("hostile snapshots give an error, never a crash", "[context][snapshot][hostile]") {
  const std::vector<std::uint8_t> good = real_snapshot("reach-1.21.4.pcap", 600);
  REQUIRE(decode_snapshot(good).context.has_value());
  REQUIRE(good.size() > 200);

  SECTION("every truncation") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      const auto d = decode_snapshot(std::span(good).first(n));
      INFO(n);
      REQUIRE_FALSE(d.context.has_value());
      REQUIRE_FALSE(d.error.empty());
    }
  }
  SECTION("trailing bytes") {
    std::vector<std::uint8_t> more = good;
    more.push_back(0);
    const auto d = decode_snapshot(more);
    CHECK_FALSE(d.context.has_value());
    CHECK(d.error.find("trailing") != std::string::npos);
  }
  SECTION("wrong magic or version") {
    std::vector<std::uint8_t> bad = good;
    bad[0] = 'X';
    CHECK(decode_snapshot(bad).error.find("magic") != std::string::npos);
    bad = good;
    bad[4] = context::kSnapshotVersion + 1;
    CHECK(decode_snapshot(bad).error.find("version") != std::string::npos);
    CHECK_FALSE(decode_snapshot({}).context.has_value());
  }
  SECTION("random byte flips: an error, or a context that encodes to exactly those bytes") {
    std::mt19937 rng{20261202};
    std::uniform_int_distribution<std::size_t> where(5, good.size() - 1);
    std::uniform_int_distribution<int> value(0, 255);
    std::size_t accepted = 0;
    for (int round = 0; round < 20000; ++round) {
      std::vector<std::uint8_t> bad = good;
      const int flips = 1 + round % 4;
      for (int f = 0; f < flips; ++f) bad[where(rng)] = static_cast<std::uint8_t>(value(rng));
      const auto d = decode_snapshot(bad);
      if (d.context) {
        ++accepted;
        REQUIRE(encode_snapshot(*d.context) == bad);  // every accepted input is canonical
      } else {
        REQUIRE_FALSE(d.error.empty());
      }
    }
    CHECK(accepted > 0);  // most flips land in plain numbers
  }
  SECTION("huge counts are refused before anything is allocated") {
    // A context whose name claims 4 GiB: the count exceeds the bytes left.
    PlayerContext ctx;
    ctx.name = "x";
    std::vector<std::uint8_t> bytes = encode_snapshot(ctx);
    // magic(4) version(1) protocol(4), then the name's u32 length.
    bytes[9] = bytes[10] = bytes[11] = bytes[12] = 0xFF;
    const auto d = decode_snapshot(bytes);
    CHECK_FALSE(d.context.has_value());
    CHECK(d.error.find("count") != std::string::npos);
  }
}

TEST_CASE("maps are written in key order and read back", "[context][snapshot]") {
  std::unordered_map<std::int32_t, std::string> u;
  std::map<std::int32_t, std::string> m;
  for (std::int32_t k : {42, -7, 1000, 3, 0}) {
    u[k] = std::to_string(k);
    m[k] = std::to_string(k);
  }
  context::detail::SnapshotWriter wu, wm;
  wu(u);
  wm(m);
  const std::vector<std::uint8_t> bu = std::move(wu).take();
  const std::vector<std::uint8_t> bm = std::move(wm).take();
  CHECK(bu == bm);
  std::unordered_map<std::int32_t, std::string> back;
  context::detail::SnapshotReader r{bu};
  r(back);
  CHECK(r.ok());
  CHECK(r.remaining() == 0);
  CHECK(back == u);
  // Keys out of order are refused (only the canonical form is read).
  std::map<std::int32_t, std::string> two{{1, "a"}, {2, "b"}};
  context::detail::SnapshotWriter w2;
  w2(two);
  std::vector<std::uint8_t> b2 = std::move(w2).take();
  // count(4) key 1(4) "a"(4+1) key 2(4) "b"(4+1): swap the two keys.
  std::swap(b2[4], b2[13]);
  context::detail::SnapshotReader r2{b2};
  std::map<std::int32_t, std::string> bad;
  r2(bad);
  CHECK_FALSE(r2.ok());
}

}  // namespace context_snapshot_test
