// Sessions that borrow one zlib workspace (as the proxy's io threads lend
// theirs) write the same bytes and reach the same verdicts as sessions that
// make their own, hold no zlib state and no large buffer between reads, and
// never create a deflater for their own tiny packets.

#include <catch2/catch.hpp>

#include <memory>
#include <variant>
#include <vector>

#include "recorded_session.hpp"
#include "rustguard/protocol/compression.hpp"
#include "rustguard/session/player_session.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace workspace_test {

using namespace rustguard;
using protocol::Direction;
using rustguard::test::load_session;

namespace {

struct Transcript {
  std::vector<std::uint8_t> to_server, to_client;
  std::vector<std::string> violations;  // check:type:vl
  std::size_t events = 0;
  bool closed = false;
};

void take(Transcript& t, session::Output& out) {
  t.to_server.insert(t.to_server.end(), out.to_server.begin(), out.to_server.end());
  t.to_client.insert(t.to_client.end(), out.to_client.begin(), out.to_client.end());
  t.events += out.events.size();
  for (const auto& e : out.events) {
    if (const auto* v = std::get_if<session::ViolationFound>(&e)) {
      t.violations.push_back(v->violation.check + ":" + v->violation.type + ":" + std::to_string(v->violation.vl));
    }
  }
  t.closed = t.closed || out.close.has_value();
}

// Feeds every record to each session in turn, in pieces of `piece` bytes, so
// that the sessions' packets interleave on whatever workspace they use.
std::vector<Transcript> play(std::vector<std::unique_ptr<session::PlayerSession>>& sessions,
                             const std::vector<test::Record>& records, std::size_t piece) {
  std::vector<Transcript> out(sessions.size());
  const Timestamp start = Timestamp::from_millis(1'700'000'000'000);
  session::Output o;
  for (const auto& r : records) {
    const std::span<const std::uint8_t> bytes{r.bytes};
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      for (std::size_t i = 0; i < sessions.size(); ++i) {
        o.clear();
        sessions[i]->feed(r.direction, bytes.subspan(at, std::min(piece, bytes.size() - at)),
                          start + Micros{r.micros}, o);
        take(out[i], o);
      }
    }
  }
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    o.clear();
    sessions[i]->finish(o);
    take(out[i], o);
  }
  return out;
}

}  // namespace

TEST_CASE("Sessions sharing one workspace match sessions with their own, byte for byte", "[session][workspace]") {
  const auto config = std::make_shared<const engine::EngineConfig>();
  for (const std::string version : {"1.8.8", "1.20.4", "1.21.4"}) {
    INFO(version);
    const auto records = load_session(version);
    for (const std::size_t piece : {std::size_t{1460}, std::size_t{97}}) {
      INFO("pieces of " << piece);
      std::vector<std::unique_ptr<session::PlayerSession>> own, lent;
      own.push_back(std::make_unique<session::PlayerSession>(ProtocolLimits{}, config));
      protocol::CompressionWorkspace shared;
      for (int i = 0; i < 3; ++i) {
        lent.push_back(std::make_unique<session::PlayerSession>(ProtocolLimits{}, config));
        lent.back()->use_workspace(shared);
      }
      const auto alone = play(own, records, piece);
      const auto together = play(lent, records, piece);
      REQUIRE_FALSE(alone[0].closed);
      CHECK(own[0]->connection().owns_workspace());  // the recordings hold compressed packets
      CHECK(own[0]->counters(Direction::clientbound).injected > 0);
      for (std::size_t i = 0; i < lent.size(); ++i) {
        INFO("session " << i);
        CHECK_FALSE(lent[i]->connection().owns_workspace());
        CHECK(together[i].to_server == alone[0].to_server);
        CHECK(together[i].to_client == alone[0].to_client);
        CHECK(together[i].violations == alone[0].violations);
        CHECK(together[i].events == alone[0].events);
        CHECK(together[i].closed == alone[0].closed);
        // Between reads a session keeps only small unfinished-frame buffers.
        CHECK(lent[i]->connection().buffer_capacity() <= 2 * protocol::FrameDecoder::kKeepTailCapacity);
      }
      CHECK(shared.has_inflater());
      // The injected transactions are far below the threshold: never deflated.
      CHECK_FALSE(shared.has_deflater());
    }
  }
}

TEST_CASE("A session's Disconnect above the threshold is deflated with the lent workspace", "[session][workspace]") {
  const auto config = std::make_shared<const engine::EngineConfig>();
  const auto records = load_session("1.21.4");
  protocol::CompressionWorkspace shared;
  std::vector<std::unique_ptr<session::PlayerSession>> lent, own;
  lent.push_back(std::make_unique<session::PlayerSession>(ProtocolLimits{}, config));
  lent.back()->use_workspace(shared);
  own.push_back(std::make_unique<session::PlayerSession>(ProtocolLimits{}, config));
  (void)play(lent, records, 4096);
  (void)play(own, records, 4096);
  const std::string long_reason(600, 'x');  // a kick message over the 256-byte threshold
  session::Output a, b;
  lent[0]->append_disconnect(long_reason, a);
  own[0]->append_disconnect(long_reason, b);
  CHECK(shared.has_deflater());
  REQUIRE_FALSE(a.to_client.empty());
  CHECK(a.to_client == b.to_client);
}

}  // namespace workspace_test
