// Session recordings on the proxy side: the writer thread's files (whole,
// incomplete, retention) and a connection's SessionRecording (held until the
// login decides, the core-input note first, cut when the queue is full).
// The file format itself and its replay are tested in tests/clips and
// tests/replay; that the live rows come back exactly, in e2e_detection.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "../../tools/proxy/recording_writer.hpp"
#include "../../tools/proxy/session_recording.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace recording_writer_test {

using namespace rustguard;
using namespace rustguard::proxy;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/rustguard-recordings-XXXXXX";
    path = mkdtemp(name);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;
  RecordingWriter::LogFn fn() {
    return [this](LogLevel, std::string_view text) {
      std::lock_guard lock(mutex);
      lines.emplace_back(text);
    };
  }
};

RecordingSettings settings_in(const fs::path& folder) {
  RecordingSettings s;
  s.folder = folder.string();
  s.all_players = true;
  return s;
}

adapters::PcapngEndpoints ends() {
  adapters::PcapngEndpoints e;
  e.client = {net::IpAddress::v4(203, 0, 113, 7), 51234};
  e.server = {net::IpAddress::v4(127, 0, 0, 1), 25566};
  return e;
}

std::vector<std::uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Where `needle` occurs in `haystack`, in order.
std::vector<std::size_t> offsets_of(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  std::vector<std::size_t> out;
  for (auto it = haystack.begin();
       (it = std::search(it, haystack.end(), needle.begin(), needle.end())) != haystack.end(); ++it) {
    out.push_back(static_cast<std::size_t>(it - haystack.begin()));
  }
  return out;
}

bool contains(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  return !offsets_of(haystack, needle).empty();
}

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const Timestamp kStart{1'764'624'900'000'000};  // 2025-12-01 21:35:00 UTC

}  // namespace

TEST_CASE("recordings: file names", "[proxy][recordings]") {
  CHECK(RecordingWriter::stem_for(kStart, "Steve", 42) == "20251201-213500-Steve-c42");
  // The client names itself: a name that is not a Minecraft name cannot
  // point anywhere else.
  CHECK(RecordingWriter::stem_for(kStart, "../../etc/x", 7) == "20251201-213500-______etc_x-c7");
  CHECK(RecordingWriter::stem_for(kStart, "", 7) == "20251201-213500-_-c7");
  CHECK(RecordingWriter::stem_for(kStart, "abcdefghijklmnopqrstuvwxyz", 1) == "20251201-213500-abcdefghijklmnop-c1");
  CHECK(RecordingWriter::is_recording_file("20251201-213500-Steve-c42.pcapng"));
  CHECK(RecordingWriter::is_recording_file("20251201-213500-Steve-c42.pcapng.incomplete"));
  CHECK_FALSE(RecordingWriter::is_recording_file("20251201-213500-Steve-c42.pcapng.part"));
  CHECK_FALSE(RecordingWriter::is_recording_file("notes.txt"));
  CHECK_FALSE(RecordingWriter::is_recording_file("capture.pcapng"));
}

TEST_CASE("recordings: a chosen connection is written whole, from its first byte", "[proxy][recordings]") {
  TempDir dir;
  LogLines log;
  RecordingWriter writer(settings_in(dir.path), log.fn());
  REQUIRE(writer.ok());
  SessionRecording rec;
  rec.arm(&writer);
  REQUIRE(rec.undecided());
  const std::vector<std::uint8_t> handshake{0x10, 0x00, 'h', 'a', 'n', 'd'};
  const std::vector<std::uint8_t> login{0x07, 0x00, 'S', 't', 'e', 'v', 'e'};
  const std::vector<std::uint8_t> reply{0x03, 0x03, 0x80, 0x02};
  rec.bytes(protocol::Direction::serverbound, handshake, kStart);
  rec.bytes(protocol::Direction::serverbound, login, kStart + millis(1));
  rec.decide(true, RecordingWriter::stem_for(kStart, "Steve", 1), ends(), "test recording");
  CHECK(rec.recording());
  rec.bytes(protocol::Direction::clientbound, reply, kStart + millis(5));
  rec.note({adapters::recording::NoteKind::host_late, Micros{80'000}, {}, {}}, kStart + millis(6));
  rec.close(kStart + millis(9), protocol::Direction::serverbound);
  writer.stop();

  CHECK(names_in(dir.path) == std::vector<std::string>{"20251201-213500-Steve-c1.pcapng"});
  const auto file = read_file(dir.path / "20251201-213500-Steve-c1.pcapng");
  REQUIRE(file.size() > 100);
  CHECK(file[0] == 0x0A);  // a Section Header Block
  CHECK(contains(file, "test recording"));
  CHECK(contains(file, "RUSTGUARD/1 core-input\n"));
  CHECK(contains(file, "RUSTGUARD/1 host-late 80000\n"));
  CHECK(contains(file, "hand"));
  CHECK(contains(file, "Steve"));
  const auto f = writer.figures();
  CHECK(f.started == 1);
  CHECK(f.finished == 1);
  CHECK(f.incomplete == 0);
  CHECK(f.bytes == handshake.size() + login.size() + reply.size());
  CHECK(log.lines.empty());
}

TEST_CASE("recordings: connections not chosen leave nothing", "[proxy][recordings]") {
  TempDir dir;
  LogLines log;
  RecordingWriter writer(settings_in(dir.path), log.fn());
  SessionRecording not_chosen;
  not_chosen.arm(&writer);
  not_chosen.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>(100, 1), kStart);
  not_chosen.decide(false, "x", ends(), "");
  CHECK_FALSE(not_chosen.undecided());
  not_chosen.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>(100, 1), kStart);
  not_chosen.close(kStart, protocol::Direction::serverbound);

  // More than a login's worth before the player is named: not recorded.
  SessionRecording chatty;
  chatty.arm(&writer);
  for (int i = 0; i < 70; ++i) chatty.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>(1024, 2), kStart);
  CHECK_FALSE(chatty.undecided());
  chatty.decide(true, "y", ends(), "");
  CHECK_FALSE(chatty.recording());
  chatty.close(kStart, protocol::Direction::serverbound);

  SessionRecording off;  // recordings off: never armed
  off.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>(10, 3), kStart);
  CHECK_FALSE(off.undecided());
  writer.stop();
  CHECK(writer.figures().started == 0);
  CHECK(names_in(dir.path).empty());
}

TEST_CASE("recordings: a full queue cuts a recording, kept as incomplete", "[proxy][recordings]") {
  TempDir dir;
  LogLines log;
  RecordingSettings s = settings_in(dir.path);
  s.queue_bytes = 1000;
  RecordingWriter writer(s, log.fn());
  SessionRecording rec;
  rec.arm(&writer);
  rec.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>(10, 1), kStart);
  rec.decide(true, RecordingWriter::stem_for(kStart, "Big", 3), ends(), "");
  rec.bytes(protocol::Direction::clientbound, std::vector<std::uint8_t>(5000, 2), kStart + millis(1));  // over the budget
  CHECK_FALSE(rec.recording());
  rec.bytes(protocol::Direction::clientbound, std::vector<std::uint8_t>(10, 3), kStart + millis(2));  // not recorded
  rec.close(kStart + millis(3), protocol::Direction::serverbound);
  writer.stop();
  CHECK(names_in(dir.path) == std::vector<std::string>{"20251201-213500-Big-c3.pcapng.incomplete"});
  CHECK(writer.figures().incomplete == 1);
  CHECK(writer.figures().bytes == 10);
  REQUIRE(log.lines.size() == 1);
  CHECK(log.lines[0].find("cut short") != std::string::npos);
}

TEST_CASE("recordings: a folder that cannot be made is an error", "[proxy][recordings]") {
  TempDir dir;
  std::ofstream(dir.path / "file") << "x";
  LogLines log;
  RecordingWriter writer(settings_in(dir.path / "file" / "sub"), log.fn());
  CHECK_FALSE(writer.ok());
  CHECK(writer.error().find("cannot create the recordings folder") != std::string::npos);
}

TEST_CASE("recordings: retention deletes the oldest of its own files only", "[proxy][recordings]") {
  TempDir dir;
  const auto now = fs::file_time_type::clock::now();
  auto make = [&](const std::string& name, std::size_t size, std::chrono::hours age) {
    std::ofstream(dir.path / name) << std::string(size, 'x');
    fs::last_write_time(dir.path / name, now - age);
  };
  make("20250101-000000-Old-c1.pcapng", 100, std::chrono::hours(24 * 40));
  make("20250101-000000-Old-c2.pcapng.incomplete", 100, std::chrono::hours(24 * 35));
  make("20251101-000000-Mid-c3.pcapng", 300, std::chrono::hours(24 * 10));
  make("20251130-000000-New-c4.pcapng", 300, std::chrono::hours(1));
  make("notes.txt", 5000, std::chrono::hours(24 * 400));  // not ours: kept
  make("20250101-000000-Old-c5.pcapng.part", 100, std::chrono::hours(24 * 50));  // being written: kept

  RecordingSettings s = settings_in(dir.path);
  s.max_age = std::chrono::hours(24 * 30);
  s.max_total_bytes = 500;
  LogLines log;
  RecordingWriter writer(s, log.fn());
  writer.stop();
  // Age took the two old ones; then 600 bytes of recordings > 500: the oldest left goes.
  CHECK(names_in(dir.path) ==
        std::vector<std::string>{"20250101-000000-Old-c5.pcapng.part", "20251130-000000-New-c4.pcapng", "notes.txt"});
  CHECK(writer.figures().removed == 3);
}

TEST_CASE("recordings: a timer advance is written only before a host-late report", "[proxy][recordings]") {
  TempDir dir;
  LogLines log;
  RecordingWriter writer(settings_in(dir.path), log.fn());
  SessionRecording rec;
  rec.arm(&writer);
  rec.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>{1, 0}, kStart);
  rec.decide(true, RecordingWriter::stem_for(kStart, "Tick", 5), ends(), "");
  // An advance the next read covers: no note (that read's feed runs the
  // same ticks first).
  rec.advanced(kStart + millis(50));
  rec.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>{1, 0}, kStart + millis(60));
  // An advance, then a host-late report: the advance goes first, at its time.
  rec.advanced(kStart + millis(100));
  rec.advanced(kStart + millis(150));  // only the last one counts: it ran every tick due
  rec.note({adapters::recording::NoteKind::host_late, Micros{90'000}, {}, {}}, kStart + millis(160));
  rec.close(kStart + millis(200), protocol::Direction::serverbound);
  writer.stop();
  const auto file = read_file(dir.path / "20251201-213500-Tick-c5.pcapng");
  const auto advances = offsets_of(file, "RUSTGUARD/1 advance\n");
  const auto lates = offsets_of(file, "RUSTGUARD/1 host-late 90000\n");
  REQUIRE(advances.size() == 1);
  REQUIRE(lates.size() == 1);
  CHECK(advances[0] < lates[0]);
}

TEST_CASE("recordings: a timer advance while the connection is undecided keeps its place", "[proxy][recordings]") {
  TempDir dir;
  LogLines log;
  RecordingWriter writer(settings_in(dir.path), log.fn());
  SessionRecording rec;
  rec.arm(&writer);
  rec.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>{1, 0}, kStart);
  rec.advanced(kStart + millis(50));
  rec.note({adapters::recording::NoteKind::host_late, Micros{70'000}, {}, {}}, kStart + millis(60));  // held after its advance
  rec.bytes(protocol::Direction::serverbound, std::vector<std::uint8_t>{2, 0}, kStart + millis(70));
  rec.advanced(kStart + millis(120));  // pending when the login decides
  rec.decide(true, RecordingWriter::stem_for(kStart, "Held", 6), ends(), "");
  rec.note({adapters::recording::NoteKind::host_late, Micros{80'000}, {}, {}}, kStart + millis(130));
  rec.close(kStart + millis(200), protocol::Direction::serverbound);
  writer.stop();
  const auto file = read_file(dir.path / "20251201-213500-Held-c6.pcapng");
  // In the file's order: advance, host-late 70000, advance, host-late 80000.
  const auto advances = offsets_of(file, "RUSTGUARD/1 advance\n");
  const auto l1 = offsets_of(file, "RUSTGUARD/1 host-late 70000\n");
  const auto l2 = offsets_of(file, "RUSTGUARD/1 host-late 80000\n");
  REQUIRE(advances.size() == 2);
  REQUIRE(l1.size() == 1);
  REQUIRE(l2.size() == 1);
  CHECK(advances[0] < l1[0]);
  CHECK(l1[0] < advances[1]);
  CHECK(advances[1] < l2[0]);
}

}  // namespace recording_writer_test
