// Real captures (tests/replay/captures, made by record_captures.sh): every
// link type and container must give back exactly the bytes each side of each
// connection sent, as logged by the traffic generator in loopback.streams.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "replay/capture_feed.hpp"
#include "replay/capture_files.hpp"
#include "replay_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace capture_files_test {

using namespace rustguard::replay;
using namespace rustguard::replay::test;

namespace {

const std::filesystem::path kCaptures = std::filesystem::path{RUSTGUARD_TEST_DATA_DIR} / "replay" / "captures";

struct ExpectedFlow {
  int family = 0;
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
  std::string close;
  std::vector<std::uint8_t> c2s, s2c;
};

std::vector<ExpectedFlow> load_streams() {
  std::ifstream in{kCaptures / "loopback.streams", std::ios::binary};
  REQUIRE(in);
  const std::vector<char> all{std::istreambuf_iterator<char>{in}, {}};
  std::vector<ExpectedFlow> out;
  std::size_t pos = 0;
  while (pos < all.size()) {
    const auto nl = std::find(all.begin() + static_cast<std::ptrdiff_t>(pos), all.end(), '\n');
    REQUIRE(nl != all.end());
    std::istringstream line{std::string(all.begin() + static_cast<std::ptrdiff_t>(pos), nl)};
    std::string word;
    ExpectedFlow f;
    std::size_t c2s = 0, s2c = 0;
    line >> word >> f.family >> f.client_port >> f.server_port >> c2s >> s2c >> f.close;
    REQUIRE(word == "flow");
    pos = static_cast<std::size_t>(nl - all.begin()) + 1;
    REQUIRE(pos + c2s + s2c <= all.size());
    f.c2s.assign(all.begin() + static_cast<std::ptrdiff_t>(pos), all.begin() + static_cast<std::ptrdiff_t>(pos + c2s));
    pos += c2s;
    f.s2c.assign(all.begin() + static_cast<std::ptrdiff_t>(pos), all.begin() + static_cast<std::ptrdiff_t>(pos + s2c));
    pos += s2c;
    out.push_back(std::move(f));
  }
  return out;
}

const RecordedFlow* find_flow(const RecordingSink& sink, std::uint16_t client_port) {
  for (const auto& [id, f] : sink.flows) {
    if (f.info.client.port == client_port) return &f;
  }
  return nullptr;
}

struct Replayed {
  RecordingSink sink;
  ReassemblyStats reassembly;
  CaptureStats capture;
  int dlt = -1;
};

// Reads a capture; `keep` may drop segments to simulate a partial capture.
template <class Keep>
void replay(const std::filesystem::path& file, Replayed& out, Keep keep) {
  CaptureReader reader{file.string()};
  REQUIRE(reader.ok());
  out.dlt = reader.link_type();
  TcpReassembler r{out.sink};
  CaptureFrame frame;
  while (reader.next(frame) == CaptureReader::Next::frame) {
    auto decoded = decode_frame(reader.link_type(), frame.bytes);
    REQUIRE(decoded.ok());
    if (decoded->kind == FrameKind::tcp && !keep(decoded->segment)) continue;
    feed_frame(reader.link_type(), frame, r, out.capture);
  }
  r.finish(0);
  out.reassembly = r.stats();
}

void replay(const std::filesystem::path& file, Replayed& out) {
  replay(file, out, [](const TcpSegment&) { return true; });
}

FlowEnd expected_end(const std::string& close) {
  if (close == "client_fin" || close == "server_fin") return FlowEnd::fin;
  if (close == "rst") return FlowEnd::reset;
  return FlowEnd::end_of_capture;
}

}  // namespace

TEST_CASE("every committed capture reassembles to exactly the bytes sent") {
  const auto expected = load_streams();
  REQUIRE(expected.size() == 7);
  struct Case {
    const char* file;
    int dlt;
    int families;  // 4, 6, or 46 for both
  };
  const std::vector<Case> cases{
      {"lo_ethernet.pcap", link_type::ethernet, 46},   {"lo_ethernet_nano.pcap", link_type::ethernet, 46},
      {"any_sll2.pcap", link_type::linux_sll2, 46},    {"any_sll.pcap", link_type::linux_sll, 46},
      {"lo_ethernet.pcapng", link_type::ethernet, 46}, {"vlan_nano.pcapng", link_type::ethernet, 46},
      {"raw.pcap", link_type::raw_linux, 46},          {"ipv4_only.pcap", link_type::ipv4, 4},
      {"ipv6_only.pcap", link_type::ipv6, 6},          {"null_le.pcap", link_type::null, 46},
      {"null_be.pcap", link_type::null, 46},           {"loop.pcap", link_type::loop, 46},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.file) {
      Replayed out;
      replay(kCaptures / c.file, out);
      CHECK(out.dlt == c.dlt);
      CHECK(out.capture.truncated_frames == 0);
      CHECK(out.capture.invalid_frames == 0);
      CHECK(out.capture.tcp_segments == out.capture.frames);
      std::size_t flows = 0;
      for (const ExpectedFlow& e : expected) {
        if (c.families != 46 && e.family != c.families) continue;
        ++flows;
        INFO("client port " << e.client_port << " (" << e.close << ")");
        const RecordedFlow* f = find_flow(out.sink, e.client_port);
        REQUIRE(f != nullptr);
        CHECK(f->info.server.port == e.server_port);
        CHECK((f->info.client.address.is_v6() ? 6 : 4) == e.family);
        CHECK(f->c2s() == e.c2s);
        CHECK(f->s2c() == e.s2c);
        CHECK(f->gaps[0].empty());
        CHECK(f->gaps[1].empty());
        CHECK(f->end == expected_end(e.close));
      }
      CHECK(out.sink.flows.size() == flows);
      CHECK(out.reassembly.flows == flows);
      CHECK(out.reassembly.flows_without_handshake == 0);
      CHECK(out.reassembly.gaps == 0);
    }
  }
}

TEST_CASE("timestamps: chunk times come from the capture, nanoseconds where the file has them") {
  Replayed micro, nano;
  replay(kCaptures / "lo_ethernet.pcap", micro);
  replay(kCaptures / "lo_ethernet_nano.pcap", nano);
  bool sub_micro = false;
  std::int64_t first = 0, last = 0;
  for (const auto& [id, f] : nano.sink.flows) {
    for (const auto& times : f.chunk_times) {
      for (std::int64_t t : times) {
        sub_micro |= t % 1000 != 0;
        first = first == 0 ? t : std::min(first, t);
        last = std::max(last, t);
      }
    }
  }
  CHECK(sub_micro);
  CHECK(first > 1'600'000'000'000'000'000);  // after 2020: a real wall-clock capture
  CHECK(last - first < 60'000'000'000);       // the recording lasts seconds
  for (const auto& [id, f] : micro.sink.flows) {
    for (const auto& times : f.chunk_times) {
      for (std::int64_t t : times) CHECK(t % 1000 == 0);
    }
    if (f.end != FlowEnd::end_of_capture) CHECK(f.info.start_ns < f.close_time);
  }
}

TEST_CASE("a capture that misses a connection's SYN skips that connection only") {
  const auto expected = load_streams();
  const ExpectedFlow& victim = expected.front();
  Replayed out;
  replay(kCaptures / "lo_ethernet.pcap", out, [&](const TcpSegment& s) {
    return !(s.has(tcp_flag::syn) && s.source.port == victim.client_port);
  });
  CHECK(find_flow(out.sink, victim.client_port) == nullptr);
  CHECK(out.reassembly.flows_without_handshake == 1);
  CHECK(out.reassembly.segments_without_handshake > 0);
  CHECK(out.reassembly.flows == expected.size() - 1);
  for (const ExpectedFlow& e : expected) {
    if (e.client_port == victim.client_port) continue;
    const RecordedFlow* f = find_flow(out.sink, e.client_port);
    REQUIRE(f != nullptr);
    CHECK(f->c2s() == e.c2s);
    CHECK(f->s2c() == e.s2c);
  }
}

TEST_CASE("a capture that lost a data segment reports a gap for that direction") {
  const auto expected = load_streams();
  Replayed out;
  bool dropped = false;
  std::uint16_t port = 0;
  replay(kCaptures / "any_sll2.pcap", out, [&](const TcpSegment& s) {
    if (!dropped && s.payload.size() > 100 && s.destination.port == 47611) {
      dropped = true;
      port = s.source.port;
      return false;
    }
    return true;
  });
  REQUIRE(dropped);
  const RecordedFlow* f = find_flow(out.sink, port);
  REQUIRE(f != nullptr);
  CHECK(f->gaps[0].size() == 1);
  CHECK(out.reassembly.gaps == 1);
  // Everything before the hole is still right.
  for (const ExpectedFlow& e : expected) {
    if (e.client_port != port) continue;
    REQUIRE(f->c2s().size() == f->gaps[0][0]);
    CHECK(std::equal(f->c2s().begin(), f->c2s().end(), e.c2s.begin()));
    CHECK(f->s2c() == e.s2c);
  }
}

TEST_CASE("a file cut off mid-record ends with an error after the frames before the cut") {
  const auto src = kCaptures / "lo_ethernet.pcap";
  const auto cut = std::filesystem::temp_directory_path() / "rustguard_replay_cut.pcap";
  {
    std::ifstream in{src, std::ios::binary};
    const std::vector<char> all{std::istreambuf_iterator<char>{in}, {}};
    std::ofstream out{cut, std::ios::binary};
    out.write(all.data(), static_cast<std::streamsize>(all.size() / 2));
  }
  RecordingSink sink;
  TcpReassembler r{sink};
  CaptureReader reader{cut.string()};
  REQUIRE(reader.ok());
  CaptureStats stats;
  const std::string err = feed_capture(reader, r, stats);
  CHECK_FALSE(err.empty());
  CHECK(stats.frames > 10);
  CHECK(r.stats().bytes_delivered > 0);
  std::filesystem::remove(cut);
}

TEST_CASE("files that are not captures, or missing, are reported") {
  CaptureReader missing{(kCaptures / "no_such_file.pcap").string()};
  CHECK_FALSE(missing.ok());
  CHECK(missing.error().find("no_such_file.pcap") != std::string::npos);
  CaptureReader not_pcap{(kCaptures / "loopback.streams").string()};
  CHECK_FALSE(not_pcap.ok());
  CHECK_FALSE(not_pcap.error().empty());
  CaptureFrame frame;
  CHECK(not_pcap.next(frame) == CaptureReader::Next::error);
}

TEST_CASE("folder arguments expand to the capture files inside, in name order") {
  std::error_code ec;
  const auto files = capture_files(kCaptures, ec);
  REQUIRE_FALSE(ec);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.filename().string());
  CHECK(names.size() == 12);
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::find(names.begin(), names.end(), "loopback.streams") == names.end());
  CHECK(std::find(names.begin(), names.end(), "vlan_nano.pcapng") != names.end());
  CHECK(looks_like_capture_file("dump.pcap3"));
  CHECK_FALSE(looks_like_capture_file("dump.pcapx"));
  CHECK(capture_files(kCaptures / "raw.pcap", ec).size() == 1);
  CHECK_FALSE(ec);
  CHECK(capture_files(kCaptures / "missing", ec).empty());
  CHECK(ec);
}

TEST_CASE("one reassembler across all files of a folder: connections do not leak between runs") {
  // Replaying the same traffic twice through one reassembler: the second
  // copy's SYNs are retransmissions of closed flows, except for the flow
  // that never closed, so nothing is delivered twice.
  RecordingSink sink;
  TcpReassembler r{sink};
  for (int i = 0; i < 2; ++i) {
    CaptureReader reader{(kCaptures / "raw.pcap").string()};
    CaptureStats stats;
    CHECK(feed_capture(reader, r, stats).empty());
  }
  r.finish(0);
  const auto expected = load_streams();
  CHECK(r.stats().flows == expected.size());
  for (const ExpectedFlow& e : expected) {
    const RecordedFlow* f = find_flow(sink, e.client_port);
    REQUIRE(f != nullptr);
    CHECK(f->c2s() == e.c2s);
  }
}

}  // namespace capture_files_test
