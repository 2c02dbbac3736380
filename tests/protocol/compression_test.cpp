#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace compression_test {

using namespace rustguard::protocol;

namespace {

// A packet shaped like chunk data: the id, then 2 KiB runs of identical
// light bytes alternating with pseudo-random block states.
std::vector<std::uint8_t> chunk_like_packet(std::int32_t id, std::size_t body_size) {
  std::vector<std::uint8_t> p;
  Writer{p}.varint(id);
  std::uint32_t seed = 7;
  for (std::size_t i = 0; i < body_size; ++i) {
    const std::size_t block = i / 2048;
    if (block % 3 == 0) {
      seed = seed * 1664525u + 1013904223u;
      p.push_back(static_cast<std::uint8_t>(seed >> 24));
    } else {
      p.push_back(block % 3 == 1 ? 0xFF : 0x00);
    }
  }
  return p;
}

std::vector<std::uint8_t> deflate(const std::vector<std::uint8_t>& in) {
  std::vector<std::uint8_t> out;
  Deflater{}.deflate(in, out);
  return out;
}

}  // namespace

TEST_CASE("Inflater round-trips what Deflater produced", "[compression]") {
  const auto packet = chunk_like_packet(0x25, 64 * 1024);
  const auto z = deflate(packet);
  CHECK(z.size() < packet.size() / 2);

  Inflater inflater;
  std::vector<std::uint8_t> out;
  auto res = inflater.inflate(z, static_cast<std::int32_t>(packet.size()), out);
  REQUIRE(res.ok());
  CHECK(res->size() == packet.size());
  CHECK(out == packet);

  // The same Inflater and buffer serve the next packet.
  const std::vector<std::uint8_t> small{0x01, 0x02, 0x03};
  res = inflater.inflate(deflate(small), 3, out);
  REQUIRE(res.ok());
  CHECK(out == small);
}

TEST_CASE("peek_packet_id reads the id without needing the body", "[compression]") {
  const auto packet = chunk_like_packet(0x2527, 64 * 1024);  // a two-byte VarInt id
  auto z = deflate(packet);
  Inflater inflater;
  auto id = inflater.peek_packet_id(z, static_cast<std::int32_t>(packet.size()));
  REQUIRE(id.ok());
  CHECK(*id == 0x2527);

  // Cut the stream to its first bytes: the id is still there, the body is
  // not, so peeking cannot have inflated the body.
  std::vector<std::uint8_t> head(z.begin(), z.begin() + 64);
  id = inflater.peek_packet_id(head, static_cast<std::int32_t>(packet.size()));
  REQUIRE(id.ok());
  CHECK(*id == 0x2527);
  std::vector<std::uint8_t> out;
  auto full = inflater.inflate(head, static_cast<std::int32_t>(packet.size()), out);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == Errc::inflate_failed);

  // A packet shorter than five bytes: the peek stops at the claim.
  const std::vector<std::uint8_t> tiny{0x05, 0x01};
  id = inflater.peek_packet_id(deflate(tiny), 2);
  REQUIRE(id.ok());
  CHECK(*id == 5);
}

TEST_CASE("peek returns the first bytes of the inflated packet", "[compression]") {
  const auto packet = chunk_like_packet(0x10, 5000);
  const auto z = deflate(packet);
  Inflater inflater;
  std::uint8_t head[16];
  auto got = inflater.peek(z, static_cast<std::int32_t>(packet.size()), head);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 16);
  CHECK(std::equal(got->begin(), got->end(), packet.begin()));
}

TEST_CASE("Inflater rejects a size that differs from the claim", "[compression]") {
  const auto packet = chunk_like_packet(0x01, 999);  // 1000 bytes
  const auto z = deflate(packet);
  Inflater inflater;
  std::vector<std::uint8_t> out;

  auto shorter = inflater.inflate(z, 1001, out);
  REQUIRE_FALSE(shorter.ok());
  CHECK(shorter.error().code == Errc::inflated_size_mismatch);
  CHECK(shorter.error().value == 1000);
  CHECK(shorter.error().limit == 1001);
  CHECK(out.size() == 1001);  // never more than the claim

  auto longer = inflater.inflate(z, 999, out);
  REQUIRE_FALSE(longer.ok());
  CHECK(longer.error().code == Errc::inflated_size_mismatch);
  CHECK(out.size() == 999);

  // peek notices a stream that ends before the bytes it was asked for.
  std::uint8_t head[5];
  const std::vector<std::uint8_t> two{0x80, 0x01};
  auto peeked = inflater.peek(deflate(two), 4, head);
  REQUIRE_FALSE(peeked.ok());
  CHECK(peeked.error().code == Errc::inflated_size_mismatch);
}

TEST_CASE("Inflater rejects truncated, corrupt and padded zlib streams", "[compression]") {
  const auto packet = chunk_like_packet(0x01, 20000);
  const auto z = deflate(packet);
  const auto claim = static_cast<std::int32_t>(packet.size());
  Inflater inflater;
  std::vector<std::uint8_t> out;

  SECTION("cut in the middle") {
    const std::vector<std::uint8_t> cut(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2));
    auto res = inflater.inflate(cut, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::inflate_failed);
  }
  SECTION("only the Adler-32 trailer missing") {
    const std::vector<std::uint8_t> cut(z.begin(), z.end() - 4);
    auto res = inflater.inflate(cut, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::inflate_failed);
  }
  SECTION("empty") {
    auto res = inflater.inflate({}, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::inflate_failed);
  }
  SECTION("corrupt header") {
    auto bad = z;
    bad[0] = 0x00;
    auto res = inflater.inflate(bad, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::inflate_failed);
  }
  SECTION("corrupt checksum") {
    auto bad = z;
    bad.back() ^= 0x55;
    auto res = inflater.inflate(bad, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::inflate_failed);
  }
  SECTION("bytes after the stream") {
    auto padded = z;
    padded.push_back(0x00);
    auto res = inflater.inflate(padded, claim, out);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::leftover_bytes);
    CHECK(res.error().value == 1);
  }
  // After any failure the same Inflater still works.
  auto again = inflater.inflate(z, claim, out);
  REQUIRE(again.ok());
  CHECK(out == packet);
}

TEST_CASE("check_compressed_header enforces threshold, cap and ratio", "[compression]") {
  const auto serverbound = CompressionLimits::for_direction(Direction::serverbound);
  const auto clientbound = CompressionLimits::for_direction(Direction::clientbound);
  CHECK(serverbound.max_claimed_size == 2 * 1024 * 1024);
  CHECK(clientbound.max_claimed_size == 8 * 1024 * 1024);

  // Uncompressed packets must be below the threshold.
  CHECK(check_compressed_header(0, 255, 256, serverbound).ok());
  auto r = check_compressed_header(0, 256, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::uncompressed_too_large);
  CHECK(r.error().value == 256);
  CHECK(r.error().limit == 256);

  // Compressed packets claim at least the threshold.
  CHECK(check_compressed_header(256, 100, 256, serverbound).ok());
  r = check_compressed_header(255, 100, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compressed_below_threshold);

  // And at most the direction's cap.
  const std::int32_t two_mib = 2 * 1024 * 1024;
  CHECK(check_compressed_header(two_mib, two_mib / 64, 256, serverbound).ok());
  r = check_compressed_header(two_mib + 1, two_mib, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compressed_too_large);
  CHECK(r.error().limit == two_mib);
  CHECK(check_compressed_header(two_mib + 1, two_mib, 256, clientbound).ok());
  r = check_compressed_header(8 * 1024 * 1024 + 1, two_mib, 256, clientbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compressed_too_large);

  // The ratio guard applies only above its floor.
  CHECK(check_compressed_header(128 * 1024, 10, 256, serverbound).ok());
  r = check_compressed_header(128 * 1024 + 1, 10, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compression_ratio);
  CHECK(check_compressed_header(64 * 4096, 4096, 256, serverbound).ok());
  r = check_compressed_header(64 * 4096 + 1, 4096, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compression_ratio);

  r = check_compressed_header(-1, 10, 256, serverbound);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::negative_length);
}

TEST_CASE("A legit highly compressible packet passes, a bomb does not", "[compression]") {
  const auto limits = CompressionLimits::for_direction(Direction::clientbound);
  Inflater inflater;
  std::vector<std::uint8_t> out;

  // A void-world chunk: mostly identical sky-light bytes.
  std::vector<std::uint8_t> chunk;
  Writer{chunk}.varint(0x25);
  chunk.resize(60 * 1024, 0xFF);
  const auto zc = deflate(chunk);
  CHECK(chunk.size() / zc.size() > 64);  // far above the ratio guard...
  const auto claim = static_cast<std::int32_t>(chunk.size());
  CHECK(check_compressed_header(claim, zc.size(), 256, limits).ok());  // ...but under its floor
  REQUIRE(inflater.inflate(zc, claim, out).ok());
  CHECK(out == chunk);

  // A bomb: a few KiB of zlib claiming 4 MiB of zeros.
  std::vector<std::uint8_t> zeros(4 * 1024 * 1024, 0);
  const auto zb = deflate(zeros);
  CHECK(zb.size() < 8 * 1024);
  auto r = check_compressed_header(static_cast<std::int32_t>(zeros.size()), zb.size(), 256, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::compression_ratio);
}

TEST_CASE("FrameEncoder writes plain frames, then the compressed format", "[compression][encoder]") {
  FrameEncoder enc;
  std::vector<std::uint8_t> out;
  const std::vector<std::uint8_t> small{0x03, 0x80, 0x02};
  REQUIRE(enc.append(out, small).ok());
  CHECK(out == std::vector<std::uint8_t>{0x03, 0x03, 0x80, 0x02});

  enc.set_compression_threshold(256);
  out.clear();
  REQUIRE(enc.append(out, small).ok());
  CHECK(out == std::vector<std::uint8_t>{0x04, 0x00, 0x03, 0x80, 0x02});

  out.clear();
  const auto big = chunk_like_packet(0x25, 3000);
  REQUIRE(enc.append(out, big).ok());
  Reader r{out};
  const auto length = r.varint();
  CHECK(static_cast<std::size_t>(length) == r.remaining());
  const auto data_length = r.varint();
  CHECK(static_cast<std::size_t>(data_length) == big.size());
  Inflater inflater;
  std::vector<std::uint8_t> inflated;
  REQUIRE(inflater.inflate(r.take_rest(), data_length, inflated).ok());
  CHECK(inflated == big);
}

TEST_CASE("append_frame refuses a packet longer than a frame can be", "[compression][encoder]") {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> packet(static_cast<std::size_t>(kMaxFrameLength) + 1, 0);
  auto r = append_frame(out, packet);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::frame_too_large);
  CHECK(out.empty());
  packet.pop_back();
  REQUIRE(append_frame(out, packet).ok());
  CHECK(out.size() == packet.size() + 3);
}

TEST_CASE("One workspace serves interleaved packets of many streams as separate Inflaters would",
          "[compression][workspace]") {
  // Each compressed Minecraft packet is a zlib stream of its own: whatever
  // the workspace inflated, peeked, verified or failed on before must not
  // change the next result.
  const auto big = chunk_like_packet(0x25, 48 * 1024);
  const auto small = chunk_like_packet(0x07, 300);
  const auto z_big = deflate(big);
  const auto z_small = deflate(small);
  auto corrupt = z_big;
  corrupt[corrupt.size() / 2] ^= 0x5A;

  CompressionWorkspace shared;
  CHECK_FALSE(shared.has_inflater());
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    auto id = shared.inflater().peek_packet_id(z_big, static_cast<std::int32_t>(big.size()));
    REQUIRE(id.ok());
    CHECK(*id == 0x25);
    // A failure in between (another connection's bad frame) leaves nothing behind.
    CHECK_FALSE(shared.inflater().inflate(corrupt, static_cast<std::int32_t>(big.size()), shared.inflated()).ok());
    auto verified = shared.inflater().verify(z_small, static_cast<std::int32_t>(small.size()));
    REQUIRE(verified.ok());
    CHECK(*verified == static_cast<std::int32_t>(small.size()));
    auto whole = shared.inflater().inflate(z_small, static_cast<std::int32_t>(small.size()), shared.inflated());
    REQUIRE(whole.ok());
    CHECK(std::vector<std::uint8_t>(whole->begin(), whole->end()) == small);
    whole = shared.inflater().inflate(z_big, static_cast<std::int32_t>(big.size()), shared.inflated());
    REQUIRE(whole.ok());
    CHECK(std::vector<std::uint8_t>(whole->begin(), whole->end()) == big);
  }
  CHECK(shared.has_inflater());
  CHECK_FALSE(shared.has_deflater());  // nothing was compressed

  // trim() releases only what a huge packet grew.
  CHECK(shared.inflated().capacity() < CompressionWorkspace::kKeepCapacity);
  shared.trim();
  CHECK(shared.inflated().capacity() >= big.size());
  const auto huge = chunk_like_packet(0x25, CompressionWorkspace::kKeepCapacity + 1024);
  REQUIRE(shared.inflater().inflate(deflate(huge), static_cast<std::int32_t>(huge.size()), shared.inflated()).ok());
  shared.trim();
  CHECK(shared.inflated().capacity() == 0);
}

TEST_CASE("encode_frame deflates only at the threshold, and only then makes a Deflater", "[compression][workspace]") {
  CompressionWorkspace ws;
  std::vector<std::uint8_t> out;
  const std::vector<std::uint8_t> ping{0x32, 0x00, 0x00, 0x07, 0x00};  // a transaction: tiny
  REQUIRE(encode_frame(out, ping, -1, ws).ok());  // before Set Compression
  REQUIRE(encode_frame(out, ping, 256, ws).ok());  // after: dataLength 0
  CHECK_FALSE(ws.has_deflater());
  CHECK(out == std::vector<std::uint8_t>{5, 0x32, 0, 0, 7, 0, 6, 0, 0x32, 0, 0, 7, 0});

  const auto packet = chunk_like_packet(0x40, 1000);
  out.clear();
  REQUIRE(encode_frame(out, packet, 256, ws).ok());
  CHECK(ws.has_deflater());
  // The same bytes as a FrameEncoder of the same level writes.
  FrameEncoder enc(1);
  enc.set_compression_threshold(256);
  std::vector<std::uint8_t> expected;
  REQUIRE(enc.append(expected, packet).ok());
  CHECK(out == expected);
  // And a second workspace, or the first one again, gives them too.
  CompressionWorkspace other;
  std::vector<std::uint8_t> again, again_other;
  REQUIRE(encode_frame(again, packet, 256, ws).ok());
  REQUIRE(encode_frame(again_other, packet, 256, other).ok());
  CHECK(again == expected);
  CHECK(again_other == expected);
}

}  // namespace compression_test
