// The context snapshot of evidence clips (context/context_snapshot.hpp):
// its size and the cost of encoding and decoding it, for a live player's
// context in the middle of a fight — 20 tracked entities, each moved within
// the last transactions (open steps), 4 transactions in flight, a pending
// change of the player's state, a knockback and a teleport on their way —
// and for the same context as a replay holds it (its ring of 64 receipt
// markers filled: keep-alives and server pings are its evidence).
//
//   rustguard_bench_context_snapshot [iterations]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <zlib.h>

#include "rustguard/context/context_snapshot.hpp"

namespace {

using namespace rustguard;

context::PlayerContext fighting_player() {
  context::PlayerContext ctx;
  ctx.protocol = 769;
  ctx.name = "Someone_Long_16c";
  ctx.uuid = {0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL};
  ctx.entity_id = 412;
  ctx.in_play = true;
  ctx.any_movement = true;
  Timestamp now{1'700'000'000'000'000};
  for (int i = 0; i < 4; ++i) ctx.transactions.issue(now += millis(50));
  ctx.transactions.acknowledge(-1);
  const std::uint64_t acked = ctx.transactions.acked_seq();
  auto& s = ctx.physics.change(ctx.transactions.issued_seq() - 1, ctx.transactions.issued_seq());
  s.effects.set(context::MovementEffect::speed, 1);
  ctx.physics.commit();
  ctx.knockback.add({0.3, 0.36, -0.2}, acked, acked + 1);
  ctx.teleports.add(context::PendingTeleport{7, {100.5, 64, -20.5}, {}, now, false, false, false});
  ctx.teleport_ids.from_server(7);
  ctx.accepted.accept({100.5, 64, -20.5}, true);
  for (std::int32_t e = 0; e < 20; ++e) {
    const protocol::Vec3 at{100.0 + e, 64, -20.0 - e};
    ctx.entities.spawn(context::EntitySpawn{1000 + e, 148, at, context::kPlayerDimensions, 3});
    for (std::uint64_t seq = acked; seq < ctx.transactions.issued_seq(); ++seq) {
      ctx.entities.move_by(1000 + e, {0.125, 0, -0.0625}, seq, acked);
    }
  }
  ctx.movement.position = {100.5, 64, -20.5};
  ctx.movement.position_known = true;
  ctx.ping_ms = 48;
  ctx.last_movement_at = now;
  return ctx;
}

struct Figures {
  std::size_t bytes;
  std::size_t deflated;  // zlib level 6: what a clip note would carry if compressed
  double encode_ns;
  double decode_ns;
};

Figures measure(const context::PlayerContext& ctx, int iterations) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::uint8_t> bytes;
  std::size_t sink = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    bytes = context::encode_snapshot(ctx);
    sink += bytes.size();
  }
  const auto encode = Clock::now() - t0;
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    const auto d = context::decode_snapshot(bytes);
    if (!d.context) {
      std::fprintf(stderr, "decode failed: %s\n", d.error.c_str());
      std::exit(1);
    }
    sink += d.context->entities.size();
  }
  const auto decode = Clock::now() - t0;
  if (sink == 0) std::printf(" ");
  const auto per = [&](Clock::duration d) {
    return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(iterations);
  };
  std::vector<Bytef> z(compressBound(static_cast<uLong>(bytes.size())));
  uLongf z_size = static_cast<uLongf>(z.size());
  if (compress2(z.data(), &z_size, bytes.data(), static_cast<uLong>(bytes.size()), 6) != Z_OK) z_size = 0;
  return {bytes.size(), static_cast<std::size_t>(z_size), per(encode), per(decode)};
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100'000;
  context::PlayerContext live = fighting_player();
  context::PlayerContext replayed = live;
  replayed.observe = true;
  for (std::int64_t k = 0; k < 64; ++k) {
    replayed.receipts.add(context::ReceiptKind::keep_alive, k, replayed.transactions.mark(), Timestamp{k});
  }
  const Figures a = measure(live, iterations);
  const Figures b = measure(replayed, iterations);
  std::printf("context snapshot (format %u), %d iterations each\n", static_cast<unsigned>(context::kSnapshotVersion),
              iterations);
  std::printf("  live, 20 tracked entities:    %zu bytes (%zu deflated), encode %.1f us, decode %.1f us\n", a.bytes,
              a.deflated, a.encode_ns / 1000, a.decode_ns / 1000);
  std::printf("  replay, + 64 receipt markers: %zu bytes (%zu deflated), encode %.1f us, decode %.1f us\n", b.bytes,
              b.deflated, b.encode_ns / 1000, b.decode_ns / 1000);
  std::printf("  empty context:                %zu bytes\n", context::encode_snapshot(context::PlayerContext{}).size());
  return 0;
}
