// TCP reassembly on synthetic segments: the cases a real loopback capture
// rarely shows (loss, reordering, wraparound, overflow). The real-capture
// cases are in capture_files_test.cpp.

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "replay/tcp_reassembly.hpp"
#include "replay_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace tcp_reassembly_test {

using namespace rustguard::replay;
using namespace rustguard::replay::test;

namespace {

std::span<const std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t from, std::size_t n) {
  return std::span<const std::uint8_t>{v}.subspan(from, n);
}

void open(TcpReassembler& r, const Conversation& c, std::int64_t t = 1) {
  r.add(c.syn(), t);
  r.add(c.syn_ack(), t);
  r.add(c.handshake_ack(), t);
}

}  // namespace

TEST_CASE("in-order data in both directions, closed by two FINs") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{1000, 900000};
  const auto up = pattern(300, 1), down = pattern(500, 2);
  open(r, c);
  r.add(c.data(0, 0, slice(up, 0, 100)), 10);
  r.add(c.data(1, 0, slice(down, 0, 500)), 11);
  r.add(c.data(0, 100, slice(up, 100, 200)), 12);
  r.add(c.fin(0, 300), 13);
  REQUIRE(sink.flows.at(1).closed == false);
  r.add(c.fin(1, 500), 14);
  r.add(c.data(0, 301, {}), 15);  // the last ACK, after the flow closed

  const auto& f = sink.flows.at(1);
  CHECK(f.c2s() == up);
  CHECK(f.s2c() == down);
  CHECK(f.chunk_times[0] == std::vector<std::int64_t>{10, 12});
  CHECK(f.closed);
  CHECK(f.end == FlowEnd::fin);
  CHECK(f.close_time == 14);
  CHECK(f.info.client.port == 50000);
  CHECK(f.info.server.port == 25565);
  CHECK(r.stats().flows == 1);
  CHECK(r.stats().closed_by(FlowEnd::fin) == 1);
  CHECK(r.stats().segments_after_close == 1);
  CHECK(r.stats().flows_without_handshake == 0);
  CHECK(r.stats().bytes_delivered == 800);
}

TEST_CASE("retransmissions deliver nothing twice") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{7, 9};
  const auto up = pattern(200, 3);
  open(r, c);
  r.add(c.data(0, 0, slice(up, 0, 100)), 2);
  r.add(c.data(0, 0, slice(up, 0, 100)), 3);   // exact duplicate
  r.add(c.data(0, 50, slice(up, 50, 50)), 4);  // duplicate of a part
  r.add(c.syn(), 5);                           // retransmitted SYN
  r.add(c.data(0, 100, slice(up, 100, 100)), 6);
  CHECK(sink.flows.at(1).c2s() == up);
  CHECK(r.stats().retransmitted_segments == 3);
  CHECK(r.stats().flows == 1);
}

TEST_CASE("overlapping segments: bytes already delivered or buffered win") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{100, 200};
  const auto up = pattern(400, 4);
  auto forged = up;
  for (auto& b : forged) b ^= 0xFF;
  open(r, c);
  r.add(c.data(0, 0, slice(up, 0, 100)), 2);
  // Starts inside delivered data and carries different bytes there.
  r.add(c.data(0, 50, slice(forged, 50, 50)), 3);
  std::vector<std::uint8_t> mixed(slice(forged, 50, 50).begin(), slice(forged, 50, 50).end());
  mixed.insert(mixed.end(), up.begin() + 100, up.begin() + 150);
  r.add(c.data(0, 50, mixed), 4);  // old half forged, new half genuine
  // Buffered ahead of a hole, then overlapped by a forged copy that spans it.
  r.add(c.data(0, 250, slice(up, 250, 100)), 5);
  std::vector<std::uint8_t> span2(up.begin() + 150, up.begin() + 250);
  span2.insert(span2.end(), forged.begin() + 250, forged.begin() + 300);
  r.add(c.data(0, 150, span2), 6);
  r.add(c.data(0, 350, slice(up, 350, 50)), 7);
  CHECK(sink.flows.at(1).c2s() == up);
  CHECK(r.stats().overlapping_segments == 2);
  CHECK(r.stats().retransmitted_segments == 1);
}

TEST_CASE("out-of-order segments are held until the hole fills, stamped with the filling segment's time") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{5000, 6000};
  const auto down = pattern(1000, 5);
  open(r, c);
  // Server sends 10 segments of 100; the capture sees them shuffled.
  const std::vector<int> order{3, 1, 0, 2, 9, 5, 4, 7, 6, 8};
  std::int64_t t = 100;
  for (int i : order) r.add(c.data(1, static_cast<std::uint64_t>(i) * 100, slice(down, static_cast<std::size_t>(i) * 100, 100)), t++);
  const auto& f = sink.flows.at(1);
  CHECK(f.s2c() == down);
  // Segment 0 arrived at t=102 and released 0,1 (2 and 3 wait for 2);
  // 2 at 103 released 2,3; 4 at 106 released 4,5; 6 at 108 released 6,7;
  // 8 at 109 released 8,9.
  std::vector<std::int64_t> expected{102, 102, 103, 103, 106, 106, 108, 108, 109, 109};
  CHECK(f.chunk_times[1] == expected);
  CHECK(r.stats().out_of_order_segments == 5);  // 3, 1, 9, 5, 7
}

TEST_CASE("sequence numbers wrap around 2^32") {
  RecordingSink sink;
  TcpReassembler r{sink};
  // Both ISNs just below the wrap, so the streams cross it early.
  Conversation c{0xFFFFFF00u, 0xFFFFFFF0u};
  const auto up = pattern(3000, 6), down = pattern(2000, 7);
  open(r, c);
  for (std::size_t off = 0; off < up.size(); off += 300) r.add(c.data(0, off, slice(up, off, 300)), 2);
  // The server's segments around the wrap arrive out of order.
  r.add(c.data(1, 1000, slice(down, 1000, 1000)), 3);
  r.add(c.data(1, 0, slice(down, 0, 1000)), 4);
  r.add(c.data(1, 0, slice(down, 0, 10)), 5);  // old retransmission from before the wrap
  r.add(c.fin(0, 3000), 6);
  r.add(c.fin(1, 2000), 7);
  const auto& f = sink.flows.at(1);
  CHECK(c.seq_at(0, 3000) < c.seq_at(0, 0));
  CHECK(f.c2s() == up);
  CHECK(f.s2c() == down);
  CHECK(f.end == FlowEnd::fin);
}

TEST_CASE("a flow whose SYN was not captured is skipped and counted once") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation mid{1, 2, 40000}, full{3, 4, 40001};
  const auto bytes = pattern(100, 8);
  r.add(mid.data(0, 500, slice(bytes, 0, 100)), 1);
  r.add(mid.data(1, 700, slice(bytes, 0, 100)), 2);
  open(r, full, 3);
  r.add(full.data(0, 0, bytes), 4);
  r.add(mid.fin(0, 600), 5);
  r.finish(6);
  CHECK(sink.flows.size() == 1);
  CHECK(sink.flows.at(1).info.client.port == 40001);
  CHECK(sink.flows.at(1).c2s() == bytes);
  CHECK(sink.flows.at(1).end == FlowEnd::end_of_capture);
  CHECK(r.stats().flows_without_handshake == 1);
  CHECK(r.stats().segments_without_handshake == 3);
  CHECK(r.stats().flows == 1);
}

TEST_CASE("a SYN-ACK seen without its SYN does not open a flow") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{10, 20};
  r.add(c.syn_ack(), 1);
  r.add(c.handshake_ack(), 2);
  CHECK(sink.flows.empty());
  CHECK(r.stats().flows_without_handshake == 1);
}

TEST_CASE("a missing SYN-ACK: the client's ACK gives the server's start") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{10, 777777};
  const auto down = pattern(64, 9);
  r.add(c.syn(), 1);
  r.add(c.handshake_ack(), 2);
  r.add(c.data(1, 0, down), 3);
  CHECK(sink.flows.at(1).s2c() == down);
}

TEST_CASE("buffering is bounded: past the limit the direction reports a gap and stops") {
  RecordingSink sink;
  ReassemblyLimits limits;
  limits.max_buffered_bytes = 1000;
  TcpReassembler r{sink, limits};
  Conversation c{1, 2};
  const auto up = pattern(2000, 10), down = pattern(100, 11);
  open(r, c);
  r.add(c.data(0, 0, slice(up, 0, 100)), 2);
  // Bytes 100..199 are never captured; what follows piles up.
  for (std::size_t off = 200; off < 1200; off += 100) r.add(c.data(0, off, slice(up, off, 100)), 3);
  CHECK(r.stats().buffer_overflows == 0);
  r.add(c.data(0, 1200, slice(up, 1200, 100)), 4);  // would make 1100 buffered bytes
  CHECK(r.stats().buffer_overflows == 1);
  CHECK(r.stats().gaps == 1);
  // The hole's bytes turning up late change nothing: the direction is done.
  r.add(c.data(0, 100, slice(up, 100, 100)), 5);
  // The other direction is unaffected.
  r.add(c.data(1, 0, down), 6);
  const auto& f = sink.flows.at(1);
  CHECK(f.c2s() == std::vector<std::uint8_t>(up.begin(), up.begin() + 100));
  CHECK(f.gaps[0] == std::vector<std::uint64_t>{100});
  CHECK(f.s2c() == down);
  CHECK(f.gaps[1].empty());
}

TEST_CASE("the segment-count bound also applies") {
  RecordingSink sink;
  ReassemblyLimits limits;
  limits.max_buffered_segments = 4;
  TcpReassembler r{sink, limits};
  Conversation c{1, 2};
  const auto up = pattern(100, 12);
  open(r, c);
  for (std::size_t off = 10; off < 60; off += 10) r.add(c.data(0, off, slice(up, off, 5)), 2);
  CHECK(r.stats().buffer_overflows == 1);
  CHECK(sink.flows.at(1).gaps[0] == std::vector<std::uint64_t>{0});
}

TEST_CASE("RST closes the flow; bytes stuck behind a hole are reported as a gap") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{1, 2};
  const auto up = pattern(300, 13);
  open(r, c);
  r.add(c.data(0, 0, slice(up, 0, 100)), 2);
  r.add(c.data(0, 200, slice(up, 200, 100)), 3);
  r.add(c.rst(1, 0), 4);
  r.add(c.data(0, 100, slice(up, 100, 100)), 5);  // after the reset: ignored
  const auto& f = sink.flows.at(1);
  CHECK(f.end == FlowEnd::reset);
  CHECK(f.c2s().size() == 100);
  CHECK(f.gaps[0] == std::vector<std::uint64_t>{100});
  CHECK(r.stats().segments_after_close == 1);
}

TEST_CASE("a FIN ahead of missing data waits for it") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{1, 2};
  const auto up = pattern(200, 14);
  open(r, c);
  r.add(c.fin(1, 0), 2);
  r.add(c.data(0, 100, slice(up, 100, 100), tcp_flag::fin), 3);
  CHECK_FALSE(sink.flows.at(1).closed);
  r.add(c.data(0, 0, slice(up, 0, 100)), 4);
  CHECK(sink.flows.at(1).closed);
  CHECK(sink.flows.at(1).end == FlowEnd::fin);
  CHECK(sink.flows.at(1).c2s() == up);
}

TEST_CASE("flows that never close end at finish(), in flow order") {
  RecordingSink sink;
  TcpReassembler r{sink};
  std::vector<Conversation> convs;
  for (std::uint16_t i = 0; i < 20; ++i) convs.emplace_back(i * 1000u, i * 7000u, static_cast<std::uint16_t>(41000 + i * 37));
  for (const auto& c : convs) open(r, c);
  CHECK(r.open_flows() == 20);
  r.finish(99);
  std::vector<std::string> expected;
  for (int i = 1; i <= 20; ++i) expected.push_back("open " + std::to_string(i));
  for (int i = 1; i <= 20; ++i) expected.push_back("close " + std::to_string(i) + " end_of_capture");
  CHECK(sink.events == expected);
  CHECK(r.open_flows() == 0);
}

TEST_CASE("idle timeout and linger, in capture time") {
  RecordingSink sink;
  ReassemblyLimits limits;
  limits.idle_timeout_ns = 10'000'000'000;
  limits.closed_linger_ns = 5'000'000'000;
  TcpReassembler r{sink, limits};
  Conversation quiet{1, 2, 42000}, busy{3, 4, 42001};
  const auto bytes = pattern(10, 15);
  const std::int64_t s = 1'000'000'000;
  open(r, quiet, 1 * s);
  open(r, busy, 1 * s);
  for (std::int64_t t = 2; t <= 30; ++t) r.add(busy.data(0, static_cast<std::uint64_t>(t - 2), slice(bytes, 0, 1)), t * s);
  CHECK(sink.flows.at(1).end == FlowEnd::idle_timeout);
  CHECK_FALSE(sink.flows.at(2).closed);
  // The quiet flow's tuple has been forgotten after lingering.
  CHECK(r.tracked_tuples() == 1);
}

TEST_CASE("a new SYN on an open tuple starts a new connection") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation first{100, 200}, second{900000, 800000};
  const auto a = pattern(50, 16), b = pattern(60, 17);
  open(r, first);
  r.add(first.data(0, 0, a), 2);
  open(r, second, 3);
  r.add(second.data(0, 0, b), 4);
  CHECK(sink.flows.at(1).end == FlowEnd::reused);
  CHECK(sink.flows.at(1).c2s() == a);
  CHECK(sink.flows.at(2).c2s() == b);
  // And after a clean close, a new SYN on the same tuple opens a third flow.
  r.add(second.fin(0, 60), 5);
  r.add(second.fin(1, 0), 6);
  Conversation third{5, 6};
  open(r, third, 7);
  CHECK(r.stats().flows == 3);
}

TEST_CASE("data on a SYN (TCP Fast Open) starts the stream") {
  RecordingSink sink;
  TcpReassembler r{sink};
  Conversation c{1, 2};
  const auto up = pattern(40, 18);
  auto syn = c.syn();
  syn.payload = slice(up, 0, 20);
  r.add(syn, 1);
  r.add(c.syn_ack(), 2);
  r.add(c.data(0, 20, slice(up, 20, 20)), 3);
  CHECK(sink.flows.at(1).c2s() == up);
}

}  // namespace tcp_reassembly_test
