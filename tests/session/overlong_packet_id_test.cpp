// Found by fuzzing (tools/fuzz, target session, InspectAllHooks): the session
// located a packet's body at varint_size(id), the length of the *minimal*
// VarInt for the id. The game reads any VarInt, so a peer that encodes the id
// in more bytes ("80 00" for 0) got its body read shifted: the tracker and the
// checks then decoded other bytes than the server did (a legal handshake was
// refused, a Set Compression read the wrong threshold, a movement packet could
// hide its real values from the checks).

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace overlong_packet_id_test {

using namespace rustguard;
using namespace rustguard::protocol;
using Bytes = std::vector<std::uint8_t>;

namespace {

// `id` as a VarInt padded to `width` bytes (non-minimal when width is larger).
Bytes padded_varint(std::int32_t id, std::size_t width) {
  Bytes out;
  auto u = static_cast<std::uint32_t>(id);
  for (std::size_t i = 0; i + 1 < width; ++i) {
    out.push_back(static_cast<std::uint8_t>((u & 0x7F) | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(u & 0x7F));
  return out;
}

Bytes framed(const Bytes& packet) {
  Bytes out;
  REQUIRE(append_frame(out, packet));
  return out;
}

struct BodyHooks {
  PacketKind want;
  std::vector<Bytes> bodies;
  bool wants(Direction, PacketKind k) const noexcept { return k == want; }
  session::PacketDisposition on_packet(const session::PacketView& p) {
    bodies.emplace_back(p.body.begin(), p.body.end());
    return {};
  }
  void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&) {}
};

Bytes handshake_body(std::int32_t protocol) {
  Bytes body;
  Writer{body}.varint(protocol).string("localhost").u16(25565).varint(2);
  return body;
}

}  // namespace

TEST_CASE("A handshake whose id is a non-minimal VarInt is read like the server reads it", "[session][fuzz]") {
  Bytes packet = padded_varint(0, 2);  // 80 00
  const Bytes body = handshake_body(v::v1_20_3);
  packet.insert(packet.end(), body.begin(), body.end());

  session::ConnectionSession s;
  session::ForwardOnlyHooks hooks;
  session::Output out;
  s.feed(Direction::serverbound, framed(packet), hooks, out);
  INFO((out.close ? out.close->reason : std::string("no close")));
  REQUIRE_FALSE(out.close);
  CHECK(s.tracker().protocol() == v::v1_20_3);
  CHECK(s.tracker().state(Direction::serverbound) == State::login);
  CHECK(out.to_server == framed(packet));  // forwarded as it came
}

TEST_CASE("Set Compression and a compressed packet with padded ids reach the tracker and hooks intact",
          "[session][fuzz]") {
  const VersionInfo* version = find_version(v::v1_20_3);
  REQUIRE(version != nullptr);
  session::ConnectionSession s;
  BodyHooks hooks{PacketKind::login_plugin_response_c2s, {}};
  session::Output out;

  Bytes hs = padded_varint(0, 1);
  const Bytes hs_body = handshake_body(v::v1_20_3);
  hs.insert(hs.end(), hs_body.begin(), hs_body.end());
  s.feed(Direction::serverbound, framed(hs), hooks, out);
  REQUIRE_FALSE(out.close);

  // Set Compression 256 with its id in three bytes.
  Bytes set_compression = padded_varint(version->id_of(PacketKind::set_compression_login_s2c), 3);
  Writer{set_compression}.varint(256);
  s.feed(Direction::clientbound, framed(set_compression), hooks, out);
  INFO((out.close ? out.close->reason : std::string("no close")));
  REQUIRE_FALSE(out.close);
  CHECK(s.tracker().compression_threshold() == 256);

  // A compressed Login Plugin Response (300 bytes of data) whose id inside the
  // zlib stream takes five bytes.
  Bytes body;
  Writer{body}.varint(7).boolean(true);
  for (int i = 0; i < 300; ++i) body.push_back(static_cast<std::uint8_t>(i * 7));
  Bytes packet = padded_varint(version->id_of(PacketKind::login_plugin_response_c2s), 5);
  packet.insert(packet.end(), body.begin(), body.end());
  Bytes contents;
  Writer{contents}.varint(static_cast<std::int32_t>(packet.size()));
  Deflater{}.deflate(packet, contents);
  s.feed(Direction::serverbound, framed(contents), hooks, out);
  INFO((out.close ? out.close->reason : std::string("no close")));
  REQUIRE_FALSE(out.close);
  REQUIRE(hooks.bodies.size() == 1);
  CHECK(hooks.bodies[0] == body);
}

}  // namespace overlong_packet_id_test
