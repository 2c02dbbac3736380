// Setbacks through the session, on the bytes (engine/setbacks.hpp): after a
// recorded 1.20.4 login (compressed stream), a speed move is not forwarded
// and RustGuard's own teleport goes to the client, framed as the stream is;
// the client's confirmation of it stays here; its arrival is forwarded.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>

#include "recorded_session.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/player_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace setback_session_test {

using namespace rustguard;
using namespace rustguard::protocol;
using rustguard::test::load_session;

namespace {

constexpr std::int32_t kProtocol = v::v1_20_3;

// One packet (id + body) in the compressed framing, below the threshold.
std::vector<std::uint8_t> frame_of(const std::vector<std::uint8_t>& packet) {
  std::vector<std::uint8_t> contents;
  Writer{contents}.varint(0).bytes(packet);
  std::vector<std::uint8_t> frame;
  REQUIRE(append_frame(frame, contents).ok());
  return frame;
}

std::vector<std::uint8_t> position_packet(const Vec3& p) {
  std::vector<std::uint8_t> packet;
  Writer{packet}.varint(find_version(kProtocol)->id_of(PacketKind::set_position_c2s)).f64(p.x).f64(p.y).f64(p.z).boolean(true);
  return packet;
}

// The Synchronize Player Position frames in a clientbound byte run (frames
// below the threshold: dataLength 0).
std::vector<packets::SyncPlayerPositionS2c> teleports_in(const std::vector<std::uint8_t>& bytes) {
  std::vector<packets::SyncPlayerPositionS2c> out;
  const std::int32_t id = find_version(kProtocol)->id_of(PacketKind::sync_player_position_s2c);
  Reader r{bytes};
  while (r.remaining() > 0) {
    const auto length = r.varint();
    const auto frame = r.bytes(static_cast<std::size_t>(length));
    Reader f{frame};
    if (f.varint() != 0) continue;  // compressed: not one of ours
    if (f.varint() != id) continue;
    auto t = packets::SyncPlayerPositionS2c::decode(f.rest(), kProtocol);
    REQUIRE(t.ok());
    out.push_back(*t);
  }
  return out;
}

}  // namespace

TEST_CASE("a setback on the wire: held move, our teleport, confirmation kept, arrival forwarded",
          "[session][setback]") {
  auto config = std::make_shared<const engine::EngineConfig>();
  session::PlayerSession player(ProtocolLimits{}, config);
  const auto records = load_session("1.20.4");
  const Timestamp start = Timestamp::from_millis(1'700'000'000'000);
  Timestamp now = start;
  session::Output out;
  for (const auto& r : records) {
    now = start + Micros{r.micros};
    out.clear();
    player.feed(r.direction, r.bytes, now, out);
    REQUIRE_FALSE(out.close);
  }
  const auto& ctx = player.engine().context();
  REQUIRE(ctx.accepted.known);
  const Vec3 accepted = ctx.accepted.position;

  // Three blocks sideways in one tick.
  now = now + millis(50);
  out.clear();
  player.feed(Direction::serverbound, frame_of(position_packet({accepted.x + 3, accepted.y, accepted.z})), now, out);
  CHECK(out.to_server.empty());
  const auto sent = teleports_in(out.to_client);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].position == accepted);
  CHECK(sent[0].relative.yaw);
  bool event = false;
  for (const auto& e : out.events) event = event || std::holds_alternative<session::SetbackSent>(e);
  CHECK(event);

  // The client confirms it: not for the server.
  std::vector<std::uint8_t> confirm;
  Writer{confirm}.varint(find_version(kProtocol)->id_of(PacketKind::confirm_teleport_c2s)).varint(sent[0].teleport_id);
  now = now + millis(50);
  out.clear();
  player.feed(Direction::serverbound, frame_of(confirm), now, out);
  CHECK(out.to_server.empty());

  // And stands at the target: forwarded as it came.
  const auto arrival = frame_of(position_packet(accepted));
  out.clear();
  player.feed(Direction::serverbound, arrival, now, out);
  CHECK(out.to_server == arrival);
  CHECK(player.engine().setbacks_sent() == 1);
}

}  // namespace setback_session_test
