#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace frame_decoder_test {

using namespace rustguard::protocol;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_stream(const std::string& name) {
  const std::string path = std::string{RUSTGUARD_TEST_DATA_DIR} + "/fixtures/streams/" + name;
  std::ifstream in{path, std::ios::binary};
  REQUIRE(in.good());
  return Bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// What the handler saw of one frame, copied out of the decoder's view.
struct Seen {
  FrameKind kind = FrameKind::packet;
  std::int32_t data_length = 0;
  Bytes payload;
  friend bool operator==(const Seen&, const Seen&) = default;
};

// The part of a proxy's handler that matters to framing: the clientbound
// Set Compression (login id 0x03, the first packet of an offline-mode login)
// switches compression on for the frames after it; serverbound, compression
// starts after Handshake and Login Start (the client switches when it reads
// Set Compression, and sends nothing in between when offline).
struct StreamFollower {
  FrameDecoder& decoder;
  std::int32_t serverbound_threshold = 256;
  std::vector<Seen> seen;

  void operator()(const Frame& f) {
    seen.push_back(Seen{f.kind, f.data_length, Bytes(f.payload.begin(), f.payload.end())});
    if (decoder.compression_threshold() >= 0) return;
    if (decoder.direction() == Direction::clientbound) {
      Reader r{f.payload};
      if (r.varint() == 0x03) {
        decoder.set_compression_threshold(r.varint());
        decoder.set_state(State::login);
      }
    } else if (seen.size() == 1) {
      decoder.set_state(State::login);
    } else if (seen.size() == 2) {
      decoder.set_compression_threshold(serverbound_threshold);
    }
  }
};

// An independent, whole-buffer reading of the same stream (no FrameDecoder).
std::vector<Seen> reference_frames(const Bytes& stream, Direction dir, std::int32_t serverbound_threshold) {
  std::vector<Seen> out;
  std::int32_t threshold = -1;
  Reader r{stream};
  while (r.ok() && !r.at_end()) {
    const auto length = r.varint();
    if (length == 0) continue;
    auto frame = r.bytes(static_cast<std::size_t>(length));
    REQUIRE(r.ok());
    Seen s;
    if (threshold >= 0) {
      Reader fr{frame};
      s.data_length = fr.varint();
      frame = fr.take_rest();
    }
    s.payload.assign(frame.begin(), frame.end());
    out.push_back(s);
    if (threshold < 0) {
      if (dir == Direction::clientbound) {
        Reader pr{frame};
        if (pr.varint() == 0x03) threshold = pr.varint();
      } else if (out.size() == 2) {
        threshold = serverbound_threshold;
      }
    }
  }
  REQUIRE(r.ok());
  return out;
}

struct Decoded {
  std::vector<Seen> frames;
  Error error;
};

// Feeds `stream` cut at the given offsets (ascending, within the stream).
Decoded decode_split(const Bytes& stream, Direction dir, const std::vector<std::size_t>& cuts) {
  FrameDecoder dec{dir};
  StreamFollower follower{dec, 256, {}};
  std::size_t from = 0;
  auto feed_until = [&](std::size_t to) {
    auto res = dec.feed(std::span<const std::uint8_t>{stream.data() + from, to - from}, follower);
    if (res.ok()) CHECK(*res == to - from);
    from = to;
  };
  for (auto cut : cuts) feed_until(cut);
  feed_until(stream.size());
  CHECK(dec.buffered_bytes() == 0);
  return {std::move(follower.seen), dec.error()};
}

Bytes packet(std::int32_t id, std::size_t body_size, std::uint8_t fill = 0x42) {
  Bytes p;
  Writer{p}.varint(id);
  p.resize(p.size() + body_size, fill);
  return p;
}

// Collects frames from a decoder fed one buffer.
std::vector<Seen> collect(FrameDecoder& dec, std::span<const std::uint8_t> chunk, Result<std::size_t>* result = nullptr) {
  std::vector<Seen> seen;
  auto res = dec.feed(chunk, [&](const Frame& f) {
    seen.push_back(Seen{f.kind, f.data_length, Bytes(f.payload.begin(), f.payload.end())});
  });
  if (result) *result = res;
  return seen;
}

}  // namespace

TEST_CASE("Recorded streams split into the same frames at every split point", "[frame_decoder][fixture]") {
  for (const char* version : {"1.20.4", "1.8.8"}) {
    for (const auto dir : {Direction::clientbound, Direction::serverbound}) {
      const std::string name = std::string{version} + "-" + std::string{to_string(dir)} + ".bin";
      INFO(name);
      const auto stream = read_stream(name);
      REQUIRE(stream.size() < 200 * 1024);
      const auto expected = reference_frames(stream, dir, 256);
      REQUIRE(expected.size() >= 5);

      const auto whole = decode_split(stream, dir, {});
      CHECK(whole.error.code == Errc::ok);
      REQUIRE(whole.frames == expected);

      std::size_t mismatches = 0;
      for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        const auto got = decode_split(stream, dir, {cut});
        if (!(got.frames == expected) || got.error.code != Errc::ok) ++mismatches;
      }
      CHECK(mismatches == 0);

      std::mt19937 rng{20240601u};
      for (int round = 0; round < 300; ++round) {
        std::uniform_int_distribution<std::size_t> pieces{1, 64};
        std::uniform_int_distribution<std::size_t> at{0, stream.size()};
        std::vector<std::size_t> cuts(pieces(rng));
        for (auto& c : cuts) c = at(rng);
        std::sort(cuts.begin(), cuts.end());  // repeated cuts feed empty chunks
        const auto got = decode_split(stream, dir, cuts);
        if (!(got.frames == expected) || got.error.code != Errc::ok) ++mismatches;
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("Recorded streams carry compressed frames that inflate to their claim", "[frame_decoder][fixture]") {
  Inflater inflater;
  Bytes out;
  for (const char* version : {"1.20.4", "1.8.8"}) {
    for (const auto dir : {Direction::clientbound, Direction::serverbound}) {
      const std::string name = std::string{version} + "-" + std::string{to_string(dir)} + ".bin";
      INFO(name);
      const auto got = decode_split(read_stream(name), dir, {});
      REQUIRE(got.error.code == Errc::ok);
      std::size_t compressed = 0, plain_after_switch = 0, largest = 0;
      bool switched = false;
      for (const auto& f : got.frames) {
        if (f.data_length > 0) {
          ++compressed;
          largest = std::max(largest, static_cast<std::size_t>(f.data_length));
          auto inflated = inflater.inflate(f.payload, f.data_length, out);
          REQUIRE(inflated.ok());
          auto id = inflater.peek_packet_id(f.payload, f.data_length);
          REQUIRE(id.ok());
          Reader r{out};
          CHECK(*id == r.varint());
          switched = true;
        } else if (switched) {
          ++plain_after_switch;
        }
      }
      CHECK(compressed >= 1);
      CHECK(plain_after_switch >= 1);
      if (dir == Direction::clientbound) CHECK(largest >= 48 * 1024);  // the chunk-like plugin message
    }
  }
}

TEST_CASE("Frames inside the chunk are views into it, the tail is held back", "[frame_decoder]") {
  Bytes stream;
  const auto a = packet(0x01, 10), b = packet(0x02, 300), c = packet(0x03, 50);
  REQUIRE(append_frame(stream, a).ok());
  REQUIRE(append_frame(stream, b).ok());
  REQUIRE(append_frame(stream, c).ok());

  FrameDecoder dec{Direction::clientbound};
  const std::size_t first_part = stream.size() - 20;  // ends inside c
  std::vector<const std::uint8_t*> where;
  auto res = dec.feed(std::span<const std::uint8_t>{stream.data(), first_part},
                      [&](const Frame& f) { where.push_back(f.payload.data()); });
  REQUIRE(res.ok());
  CHECK(*res == first_part);
  REQUIRE(where.size() == 2);
  CHECK(where[0] == stream.data() + 1);
  CHECK(where[1] == stream.data() + 1 + a.size() + 2);
  // Only what arrived of c is held, not the 51 bytes its prefix announces.
  CHECK(dec.buffered_bytes() == first_part - (1 + a.size() + 2 + b.size() + 1));

  auto rest = collect(dec, std::span<const std::uint8_t>{stream}.subspan(first_part));
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].payload == c);
  CHECK(dec.buffered_bytes() == 0);
  CHECK(dec.frames() == 3);
}

TEST_CASE("A length prefix split byte by byte", "[frame_decoder]") {
  Bytes stream;
  const auto big = packet(0x20, 20000);  // 3-byte length prefix
  REQUIRE(append_frame(stream, big).ok());
  REQUIRE(append_frame(stream, packet(0x21, 3)).ok());
  FrameDecoder dec{Direction::clientbound};
  std::vector<Seen> seen;
  for (std::uint8_t byte : stream) {
    auto res = dec.feed(std::span<const std::uint8_t>{&byte, 1}, [&](const Frame& f) {
      seen.push_back(Seen{f.kind, f.data_length, Bytes(f.payload.begin(), f.payload.end())});
    });
    REQUIRE(res.ok());
  }
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].payload == big);
  CHECK(seen[1].payload == packet(0x21, 3));
}

TEST_CASE("Zero-length frames are skipped and counted", "[frame_decoder]") {
  // Leading NULs, zero-length frames between frames and at the end.
  const Bytes stream{0x00, 0x00, 0x02, 0x05, 0x06, 0x00, 0x01, 0x07, 0x00};
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut " << cut);
    FrameDecoder dec{Direction::clientbound};
    auto seen = collect(dec, std::span<const std::uint8_t>{stream}.first(cut));
    auto more = collect(dec, std::span<const std::uint8_t>{stream}.subspan(cut));
    seen.insert(seen.end(), more.begin(), more.end());
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].payload == Bytes{0x05, 0x06});
    CHECK(seen[1].payload == Bytes{0x07});
    CHECK(dec.zero_length_frames() == 4);
    CHECK(dec.frames() == 2);
  }

  // With compression on too: a zero-length frame has no dataLength.
  FrameDecoder dec{Direction::clientbound};
  dec.set_compression_threshold(256);
  const Bytes compressed_mode{0x00, 0x03, 0x00, 0x09, 0x08, 0x00};
  auto seen = collect(dec, compressed_mode);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].payload == Bytes{0x09, 0x08});
  CHECK(dec.zero_length_frames() == 2);
}

TEST_CASE("The frame length is at most a 3-byte VarInt", "[frame_decoder][limits]") {
  SECTION("a 4-byte length is rejected") {
    const Bytes stream{0x80, 0x80, 0x80, 0x01};
    FrameDecoder dec{Direction::serverbound};
    Result<std::size_t> res = std::size_t{0};
    collect(dec, stream, &res);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::frame_length_too_long);
  }
  SECTION("also when its bytes arrive one at a time") {
    FrameDecoder dec{Direction::clientbound};
    const Bytes b{0x80};
    Result<std::size_t> res = std::size_t{0};
    collect(dec, b, &res);
    REQUIRE(res.ok());
    collect(dec, b, &res);
    REQUIRE(res.ok());
    collect(dec, b, &res);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::frame_length_too_long);
  }
  SECTION("the largest 3-byte length, 2,097,151, is a valid frame") {
    Bytes stream{0xFF, 0xFF, 0x7F};
    stream.resize(3 + static_cast<std::size_t>(kMaxFrameLength), 0x11);
    FrameDecoder dec{Direction::clientbound};
    std::size_t size = 0;
    auto res = dec.feed(stream, [&](const Frame& f) { size = f.payload.size(); });
    REQUIRE(res.ok());
    CHECK(size == static_cast<std::size_t>(kMaxFrameLength));
  }
}

TEST_CASE("The frame cap is configurable per state", "[frame_decoder][limits]") {
  auto limits = FrameLimits::for_direction(Direction::serverbound);
  limits.max_frame_length[static_cast<std::size_t>(State::handshake)] = 300;
  limits.max_frame_length[static_cast<std::size_t>(State::status)] = 100;
  FrameDecoder dec{Direction::serverbound, limits};

  Bytes stream;
  REQUIRE(append_frame(stream, packet(0x00, 250)).ok());  // handshake, within 300
  REQUIRE(append_frame(stream, packet(0x00, 99)).ok());   // status, 100 bytes: the cap
  REQUIRE(append_frame(stream, packet(0x01, 100)).ok());  // status, 101 bytes: over
  std::size_t frames = 0;
  auto res = dec.feed(stream, [&](const Frame&) {
    if (++frames == 1) dec.set_state(State::status);
  });
  REQUIRE_FALSE(res.ok());
  CHECK(frames == 2);
  CHECK(res.error().code == Errc::frame_too_large);
  CHECK(res.error().value == 101);
  CHECK(res.error().limit == 100);

  // The same cap is enforced before buffering a frame that is split.
  FrameDecoder split{Direction::serverbound, limits};
  split.set_state(State::status);
  const Bytes prefix{0xC8};  // 200 = C8 01: the prefix itself is split
  Result<std::size_t> r = std::size_t{0};
  collect(split, prefix, &r);
  REQUIRE(r.ok());
  const Bytes rest{0x01, 0x00, 0x01};
  collect(split, rest, &r);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::frame_too_large);
  CHECK(r.error().value == 200);
  CHECK(split.buffered_bytes() == 0);
}

TEST_CASE("Errors are sticky", "[frame_decoder]") {
  FrameDecoder dec{Direction::clientbound};
  const Bytes bad{0x80, 0x80, 0x80, 0x80};
  Result<std::size_t> res = std::size_t{0};
  collect(dec, bad, &res);
  REQUIRE_FALSE(res.ok());
  Bytes good;
  REQUIRE(append_frame(good, packet(0x01, 4)).ok());
  auto seen = collect(dec, good, &res);
  CHECK(seen.empty());
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().code == Errc::frame_length_too_long);
  CHECK(dec.failed());
  CHECK(dec.error().message() == "frame_length_too_long: frame length");
}

TEST_CASE("Set Compression switches the very next frame of the same chunk", "[frame_decoder][compression]") {
  // Set Compression (login 0x03, threshold 64), then compressed-format
  // frames, all in one read.
  FrameEncoder enc;
  Bytes stream;
  Bytes set_compression;
  Writer{set_compression}.varint(0x03).varint(64);
  REQUIRE(enc.append(stream, set_compression).ok());
  enc.set_compression_threshold(64);
  const auto login_success = packet(0x02, 30);
  const auto big = packet(0x04, 5000, 0x77);
  REQUIRE(enc.append(stream, login_success).ok());
  REQUIRE(enc.append(stream, big).ok());
  REQUIRE(enc.append(stream, login_success).ok());

  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut " << cut);
    FrameDecoder dec{Direction::clientbound};
    std::vector<Seen> seen;
    auto handler = [&](const Frame& f) {
      seen.push_back(Seen{f.kind, f.data_length, Bytes(f.payload.begin(), f.payload.end())});
      if (seen.size() == 1) {
        Reader r{f.payload};
        REQUIRE(r.varint() == 0x03);
        dec.set_compression_threshold(r.varint());
      }
    };
    REQUIRE(dec.feed(std::span<const std::uint8_t>{stream}.first(cut), handler).ok());
    REQUIRE(dec.feed(std::span<const std::uint8_t>{stream}.subspan(cut), handler).ok());
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].payload == set_compression);
    CHECK(seen[1].data_length == 0);
    CHECK(seen[1].payload == login_success);
    CHECK(seen[2].data_length == static_cast<std::int32_t>(big.size()));
    CHECK(seen[3].payload == login_success);
    Inflater inflater;
    Bytes out;
    REQUIRE(inflater.inflate(seen[2].payload, seen[2].data_length, out).ok());
    CHECK(out == big);
  }
}

TEST_CASE("Compressed frames breaking a limit are rejected with their reason", "[frame_decoder][compression][limits]") {
  Deflater deflater;
  auto frame_with = [](std::int32_t data_length, const Bytes& body) {
    Bytes inner;
    Writer{inner}.varint(data_length).bytes(body);
    Bytes out;
    REQUIRE(append_frame(out, inner).ok());
    return out;
  };
  auto decode = [](Direction dir, const Bytes& stream) {
    FrameDecoder dec{dir};
    dec.set_compression_threshold(256);
    Result<std::size_t> res = std::size_t{0};
    auto seen = collect(dec, stream, &res);
    return std::pair{seen.size(), res.ok() ? Errc::ok : res.error().code};
  };

  CHECK(decode(Direction::serverbound, frame_with(0, packet(0x01, 254))) == std::pair{std::size_t{1}, Errc::ok});
  CHECK(decode(Direction::serverbound, frame_with(0, packet(0x01, 255))) ==
        std::pair{std::size_t{0}, Errc::uncompressed_too_large});

  Bytes z;
  deflater.deflate(packet(0x01, 254), z);
  CHECK(decode(Direction::serverbound, frame_with(255, z)) == std::pair{std::size_t{0}, Errc::compressed_below_threshold});
  CHECK(decode(Direction::serverbound, frame_with(2 * 1024 * 1024 + 1, z)) ==
        std::pair{std::size_t{0}, Errc::compressed_too_large});
  CHECK(decode(Direction::clientbound, frame_with(8 * 1024 * 1024 + 1, z)) ==
        std::pair{std::size_t{0}, Errc::compressed_too_large});
  CHECK(decode(Direction::serverbound, frame_with(-5, z)) == std::pair{std::size_t{0}, Errc::negative_length});

  // A frame that ends inside its dataLength.
  Bytes cut{0x01, 0x80};
  CHECK(decode(Direction::serverbound, cut) == std::pair{std::size_t{0}, Errc::truncated});

  // The frame after a rejected one is never handed out.
  auto two = frame_with(255, z);
  const auto ok_frame = frame_with(0, packet(0x01, 3));
  two.insert(two.begin(), ok_frame.begin(), ok_frame.end());
  CHECK(decode(Direction::serverbound, two) == std::pair{std::size_t{1}, Errc::compressed_below_threshold});
}

TEST_CASE("A bomb-shaped frame is refused before any inflation", "[frame_decoder][compression][limits]") {
  // 1.9 MiB of zeros deflate to about 2 KiB: claimed/compressed ~ 1000.
  const Bytes zeros(1900 * 1024, 0);
  Bytes z;
  Deflater{}.deflate(zeros, z);
  Bytes inner;
  Writer{inner}.varint(static_cast<std::int32_t>(zeros.size())).bytes(z);
  Bytes stream;
  REQUIRE(append_frame(stream, inner).ok());

  FrameDecoder dec{Direction::serverbound};
  dec.set_compression_threshold(256);
  bool handed_out = false;
  auto res = dec.feed(stream, [&](const Frame&) { handed_out = true; });
  REQUIRE_FALSE(res.ok());
  CHECK_FALSE(handed_out);
  CHECK(res.error().code == Errc::compression_ratio);
  CHECK(res.error().value == static_cast<std::int64_t>(zeros.size()));
  CHECK(dec.claimed_inflated_bytes() == 0);

  // A looser, configured guard lets the same frame through.
  auto limits = FrameLimits::for_direction(Direction::serverbound);
  limits.compression.max_ratio = 2000;
  FrameDecoder lenient{Direction::serverbound, limits};
  lenient.set_compression_threshold(256);
  std::int32_t claim = 0;
  REQUIRE(lenient.feed(stream, [&](const Frame& f) { claim = f.data_length; }).ok());
  CHECK(claim == static_cast<std::int32_t>(zeros.size()));
  CHECK(lenient.claimed_inflated_bytes() == zeros.size());
}

TEST_CASE("A truncated zlib stream inside a well-formed frame fails to inflate", "[frame_decoder][compression]") {
  const auto body = packet(0x25, 4000, 0x33);
  Bytes z;
  Deflater{}.deflate(body, z);
  z.resize(z.size() - 6);
  Bytes inner;
  Writer{inner}.varint(static_cast<std::int32_t>(body.size())).bytes(z);
  Bytes stream;
  REQUIRE(append_frame(stream, inner).ok());

  FrameDecoder dec{Direction::clientbound};
  dec.set_compression_threshold(256);
  Inflater inflater;
  Bytes out;
  Error inflate_error;
  std::int32_t id = -1;
  REQUIRE(dec.feed(stream, [&](const Frame& f) {
                auto peeked = inflater.peek_packet_id(f.payload, f.data_length);
                if (peeked) id = *peeked;
                auto res = inflater.inflate(f.payload, f.data_length, out);
                if (!res) inflate_error = res.error();
              }).ok());
  CHECK(id == 0x25);  // the head is intact
  CHECK(inflate_error.code == Errc::inflate_failed);
}

TEST_CASE("A handler can pause the decoder after a frame", "[frame_decoder]") {
  Bytes stream;
  for (int i = 0; i < 4; ++i) REQUIRE(append_frame(stream, packet(i, 5)).ok());
  FrameDecoder dec{Direction::serverbound};
  int seen = 0;
  auto pause_on_second = [&](const Frame&) { return ++seen == 2 ? FrameAction::pause : FrameAction::proceed; };
  auto res = dec.feed(stream, pause_on_second);
  REQUIRE(res.ok());
  CHECK(seen == 2);
  CHECK(*res == 2 * 7);  // two frames of 1 + 6 bytes
  res = dec.feed(std::span<const std::uint8_t>{stream}.subspan(*res), pause_on_second);
  REQUIRE(res.ok());
  CHECK(seen == 4);
  CHECK(*res == 2 * 7);

  // Pausing on a frame completed from held-back bytes reports the bytes of
  // this chunk that completed it.
  FrameDecoder split{Direction::serverbound};
  seen = 0;
  REQUIRE(split.feed(std::span<const std::uint8_t>{stream}.first(10), pause_on_second).ok());
  CHECK(seen == 1);
  res = split.feed(std::span<const std::uint8_t>{stream}.subspan(10), pause_on_second);
  REQUIRE(res.ok());
  CHECK(seen == 2);
  CHECK(*res == 4);
}

TEST_CASE("The legacy server-list ping is its own event", "[frame_decoder][legacy_ping]") {
  auto run = [](Direction dir, const std::vector<Bytes>& chunks) {
    FrameDecoder dec{dir};
    std::vector<Seen> seen;
    for (const auto& c : chunks) {
      REQUIRE(dec.feed(c, [&](const Frame& f) {
                   seen.push_back(Seen{f.kind, f.data_length, Bytes(f.payload.begin(), f.payload.end())});
                 }).ok());
    }
    return std::pair{seen, dec.saw_legacy_ping()};
  };

  SECTION("1.3: a lone 0xFE") {
    auto [seen, ping] = run(Direction::serverbound, {{0xFE}});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == FrameKind::legacy_ping);
    CHECK(seen[0].payload == Bytes{0xFE});
    CHECK(ping);
  }
  SECTION("1.4-1.5: FE 01") {
    auto [seen, ping] = run(Direction::serverbound, {{0xFE, 0x01}});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == FrameKind::legacy_ping);
  }
  SECTION("1.6: FE 01 FA MC|PingHost..., split after FA, trailing input ignored") {
    const Bytes first{0xFE, 0x01, 0xFA};
    const Bytes second{0x00, 0x0B, 0x00, 'M', 0x00, 'C'};
    auto [seen, ping] = run(Direction::serverbound, {first, second, {0x01, 0x02, 0x03}});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == FrameKind::legacy_ping);
    CHECK(seen[0].payload == Bytes{0xFE, 0x01, 0xFA, 0x00, 0x0B, 0x00, 'M', 0x00, 'C'});
  }
  SECTION("a modern frame of length 254 also starts with FE 01") {
    auto handshake = packet(0x00, 253, 0x61);
    handshake[1] = 0xFA;  // even with a protocol VarInt starting like the 1.6 ping
    handshake[2] = 0x05;
    Bytes stream;
    REQUIRE(append_frame(stream, handshake).ok());
    REQUIRE(stream[0] == 0xFE);
    REQUIRE(stream[1] == 0x01);
    auto [seen, ping] = run(Direction::serverbound, {stream});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == FrameKind::packet);
    CHECK(seen[0].payload == handshake);
    CHECK_FALSE(ping);
  }
  SECTION("only at the start of a serverbound connection") {
    Bytes frame254;
    REQUIRE(append_frame(frame254, packet(0x00, 253)).ok());
    auto [cb, cb_ping] = run(Direction::clientbound, {{0xFE}, Bytes(frame254.begin() + 1, frame254.end())});
    REQUIRE(cb.size() == 1);
    CHECK(cb[0].kind == FrameKind::packet);

    Bytes stream;
    REQUIRE(append_frame(stream, packet(0x00, 5)).ok());
    stream.insert(stream.end(), frame254.begin(), frame254.end());
    auto [sb, sb_ping] = run(Direction::serverbound, {stream});
    REQUIRE(sb.size() == 2);
    CHECK(sb[1].kind == FrameKind::packet);
    CHECK_FALSE(sb_ping);
  }
}

TEST_CASE("The held-back tail of a large frame is released once the frame is delivered", "[frame_decoder][memory]") {
  // A 20 KB chunk packet arriving in 1460-byte segments, then small frames
  // split in two: the big buffer must not stay with the connection.
  FrameDecoder dec{Direction::clientbound};
  std::vector<std::uint8_t> stream;
  std::vector<std::uint8_t> big(20'000, 0x11);
  big[0] = 0x21;
  REQUIRE(append_frame(stream, big).ok());
  for (int i = 0; i < 50; ++i) {
    const std::vector<std::uint8_t> small(40, static_cast<std::uint8_t>(i));
    REQUIRE(append_frame(stream, small).ok());
  }
  std::size_t frames = 0, largest = 0, peak_capacity = 0;
  const std::span<const std::uint8_t> all{stream};
  for (std::size_t at = 0; at < all.size();) {
    // 1460-byte segments while the big frame arrives, then 23-byte pieces that split every small frame.
    const std::size_t n = std::min<std::size_t>(at < 20'000 ? 1460 : 23, all.size() - at);
    REQUIRE(dec.feed(all.subspan(at, n), [&](const Frame& f) {
      ++frames;
      largest = std::max(largest, f.payload.size());
    }).ok());
    peak_capacity = std::max(peak_capacity, dec.buffer_capacity());
    at += n;
  }
  CHECK(frames == 51);
  CHECK(largest == 20'000);
  CHECK(peak_capacity >= 20'000);  // it was held while it arrived
  CHECK(dec.buffered_bytes() == 0);
  CHECK(dec.buffer_capacity() <= FrameDecoder::kKeepTailCapacity);
}

}  // namespace frame_decoder_test
