// The pcapng writer (include/rustguard/adapters/pcapng_writer.hpp) against
// the real readers: libpcap through the replay's CaptureReader and TCP
// reassembly, tshark when it is installed (tools/dev/setup.sh --tests), and
// rustguard-replay itself on recorded game sessions. Checksums are verified
// here by a second, independent computation over the bytes libpcap returns.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../replay/replay_test_support.hpp"
#include "../session/recorded_session.hpp"
#include "replay/capture_feed.hpp"
#include "replay/capture_reader.hpp"
#include "replay/packet_headers.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace pcapng_writer_test {

namespace fs = std::filesystem;
using rustguard::Timestamp;
using rustguard::adapters::PcapngEndpoints;
using rustguard::adapters::PcapngOptions;
using rustguard::adapters::PcapngWriter;
using rustguard::net::Endpoint;
using rustguard::net::IpAddress;
using rustguard::protocol::Direction;
using rustguard::test::load_session;
using rustguard::test::Record;

namespace {

// 2023-11-14T22:13:20Z: the sessions' times are offsets from their first record.
constexpr std::int64_t kBaseMicros = 1'700'000'000'000'000;
const char* const kVersions[] = {"1.8.8", "1.20.4", "1.21.4"};

const PcapngEndpoints kV4{{IpAddress::v4(203, 0, 113, 7), 51234}, {IpAddress::v4(10, 1, 2, 3), 25565}};

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("rustguard-clips-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Writes a recorded session: handshake at its first record, every record at
// its time, FINs 1 ms after the last.
void write_session(PcapngWriter& w, const std::vector<Record>& records) {
  REQUIRE(w.ok());
  REQUIRE(w.handshake(Timestamp{kBaseMicros}));
  std::int64_t last = 0;
  for (const Record& r : records) {
    REQUIRE(w.write(r.direction, r.bytes, Timestamp{kBaseMicros + r.micros}));
    last = r.micros;
  }
  REQUIRE(w.finish(Timestamp{kBaseMicros + last + 1000}));
  INFO(w.error());
  REQUIRE(w.ok());
}

// The Internet checksum over `bytes` as the receiver checks it: the one's
// complement sum of everything, checksum field included, is 0xFFFF when the
// checksum is right. Written apart from the writer's on purpose.
std::uint32_t ones_sum(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    const std::uint32_t hi = bytes[i];
    const std::uint32_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += (hi << 8) | lo;
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return sum;
}

bool ip_header_checksum_ok(std::span<const std::uint8_t> ip) {
  const std::size_t len = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
  return ones_sum({ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(len)}) == 0xFFFF;
}

// The TCP checksum over its pseudo-header (RFC 793 / RFC 8200 8.1) and segment.
bool tcp_checksum_ok(std::span<const std::uint8_t> frame) {
  const std::uint16_t ether_type = static_cast<std::uint16_t>((frame[12] << 8) | frame[13]);
  const auto ip = frame.subspan(14);
  std::vector<std::uint8_t> pseudo;
  std::span<const std::uint8_t> tcp;
  if (ether_type == 0x0800) {
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
    const std::size_t total = static_cast<std::size_t>((ip[2] << 8) | ip[3]);
    tcp = ip.subspan(ihl, total - ihl);
    pseudo.insert(pseudo.end(), ip.begin() + 12, ip.begin() + 20);
    pseudo.insert(pseudo.end(),
                  {0, 6, static_cast<std::uint8_t>(tcp.size() >> 8), static_cast<std::uint8_t>(tcp.size())});
  } else {
    REQUIRE(ether_type == 0x86DD);
    REQUIRE(ip[6] == 6);
    const std::size_t payload = static_cast<std::size_t>((ip[4] << 8) | ip[5]);
    tcp = ip.subspan(40, payload);
    pseudo.insert(pseudo.end(), ip.begin() + 8, ip.begin() + 40);
    pseudo.insert(pseudo.end(), {0, 0, static_cast<std::uint8_t>(tcp.size() >> 8),
                                 static_cast<std::uint8_t>(tcp.size()), 0, 0, 0, 6});
  }
  pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
  return ones_sum(pseudo) == 0xFFFF;
}

struct ReadFrame {
  std::int64_t time_ns = 0;
  std::vector<std::uint8_t> bytes;
};

std::vector<ReadFrame> read_all(const std::string& path) {
  rustguard::replay::CaptureReader reader{path};
  INFO(reader.error());
  REQUIRE(reader.ok());
  CHECK(reader.link_type() == rustguard::replay::link_type::ethernet);
  std::vector<ReadFrame> out;
  rustguard::replay::CaptureFrame f;
  for (;;) {
    const auto next = reader.next(f);
    if (next == rustguard::replay::CaptureReader::Next::end) break;
    INFO(reader.error());
    REQUIRE(next == rustguard::replay::CaptureReader::Next::frame);
    CHECK(f.original_length == f.bytes.size());
    out.push_back({f.time_ns, {f.bytes.begin(), f.bytes.end()}});
  }
  return out;
}

namespace flag = rustguard::replay::tcp_flag;

// Checks every frame of a file written by write_session(records) with
// `options`: handshake, one segment per max_segment_bytes of each record in
// order with its time, sequence and ack numbers, checksums, FINs.
void check_file(const std::string& path, const std::vector<Record>& records, const PcapngEndpoints& ends,
                const PcapngOptions& options) {
  const auto frames = read_all(path);
  REQUIRE(frames.size() >= 6);
  std::vector<rustguard::replay::TcpSegment> segs;
  for (const ReadFrame& f : frames) {
    const auto decoded = rustguard::replay::decode_frame(rustguard::replay::link_type::ethernet, f.bytes);
    REQUIRE(decoded.ok());
    REQUIRE(decoded->kind == rustguard::replay::FrameKind::tcp);
    if (f.bytes[12] == 0x08) CHECK(ip_header_checksum_ok(std::span{f.bytes}.subspan(14)));
    CHECK(tcp_checksum_ok(f.bytes));
    segs.push_back(decoded->segment);
  }
  const Endpoint& client = ends.client;
  const Endpoint& server = ends.server;
  std::uint32_t next[2] = {options.client_isn + 1, options.server_isn + 1};

  CHECK(segs[0].flags == flag::syn);
  CHECK(segs[0].seq == options.client_isn);
  CHECK(segs[0].source == client);
  CHECK(segs[0].destination == server);
  CHECK(segs[1].flags == (flag::syn | flag::ack));
  CHECK(segs[1].seq == options.server_isn);
  CHECK(segs[1].ack == next[0]);
  CHECK(segs[1].source == server);
  CHECK(segs[2].flags == flag::ack);
  CHECK(segs[2].seq == next[0]);
  CHECK(segs[2].ack == next[1]);
  for (int i = 0; i < 3; ++i) CHECK(frames[static_cast<std::size_t>(i)].time_ns == kBaseMicros * 1000);

  std::size_t at = 3;
  std::int64_t last = 0;
  for (const Record& r : records) {
    const std::size_t d = r.direction == Direction::serverbound ? 0 : 1;
    std::span<const std::uint8_t> rest{r.bytes};
    while (!rest.empty()) {
      REQUIRE(at < segs.size());
      const auto& s = segs[at];
      const std::size_t n = std::min<std::size_t>(rest.size(), options.max_segment_bytes);
      CHECK(s.source == (d == 0 ? client : server));
      CHECK(s.destination == (d == 0 ? server : client));
      CHECK(s.seq == next[d]);
      CHECK(s.ack == next[1 - d]);
      CHECK(s.flags == (n == rest.size() ? flag::ack | flag::psh : flag::ack));
      REQUIRE(s.payload.size() == n);
      CHECK(std::equal(s.payload.begin(), s.payload.end(), rest.begin()));
      CHECK(frames[at].time_ns == (kBaseMicros + r.micros) * 1000);
      next[d] += static_cast<std::uint32_t>(n);
      rest = rest.subspan(n);
      ++at;
    }
    last = r.micros;
  }
  REQUIRE(segs.size() == at + 3);
  CHECK(segs[at].flags == (flag::fin | flag::ack));
  CHECK(segs[at].source == client);
  CHECK(segs[at].seq == next[0]);
  CHECK(segs[at].ack == next[1]);
  CHECK(segs[at + 1].flags == (flag::fin | flag::ack));
  CHECK(segs[at + 1].source == server);
  CHECK(segs[at + 1].seq == next[1]);
  CHECK(segs[at + 1].ack == next[0] + 1);
  CHECK(segs[at + 2].flags == flag::ack);
  CHECK(segs[at + 2].seq == next[0] + 1);
  CHECK(segs[at + 2].ack == next[1] + 1);
  CHECK(frames.back().time_ns == (kBaseMicros + last + 1000) * 1000);

  // And the replay's own reassembly gives back both streams whole, closed by
  // the FINs.
  rustguard::replay::test::RecordingSink sink;
  rustguard::replay::TcpReassembler reassembler{sink};
  rustguard::replay::CaptureReader reader{path};
  rustguard::replay::CaptureStats stats;
  CHECK(rustguard::replay::feed_capture(reader, reassembler, stats).empty());
  reassembler.finish(frames.back().time_ns);
  CHECK(stats.truncated_frames == 0);
  CHECK(stats.invalid_frames == 0);
  REQUIRE(sink.flows.size() == 1);
  const auto& flow = sink.flows.begin()->second;
  CHECK(flow.info.client == client);
  CHECK(flow.info.server == server);
  CHECK(flow.c2s() == rustguard::test::concat(records, Direction::serverbound));
  CHECK(flow.s2c() == rustguard::test::concat(records, Direction::clientbound));
  CHECK(flow.gaps[0].empty());
  CHECK(flow.gaps[1].empty());
  CHECK(flow.closed);
  CHECK(flow.end == rustguard::replay::FlowEnd::fin);
}

struct CommandResult {
  int status = -1;
  std::string output;
};

// Runs `command` through sh; stdout is the output, stderr is left to the test
// log (tshark warns there when run as root, which is no finding).
CommandResult run(const std::string& command) {
  CommandResult r;
  std::FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int raw = ::pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

bool have_program(const std::string& name) { return run("command -v " + name + " >/dev/null 2>&1").status == 0; }

// Frames (Minecraft packets) in one direction of a session: varint lengths
// back to back. Compression and framing aside, that is what the replay counts.
std::uint64_t count_frames(const std::vector<std::uint8_t>& stream) {
  std::uint64_t frames = 0;
  std::size_t i = 0;
  while (i < stream.size()) {
    std::uint32_t len = 0;
    int shift = 0;
    for (;;) {
      REQUIRE(i < stream.size());
      const std::uint8_t b = stream[i++];
      len |= static_cast<std::uint32_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
      shift += 7;
      REQUIRE(shift < 35);
    }
    i += len;
    REQUIRE(i <= stream.size());
    ++frames;
  }
  return frames;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The UDP checksum over its pseudo-header (RFC 768 / RFC 8200 8.1) and
// datagram, as a receiver checks it; and the datagram itself.
bool udp_checksum_ok(std::span<const std::uint8_t> frame) {
  const std::uint16_t ether_type = static_cast<std::uint16_t>((frame[12] << 8) | frame[13]);
  const auto ip = frame.subspan(14);
  std::vector<std::uint8_t> pseudo;
  std::span<const std::uint8_t> udp;
  if (ether_type == 0x0800) {
    REQUIRE(ip[9] == 17);
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
    const std::size_t total = static_cast<std::size_t>((ip[2] << 8) | ip[3]);
    udp = ip.subspan(ihl, total - ihl);
    pseudo.insert(pseudo.end(), ip.begin() + 12, ip.begin() + 20);
    pseudo.insert(pseudo.end(),
                  {0, 17, static_cast<std::uint8_t>(udp.size() >> 8), static_cast<std::uint8_t>(udp.size())});
  } else {
    REQUIRE(ether_type == 0x86DD);
    REQUIRE(ip[6] == 17);
    const std::size_t payload = static_cast<std::size_t>((ip[4] << 8) | ip[5]);
    udp = ip.subspan(40, payload);
    pseudo.insert(pseudo.end(), ip.begin() + 8, ip.begin() + 40);
    pseudo.insert(pseudo.end(), {0, 0, static_cast<std::uint8_t>(udp.size() >> 8),
                                 static_cast<std::uint8_t>(udp.size()), 0, 0, 0, 17});
  }
  CHECK(static_cast<std::size_t>((udp[4] << 8) | udp[5]) == udp.size());  // the UDP length
  CHECK((udp[6] | udp[7]) != 0);  // zero would mean "no checksum", which IPv6 forbids
  pseudo.insert(pseudo.end(), udp.begin(), udp.end());
  return ones_sum(pseudo) == 0xFFFF;
}

std::string fmt_hex(std::uint8_t b) {
  constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[b >> 4], kDigits[b & 0x0F]};
}

std::vector<std::uint8_t> text_bytes(std::string_view text) { return {text.begin(), text.end()}; }

// A session written with notes between its chunks: the handshake, a note from
// each side after it, every record, a note after every 7th, FINs. Returns the
// notes with their times and directions, in file order.
struct WrittenNote {
  Direction direction;
  std::int64_t micros;
  std::vector<std::uint8_t> payload;
};
std::vector<WrittenNote> write_session_with_notes(PcapngWriter& w, const std::vector<Record>& records) {
  std::vector<WrittenNote> notes;
  const auto note = [&](Direction d, std::int64_t micros, std::string_view text) {
    notes.push_back({d, micros, text_bytes(text)});
    INFO(w.error());
    REQUIRE(w.datagram(d, notes.back().payload, Timestamp{micros}));
  };
  REQUIRE(w.handshake(Timestamp{kBaseMicros}));
  note(Direction::serverbound, kBaseMicros, "RUSTGUARD/1 core-input\n");
  note(Direction::clientbound, kBaseMicros, "odd");  // an odd length: the checksum's last half word
  std::int64_t last = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    REQUIRE(w.write(r.direction, r.bytes, Timestamp{kBaseMicros + r.micros}));
    if (i % 7 == 0) note(r.direction, kBaseMicros + r.micros, "RUSTGUARD/1 host-late " + std::to_string(i) + "\n");
    last = r.micros;
  }
  REQUIRE(w.finish(Timestamp{kBaseMicros + last + 1000}));
  return notes;
}

// Reads a file written by write_session_with_notes: every datagram where it
// was written, between the connection's endpoints, payload exact, checksums
// good; and the TCP frames alone are the stream without notes, numbered as if
// the datagrams were not there.
void check_notes(const std::string& path, const std::vector<Record>& records, const std::vector<WrittenNote>& notes,
                 const PcapngEndpoints& ends) {
  const auto frames = read_all(path);
  std::size_t next_note = 0;
  rustguard::replay::test::RecordingSink sink;
  rustguard::replay::TcpReassembler reassembler{sink};
  for (const ReadFrame& f : frames) {
    const auto decoded = rustguard::replay::decode_frame(rustguard::replay::link_type::ethernet, f.bytes);
    REQUIRE(decoded.ok());
    if (f.bytes[12] == 0x08) CHECK(ip_header_checksum_ok(std::span{f.bytes}.subspan(14)));
    if (decoded->kind == rustguard::replay::FrameKind::tcp) {
      CHECK(tcp_checksum_ok(f.bytes));
      reassembler.add(decoded->segment, f.time_ns);
      continue;
    }
    REQUIRE(decoded->kind == rustguard::replay::FrameKind::udp);
    REQUIRE(next_note < notes.size());
    const WrittenNote& n = notes[next_note++];
    const auto& d = decoded->datagram;
    CHECK(udp_checksum_ok(f.bytes));
    CHECK(d.source == (n.direction == Direction::serverbound ? ends.client : ends.server));
    CHECK(d.destination == (n.direction == Direction::serverbound ? ends.server : ends.client));
    CHECK(std::vector<std::uint8_t>(d.payload.begin(), d.payload.end()) == n.payload);
    CHECK(f.time_ns == n.micros * 1000);
  }
  CHECK(next_note == notes.size());
  reassembler.finish(frames.back().time_ns);
  CHECK(reassembler.stats().retransmitted_segments == 0);
  CHECK(reassembler.stats().out_of_order_segments == 0);
  REQUIRE(sink.flows.size() == 1);
  const auto& flow = sink.flows.begin()->second;
  CHECK(flow.c2s() == rustguard::test::concat(records, Direction::serverbound));
  CHECK(flow.s2c() == rustguard::test::concat(records, Direction::clientbound));
  CHECK(flow.end == rustguard::replay::FlowEnd::fin);
}

}  // namespace

TEST_CASE("recorded sessions written as pcapng read back through libpcap as the same TCP payloads", "[clips][pcapng]") {
  TempDir dir;
  for (const char* version : kVersions) {
    INFO(version);
    const auto records = load_session(version);
    REQUIRE(records.size() > 10);
    SECTION(std::string{"default segments, "} + version) {
      const std::string path = (dir.path / "default.pcapng").string();
      PcapngOptions options;
      options.comment = "RustGuard clip: player fixture, check test";
      {
        PcapngWriter w{path, kV4, options};
        write_session(w, records);
      }
      check_file(path, records, kV4, options);
    }
    SECTION(std::string{"small segments and sequence numbers that wrap, "} + version) {
      // The 1.x sessions hold chunk batches of tens of KiB: at 536 bytes a
      // segment they become hundreds of segments, and both directions' numbers
      // pass 2^32 within the first KiB.
      const std::string path = (dir.path / "small.pcapng").string();
      PcapngOptions options;
      options.max_segment_bytes = 536;
      options.client_isn = 0xFFFFFF00;
      options.server_isn = 0xFFFFFFF0;
      {
        PcapngWriter w{path, kV4, options};
        write_session(w, records);
      }
      check_file(path, records, kV4, options);
    }
  }
}

TEST_CASE("IPv6 connections get IPv6 headers; IPv4-mapped addresses are written as IPv4", "[clips][pcapng]") {
  TempDir dir;
  std::array<std::uint8_t, 16> c{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
  std::array<std::uint8_t, 16> s{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const PcapngEndpoints v6{{IpAddress::v6(c), 40000}, {IpAddress::v6(s), 25565}};
  const auto records = load_session("1.21.4");
  const std::string path = (dir.path / "v6.pcapng").string();
  PcapngOptions options;
  options.max_segment_bytes = 1220;  // what a 1280-byte IPv6 path holds
  {
    PcapngWriter w{path, v6, options};
    write_session(w, records);
  }
  check_file(path, records, v6, options);
  CHECK(read_all(path).front().bytes[12] == 0x86);

  const PcapngEndpoints mapped{{IpAddress::v4(203, 0, 113, 7).v4_mapped(), 51234}, {IpAddress::v4(10, 1, 2, 3), 25565}};
  const std::string mapped_path = (dir.path / "mapped.pcapng").string();
  {
    PcapngWriter w{mapped_path, mapped};
    write_session(w, records);
  }
  check_file(mapped_path, records, kV4, PcapngOptions{});
}

TEST_CASE("notes are UDP datagrams between the connection's endpoints that leave the TCP stream as it was",
          "[clips][pcapng]") {
  TempDir dir;
  const auto records = load_session("1.21.4");
  std::array<std::uint8_t, 16> c{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
  std::array<std::uint8_t, 16> s{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const PcapngEndpoints v6{{IpAddress::v6(c), 40000}, {IpAddress::v6(s), 25565}};
  for (const PcapngEndpoints& ends : {kV4, v6}) {
    INFO(ends.client.to_string());
    const std::string path = (dir.path / "notes.pcapng").string();
    std::vector<WrittenNote> notes;
    PcapngOptions options;
    options.replace_existing = true;
    {
      PcapngWriter w{path, ends, options};
      notes = write_session_with_notes(w, records);
    }
    check_notes(path, records, notes, ends);

    // The same calls without the notes give the same TCP frames, byte for
    // byte: the datagrams took no sequence number and no IP id of the stream.
    const std::string plain = (dir.path / "plain.pcapng").string();
    {
      PcapngWriter w{plain, ends, options};
      write_session(w, records);
    }
    std::vector<std::vector<std::uint8_t>> with_notes_tcp, without_tcp;
    for (const ReadFrame& f : read_all(path)) {
      const auto decoded = rustguard::replay::decode_frame(rustguard::replay::link_type::ethernet, f.bytes);
      if (decoded.ok() && decoded->kind == rustguard::replay::FrameKind::tcp) with_notes_tcp.push_back(f.bytes);
    }
    for (const ReadFrame& f : read_all(plain)) without_tcp.push_back(f.bytes);
    if (ends.client.address.is_v4()) {
      // IPv4 ids count every frame a side sent, datagrams included; compare
      // the TCP parts and the addresses, not the ids.
      for (auto* frames : {&with_notes_tcp, &without_tcp}) {
        for (auto& f : *frames) f[14 + 4] = f[14 + 5] = f[14 + 10] = f[14 + 11] = 0;
      }
    }
    CHECK(with_notes_tcp == without_tcp);
  }
}

TEST_CASE("datagrams: errors are sticky, too long is refused, none after finish", "[clips][pcapng]") {
  const std::vector<std::uint8_t> note = text_bytes("RUSTGUARD/1 core-input\n");
  SECTION("before the handshake is fine: a datagram belongs to no stream") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    CHECK(w.datagram(Direction::serverbound, note, Timestamp{kBaseMicros}));
    CHECK(w.frames() == 1);
    CHECK(w.finish(Timestamp{kBaseMicros + 1}));
    CHECK(w.frames() == 1 + 3 + 3);  // the handshake finish() made, the FINs
  }
  SECTION("too long") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    const std::vector<std::uint8_t> big(PcapngWriter::kMaxDatagramBytes + 1, 'x');
    CHECK_FALSE(w.datagram(Direction::clientbound, big, Timestamp{kBaseMicros}));
    CHECK(w.error() == "datagram of 65508 bytes (at most 65507)");
    CHECK_FALSE(w.datagram(Direction::clientbound, note, Timestamp{kBaseMicros}));  // sticky
    CHECK_FALSE(w.write(Direction::clientbound, note, Timestamp{kBaseMicros}));
  }
  SECTION("after finish") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    REQUIRE(w.finish(Timestamp{kBaseMicros}));
    const auto size = out.str().size();
    CHECK_FALSE(w.datagram(Direction::serverbound, note, Timestamp{kBaseMicros + 1}));
    CHECK_FALSE(w.error().empty());
    CHECK(out.str().size() == size);
  }
  SECTION("a time before 1970") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    CHECK_FALSE(w.datagram(Direction::serverbound, note, Timestamp{-1}));
    CHECK(w.error() == "timestamp -1 us is before 1970");
  }
}

TEST_CASE("the file is one SHB with its comment, one IDB in microseconds, then EPBs, every block whole",
          "[clips][pcapng]") {
  std::ostringstream out;
  PcapngOptions options;
  options.comment = "RustGuard clip: player Steve, check movement.speed";  // 50 bytes: padded to 52
  PcapngWriter w{out, kV4, options};
  const std::vector<std::uint8_t> hello{'h', 'e', 'l', 'l', 'o'};               // a frame of 59 bytes: padded
  REQUIRE(w.write(Direction::serverbound, hello, Timestamp{kBaseMicros + 3}));  // handshake first, implied
  REQUIRE(w.finish(Timestamp{kBaseMicros + 7}, Direction::clientbound));
  CHECK(w.frames() == 7);
  const std::string s = out.str();
  const auto u32 = [&s](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at])) |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 3])) << 24;
  };
  std::vector<std::uint32_t> types;
  std::size_t at = 0;
  while (at < s.size()) {
    REQUIRE(at + 12 <= s.size());
    const std::uint32_t len = u32(at + 4);
    INFO("block at " << at << " of length " << len);
    REQUIRE(len % 4 == 0);
    REQUIRE(at + len <= s.size());
    CHECK(u32(at + len - 4) == len);
    types.push_back(u32(at));
    if (types.size() == 1) {
      CHECK(u32(at + 8) == 0x1A2B3C4D);
      // Options from offset 24: opt_comment first, with the comment as given.
      CHECK(u32(at + 24) == (1u | (static_cast<std::uint32_t>(options.comment.size()) << 16)));
      CHECK(s.substr(at + 28, options.comment.size()) == options.comment);
    }
    if (types.size() == 2) {
      CHECK((u32(at + 8) & 0xFFFF) == 1);  // LINKTYPE_ETHERNET
      CHECK(u32(at + 12) == PcapngWriter::kSnapLength);
      // if_name "rustguard" (9 bytes, padded to 12), then if_tsresol = 6.
      CHECK(u32(at + 16) == (2u | (9u << 16)));
      CHECK(u32(at + 32) == (9u | (1u << 16)));
      CHECK(s[at + 36] == 6);
    }
    at += len;
  }
  CHECK(at == s.size());
  REQUIRE(types.size() == 9);
  CHECK(types[0] == 0x0A0D0D0A);
  CHECK(types[1] == 1);
  for (std::size_t i = 2; i < types.size(); ++i) CHECK(types[i] == 6);
}

TEST_CASE("errors are reported, sticky, and name the file", "[clips][pcapng]") {
  TempDir dir;
  const std::vector<std::uint8_t> bytes(100, 0x42);

  SECTION("a file that cannot be created") {
    PcapngWriter w{(dir.path / "missing" / "clip.pcapng").string(), kV4};
    CHECK_FALSE(w.ok());
    CHECK(w.error().find("open ") == 0);
    CHECK(w.error().find("No such file or directory") != std::string::npos);
    CHECK_FALSE(w.write(Direction::serverbound, bytes, Timestamp{kBaseMicros}));
    CHECK_FALSE(w.finish(Timestamp{kBaseMicros}));
  }
  SECTION("an existing file is kept unless replacing is asked for") {
    const std::string path = (dir.path / "clip.pcapng").string();
    std::ofstream{path} << "older evidence";
    {
      PcapngWriter w{path, kV4};
      CHECK_FALSE(w.ok());
      CHECK(w.error() == "open " + path + ": File exists");
    }
    {
      std::ifstream in{path};
      CHECK(std::string{std::istreambuf_iterator<char>{in}, {}} == "older evidence");
    }
    PcapngOptions replace;
    replace.replace_existing = true;
    PcapngWriter w{path, kV4, replace};
    CHECK(w.ok());
    CHECK(w.finish(Timestamp{kBaseMicros}));
    CHECK(fs::file_size(path) > 100);
  }
  SECTION("a full disk: the flush at the end says so") {
    PcapngOptions replace;  // /dev/full exists
    replace.replace_existing = true;
    PcapngWriter w{std::string{"/dev/full"}, kV4, replace};
    bool ok = w.ok() && w.write(Direction::clientbound, bytes, Timestamp{kBaseMicros});
    ok = ok && w.finish(Timestamp{kBaseMicros + 1});
    CHECK_FALSE(ok);
    CHECK_FALSE(w.ok());
    CHECK(w.error().find("/dev/full: No space left on device") != std::string::npos);
  }
  SECTION("a stream that fails") {
    std::ostringstream out;
    PcapngWriter w{out, kV4, {}, "clip-7"};
    REQUIRE(w.ok());
    out.setstate(std::ios::badbit);
    CHECK_FALSE(w.write(Direction::serverbound, bytes, Timestamp{kBaseMicros}));
    CHECK(w.error() == "write clip-7: the stream failed");
  }
  SECTION("writing after finish") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    REQUIRE(w.finish(Timestamp{kBaseMicros}));
    const auto size = out.str().size();
    CHECK_FALSE(w.write(Direction::serverbound, bytes, Timestamp{kBaseMicros + 1}));
    CHECK_FALSE(w.error().empty());
    CHECK(out.str().size() == size);
  }
  SECTION("a second handshake") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    REQUIRE(w.handshake(Timestamp{kBaseMicros}));
    CHECK_FALSE(w.handshake(Timestamp{kBaseMicros}));
    CHECK(w.error() == "handshake: the connection is already open");
  }
  SECTION("a time before 1970") {
    std::ostringstream out;
    PcapngWriter w{out, kV4};
    CHECK_FALSE(w.write(Direction::serverbound, bytes, Timestamp{-5}));
    CHECK(w.error() == "timestamp -5 us is before 1970");
  }
  SECTION("settings the format cannot hold") {
    std::ostringstream out;
    std::array<std::uint8_t, 16> six{0x20, 0x01, 0x0d, 0xb8};
    const PcapngEndpoints mixed{kV4.client, {IpAddress::v6(six), 25565}};
    PcapngWriter a{out, mixed};
    CHECK(a.error() == "client 203.0.113.7:51234 and server [2001:db8::]:25565 are not of one address family");
    PcapngOptions big;
    big.comment.assign(70'000, 'x');
    PcapngWriter b{out, kV4, big};
    CHECK(b.error() == "comment of 70000 bytes (at most 65535)");
    PcapngOptions zero;
    zero.max_segment_bytes = 0;
    PcapngWriter c{out, kV4, zero};
    CHECK(c.error() == "max_segment_bytes 0 is not within 1..65495");
    CHECK(out.str().empty());  // nothing written by a writer that failed to start
  }
}

TEST_CASE("tshark decodes the file as one TCP stream with good checksums and nothing malformed",
          "[clips][pcapng][tshark]") {
  if (!have_program("tshark")) {
    WARN("tshark is not installed (tools/dev/setup.sh --tests installs it): skipped");
    return;
  }
  TempDir dir;
  for (const char* version : kVersions) {
    INFO(version);
    const auto records = load_session(version);
    const fs::path path = dir.path / (std::string{version} + ".pcapng");
    PcapngOptions options;
    options.comment = std::string{"RustGuard clip: player fixture, session "} + version;
    {
      PcapngWriter w{path.string(), kV4, options};
      write_session(w, records);
    }
    const auto frames = read_all(path.string());

    // tcp.checksum.status and ip.checksum.status: 1 is "Good" (0 bad, 2
    // unverified).
    const CommandResult fields = run("tshark -n -r " + quoted(path) +
                                     " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields"
                                     " -e tcp.checksum.status -e tcp.len -e tcp.stream -e ip.checksum.status");
    INFO(fields.output);
    REQUIRE(fields.status == 0);
    std::istringstream lines{fields.output};
    std::string line;
    std::size_t n = 0;
    std::uint64_t payload = 0;
    while (std::getline(lines, line)) {
      INFO(line);
      std::istringstream cols{line};
      std::string status, len, stream, ip_status;
      cols >> status >> len >> stream >> ip_status;
      CHECK(status == "1");
      CHECK(ip_status == "1");
      CHECK(stream == "0");
      payload += std::stoull(len);
      ++n;
    }
    CHECK(n == frames.size());
    const auto c2s = rustguard::test::concat(records, Direction::serverbound);
    const auto s2c = rustguard::test::concat(records, Direction::clientbound);
    CHECK(payload == c2s.size() + s2c.size());

    // No malformed packet and no expert warning or error (lost segments,
    // out-of-order, window full, bad checksums all are warnings or worse).
    const CommandResult problems = run("tshark -n -r " + quoted(path) +
                                       " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE"
                                       " -Y '_ws.malformed || _ws.expert.severity >= warning'");
    INFO(problems.output);
    CHECK(problems.status == 0);
    CHECK(problems.output.empty());

    // The same filter does see a broken file: one payload byte flipped in
    // the last data frame makes its TCP checksum wrong.
    std::vector<char> bytes;
    {
      std::ifstream in{path, std::ios::binary};
      bytes.assign(std::istreambuf_iterator<char>{in}, {});
    }
    const auto& last_data = frames[frames.size() - 4];
    REQUIRE(last_data.bytes.size() > 54);
    const std::string tail(last_data.bytes.end() - 8, last_data.bytes.end());
    const auto where = std::string_view{bytes.data(), bytes.size()}.rfind(tail);
    REQUIRE(where != std::string_view::npos);
    bytes[where] = static_cast<char>(bytes[where] ^ 0x01);
    const fs::path broken = dir.path / "broken.pcapng";
    std::ofstream{broken, std::ios::binary}.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    const CommandResult found = run("tshark -n -r " + quoted(broken) +
                                    " -o tcp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= warning'");
    CHECK(found.output.find("CHECKSUM INCORRECT") != std::string::npos);

    // The SHB comment is the file's comment.
    if (have_program("capinfos")) {
      const CommandResult info = run("capinfos -k " + quoted(path) + " 2>&1");
      INFO(info.output);
      CHECK(info.status == 0);
      CHECK(info.output.find(options.comment) != std::string::npos);
    }
  }
}

TEST_CASE("tshark decodes the notes as UDP with good checksums, their payload exact", "[clips][pcapng][tshark]") {
  if (!have_program("tshark")) {
    WARN("tshark is not installed (tools/dev/setup.sh --tests installs it): skipped");
    return;
  }
  TempDir dir;
  const auto records = load_session("1.21.4");
  std::array<std::uint8_t, 16> c{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
  std::array<std::uint8_t, 16> s{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const PcapngEndpoints v6{{IpAddress::v6(c), 40000}, {IpAddress::v6(s), 25565}};
  for (const PcapngEndpoints& ends : {kV4, v6}) {
    INFO(ends.client.to_string());
    const fs::path path = dir.path / (ends.client.address.is_v4() ? "v4.pcapng" : "v6.pcapng");
    std::vector<WrittenNote> notes;
    {
      PcapngWriter w{path.string(), ends};
      notes = write_session_with_notes(w, records);
    }
    // udp.checksum.status 1 is "Good"; the payload as hex, whichever
    // dissector the port picks for it (none takes 25565 here).
    const CommandResult fields = run("tshark -n -r " + quoted(path) +
                                     " -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y udp -T fields"
                                     " -e udp.checksum.status -e udp.srcport -e udp.dstport -e udp.payload");
    INFO(fields.output);
    REQUIRE(fields.status == 0);
    std::istringstream lines{fields.output};
    std::string line;
    std::size_t n = 0;
    while (std::getline(lines, line)) {
      INFO(line);
      REQUIRE(n < notes.size());
      std::istringstream cols{line};
      std::string status, sport, dport, payload;
      cols >> status >> sport >> dport >> payload;
      CHECK(status == "1");
      const bool up = notes[n].direction == Direction::serverbound;
      CHECK(sport == std::to_string(up ? ends.client.port : ends.server.port));
      CHECK(dport == std::to_string(up ? ends.server.port : ends.client.port));
      std::string hex;
      for (const std::uint8_t b : notes[n].payload) hex += fmt_hex(b);
      CHECK(payload == hex);
      ++n;
    }
    CHECK(n == notes.size());
    // And the file as a whole still has nothing malformed and no warning.
    const CommandResult problems =
        run("tshark -n -r " + quoted(path) +
            " -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE"
            " -o ip.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= warning'");
    INFO(problems.output);
    CHECK(problems.status == 0);
    CHECK(problems.output.empty());
  }
}

TEST_CASE("rustguard-replay reads a session written as pcapng: the player, the version and every packet",
          "[clips][pcapng][replay]") {
  TempDir dir;
  for (const char* version : kVersions) {
    INFO(version);
    const auto records = load_session(version);
    const fs::path path = dir.path / (std::string{version} + ".pcapng");
    {
      PcapngWriter w{path.string(), kV4};
      write_session(w, records);
    }
    // From the temporary folder, so that no config.yml in the working
    // directory changes the settings; defaults otherwise.
    const CommandResult r = run("cd " + quoted(dir.path) + " && " + quoted(RUSTGUARD_REPLAY_BINARY) +
                                " --no-database --json " + quoted(path) + " 2>&1");
    INFO(r.output);
    REQUIRE(r.status == 0);
    const std::uint64_t serverbound = count_frames(rustguard::test::concat(records, Direction::serverbound));
    const std::uint64_t clientbound = count_frames(rustguard::test::concat(records, Direction::clientbound));
    CHECK(r.output.find("\"name\":\"fixture\"") != std::string::npos);
    CHECK(r.output.find("\"address\":\"203.0.113.7:51234\"") != std::string::npos);
    CHECK(r.output.find("\"packets\":{\"serverbound\":" + std::to_string(serverbound) +
                        ",\"clientbound\":" + std::to_string(clientbound) + "}") != std::string::npos);
    CHECK(r.output.find("\"reached_play\":true") != std::string::npos);
    CHECK(r.output.find("\"closed_by_core\":\"\",\"stream_problem\":\"\"") != std::string::npos);
    CHECK(r.output.find("\"tcp_flows\":1,\"minecraft_flows\":1") != std::string::npos);
    CHECK(r.output.find("\"gaps\":0,\"errors\":[]") != std::string::npos);
    // Times are the session's: it starts at the handshake.
    CHECK(r.output.find("\"start_ms\":" + std::to_string(kBaseMicros / 1000)) != std::string::npos);
  }
}

}  // namespace pcapng_writer_test
