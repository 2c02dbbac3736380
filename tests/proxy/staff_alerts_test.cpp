// Staff alerts in game: who gets a line and how many (PlayerDirectory::
// alert_staff), and the way a line reaches a staff player's stream
// (ConnectionEvents): posted to the connection's io thread, injected by the
// session as System Chat in the player's version, readable by a client that
// follows the same stream.

#include <catch2/catch.hpp>

#include <asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "../../tools/proxy/connection_events.hpp"
#include "../session/recorded_session.hpp"
#include "rustguard/protocol/packets/play/system_chat_s2c.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace staff_alerts_test {

using namespace rustguard;
using namespace rustguard::proxy;

namespace {

StaffAlertSettings staff(std::vector<std::string> players, std::uint32_t per_minute = 20) {
  StaffAlertSettings s;
  s.enabled = true;
  s.players = std::move(players);
  s.max_per_minute = per_minute;
  s.prefix = "[RG] ";
  return s;
}

// An online player whose lines land in `inbox` (the proxy's sink posts them
// to the player's io thread; here they are kept where they arrive).
std::shared_ptr<PlayerEntry> online(PlayerDirectory& d, std::uint64_t id, std::string name,
                                    std::vector<std::string>& inbox) {
  auto e = std::make_shared<PlayerEntry>();
  e->connection_id = id;
  e->name = std::move(name);
  e->alert_sink = [&inbox](std::string line) { inbox.push_back(std::move(line)); };
  return d.add(std::move(e));
}

constexpr std::int64_t kSecond = 1'000'000;

}  // namespace

TEST_CASE("Staff alerts go to the listed players only, names in any case", "[proxy][staff]") {
  PlayerDirectory d;
  std::vector<std::string> mod, player, other_mod;
  online(d, 1, "ModMary", mod);
  online(d, 2, "Cheater", player);
  online(d, 3, "jeb_", other_mod);

  // Off by default: nobody gets anything.
  CHECK(d.alert_staff("x", 0).posted == 0);
  CHECK(mod.empty());

  d.set_staff_alerts(staff({"modmary", "JEB_"}));
  const auto fanout = d.alert_staff("Cheater speed", 0);
  CHECK(fanout.posted == 2);
  CHECK(fanout.dropped == 0);
  CHECK(mod == std::vector<std::string>{"[RG] Cheater speed"});
  CHECK(other_mod == mod);
  CHECK(player.empty());

  // A reload's list applies at once; disabled stops them.
  d.set_staff_alerts(staff({"Cheater"}));
  CHECK(d.alert_staff("y", kSecond).posted == 1);
  CHECK(player == std::vector<std::string>{"[RG] y"});
  StaffAlertSettings off = staff({"Cheater"});
  off.enabled = false;
  d.set_staff_alerts(off);
  CHECK(d.alert_staff("z", 2 * kSecond).posted == 0);

  // A player that left gets nothing; one without a sink neither.
  d.set_staff_alerts(staff({"ModMary", "NoSink"}));
  auto bare = std::make_shared<PlayerEntry>();
  bare->connection_id = 4;
  bare->name = "NoSink";
  d.add(bare);
  d.remove(1);
  CHECK(d.alert_staff("w", 3 * kSecond).posted == 0);
  CHECK(mod.size() == 1);
}

TEST_CASE("Each staff player gets max_per_minute lines at most, refilled over the minute", "[proxy][staff]") {
  PlayerDirectory d;
  std::vector<std::string> a, b;
  online(d, 1, "A", a);
  d.set_staff_alerts(staff({"A", "B"}, 3));
  const std::int64_t t0 = 100 * kSecond;
  for (int i = 0; i < 3; ++i) CHECK(d.alert_staff("burst", t0).posted == 1);
  auto over = d.alert_staff("burst", t0);
  CHECK(over.posted == 0);
  CHECK(over.dropped == 1);
  CHECK(a.size() == 3);

  // B joins later with a full bucket of its own.
  online(d, 2, "B", b);
  over = d.alert_staff("later", t0 + kSecond);
  CHECK(over.posted == 1);
  CHECK(over.dropped == 1);
  CHECK(b.size() == 1);

  // 3 per minute: one line every 20 s comes back to A.
  CHECK(d.alert_staff("refill", t0 + 19 * kSecond).dropped == 1);
  const auto after = d.alert_staff("refill", t0 + 20 * kSecond);
  CHECK(after.posted == 2);  // A's refilled token, and B's
  CHECK(a.back() == "[RG] refill");

  // A long silence fills the bucket, no more (and no overflow).
  CHECK(d.alert_staff("x", t0 + 1'000'000 * kSecond).posted == 2);
  CHECK(d.alert_staff("x", t0 + 1'000'000 * kSecond).posted == 2);
  CHECK(d.alert_staff("x", t0 + 1'000'000 * kSecond).dropped == 0);
  CHECK(d.alert_staff("x", t0 + 1'000'000 * kSecond).dropped == 2);
}

namespace {

// A client's view of the clientbound stream: a second session that reads
// what the proxy's session wrote and keeps every System Chat body.
struct ChatReader {
  std::vector<std::vector<std::uint8_t>> chats;
  bool wants(session::Direction d, session::PacketKind k) const noexcept {
    return d == session::Direction::clientbound && k == session::PacketKind::system_chat_s2c;
  }
  session::PacketDisposition on_packet(const session::PacketView& p) {
    chats.emplace_back(p.body.begin(), p.body.end());
    return {};
  }
  void on_tracker_update(const protocol::ConnectionTracker&, const protocol::TrackerUpdate&) {}
};

struct QuietLog {
  QuietLog() { tools::Log::instance().set_level(LogLevel::off); }
  ~QuietLog() { tools::Log::instance().set_level(LogLevel::info); }
};

}  // namespace

TEST_CASE("A staff alert reaches the staff player's stream as System Chat of its version", "[proxy][staff]") {
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    QuietLog quiet;
    ProxyState state;
    session::PlayerSession session{ProtocolLimits{}, std::make_shared<const engine::EngineConfig>()};
    ClientAddress address{{net::IpAddress::v4(10, 0, 0, 5), 51234}, {net::IpAddress::v4(10, 0, 0, 5), 51234}, false};
    BackendDownResponder responder{state.status, "motd"};
    asio::io_context io;  // the staff connection's io thread
    std::vector<std::uint8_t> written;  // what went to the client, injected lines included
    auto events = std::make_unique<ConnectionEvents>(7, state, session, address, responder);
    events->enable_staff_alerts(io.get_executor(), [&](std::span<const std::uint8_t> bytes) {
      written.insert(written.end(), bytes.begin(), bytes.end());
      return true;
    });
    // Not in play yet (no handshake even): nothing is written, the line is counted unsent.
    CHECK_FALSE(events->deliver_staff_alert("too early"));
    CHECK(written.empty());
    CHECK(Metrics::get(state.metrics.staff_alerts_unsent) == 1);

    // The recorded player logs in and plays; the client reads what the session forwards.
    session::ConnectionSession client_view;
    ChatReader reader;
    session::Output out;
    const Timestamp start = Timestamp::from_millis(1'700'000'000'000);
    for (const auto& r : test::load_session(version)) {
      out.clear();
      session.feed(r.direction, r.bytes, start + Micros{r.micros}, out);
      events->handle(out);
      REQUIRE_FALSE(out.close);
      session::Output seen;
      if (r.direction == session::Direction::serverbound) {
        client_view.feed(r.direction, r.bytes, reader, seen);
      } else {
        client_view.feed(r.direction, out.to_client, reader, seen);
      }
    }
    const std::string name = session.tracker().identity().name;
    REQUIRE_FALSE(name.empty());
    const std::size_t backend_chats = reader.chats.size();  // the server's own lines ("joined the game")

    state.players.set_staff_alerts(staff({name}));
    CHECK(state.players.alert_staff("Cheater speed VL 12.0: \"fast\"", 0).posted == 1);
    CHECK(written.empty());  // posted, not yet run: it runs on the staff player's thread
    io.run();
    REQUIRE_FALSE(written.empty());
    CHECK(Metrics::get(state.metrics.staff_alerts_sent) == 1);

    session::Output seen;
    client_view.feed(session::Direction::clientbound, written, reader, seen);
    REQUIRE_FALSE(seen.close);
    REQUIRE(reader.chats.size() == backend_chats + 1);
    const std::int32_t protocol = session.tracker().protocol();
    const auto chat = protocol::packets::SystemChatS2c::decode(reader.chats.back(), protocol);
    REQUIRE(chat);
    CHECK(chat->content ==
          protocol::packets::SystemChatS2c::from_plain_text("[RG] Cheater speed VL 12.0: \"fast\"", protocol).content);
    CHECK_FALSE(chat->overlay);

    // A line on its way when the connection ends is dropped, not delivered to a dead object.
    written.clear();
    io.restart();
    CHECK(state.players.alert_staff("late", kSecond).posted == 1);
    events->finish(start);
    events.reset();
    io.run();
    CHECK(written.empty());
    CHECK(state.players.size() == 0);
  }
}

}  // namespace staff_alerts_test
