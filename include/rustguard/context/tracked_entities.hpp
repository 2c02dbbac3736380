#pragma once
// The entities one player can see, where the client may think they are: the
// foundation the combat checks (reach, hitbox, killaura) read.
//
// Lag compensation. The client processes clientbound packets in order, so a
// move sent after transaction N is unknown to it until it acknowledged N,
// and certainly applied once it acknowledged the next transaction, N + 1
// (sequence numbers count every transaction and, in observe mode, every
// receipt marker; nothing is issued between a packet and the next transaction
// the engine or the capture puts after it). A move is recorded with
// `seq_before` = the sequence issued before it (TransactionQueue::issued_seq())
// and needs no transaction of its own: the heartbeat, or any later change,
// closes it. Moves between the same two transactions form one *step*: once
// the client acknowledged its opening transaction, any position of the step
// may be the one it shows, so a step keeps the range (component-wise min and
// max) of its positions, not each of them.
//
// Interpolation. A client does not place a moved living entity at once: it
// moves the entity's box towards the new position over 3 client ticks (modern
// clients and 1.8 alike; boats 10, minecarts 5 on modern clients, given per
// entity at spawn). With an update every tick the box shown trails the server
// by about that many updates, so each step's range also holds the last
// kRecent positions sent before it, and once a step is certain its range
// stays possible (the *trail*) for the entity's interpolation ticks, counted
// in the player's movement packets (at most one per client tick, so the count
// never runs ahead of the client and the trail is never dropped early). A
// box anywhere between those positions is the union (bounding box) of the
// boxes at both ends; an entity zig-zagging faster than once per 3 updates
// can show a box slightly outside it.
//
// Precision. Positions are the decoders' doubles: 1.8 sends 1/32-block fixed
// point and 1.9+ relative moves 1/4096-block shorts, both exact in a double,
// so relative moves add up with no drift and the tracker holds what the
// client holds. A 1.8 client ignores an Entity Teleport that lands within
// 1/32 block horizontally (1/64 vertically) of where it already shows the
// entity, so checks add position_margin(protocol) to every box of a 1.8
// client.
//
// Bounds. At most kMaxEntities entities per player (a vanilla client at 32
// chunks of view rarely sees more than a few hundred); a spawn beyond is not
// tracked and counted in dropped_spawns(), and a check must treat an entity
// it does not find as unknown (no evidence either way). Memory is one dense
// vector of entities plus an open-addressing index (linear probing, load at
// most 1/2), both grown only on spawn: moves and queries never allocate.
//
// Scale (1.20.5+). The scale attribute multiplies an entity's width and
// height about its feet, so a scaled box holds the unscaled one or lies in
// it. A change is lag-compensated like a move: from the transaction before
// it until the client acknowledged the next one, the larger of the old and
// the new scale is possible (the larger box holds the smaller, so checks
// test one box). Values are clamped to the game's range, 0.0625-16.
//
// Removal is immediate: the client may still show a removed entity until it
// acknowledges the next transaction, so an attack on an entity no longer
// tracked is not evidence of anything.
//
// Passengers. A client places a rider on its vehicle's seat every tick, from
// the vehicle's interpolated position and the seat's offset, which this
// tracker does not model; so while an entity rides (Set Passengers, 1.9+)
// it has no known box, nor after it got off until the client certainly
// applied that and interpolated for the entity's ticks. Checks then have no
// evidence either way (an honest hit on a rider is never judged by a stale
// position). On 1.8 Attach Entity says the same for one rider (attach()). A
// rider whose vehicle is removed stays unknown until a Set Passengers, an
// Attach Entity or a new spawn names it again.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rustguard/context/entity_box.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

// What a check adds to every tracked box of a client of `protocol` for the
// precision of positions on the wire (see the header comment).
constexpr double position_margin(std::int32_t protocol) noexcept {
  return protocol < protocol::v::v1_9 ? 1.0 / 32.0 : 0.0;
}

struct EntitySpawn {
  std::int32_t id = 0;
  std::int32_t type = 0;  // the version's type id, as the spawn packet sent it
  protocol::Vec3 position;
  EntityDimensions dimensions = kDefaultDimensions;
  std::uint8_t interpolation_ticks = 3;
};

class TrackedEntities {
 public:
  static constexpr std::size_t kMaxEntities = 2048;
  // Open steps kept per entity; more merge the two oldest (which only widens
  // what is possible, never narrows it).
  static constexpr std::size_t kMaxSteps = 3;
  // Positions sent before a step that the client may still be interpolating from.
  static constexpr std::size_t kRecent = 3;

  // What a check may read of one entity besides its boxes.
  struct Info {
    std::int32_t id = 0;
    std::int32_t type = 0;
    EntityDimensions dimensions;  // at the server's newest scale (any_box has the client's)
    protocol::Vec3 latest;     // the server's newest position
    protocol::Vec3 confirmed;  // the newest position the client certainly received
    bool placed = true;        // false while riding or getting off: no box is known
  };

  // Starts tracking (or replaces an entity of the same id, as the client
  // does). False when over kMaxEntities: the entity is not tracked.
  bool spawn(const EntitySpawn& s) {
    if (Entity* e = find_mut(s.id)) {
      *e = fresh(s);
      return true;
    }
    if (entities_.size() >= kMaxEntities) {
      ++dropped_spawns_;
      return false;
    }
    if ((entities_.size() + 1) * 2 > slots_.size()) grow();
    entities_.push_back(fresh(s));
    insert_slot(s.id, static_cast<std::int32_t>(entities_.size() - 1));
    return true;
  }

  // A relative move (delta in blocks) sent after transaction `seq_before`;
  // `acked_seq` is what the client acknowledged so far. Unknown ids are ignored.
  void move_by(std::int32_t id, const protocol::Vec3& delta, std::uint64_t seq_before, std::uint64_t acked_seq) noexcept {
    Entity* e = find_mut(id);
    if (e == nullptr) return;
    const protocol::Vec3 from = latest_of(*e);
    move(*e, {from.x + delta.x, from.y + delta.y, from.z + delta.z}, seq_before, acked_seq);
  }

  // An absolute position (teleport, position sync).
  void move_to(std::int32_t id, const protocol::Vec3& position, std::uint64_t seq_before,
               std::uint64_t acked_seq) noexcept {
    if (Entity* e = find_mut(id)) move(*e, position, seq_before, acked_seq);
  }

  // Set Passengers, sent after transaction `seq_before`: `passengers` ride
  // `vehicle` now; its other riders got off. Untracked ids are ignored.
  void set_passengers(std::int32_t vehicle, std::span<const std::int32_t> passengers,
                      std::uint64_t seq_before) noexcept {
    for (auto& e : entities_) {
      if (e.vehicle != vehicle || std::find(passengers.begin(), passengers.end(), e.id) != passengers.end()) continue;
      get_off(e, seq_before);
    }
    for (const auto id : passengers) {
      if (Entity* e = find_mut(id)) {
        e->vehicle = vehicle;
        e->getting_off = false;
      }
    }
  }

  // 1.8's Attach Entity, sent after transaction `seq_before`: `id` rides
  // `vehicle` now (-1: it got off). A 1.8 vehicle carries one rider, so a
  // rider already on `vehicle` got off. Untracked ids are ignored.
  void attach(std::int32_t id, std::int32_t vehicle, std::uint64_t seq_before) noexcept {
    if (vehicle >= 0) {
      for (auto& e : entities_) {
        if (e.vehicle == vehicle && e.id != id) get_off(e, seq_before);
      }
    }
    Entity* e = find_mut(id);
    if (e == nullptr) return;
    if (vehicle < 0) {
      if (e->vehicle != kNoVehicle) get_off(*e, seq_before);
      return;
    }
    e->vehicle = vehicle;
    e->getting_off = false;
  }

  // The entity's scale attribute became `scale`, sent after transaction
  // `seq_before`; `acked_seq` is what the client acknowledged so far.
  // Untracked ids and NaN are ignored.
  void set_scale(std::int32_t id, double scale, std::uint64_t seq_before, std::uint64_t acked_seq) noexcept {
    Entity* e = find_mut(id);
    if (e == nullptr || std::isnan(scale)) return;
    // A change the client may not have applied yet stays possible: keep the larger.
    e->scale = scale_of(*e, acked_seq);
    e->next_scale = static_cast<float>(std::clamp(scale, kMinScale, kMaxScale));
    e->scale_at_seq = seq_before + 1;
  }

  void remove(std::int32_t id) noexcept {
    const std::size_t slot = slot_of(id);
    if (slot == kNone) return;
    const auto index = static_cast<std::size_t>(slots_[slot]);
    erase_slot(slot);
    // Swap-and-pop keeps the entities dense; the moved one's slot follows it.
    if (index != entities_.size() - 1) {
      entities_[index] = entities_.back();
      slots_[slot_of(entities_[index].id)] = static_cast<std::int32_t>(index);
    }
    entities_.pop_back();
  }

  // Respawn, dimension change, reconfiguration: the client forgets every entity.
  // Capacity is kept (the next world has entities too).
  void clear() noexcept {
    entities_.clear();
    for (auto& s : slots_) s = kEmpty;
  }

  // One client tick passed (a movement packet): ages the trails, and settles
  // the steps the client has certainly applied once per new acknowledgement.
  void client_tick(std::uint64_t acked_seq) noexcept {
    ++tick_;
    if (acked_seq == settled_at_) return;
    settled_at_ = acked_seq;
    for (auto& e : entities_) settle(e, acked_seq);
  }

  std::size_t size() const noexcept { return entities_.size(); }
  bool contains(std::int32_t id) const noexcept { return slot_of(id) != kNone; }
  std::uint64_t dropped_spawns() const noexcept { return dropped_spawns_; }

  std::optional<Info> info(std::int32_t id) const noexcept {
    const Entity* e = find(id);
    if (e == nullptr) return std::nullopt;
    return Info{e->id, e->type, scaled(e->dims, e->next_scale), latest_of(*e), e->confirmed, placed(*e)};
  }

  // Calls f(box) for every box the client may show the entity in, given the
  // transactions it acknowledged (`acked_seq`); stops when f returns true and
  // returns whether it did. False for an entity not tracked.
  template <class F>
  bool any_box(std::int32_t id, std::uint64_t acked_seq, F&& f) const {
    const Entity* e = find(id);
    if (e == nullptr || !placed(*e)) return false;
    const EntityDimensions dims = scaled(e->dims, scale_of(*e, acked_seq));
    if (f(Aabb::of(e->confirmed, dims))) return true;
    if (tick_ < e->trail_until && f(Aabb::spanning(e->trail_lo, e->trail_hi, dims))) return true;
    for (std::size_t i = 0; i < e->steps; ++i) {
      const Step& s = e->step[i];
      if (s.begin > acked_seq) break;  // the client has not even started on it
      if (f(Aabb::spanning(s.lo, s.hi, dims))) return true;
    }
    return false;
  }

  // The union of every possible box; nullopt for an entity not tracked.
  std::optional<Aabb> bounds(std::int32_t id, std::uint64_t acked_seq) const {
    std::optional<Aabb> out;
    any_box(id, acked_seq, [&](const Aabb& b) {
      out = out ? out->united(b) : b;
      return false;
    });
    return out;
  }

  // The smallest distance from `point` to any possible box (0 inside one);
  // nullopt for an entity not tracked.
  std::optional<double> min_distance(std::int32_t id, std::uint64_t acked_seq, const protocol::Vec3& point) const {
    std::optional<double> best;
    any_box(id, acked_seq, [&](const Aabb& b) {
      const double d = b.distance_to(point);
      if (!best || d < *best) best = d;
      return d == 0.0;
    });
    return best;
  }

  // Memory the tracker holds now (for the benchmark and metrics).
  std::size_t memory_bytes() const noexcept {
    return sizeof(*this) + entities_.capacity() * sizeof(Entity) + slots_.capacity() * sizeof(std::int32_t);
  }
  static constexpr std::size_t entity_bytes() noexcept { return sizeof(Entity); }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  // The index (slots_) is derived from the entities: the snapshot keeps its
  // size, which decides when it grows next, and the reader rebuilds it.
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.entities_, self.tick_, self.settled_at_, self.dropped_spawns_);
    v.table_size(self.slots_);
    if constexpr (V::kReading) v.require([&self] { return self.rebuild_index(); }, "tracked entities' index");
  }

 private:
  static constexpr std::int32_t kNoVehicle = -1;
  static constexpr double kMinScale = 0.0625;
  static constexpr double kMaxScale = 16.0;

  // Moves sent between transactions `begin` (opening) and `end` (closing).
  struct Step {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    protocol::Vec3 lo;    // range of the positions the client may show during the step
    protocol::Vec3 hi;
    protocol::Vec3 last;  // where the step ends
    template <class Self, class V>
    static void visit_fields(Self& self, V& v) {
      v(self.begin, self.end, self.lo, self.hi, self.last);
    }
  };
  struct Entity {
    std::int32_t id = 0;
    std::int32_t type = 0;
    std::int32_t vehicle = kNoVehicle;  // the entity it rides
    bool getting_off = false;           // until the client certainly applied it
    std::uint64_t off_at_seq = 0;
    std::uint32_t off_until = 0;        // client tick until which it may still be shown seated
    EntityDimensions dims;  // unscaled, from the type
    float scale = 1.0f;       // certainly applied (or the larger of two possible)
    float next_scale = 1.0f;  // the newest sent; certain once scale_at_seq is acknowledged
    std::uint64_t scale_at_seq = 0;
    std::uint8_t interp = 3;
    std::uint8_t steps = 0;
    std::uint8_t recent_next = 0;
    std::uint32_t trail_until = 0;  // client tick until which the trail may still show
    protocol::Vec3 confirmed;
    protocol::Vec3 trail_lo;
    protocol::Vec3 trail_hi;
    std::array<protocol::Vec3, kRecent> recent{};  // the last positions sent, ring
    std::array<Step, kMaxSteps> step{};
    template <class Self, class V>
    static void visit_fields(Self& self, V& v) {
      v(self.id, self.type, self.vehicle, self.getting_off, self.off_at_seq, self.off_until, self.dims, self.scale);
      v(self.next_scale, self.scale_at_seq, self.interp, self.steps, self.recent_next, self.trail_until);
      v(self.confirmed, self.trail_lo, self.trail_hi, self.recent, self.step);
      v.require([&self] { return self.steps <= kMaxSteps && self.recent_next < kRecent; }, "entity steps");
    }
  };

  static constexpr std::int32_t kEmpty = -1;

  bool placed(const Entity& e) const noexcept {
    return e.vehicle == kNoVehicle && !e.getting_off && tick_ >= e.off_until;
  }
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  static Entity fresh(const EntitySpawn& s) noexcept {
    Entity e;
    e.id = s.id;
    e.type = s.type;
    e.dims = s.dimensions;
    e.interp = s.interpolation_ticks;
    e.confirmed = s.position;
    e.trail_lo = e.trail_hi = s.position;
    e.recent.fill(s.position);  // a spawned entity is placed, not interpolated
    return e;
  }

  static void get_off(Entity& e, std::uint64_t seq_before) noexcept {
    e.vehicle = kNoVehicle;
    e.getting_off = true;
    e.off_at_seq = seq_before + 1;  // certainly applied once this is acknowledged
  }

  static float scale_of(const Entity& e, std::uint64_t acked_seq) noexcept {
    return acked_seq >= e.scale_at_seq ? e.next_scale : std::max(e.scale, e.next_scale);
  }
  static EntityDimensions scaled(const EntityDimensions& d, float scale) noexcept {
    return EntityDimensions{d.width * scale, d.height * scale, d.known};
  }

  static const protocol::Vec3& latest_of(const Entity& e) noexcept {
    return e.steps == 0 ? e.confirmed : e.step[e.steps - 1].last;
  }

  void move(Entity& e, const protocol::Vec3& to, std::uint64_t seq_before, std::uint64_t acked_seq) noexcept {
    settle(e, acked_seq);
    Step* s = e.steps == 0 ? nullptr : &e.step[e.steps - 1];
    if (s == nullptr || s->begin != seq_before) {
      if (e.steps == kMaxSteps) merge_oldest(e);
      s = &e.step[e.steps++];
      s->begin = seq_before;
      s->end = seq_before + 1;
      // Interpolation: the client may still be on its way from the last positions.
      s->lo = s->hi = e.recent[0];
      for (const auto& p : e.recent) extend(s->lo, s->hi, p);
    }
    extend(s->lo, s->hi, to);
    s->last = to;
    e.recent[e.recent_next] = to;
    e.recent_next = static_cast<std::uint8_t>((e.recent_next + 1) % kRecent);
  }

  static void merge_oldest(Entity& e) noexcept {
    Step& a = e.step[0];
    const Step& b = e.step[1];
    a.end = b.end;
    extend(a.lo, a.hi, b.lo);
    extend(a.lo, a.hi, b.hi);
    a.last = b.last;
    for (std::size_t i = 1; i + 1 < e.steps; ++i) e.step[i] = e.step[i + 1];
    --e.steps;
  }

  // Steps the client has certainly applied become the confirmed position;
  // their range stays possible while the client may still interpolate.
  void settle(Entity& e, std::uint64_t acked_seq) noexcept {
    if (e.getting_off && acked_seq >= e.off_at_seq) {
      e.getting_off = false;
      e.off_until = tick_ + e.interp + 1u;  // +1: the acknowledgement may come mid-tick
    }
    std::size_t done = 0;
    while (done < e.steps && e.step[done].end <= acked_seq) {
      const Step& s = e.step[done];
      if (tick_ < e.trail_until) {
        extend(e.trail_lo, e.trail_hi, s.lo);
        extend(e.trail_lo, e.trail_hi, s.hi);
      } else {
        e.trail_lo = s.lo;
        e.trail_hi = s.hi;
      }
      e.trail_until = tick_ + e.interp + 1u;  // +1: the acknowledgement may come mid-tick
      e.confirmed = s.last;
      ++done;
    }
    if (done == 0) return;
    for (std::size_t i = done; i < e.steps; ++i) e.step[i - done] = e.step[i];
    e.steps = static_cast<std::uint8_t>(e.steps - done);
  }

  // --- the index: linear probing over slots_ (dense index or kEmpty).

  std::size_t home(std::int32_t id) const noexcept {
    // Fibonacci hashing: entity ids are mostly consecutive; this spreads them.
    const std::uint32_t h = static_cast<std::uint32_t>(id) * 2654435769u;
    return static_cast<std::size_t>(h) & (slots_.size() - 1);
  }

  std::size_t slot_of(std::int32_t id) const noexcept {
    if (slots_.empty()) return kNone;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = home(id);; i = (i + 1) & mask) {
      const std::int32_t s = slots_[i];
      if (s == kEmpty) return kNone;
      if (entities_[static_cast<std::size_t>(s)].id == id) return i;
    }
  }
  const Entity* find(std::int32_t id) const noexcept {
    const std::size_t slot = slot_of(id);
    return slot == kNone ? nullptr : &entities_[static_cast<std::size_t>(slots_[slot])];
  }
  Entity* find_mut(std::int32_t id) noexcept {
    const std::size_t slot = slot_of(id);
    return slot == kNone ? nullptr : &entities_[static_cast<std::size_t>(slots_[slot])];
  }

  void insert_slot(std::int32_t id, std::int32_t index) noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(id);
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = index;
  }

  // Backward-shift deletion: later entries of the probe run move up, so no
  // tombstones accumulate over a long session of spawns and removals.
  void erase_slot(std::size_t hole) noexcept {
    const std::size_t mask = slots_.size() - 1;
    slots_[hole] = kEmpty;
    for (std::size_t i = (hole + 1) & mask; slots_[i] != kEmpty; i = (i + 1) & mask) {
      const std::size_t want = home(entities_[static_cast<std::size_t>(slots_[i])].id);
      // Move it into the hole if its home is not in (hole, i] (cyclically).
      const bool stays = hole <= i ? (want > hole && want <= i) : (want > hole || want <= i);
      if (stays) continue;
      slots_[hole] = slots_[i];
      slots_[i] = kEmpty;
      hole = i;
    }
  }

  // After a snapshot's entities and index size were read: the index again,
  // if the size is one the tracker can have (a power of two at least twice
  // the entities, none before the first spawn) and no id repeats.
  bool rebuild_index() noexcept {
    const std::size_t n = slots_.size();
    if (entities_.size() > kMaxEntities) return false;
    if (n == 0) return entities_.empty();
    if (n < 16 || n > 2 * kMaxEntities || (n & (n - 1)) != 0 || entities_.size() * 2 > n) return false;
    for (auto& s : slots_) s = kEmpty;
    for (std::size_t i = 0; i < entities_.size(); ++i) {
      if (slot_of(entities_[i].id) != kNone) return false;
      insert_slot(entities_[i].id, static_cast<std::int32_t>(i));
    }
    return true;
  }

  void grow() {
    const std::size_t n = slots_.empty() ? 16 : slots_.size() * 2;
    slots_.assign(n, kEmpty);
    for (std::size_t i = 0; i < entities_.size(); ++i) insert_slot(entities_[i].id, static_cast<std::int32_t>(i));
  }

  std::vector<Entity> entities_;
  std::vector<std::int32_t> slots_;  // size a power of two, or empty
  std::uint32_t tick_ = 0;
  std::uint64_t settled_at_ = 0;
  std::uint64_t dropped_spawns_ = 0;
};

}  // namespace rustguard::context
