// Evidence clips on the proxy side: the clip writer's thread (whole files,
// a cut with no usable start, a full queue, retention over its own names),
// a connection's ConnectionClips (which actions get a clip, one name for the
// actions until the cut, clips.after and clips.min_interval, the cut at
// disconnect and on request) and POST /clips?player=NAME. What a clip holds
// and that it replays to the same check is tested in tests/clips; the live
// proxy's clips, in e2e_detection.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "../../tools/proxy/admin_http.hpp"
#include "../../tools/proxy/clip_writer.hpp"
#include "../../tools/proxy/connection_clips.hpp"
#include "../../tools/proxy/metrics.hpp"
#include "../../tools/proxy/player_directory.hpp"
#include "../support/temp_dir.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace clip_writer_test {

using namespace rustguard;
using namespace rustguard::proxy;
namespace fs = std::filesystem;
using adapters::ClipBudget;
using adapters::ClipRing;
using adapters::ClipRingLimits;
using protocol::Direction;
using protocol::PacketKind;

namespace {

struct ClipLog {
  std::mutex mutex;
  std::vector<std::pair<LogLevel, std::string>> lines;
  ClipWriter::LogFn fn() {
    return [this](LogLevel level, std::string_view text) {
      std::lock_guard lock(mutex);
      lines.emplace_back(level, std::string(text));
    };
  }
};

ClipSettings settings_in(const fs::path& folder) {
  ClipSettings s;
  s.enabled = true;
  s.folder = folder.string();
  return s;
}

adapters::PcapngEndpoints ends() {
  adapters::PcapngEndpoints e;
  e.client = {net::IpAddress::v4(203, 0, 113, 7), 51234};
  e.server = {net::IpAddress::v4(127, 0, 0, 1), 25566};
  return e;
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool contains(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

std::set<std::string> names_in(const fs::path& folder) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(folder)) out.insert(e.path().filename().string());
  return out;
}

constexpr std::int64_t kSecond = 1'000'000;

// A login's prologue (the handshake, then the client's first movement),
// then `frames` movement packets 50 ms apart, from `start`. `at(t)` sets the
// time of the frames shown next.
template <class At>
void play(At&& at, session::FrameTap& tap, std::int64_t start, int frames) {
  at(Timestamp{start});
  tap.on_frame(Direction::serverbound, PacketKind::intention_c2s, 0, std::vector<std::uint8_t>{0, 1, 2}, false);
  tap.on_frame(Direction::serverbound, PacketKind::set_position_c2s, 0x1A, std::vector<std::uint8_t>{0x1A, 0}, false);
  for (int i = 1; i <= frames; ++i) {
    at(Timestamp{start + i * 50'000});
    tap.on_frame(Direction::serverbound, PacketKind::set_position_c2s, 0x1A,
                 std::vector<std::uint8_t>{0x1A, static_cast<std::uint8_t>(i)}, false);
  }
}

}  // namespace

TEST_CASE("the clip writer writes a ring's cut as NAME.pcapng", "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  ClipLog log;
  ClipBudget budget{1 << 20};
  ClipRingLimits limits;
  limits.window = Micros{30 * kSecond};
  ClipRing ring(limits, &budget);
  play([&](Timestamp t) { ring.set_time(t); }, ring, 1000 * kSecond, 10);
  REQUIRE(!ring.in_prologue());

  const ClipSettings s = settings_in(dir.path / "clips");
  ClipWriter writer(s, log.fn());
  REQUIRE(writer.ok());
  CHECK(fs::is_directory(dir.path / "clips"));
  const std::string stem = ClipWriter::stem_for(Timestamp{1796175907 * kSecond}, "Steve", 5, 1);
  CHECK(stem == "20261202-014507-Steve-c5-clip1");
  REQUIRE(writer.submit(ClipJob{stem, ends(), ring.cut(), "RustGuard evidence clip: player Steve"}));
  writer.stop();

  const fs::path file = dir.path / "clips" / (stem + ".pcapng");
  REQUIRE(fs::exists(file));
  CHECK(names_in(dir.path / "clips") == std::set<std::string>{stem + ".pcapng"});  // no .part left
  const auto f = writer.figures();
  CHECK(f.written == 1);
  CHECK(f.failed == 0);
  CHECK(f.dropped == 0);
  CHECK(f.bytes == fs::file_size(file));
  CHECK(f.queued_bytes == 0);
  const std::vector<std::uint8_t> bytes = read_bytes(file);
  REQUIRE(bytes.size() > 4);
  CHECK(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 4) == std::vector<std::uint8_t>{0x0A, 0x0D, 0x0D, 0x0A});
  CHECK(contains(bytes, "player Steve"));
  // A session whole since its login: no context note, no "mid-session" comment.
  CHECK(!contains(bytes, "RUSTGUARD/1 context"));
  CHECK(!contains(bytes, "starts mid-session"));
  // A stopped writer takes nothing more.
  CHECK(!writer.submit(ClipJob{stem + "x", ends(), ring.cut(), "late"}));
  CHECK(writer.figures().dropped == 1);
}

TEST_CASE("a clip with no usable start is not written, and the log says which", "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  ClipLog log;
  ClipBudget budget{1 << 20};
  ClipRingLimits limits;
  limits.window = Micros{kSecond};
  ClipRing ring(limits, &budget);
  play([&](Timestamp t) { ring.set_time(t); }, ring, 1000 * kSecond, 10);
  // Two seconds on: the first frames left the window, no snapshot was taken.
  ring.set_time(Timestamp{1003 * kSecond});
  ring.on_frame(Direction::serverbound, PacketKind::set_position_c2s, 0x1A, std::vector<std::uint8_t>{0x1A, 99}, false);

  ClipWriter writer(settings_in(dir.path), log.fn());
  const std::string stem = "20261202-014507-Steve-c5-clip1";
  REQUIRE(writer.submit(ClipJob{stem, ends(), ring.cut(), "player Steve"}));
  writer.stop();
  CHECK(names_in(dir.path).empty());
  const auto f = writer.figures();
  CHECK(f.written == 0);
  CHECK(f.failed == 1);
  CHECK(f.queued_bytes == 0);
  std::lock_guard lock(log.mutex);
  REQUIRE(log.lines.size() == 1);
  CHECK(log.lines[0].first == LogLevel::warn);
  CHECK(log.lines[0].second.find(stem + ".pcapng") != std::string::npos);
  CHECK(log.lines[0].second.find("no context snapshot") != std::string::npos);
}

TEST_CASE("a clip that does not fit the writer's queue is dropped", "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  ClipLog log;
  ClipBudget budget{1 << 20};
  ClipRing ring(ClipRingLimits{}, &budget);
  play([&](Timestamp t) { ring.set_time(t); }, ring, 1000 * kSecond, 10);
  ClipSettings s = settings_in(dir.path);
  ClipJob job{"20261202-014507-Steve-c5-clip1", ends(), ring.cut(), "player Steve"};
  REQUIRE(job.bytes() > 16);
  s.queue_bytes = job.bytes() - 1;  // the struct takes what the loader would refuse
  ClipWriter writer(s, log.fn());
  REQUIRE(writer.ok());
  CHECK(!writer.submit(std::move(job)));
  writer.stop();
  const auto f = writer.figures();
  CHECK(f.dropped == 1);
  CHECK(f.written == 0);
  CHECK(f.queued_bytes == 0);
  CHECK(names_in(dir.path).empty());
}

TEST_CASE("clip retention removes its own files, oldest first, and nothing else", "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  const auto now = fs::file_time_type::clock::now();
  auto make = [&](const std::string& name, std::size_t size, std::chrono::hours age) {
    std::ofstream(dir.path / name, std::ios::binary) << std::string(size, 'x');
    fs::last_write_time(dir.path / name, now - age);
  };
  make("20261101-000000-Old-c1-clip1.pcapng", 100, std::chrono::hours(24 * 40));   // past max_age
  make("20261202-010000-Steve-c5-clip1.pcapng", 1000, std::chrono::hours(3));     // oldest of the rest
  make("20261202-020000-Steve-c5-clip2.pcapng", 1000, std::chrono::hours(2));
  make("20261202-030000-Alex-c9-clip1.pcapng", 1000, std::chrono::hours(1));
  // Not the writer's: never touched, however old or large.
  make("notes.txt", 5000, std::chrono::hours(24 * 400));
  make("20261202-010000-Steve-c5.pcapng", 5000, std::chrono::hours(24 * 400));  // a session recording
  make("20261202-010000-Steve-c5-clip3.pcapng.part", 5000, std::chrono::hours(24 * 400));

  ClipLog log;
  ClipSettings s = settings_in(dir.path);
  s.max_age = std::chrono::hours(24 * 30);
  s.max_folder_bytes = 2500;
  ClipWriter writer(s, log.fn());  // retention runs at start
  writer.stop();
  CHECK(writer.figures().removed == 2);
  CHECK(names_in(dir.path) == std::set<std::string>{"20261202-020000-Steve-c5-clip2.pcapng",
                                                     "20261202-030000-Alex-c9-clip1.pcapng", "notes.txt",
                                                     "20261202-010000-Steve-c5.pcapng",
                                                     "20261202-010000-Steve-c5-clip3.pcapng.part"});
}

TEST_CASE("the clip writer's own names", "[clips][proxy]") {
  CHECK(ClipWriter::is_clip_file("20261202-014507-Steve-c5-clip1.pcapng"));
  CHECK(ClipWriter::is_clip_file("20261202-014507-a_b_C_9-c123456-clip42.pcapng"));
  CHECK(ClipWriter::is_clip_file("20261202-014507-ABCDEFGHIJKLMNOP-c1-clip1.pcapng"));  // 16 characters
  CHECK(!ClipWriter::is_clip_file("20261202-014507-ABCDEFGHIJKLMNOPQ-c1-clip1.pcapng"));  // 17
  CHECK(!ClipWriter::is_clip_file("20261202-014507-Steve-c5-clip1.pcapng.part"));
  CHECK(!ClipWriter::is_clip_file("20261202-014507-Steve-c5.pcapng"));  // a session recording
  CHECK(!ClipWriter::is_clip_file("20261202-014507-Steve-c5-clip.pcapng"));
  CHECK(!ClipWriter::is_clip_file("20261202-014507-St.eve-c5-clip1.pcapng"));
  CHECK(!ClipWriter::is_clip_file("x20261202-014507-Steve-c5-clip1.pcapng"));
  CHECK(!ClipWriter::is_clip_file("2026120-014507-Steve-c5-clip1.pcapng"));
  CHECK(!ClipWriter::is_clip_file("notes.txt"));
  CHECK(!ClipWriter::is_clip_file(""));

  const Timestamp t{1796175907 * kSecond};  // 2026-12-02 01:45:07 UTC
  CHECK(ClipWriter::stem_for(t, "Steve", 5, 1) == "20261202-014507-Steve-c5-clip1");
  CHECK(ClipWriter::stem_for(t, "St.e ve/../x", 7, 3) == "20261202-014507-St_e_ve____x-c7-clip3");
  CHECK(ClipWriter::stem_for(t, "", 1, 1) == "20261202-014507-_-c1-clip1");
  CHECK(ClipWriter::stem_for(t, "ABCDEFGHIJKLMNOPQRST", 1, 1) == "20261202-014507-ABCDEFGHIJKLMNOP-c1-clip1");
  for (const char* player : {"Steve", "St.e ve/../x", "", "ABCDEFGHIJKLMNOPQRST", "\xC3\xA9t\xC3\xA9"}) {
    INFO(player);
    CHECK(ClipWriter::is_clip_file(ClipWriter::stem_for(t, player, 12, 2) + ".pcapng"));
  }
}

TEST_CASE("a connection's clips: kinds, one name until the cut, after, min_interval, close, on request",
          "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  ClipLog log;
  ClipSettings s = settings_in(dir.path);
  s.on_setback = false;
  s.on_command = false;
  s.after = std::chrono::seconds(5);
  s.min_interval = std::chrono::seconds(20);
  s.window = std::chrono::seconds(30);
  s.snapshot_interval = std::chrono::seconds(10);
  s.keep_everyone = true;  // clips.players: all (the ring from the login on)
  ClipBudget budget{s.max_total_bytes};
  ClipWriter writer(s, log.fn());
  REQUIRE(writer.ok());
  Metrics metrics;
  session::PlayerSession session{ProtocolLimits{}, std::make_shared<const engine::EngineConfig>(),
                                 engine::EngineMode::observe};
  ConnectionClips clips(s, budget, writer, 5, metrics);
  const std::int64_t t0 = 1796175907 * kSecond;
  auto at = [&](std::int64_t micros) { return Timestamp{t0 + micros}; };
  play([&](Timestamp t) { clips.before(t); }, *clips.tap(), t0, 10);
  CHECK(clips.now() == at(10 * 50'000));
  clips.after(at(10 * 50'000), session);
  CHECK(clips.memory_bytes() > 0);

  // Kinds left out of clips.on get no clip.
  CHECK(!clips.wanted(adapters::ActionKind::setback));
  CHECK(!clips.wanted(adapters::ActionKind::cancel));
  CHECK(clips.request(adapters::ActionKind::setback, at(kSecond), "Steve", ends(), session) == "");
  CHECK(clips.request(adapters::ActionKind::command, at(kSecond), "Steve", ends(), session) == "");
  CHECK(Metrics::get(metrics.clips_started) == 0);

  // The first action names the clip; the next one, before the cut, joins it.
  const std::string first = clips.request(adapters::ActionKind::alert, at(kSecond), "Steve", ends(), session);
  CHECK(first == "20261202-014508-Steve-c5-clip1.pcapng");
  CHECK(clips.request(adapters::ActionKind::kick, at(2 * kSecond), "Steve", ends(), session) == first);
  CHECK(Metrics::get(metrics.clips_started) == 1);

  // Cut clips.after past the first action.
  clips.after(at(6 * kSecond - 1), session);
  CHECK(clips.request(adapters::ActionKind::alert, at(6 * kSecond - 1), "Steve", ends(), session) == first);
  clips.after(at(6 * kSecond), session);  // cut
  // The next clip: cut no sooner than min_interval after the last cut.
  const std::string second = clips.request(adapters::ActionKind::alert, at(7 * kSecond), "Steve", ends(), session);
  CHECK(second == "20261202-014514-Steve-c5-clip2.pcapng");
  clips.after(at(12 * kSecond), session);  // after has passed, min_interval has not
  clips.after(at(26 * kSecond - 1), session);
  CHECK(clips.request(adapters::ActionKind::kick, at(26 * kSecond - 1), "Steve", ends(), session) == second);
  clips.after(at(26 * kSecond), session);  // cut
  CHECK(Metrics::get(metrics.clips_started) == 2);

  // The connection ends: a pending clip is cut then.
  const std::string third = clips.request(adapters::ActionKind::alert, at(27 * kSecond), "Steve", ends(), session);
  CHECK(third == "20261202-014534-Steve-c5-clip3.pcapng");
  clips.close(at(28 * kSecond));
  clips.close(at(29 * kSecond));  // nothing pending: nothing more

  // On request (POST /clips): at once, min_interval or not.
  const std::string fourth = clips.request_now(at(29 * kSecond), "Steve", ends(), session);
  CHECK(fourth == "20261202-014536-Steve-c5-clip4.pcapng");
  // A pending clip asked for now is cut now, under its own name.
  const std::string fifth = clips.request(adapters::ActionKind::alert, at(30 * kSecond), "Steve", ends(), session);
  CHECK(fifth == "20261202-014537-Steve-c5-clip5.pcapng");
  CHECK(clips.request_now(at(30 * kSecond), "Steve", ends(), session) == fifth);
  clips.close(at(31 * kSecond));
  CHECK(Metrics::get(metrics.clips_started) == 5);

  writer.stop();
  CHECK(names_in(dir.path) == std::set<std::string>{first, second, third, fourth, fifth});
  CHECK(writer.figures().written == 5);
  CHECK(writer.figures().failed == 0);
  std::lock_guard lock(log.mutex);
  CHECK(log.lines.empty());
}

TEST_CASE("clips.players: flagged: the ring keeps frames from the first violation or request on",
          "[clips][proxy]") {
  test::TempDir dir{"rustguard-clipwriter"};
  ClipLog log;
  ClipSettings s = settings_in(dir.path);
  s.after = std::chrono::seconds(5);
  REQUIRE_FALSE(s.keep_everyone);  // the default
  ClipBudget budget{s.max_total_bytes};
  ClipWriter writer(s, log.fn());
  REQUIRE(writer.ok());
  Metrics metrics;
  session::PlayerSession session{ProtocolLimits{}, std::make_shared<const engine::EngineConfig>(),
                                 engine::EngineMode::observe};
  const std::int64_t t0 = 1796175907 * kSecond;
  auto at = [&](std::int64_t micros) { return Timestamp{t0 + micros}; };
  auto more = [&](ConnectionClips& clips, std::int64_t from, int frames) {
    for (int i = 1; i <= frames; ++i) {
      clips.before(at(from + i * 50'000));
      clips.tap()->on_frame(Direction::serverbound, PacketKind::set_position_c2s, 0x1A,
                            std::vector<std::uint8_t>{0x1A, static_cast<std::uint8_t>(i)}, false);
      clips.after(at(from + i * 50'000), session);
    }
  };

  SECTION("an honest player's ring holds his login alone") {
    ConnectionClips clips(s, budget, writer, 5, metrics);
    play([&](Timestamp t) { clips.before(t); }, *clips.tap(), t0, 10);
    clips.after(at(10 * 50'000), session);
    const std::size_t login = clips.memory_bytes();
    more(clips, 10 * 50'000, 400);  // 20 s of play, every frame and snapshot due skipped
    CHECK(clips.memory_bytes() == login);
    // Events without a violation start nothing.
    clips.saw({session::Event{session::ClientBrand{Timestamp{}, "vanilla"}}}, session);
    more(clips, 410 * 50'000, 20);
    CHECK(clips.memory_bytes() == login);
    CHECK(Metrics::get(metrics.clip_rings_started) == 0);

    // His first violation: the ring keeps frames from there on.
    clips.saw({session::Event{session::ViolationFound{}}}, session);
    CHECK(Metrics::get(metrics.clip_rings_started) == 1);
    more(clips, 430 * 50'000, 20);
    CHECK(clips.memory_bytes() > login);
    clips.saw({session::Event{session::ViolationFound{}}}, session);
    CHECK(Metrics::get(metrics.clip_rings_started) == 1);
  }

  SECTION("an operator's request clips the next clips.after") {
    ConnectionClips clips(s, budget, writer, 5, metrics);
    play([&](Timestamp t) { clips.before(t); }, *clips.tap(), t0, 10);
    more(clips, 10 * 50'000, 100);
    const std::string name = clips.request_now(at(110 * 50'000), "Steve", ends(), session);
    CHECK(name == "20261202-014512-Steve-c5-clip1.pcapng");
    CHECK(Metrics::get(metrics.clip_rings_started) == 1);
    CHECK(Metrics::get(metrics.clips_started) == 1);
    // Asked again before the cut: the same clip.
    CHECK(clips.request_now(at(110 * 50'000), "Steve", ends(), session) == name);
    more(clips, 110 * 50'000, 99);  // 4.95 s: not cut yet
    writer.stop();
    CHECK(names_in(dir.path) == std::set<std::string>{});
  }

  SECTION("an action before any violation seen starts the ring too") {
    ConnectionClips clips(s, budget, writer, 5, metrics);
    play([&](Timestamp t) { clips.before(t); }, *clips.tap(), t0, 10);
    clips.after(at(10 * 50'000), session);
    const std::string name = clips.request(adapters::ActionKind::alert, at(10 * 50'000), "Steve", ends(), session);
    CHECK_FALSE(name.empty());
    CHECK(Metrics::get(metrics.clip_rings_started) == 1);
    more(clips, 10 * 50'000, 100);  // past clips.after: cut, from the snapshot taken at the action
    writer.stop();
    CHECK(names_in(dir.path) == std::set<std::string>{name});
    CHECK(writer.figures().written == 1);
  }
}

TEST_CASE("POST /clips?player=NAME asks the player's connections for a clip now", "[clips][proxy][metrics]") {
  Metrics m;
  PlayerDirectory players;
  auto post = [&](const std::string& target) {
    return admin_response("POST " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", m, players);
  };
  CHECK(post("/clips?player=Steve").rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);

  auto steve = std::make_shared<PlayerEntry>();
  steve->connection_id = 3;
  steve->name = "Steve";
  players.add(steve);  // no clip_sink: clips are off
  CHECK(post("/clips?player=Steve").rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);

  int asked = 0;
  auto alex = std::make_shared<PlayerEntry>();
  alex->connection_id = 9;
  alex->name = "Alex";
  alex->clip_sink = [&] { ++asked; };
  players.add(alex);
  const std::string ok = post("/clips?player=alex");  // ASCII case ignored
  CHECK(ok.rfind("HTTP/1.1 202 Accepted\r\n", 0) == 0);
  CHECK(ok.find("\r\n\r\n{\"player\":\"alex\",\"connections\":1}") != std::string::npos);
  CHECK(asked == 1);

  for (const char* bad : {"/clips?player=", "/clips?player=St.eve", "/clips?player=ABCDEFGHIJKLMNOPQ"}) {
    INFO(bad);
    CHECK(post(bad).rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  }
  CHECK(asked == 1);
  CHECK(admin_response("GET /clips?player=Alex HTTP/1.1\r\n\r\n", m, players).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(asked == 1);
}

}  // namespace clip_writer_test
