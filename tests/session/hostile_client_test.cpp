// What a cheat client can send to switch inspection off, and what the session
// does about it: acknowledgements nobody asked for, packets of another state
// or version, decompression bombs in frames nobody inspects, floods.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace hostile_client_test {

using namespace rustguard;
using namespace rustguard::protocol;
using session::ConnectionSession;
using session::Output;
using Bytes = std::vector<std::uint8_t>;

namespace {

const VersionInfo& v1_21_4() { return *find_version(v::v1_21_4); }

Bytes frame(const Bytes& packet) {
  Bytes out;
  REQUIRE(append_frame(out, packet).ok());
  return out;
}

Bytes handshake(std::int32_t protocol) {
  Bytes p;
  Writer{p}.varint(0).varint(protocol).string("localhost").u16(25565).varint(2);
  return frame(p);
}

Bytes login_start() {
  Bytes p;
  Writer{p}.varint(v1_21_4().id_of(PacketKind::login_start_c2s)).string("cheater").uuid(Uuid{1, 2});
  return frame(p);
}

Bytes packet_of(PacketKind kind, const Bytes& body = {}) {
  Bytes p;
  Writer{p}.varint(v1_21_4().id_of(kind)).bytes(body);
  return p;
}

Bytes append(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A compressed frame (threshold 256 on) whose dataLength says `claim` and
// whose zlib stream inflates to `real`.
Bytes compressed_frame(std::int32_t id, std::size_t real, std::int32_t claim) {
  Bytes packet;
  Writer{packet}.varint(id);
  packet.resize(real, 0);
  Bytes zlib;
  Deflater{9}.deflate(packet, zlib);
  Bytes contents;
  Writer{contents}.varint(claim).bytes(zlib);
  return frame(contents);
}

// Hooks that see nothing but count client frames and can stop them.
struct RateHooks {
  std::uint64_t frames = 0;
  std::uint64_t limit = ~0ULL;
  bool wants(Direction, PacketKind) const noexcept { return false; }
  session::PacketDisposition on_packet(const session::PacketView&) { return {}; }
  void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&) {}
  bool on_serverbound_frame() { return ++frames <= limit; }
  std::optional<std::string> kick_reason() const { return "too many packets"; }
};

}  // namespace

TEST_CASE("Login Acknowledged in the same write as Login Start closes, and never reaches the server",
          "[session][hostile]") {
  ConnectionSession s;
  session::ForwardOnlyHooks nothing;
  Output out;
  const Bytes opening = append(handshake(v::v1_21_4), login_start());
  const Bytes stream = append(opening, frame(packet_of(PacketKind::login_acknowledged_c2s)));
  s.feed(Direction::serverbound, stream, nothing, out);
  REQUIRE(out.close);
  CHECK(out.close->error == Errc::unexpected_packet);
  CHECK(out.close->reason == "serverbound unexpected_packet: Login Acknowledged before Login Success");
  CHECK(out.to_server == opening);
  CHECK(s.tracker().state(Direction::clientbound) == State::login);
}

TEST_CASE("A play packet sent during login closes the connection", "[session][hostile]") {
  ConnectionSession s;
  session::ForwardOnlyHooks nothing;
  Output out;
  Bytes look;
  Writer{look}.varint(v1_21_4().id_of(PacketKind::set_rotation_c2s)).f32(0).f32(150).u8(1);
  const Bytes opening = append(handshake(v::v1_21_4), login_start());
  s.feed(Direction::serverbound, append(opening, frame(look)), nothing, out);
  REQUIRE(out.close);
  CHECK(out.close->error == Errc::unknown_packet_id);
  CHECK(out.close->reason == "serverbound unknown_packet_id: no such packet id in login 30 (limit 5)");
  CHECK(out.to_server == opening);
}

TEST_CASE("Frames before play are held to small caps", "[session][hostile]") {
  ConnectionSession s;
  session::ForwardOnlyHooks nothing;
  Output out;
  Bytes big;
  Writer{big}.varint(2 * 1024 * 1024 - 1);  // a 2 MiB handshake frame, its bytes trickling in
  big.push_back(0);
  s.feed(Direction::serverbound, big, nothing, out);
  REQUIRE(out.close);
  CHECK(out.close->reason == "serverbound frame_too_large: frame length 2097151 (limit 8192)");
}

TEST_CASE("Compressed client frames are verified even when nobody inspects them", "[session][hostile]") {
  // Log in as far as Set Compression; cookie responses (login id 4) are read
  // by nobody, so before this check only their id was peeked.
  auto logged_in = [](ConnectionSession& s, session::ForwardOnlyHooks& hooks) {
    Output out;
    s.feed(Direction::serverbound, append(handshake(v::v1_21_4), login_start()), hooks, out);
    Bytes set_compression;
    Writer{set_compression}.varint(v1_21_4().id_of(PacketKind::set_compression_login_s2c)).varint(256);
    s.feed(Direction::clientbound, frame(set_compression), hooks, out);
    REQUIRE_FALSE(out.close);
  };
  const std::int32_t cookie = v1_21_4().id_of(PacketKind::login_cookie_response_c2s);

  SECTION("a claim of 300 bytes that inflates to 4 MiB") {
    ConnectionSession s;
    session::ForwardOnlyHooks nothing;
    logged_in(s, nothing);
    Output out;
    s.feed(Direction::serverbound, compressed_frame(cookie, 4 << 20, 300), nothing, out);
    REQUIRE(out.close);
    CHECK(out.close->error == Errc::inflated_size_mismatch);
    CHECK(out.to_server.empty());
  }
  SECTION("an honest claim of 1 MiB of zeros (a bomb by its ratio)") {
    ConnectionSession s;
    session::ForwardOnlyHooks nothing;
    logged_in(s, nothing);
    Output out;
    s.feed(Direction::serverbound, compressed_frame(cookie, 1 << 20, 1 << 20), nothing, out);
    REQUIRE(out.close);
    CHECK(out.close->error == Errc::compression_ratio);
    CHECK(out.to_server.empty());
  }
  SECTION("an honest frame passes and is counted against the inflate budget") {
    ConnectionSession s;
    session::ForwardOnlyHooks nothing;
    logged_in(s, nothing);
    Output out;
    const Bytes ok = compressed_frame(cookie, 300, 300);
    s.feed(Direction::serverbound, ok, nothing, out);
    CHECK_FALSE(out.close);
    CHECK(out.to_server == ok);
    CHECK(s.counters(Direction::serverbound).inflated_bytes == 300);
  }
}

TEST_CASE("Every client frame, zero-length ones too, goes through the hooks' rate limit", "[session][hostile]") {
  SECTION("zero-length frames") {
    ConnectionSession s;
    RateHooks hooks;
    hooks.limit = 1000;
    Output out;
    s.feed(Direction::serverbound, handshake(v::v1_21_4), hooks, out);
    REQUIRE_FALSE(out.close);
    const Bytes zeros(64 * 1024, 0);
    s.feed(Direction::serverbound, zeros, hooks, out);
    REQUIRE(out.close);
    CHECK(out.close->cause == session::CloseCause::hooks);
    CHECK(out.close->reason == "too many packets");
  }
  SECTION("packets, inspected or not") {
    ConnectionSession s;
    RateHooks hooks;
    Output out;
    s.feed(Direction::serverbound, append(handshake(v::v1_21_4), login_start()), hooks, out);
    CHECK(hooks.frames == 2);
    hooks.limit = 2;
    s.feed(Direction::serverbound, login_start(), hooks, out);
    REQUIRE(out.close);
    CHECK(out.close->cause == session::CloseCause::hooks);
  }
}

}  // namespace hostile_client_test
