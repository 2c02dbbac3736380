// Per-packet decode cost: what the hot path pays for each movement packet
// once a frame is split (learn the kind, decode the struct), and the whole
// connection session per packet (split + classify + forward) on a recorded
// 1.20.4 session.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "bench.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/play/set_position_c2s.hpp"
#include "rustguard/protocol/packets/play/set_position_rotation_c2s.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"

namespace {

using namespace rustguard;
using namespace rustguard::protocol;

std::vector<std::uint8_t> position_body(std::int32_t protocol, bool with_rotation, double x) {
  std::vector<std::uint8_t> body;
  Writer w{body};
  w.f64(x).f64(64.0).f64(-12.25);
  if (with_rotation) w.f32(90.5f).f32(-12.0f);
  if (protocol >= v::v1_21_2) {
    w.u8(0x01);
  } else {
    w.boolean(true);
  }
  return body;
}

}  // namespace

RUSTGUARD_BENCH_SECTION(movement_decode, "decode one serverbound movement packet (goal <= 50 ns)") {
  for (std::int32_t protocol : {v::v1_8, v::v1_20_3, v::v1_21_4, v::v26_1}) {
    const VersionInfo* version = find_version(protocol);
    std::vector<std::vector<std::uint8_t>> bodies;
    for (int i = 0; i < 64; ++i) bodies.push_back(position_body(protocol, i % 3 == 0, 0.25 * i));
    const std::int32_t id = version->id_of(PacketKind::set_position_c2s);
    std::size_t next = 0;
    double sum = 0;
    const double s = bench::seconds_per_call(
        [&] {
          const auto& body = bodies[next++ & 63];
          // What the session does per packet: classify the id, then decode.
          const PacketKind kind = version->kind_of(State::play, Direction::serverbound, id);
          bench::keep(kind);
          if (body.size() > 30) {
            auto p = packets::SetPositionRotationC2s::decode(body, protocol);
            sum += p->x;
          } else {
            auto p = packets::SetPositionC2s::decode(body, protocol);
            sum += p->x;
          }
        },
        1024);
    bench::keep(sum);
    const auto names = version->release_names();
    const auto first = names.substr(0, names.find(','));
    char label[96];
    std::snprintf(label, sizeof label, "classify + decode Set Position(+Rotation), %.*s (protocol %d)",
                  static_cast<int>(first.size()), first.data(), protocol);
    bench::print_ns(label, s);
  }
}

RUSTGUARD_BENCH_SECTION(session_forward, "ConnectionSession per packet on a recorded 1.20.4 session (no hooks)") {
  const std::string path = std::string(RUSTGUARD_SOURCE_DIR) + "/tests/fixtures/streams/1.20.4.session";
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  struct Record {
    Direction direction;
    std::span<const std::uint8_t> bytes;
  };
  std::vector<Record> records;
  // Records: [u8 direction][u64 micros][u32 length][bytes] (tests/node/record_stream.mjs).
  for (std::size_t i = 0; i + 13 <= all.size();) {
    const std::size_t n = (std::size_t{all[i + 9]} << 24) | (std::size_t{all[i + 10]} << 16) |
                          (std::size_t{all[i + 11]} << 8) | all[i + 12];
    records.push_back({all[i] == 0 ? Direction::serverbound : Direction::clientbound, {all.data() + i + 13, n}});
    i += 13 + n;
  }
  if (records.empty()) {
    std::printf("  (no recorded session at %s)\n", path.c_str());
    return;
  }
  std::uint64_t packets = 0, bytes = 0;
  session::ForwardOnlyHooks hooks;
  session::Output out;
  const double s = bench::seconds_per_call([&] {
    session::ConnectionSession connection;
    for (const auto& r : records) {
      out.clear();
      connection.feed(r.direction, r.bytes, hooks, out);
    }
    packets = connection.counters(Direction::serverbound).packets + connection.counters(Direction::clientbound).packets;
    bytes = connection.counters(Direction::serverbound).bytes + connection.counters(Direction::clientbound).bytes;
  });
  bench::print_ns("per packet (split, peek id, classify, track, forward)", s / static_cast<double>(packets));
  bench::print_value("packets per second, one core", static_cast<double>(packets) / s / 1e6, "M/s");
  bench::print_rate("bytes through the session", static_cast<double>(bytes), s);
}
