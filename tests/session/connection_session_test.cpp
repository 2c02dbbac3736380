#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "rustguard/protocol/packets/play/disconnect_s2c.hpp"
#include "rustguard/session/connection_session.hpp"
#include "recorded_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace connection_session_test {

using namespace rustguard;
using namespace rustguard::protocol;
using session::ConnectionSession;
using session::Output;
using session::PacketAction;
using session::PacketDisposition;
using session::PacketView;
using Bytes = std::vector<std::uint8_t>;
using rustguard::test::concat;
using rustguard::test::load_session;
using rustguard::test::Record;

namespace {

// Hooks that look at every known packet and can be told to drop or inject.
struct RecordingHooks {
  std::map<PacketKind, int> seen;
  std::vector<PacketKind> order;
  PacketKind drop = PacketKind::count;
  PacketKind transaction_before = PacketKind::count;
  int tracker_updates = 0;

  bool wants(Direction, PacketKind) const noexcept { return true; }
  PacketDisposition on_packet(const PacketView& p) {
    ++seen[p.kind];
    order.push_back(p.kind);
    PacketDisposition d;
    if (p.kind == drop) d.action = PacketAction::drop;
    if (p.kind == transaction_before) d.transaction_before = -42;
    return d;
  }
  void on_tracker_update(const ConnectionTracker&, const TrackerUpdate&) { ++tracker_updates; }
};

struct Run {
  ConnectionSession session;
  Bytes to_server;
  Bytes to_client;
  std::optional<session::CloseRequest> close;
};

// Feeds every record, each split into pieces at the given cut points.
template <class Hooks>
void feed_all(Run& run, const std::vector<Record>& records, Hooks& hooks, std::mt19937* shuffle_splits = nullptr) {
  Output out;
  for (const auto& r : records) {
    std::span<const std::uint8_t> rest{r.bytes};
    while (!rest.empty()) {
      std::size_t n = rest.size();
      if (shuffle_splits) n = std::uniform_int_distribution<std::size_t>(1, rest.size())(*shuffle_splits);
      out.clear();
      run.session.feed(r.direction, rest.first(n), hooks, out);
      run.to_server.insert(run.to_server.end(), out.to_server.begin(), out.to_server.end());
      run.to_client.insert(run.to_client.end(), out.to_client.begin(), out.to_client.end());
      if (out.close) {
        run.close = out.close;
        return;
      }
      rest = rest.subspan(n);
    }
  }
}

// Splits a forwarded stream again and names each packet, following the states
// with a tracker of its own (fed in the order given, one direction only, so
// the caller supplies the state changes that depend on the other direction).
struct ParsedPacket {
  std::int32_t id;
  Bytes packet;  // id + fields
};
std::vector<ParsedPacket> split_stream(const Bytes& stream, Direction d, std::int32_t threshold_after_first) {
  FrameDecoder decoder{d};
  Inflater inflater;
  Bytes scratch;
  std::vector<ParsedPacket> out;
  int frames = 0;
  // threshold_after_first: compression (threshold 256) starts after that many
  // frames; 0 = from the first frame, -1 = never.
  if (threshold_after_first == 0) decoder.set_compression_threshold(256);
  auto fed = decoder.feed(stream, [&](const Frame& f) {
    Bytes packet;
    if (f.compressed()) {
      auto inflated = inflater.inflate(f.payload, f.data_length, scratch);
      REQUIRE(inflated.ok());
      packet.assign(inflated->begin(), inflated->end());
    } else {
      packet.assign(f.payload.begin(), f.payload.end());
    }
    const auto id = read_varint_prefix(packet);
    out.push_back({id.value, packet});
    if (++frames == threshold_after_first) decoder.set_compression_threshold(256);
  });
  REQUIRE(fed.ok());
  return out;
}

}  // namespace

TEST_CASE("A recorded session passes through unchanged, whatever the read sizes", "[session]") {
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO("version " << version);
    const auto records = load_session(version);
    Run whole;
    session::ForwardOnlyHooks nothing;
    feed_all(whole, records, nothing);
    REQUIRE_FALSE(whole.close);
    CHECK(whole.to_server == concat(records, Direction::serverbound));
    CHECK(whole.to_client == concat(records, Direction::clientbound));
    CHECK(whole.session.tracker().state(Direction::serverbound) == State::play);
    CHECK(whole.session.tracker().state(Direction::clientbound) == State::play);
    CHECK(whole.session.tracker().identity().name == "fixture");
    CHECK(whole.session.tracker().compression_threshold() == 256);
    CHECK_FALSE(whole.session.opaque());

    std::mt19937 rng(1234);
    for (int round = 0; round < 20; ++round) {
      Run split;
      feed_all(split, records, nothing, &rng);
      REQUIRE_FALSE(split.close);
      CHECK(split.to_server == whole.to_server);
      CHECK(split.to_client == whole.to_client);
    }
  }
}

TEST_CASE("Hooks see every packet they want, decoded and in order", "[session]") {
  const auto records = load_session("1.20.4");
  Run run;
  RecordingHooks hooks;
  feed_all(run, records, hooks);
  REQUIRE_FALSE(run.close);
  CHECK(hooks.seen[PacketKind::intention_c2s] == 1);
  CHECK(hooks.seen[PacketKind::login_start_c2s] == 1);
  CHECK(hooks.seen[PacketKind::set_compression_login_s2c] == 1);
  CHECK(hooks.seen[PacketKind::login_success_s2c] == 1);
  CHECK(hooks.seen[PacketKind::login_acknowledged_c2s] == 1);
  CHECK(hooks.seen[PacketKind::finish_configuration_c2s] == 1);
  CHECK(hooks.seen[PacketKind::login_play_s2c] == 1);
  CHECK(hooks.seen[PacketKind::set_health_s2c] == 1);
  CHECK(hooks.seen[PacketKind::set_position_c2s] == 20);
  CHECK(hooks.seen[PacketKind::set_position_rotation_c2s] >= 10);  // mineflayer answers the teleport too
  CHECK(hooks.seen[PacketKind::chat_message_c2s] == 1);
  CHECK(hooks.tracker_updates > 5);
  // The whole stream is still forwarded byte for byte.
  CHECK(run.to_server == concat(records, Direction::serverbound));
  CHECK(run.session.counters(Direction::clientbound).inflated_bytes > 48 * 1024);
}

TEST_CASE("A dropped packet is missing from what is forwarded, and only it", "[session]") {
  const auto records = load_session("1.20.4");
  Run run;
  RecordingHooks hooks;
  hooks.drop = PacketKind::set_position_c2s;
  feed_all(run, records, hooks);
  REQUIRE_FALSE(run.close);
  CHECK(run.session.counters(Direction::serverbound).dropped == 20);
  const VersionInfo* version = find_version(v::v1_20_3);
  REQUIRE(version != nullptr);
  // Serverbound: handshake and login start come before Set Compression.
  const auto forwarded = split_stream(run.to_server, Direction::serverbound, 2);
  const auto original = split_stream(concat(records, Direction::serverbound), Direction::serverbound, 2);
  CHECK(forwarded.size() + 20 == original.size());
  const auto position_id = version->id_of(PacketKind::set_position_c2s);
  int positions_left = 0;
  for (const auto& p : forwarded) {
    // Play ids only mean set_position once in play; the login and configuration
    // ids at the start are lower and are different packets.
    positions_left += p.id == position_id && p.packet.size() == 1 + 25 ? 1 : 0;
  }
  CHECK(positions_left == 0);
}

TEST_CASE("A transaction is injected right before the packet that asked for it", "[session]") {
  const auto records = load_session("1.20.4");
  Run run;
  RecordingHooks hooks;
  hooks.transaction_before = PacketKind::set_health_s2c;
  feed_all(run, records, hooks);
  REQUIRE_FALSE(run.close);
  CHECK(run.session.counters(Direction::clientbound).injected == 1);
  const VersionInfo* version = find_version(v::v1_20_3);
  // Clientbound: Set Compression is the first frame.
  const auto packets = split_stream(run.to_client, Direction::clientbound, 1);
  const auto ping_id = version->id_of(PacketKind::ping_s2c);
  const auto health_id = version->id_of(PacketKind::set_health_s2c);
  bool found = false;
  for (std::size_t i = 0; i + 1 < packets.size(); ++i) {
    if (packets[i].id == ping_id && packets[i + 1].id == health_id) {
      Reader r{std::span<const std::uint8_t>(packets[i].packet).subspan(1)};
      CHECK(r.i32() == -42);
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("1.8 transactions are window confirmations", "[session]") {
  const auto records = load_session("1.8.8");
  Run run;
  RecordingHooks hooks;
  hooks.transaction_before = PacketKind::set_health_s2c;
  feed_all(run, records, hooks);
  REQUIRE_FALSE(run.close);
  const VersionInfo* version = find_version(v::v1_8);
  const auto packets = split_stream(run.to_client, Direction::clientbound, 1);
  const auto confirm_id = version->id_of(PacketKind::window_confirmation_s2c);
  bool found = false;
  for (const auto& p : packets) {
    if (p.id != confirm_id) continue;
    Reader r{std::span<const std::uint8_t>(p.packet).subspan(1)};
    CHECK(r.i8() == 0);
    CHECK(r.i16() == -42);
    CHECK_FALSE(r.boolean());
    found = true;
  }
  CHECK(found);
}

TEST_CASE("A malformed frame closes the connection with the reason", "[session]") {
  auto records = load_session("1.20.4");
  // Corrupt the zlib stream of the first large serverbound (compressed) frame:
  // the client's 1200-byte plugin message.
  bool corrupted = false;
  for (auto& r : records) {
    if (r.direction == Direction::serverbound && r.bytes.size() > 300 && !corrupted) {
      for (std::size_t i = 8; i < 40; ++i) r.bytes[i] ^= 0x5A;
      corrupted = true;
    }
  }
  REQUIRE(corrupted);
  Run run;
  RecordingHooks hooks;
  feed_all(run, records, hooks);
  REQUIRE(run.close);
  CHECK(run.close->cause == session::CloseCause::malformed);
  CHECK(run.close->from == Direction::serverbound);
  CHECK(run.close->reason.rfind("serverbound ", 0) == 0);
  INFO(run.close->reason);
  CHECK(run.close->error != Errc::ok);
}

TEST_CASE("An oversized frame closes the connection", "[session]") {
  ProtocolLimits limits;
  limits.max_frame_bytes = 1024;
  ConnectionSession s{limits};
  session::ForwardOnlyHooks nothing;
  Output out;
  Bytes big;
  Writer{big}.varint(5000);
  big.resize(big.size() + 100, 0);
  s.feed(Direction::serverbound, big, nothing, out);
  REQUIRE(out.close);
  CHECK(out.close->error == Errc::frame_too_large);
  CHECK(out.close->reason == "serverbound frame_too_large: frame length 5000 (limit 1024)");
}

TEST_CASE("An unknown protocol version is passed through uninspected", "[session]") {
  ConnectionSession s;
  session::ForwardOnlyHooks nothing;
  Output out;
  Bytes handshake_packet;
  Writer{handshake_packet}.varint(0).varint(9999).string("localhost").u16(25565).varint(2);
  Bytes stream;
  REQUIRE(append_frame(stream, handshake_packet).ok());
  const Bytes garbage{0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0x7f};  // would be rejected if parsed
  stream.insert(stream.end(), garbage.begin(), garbage.end());
  s.feed(Direction::serverbound, stream, nothing, out);
  CHECK_FALSE(out.close);
  CHECK(s.opaque());
  CHECK(s.tracker().version_unknown());
  CHECK(out.to_server == stream);

  // Refusing it instead: the login Disconnect is understood by every version.
  Output refusal;
  s.append_disconnect("RustGuard does not support this version", refusal);
  REQUIRE_FALSE(refusal.to_client.empty());
  const auto packets = split_stream(refusal.to_client, Direction::clientbound, -1);
  REQUIRE(packets.size() == 1);
  CHECK(packets[0].id == 0);
}

TEST_CASE("A Disconnect is written in the client's current state", "[session]") {
  const auto records = load_session("1.21.4");
  Run run;
  session::ForwardOnlyHooks nothing;
  feed_all(run, records, nothing);
  Output out;
  run.session.append_disconnect("Kicked by RustGuard: test", out);
  const auto packets = split_stream(out.to_client, Direction::clientbound, 0);
  REQUIRE(packets.size() == 1);
  const VersionInfo* version = find_version(v::v1_21_4);
  CHECK(packets[0].id == version->id_of(PacketKind::disconnect_s2c));
  auto decoded = packets::DisconnectS2c::decode(std::span<const std::uint8_t>(packets[0].packet).subspan(1), v::v1_21_4);
  REQUIRE(decoded.ok());
}

}  // namespace connection_session_test
