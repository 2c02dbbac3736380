#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "rustguard/adapters/spill_file.hpp"
#include "rustguard/adapters/sqlite_record_sink.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace spill_file_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

std::vector<StorageRecord> sample_records(std::uint64_t first_id, int violations) {
  std::vector<StorageRecord> out;
  auto s = make_session("Steve", 1, 100);
  s.id = first_id;
  s.source = SessionSource::replay;
  s.capture_file = "a.rgcap";
  out.emplace_back(s);
  out.emplace_back(SessionBrand{first_id, "lunar"});
  for (int i = 0; i < violations; ++i) {
    out.emplace_back(ViolationRecord{first_id + 1 + static_cast<std::uint64_t>(i),
                                     make_violation(first_id, 100 + i, "timer", "v" + std::to_string(i), i)});
  }
  ActionRecord a;
  a.id = first_id + 1 + static_cast<std::uint64_t>(violations);
  a.session_id = first_id;
  a.violation_id = first_id + 1;
  a.kind = ActionKind::command;
  a.detail = "ban Steve";
  a.result = "failed: no permission";
  out.emplace_back(a);
  out.emplace_back(SessionEnd{first_id, 999});
  return out;
}

std::vector<StorageRecord> read_all(const std::string& path, SpillReadStats& stats, std::vector<std::size_t>* skips) {
  std::vector<StorageRecord> out;
  std::string error;
  REQUIRE(read_spill_file(
      path, [&](StorageRecord&& r) { out.push_back(std::move(r)); return true; },
      [&](std::size_t offset, std::size_t) { if (skips) skips->push_back(offset); }, stats, error));
  return out;
}

}  // namespace

TEST_CASE("spill file round-trips every record kind") {
  TempDir dir;
  const auto records = sample_records(10, 3);
  SpillWriter w{dir.file("x.spill")};
  std::string error;
  REQUIRE(w.append(records, error));
  REQUIRE(w.append(sample_records(100, 1), error));
  w.close();

  SpillReadStats stats;
  const auto back = read_all(dir.file("x.spill"), stats, nullptr);
  REQUIRE(back.size() == records.size() + 5);
  CHECK(stats.skipped_bytes == 0);
  CHECK(stats.max_id == 102);
  const auto& s = std::get<SessionStart>(back[0]);
  CHECK(s.id == 10);
  CHECK(s.player_name == "Steve");
  CHECK(s.player_uuid == protocol::Uuid{0x1111, 1});
  CHECK(s.source == SessionSource::replay);
  CHECK(s.capture_file == "a.rgcap");
  CHECK(std::get<SessionBrand>(back[1]).client_brand == "lunar");
  const auto& v = std::get<ViolationRecord>(back[4]);
  CHECK(v.id == 13);
  CHECK(v.violation.detail == "v2");
  CHECK(v.violation.vl == 2.0);
  CHECK(v.violation.numbers_json == R"({"balance_ms":-512.5,"limit_ms":-300})");
  CHECK(v.violation.ping_ms == 42);
  CHECK(v.violation.protocol_version == 763);
  const auto& a = std::get<ActionRecord>(back[5]);
  CHECK(a.kind == ActionKind::command);
  CHECK(a.result == "failed: no permission");
  CHECK(std::get<SessionEnd>(back[6]).end_ms == 999);
}

TEST_CASE("a torn last entry is detected and skipped, the rest is kept") {
  TempDir dir;
  const std::string path = dir.file("torn.spill");
  SpillWriter w{path};
  std::string error;
  REQUIRE(w.append(sample_records(1, 5), error));
  w.close();
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  // Cut the file in the middle of its last entry, as a crash mid-write would.
  REQUIRE(::truncate(path.c_str(), st.st_size - 7) == 0);

  SpillReadStats stats;
  std::vector<std::size_t> skips;
  const auto back = read_all(path, stats, &skips);
  CHECK(back.size() == 8);  // 9 records minus the torn one
  CHECK(std::holds_alternative<ActionRecord>(back.back()));
  CHECK(stats.skipped_bytes > 0);
  CHECK(skips.size() == 1);
}

TEST_CASE("a corrupt entry in the middle does not hide the ones after it") {
  TempDir dir;
  const std::string path = dir.file("corrupt.spill");
  SpillWriter w{path};
  std::string error;
  REQUIRE(w.append(sample_records(1, 5), error));
  w.close();
  {
    std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(60);  // inside the second entry's payload
    f.put('\x7f');
  }
  SpillReadStats stats;
  const auto back = read_all(path, stats, nullptr);
  CHECK(back.size() == 8);  // 9 records minus the damaged one
  CHECK(stats.skipped_bytes > 0);
  CHECK(std::get<SessionEnd>(back.back()).end_ms == 999);
}

TEST_CASE("importing a spill twice (a crash after commit, before removal) writes nothing twice") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  const std::string spill = db + ".spill";
  const auto records = sample_records(1, 50);
  {
    SpillWriter w{spill};
    std::string error;
    REQUIRE(w.append(records, error));
  }
  // Simulate the crash: the first half was committed, then the process died
  // before the file was removed.
  {
    SqliteRecordSink sink;
    REQUIRE(sink.open(db).ok());
    REQUIRE(sink.write(std::span{records}.first(30)).ok());
  }
  LogLines lines;
  ViolationLogOptions o;
  o.database_path = db;
  o.log = lines.callback();
  o.import_batch_rows = 7;
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  // Ids continue after the spill's largest id, not only the database's.
  CHECK(log->log_violation(make_violation(1, 5000, "timer", "after import")) == 53);
  log->stop();
  CHECK(log->counters().imported == records.size());
  CHECK(::access(spill.c_str(), F_OK) != 0);
  CHECK(lines.contains("imported 54 records"));
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == 51);
  CHECK(check.integer("SELECT count(*) FROM sessions") == 1);
  CHECK(check.integer("SELECT count(*) FROM actions") == 1);
  CHECK(check.text("SELECT client_brand || '/' || end_ms FROM sessions") == "lunar/999");
}

TEST_CASE("a violation's count survives the spill file; entries from earlier builds read with a count of 1") {
  TempDir dir;
  const std::string path = dir.file("count.spill");
  auto folded = make_violation(1, 100, "timer", "folded", 4.0);
  folded.count = 37;
  {
    SpillWriter w{path};
    std::string error;
    std::vector<StorageRecord> records{StorageRecord{ViolationRecord{2, folded}}};
    REQUIRE(w.append(records, error));
  }
  {
    // An entry as builds before the count existed wrote it: kind 4, the same
    // fields without the trailing count.
    const Violation& v = folded;
    std::vector<std::uint8_t> payload;
    protocol::Writer pw{payload};
    pw.u8(4).u64(3).u64(v.session_id).i64(v.time_ms);
    pw.string(v.player_name).uuid(v.player_uuid).string("reach").string(v.type).f64(v.vl);
    pw.string("old entry").string(v.numbers_json).i32(v.protocol_version).i32(v.ping_ms);
    std::vector<std::uint8_t> entry;
    protocol::Writer w{entry};
    w.bytes(detail::kSpillMagic);
    w.i32(static_cast<std::int32_t>(payload.size()));
    w.i32(static_cast<std::int32_t>(detail::crc32(payload)));
    w.bytes(payload);
    std::ofstream out{path, std::ios::binary | std::ios::app};
    out.write(reinterpret_cast<const char*>(entry.data()), static_cast<std::streamsize>(entry.size()));
  }
  SpillReadStats stats;
  const auto back = read_all(path, stats, nullptr);
  REQUIRE(back.size() == 2);
  CHECK(stats.skipped_bytes == 0);
  CHECK(std::get<ViolationRecord>(back[0]).violation.count == 37);
  CHECK(std::get<ViolationRecord>(back[0]).violation.detail == "folded");
  CHECK(std::get<ViolationRecord>(back[1]).violation.count == 1);
  CHECK(std::get<ViolationRecord>(back[1]).violation.detail == "old entry");
  CHECK(std::get<ViolationRecord>(back[1]).violation.check == "reach");

  // And both land in the database with their counts.
  const std::string db = dir.file("count.db");
  ::rename(path.c_str(), (db + ".spill").c_str());
  start_and_stop(db);
  Inspector check{db};
  CHECK(check.integer("SELECT count FROM violations WHERE id = 2") == 37);
  CHECK(check.integer("SELECT count FROM violations WHERE id = 3") == 1);
}

TEST_CASE("a spill append under a size cap writes the prefix that fits") {
  TempDir dir;
  const std::string path = dir.file("cap.spill");
  const auto records = sample_records(1, 20);
  SpillWriter w{path};
  std::string error;
  std::size_t written = 0;
  REQUIRE(w.append(records, error, written, 1000));
  CHECK(written > 0);
  CHECK(written < records.size());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_size <= 1000);
  // Nothing more fits now, and nothing is written.
  std::size_t more = 0;
  REQUIRE(w.append(std::span{records}.subspan(written), error, more, 1000));
  CHECK(more == 0);
  struct stat st2 {};
  REQUIRE(::stat(path.c_str(), &st2) == 0);
  CHECK(st2.st_size == st.st_size);
  w.close();
  SpillReadStats stats;
  CHECK(read_all(path, stats, nullptr).size() == written);
  CHECK(stats.skipped_bytes == 0);
}

}  // namespace spill_file_test
