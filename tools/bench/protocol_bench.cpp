// rustguard_bench_protocol: figures for the protocol codec. Prints, asserts
// nothing. Run a Release/RelWithDebInfo build without sanitizers:
//   build/tools/bench/rustguard_bench_protocol            # every section
//   build/tools/bench/rustguard_bench_protocol --list
//   build/tools/bench/rustguard_bench_protocol frame_split
// Sections live in protocol_*.cpp files (this one holds main() and the
// framing/compression sections); see bench.hpp.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <span>
#include <vector>

#include "bench.hpp"
#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/writer.hpp"

namespace {

using rustguard::protocol::Direction;
using rustguard::protocol::Frame;
using rustguard::protocol::FrameDecoder;

// A play-state mix: `small_share` percent of 10-100 byte packets (movement,
// entity updates, keep-alives); of the rest, 13/15 are 100-1000 bytes and 2/15
// are 1-8 KiB (chunk-section updates, inventory contents). With 85 that is
// 85% / 13% / 2%; with 100 it is movement only, the worst case per byte.
std::vector<std::uint8_t> realistic_stream(std::size_t total, int small_share, std::size_t& frames) {
  std::mt19937 rng{42};
  std::uniform_int_distribution<int> pick{0, 99};
  const int medium_share = (100 - small_share) * 13 / 15;
  std::uniform_int_distribution<std::size_t> small{10, 100}, medium{101, 1000}, large{1024, 8192};
  std::vector<std::uint8_t> out, packet;
  frames = 0;
  while (out.size() < total) {
    const int p = pick(rng);
    const std::size_t size = p < small_share ? small(rng) : p < small_share + medium_share ? medium(rng) : large(rng);
    packet.assign(size, static_cast<std::uint8_t>(size));
    packet[0] = static_cast<std::uint8_t>(p & 0x3F);
    (void)rustguard::protocol::append_frame(out, packet);
    ++frames;
  }
  return out;
}

void split_in_chunks(const std::vector<std::uint8_t>& stream, std::size_t chunk, std::size_t frames) {
  std::uint64_t sink = 0;
  std::size_t seen = 0;
  const double s = rustguard::bench::seconds_per_call([&] {
    FrameDecoder dec{Direction::clientbound};
    dec.set_state(rustguard::protocol::State::play);
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - at);
      auto res = dec.feed(std::span<const std::uint8_t>{stream.data() + at, n}, [&](const Frame& f) {
        sink += f.payload.size() + f.payload[0];
      });
      if (!res) std::printf("unexpected error: %s\n", res.error().message().c_str());
    }
    seen = dec.frames();
  });
  rustguard::bench::keep(sink);
  if (seen != frames) std::printf("  frame count mismatch: %zu vs %zu\n", seen, frames);
  char label[96];
  std::snprintf(label, sizeof label, "uncompressed frames, %zu-byte reads", chunk);
  rustguard::bench::print_rate(label, static_cast<double>(stream.size()), s);
  std::snprintf(label, sizeof label, "  = frames per second, %zu-byte reads", chunk);
  rustguard::bench::print_value(label, static_cast<double>(frames) / s / 1e6, "M/s");
}

std::vector<std::uint8_t> chunk_like_packet(std::size_t body_size) {
  std::vector<std::uint8_t> p;
  rustguard::protocol::Writer{p}.varint(0x25);  // 1.20.4 Chunk Data and Update Light
  std::uint32_t seed = 7;
  for (std::size_t i = 0; i < body_size; ++i) {
    const std::size_t block = i / 2048;
    if (block % 3 == 0) {
      seed = seed * 1664525u + 1013904223u;
      p.push_back(static_cast<std::uint8_t>((seed >> 24) & 0x0F));  // a 16-entry palette
    } else {
      p.push_back(block % 3 == 1 ? 0xFF : 0x00);  // sky light, empty block light
    }
  }
  return p;
}

}  // namespace

RUSTGUARD_BENCH_SECTION(frame_split, "FrameDecoder throughput on one core, realistic frame sizes") {
  for (const int small_share : {85, 100}) {
    std::size_t frames = 0;
    const auto stream = realistic_stream(16 * 1024 * 1024, small_share, frames);
    std::printf("  stream: %d%% 10-100 byte frames, %.1f MiB, %zu frames, %.0f bytes per frame on average\n",
                small_share, static_cast<double>(stream.size()) / (1024.0 * 1024.0), frames,
                static_cast<double>(stream.size()) / static_cast<double>(frames));
    for (std::size_t chunk : {std::size_t{1460}, std::size_t{16 * 1024}, std::size_t{64 * 1024}}) {
      split_in_chunks(stream, chunk, frames);
    }
  }
}

RUSTGUARD_BENCH_SECTION(compressed_id, "packet id of a compressed 64 KiB chunk-like packet: peek vs full inflate") {
  const auto packet = chunk_like_packet(64 * 1024 - 1);
  std::vector<std::uint8_t> z;
  rustguard::protocol::Deflater{}.deflate(packet, z);
  const auto claim = static_cast<std::int32_t>(packet.size());
  std::printf("  packet: %zu bytes, deflated (level 6) to %zu\n", packet.size(), z.size());

  rustguard::protocol::Inflater inflater;
  std::int64_t sink = 0;
  const double peek = rustguard::bench::seconds_per_call(
      [&] {
        auto id = inflater.peek_packet_id(z, claim);
        sink += id ? *id : -1;
      },
      256);
  std::vector<std::uint8_t> out;
  const double full = rustguard::bench::seconds_per_call(
      [&] {
        auto res = inflater.inflate(z, claim, out);
        sink += res ? static_cast<std::int64_t>(res->size()) + (*res)[0] : -1;
      },
      16);
  rustguard::bench::keep(sink);
  rustguard::bench::print_ns("peek_packet_id (inflate <= 5 bytes)", peek);
  rustguard::bench::print_ns("inflate whole packet into a reused buffer", full);
  rustguard::bench::print_value("full / peek", full / peek, "x");
  rustguard::bench::print_rate("full inflate output rate", static_cast<double>(packet.size()), full);
}

int main(int argc, char** argv) { return rustguard::bench::run_sections(argc, argv); }
