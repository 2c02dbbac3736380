#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../checks/engine_driver.hpp"
#include "rustguard/checks/api/violation_folding.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace violation_folding_test {

using namespace rustguard;
using namespace rustguard::test;
using engine::FoldingLimits;
using engine::ViolationFolder;

namespace {

Violation flag(std::string check, std::string type, std::int64_t time_ms, double vl = 1) {
  Violation v;
  v.check = std::move(check);
  v.type = std::move(type);
  v.time_ms = time_ms;
  v.vl = vl;
  v.detail = "vl " + std::to_string(vl);
  return v;
}

std::uint64_t total_count(const std::vector<Violation>& rows) {
  std::uint64_t n = 0;
  for (const auto& r : rows) n += r.count;
  return n;
}

// Rows and flags per "check/type".
std::map<std::string, std::pair<std::size_t, std::uint64_t>> per_key(const std::vector<Violation>& rows) {
  std::map<std::string, std::pair<std::size_t, std::uint64_t>> out;
  for (const auto& r : rows) {
    auto& e = out[r.check + "/" + r.type];
    ++e.first;
    e.second += r.count;
  }
  return out;
}

constexpr auto kNoRank = [](std::string_view) { return 0; };

}  // namespace

TEST_CASE("folding: the first flag is a record at once, repeats within the interval fold into one", "[engine][folding]") {
  ViolationFolder folder(FoldingLimits{1000, 0});
  std::vector<Violation> out;
  folder.add(flag("badpackets.pitch", "pitch", 10'000, 1), out);
  REQUIRE(out.size() == 1);  // alerts stay immediate
  CHECK(out[0].count == 1);
  CHECK(out[0].time_ms == 10'000);

  for (int i = 1; i <= 9; ++i) folder.add(flag("badpackets.pitch", "pitch", 10'000 + 100 * i, 1 + i), out);
  CHECK(out.size() == 1);
  CHECK(folder.pending_flags() == 9);

  // The interval is over: the pending record first, with its count and the
  // latest flag's numbers and time, then the new flag as a record of its own.
  folder.add(flag("badpackets.pitch", "pitch", 11'000, 11), out);
  REQUIRE(out.size() == 3);
  CHECK(out[1].count == 9);
  CHECK(out[1].vl == 10);
  CHECK(out[1].detail == "vl 10.000000");
  CHECK(out[1].time_ms == 10'900);
  CHECK(out[2].count == 1);
  CHECK(out[2].vl == 11);
  CHECK(out[2].time_ms == 11'000);
  CHECK(folder.pending_flags() == 0);
  CHECK(total_count(out) == 11);
}

TEST_CASE("folding: keys are check and type, each with its own interval", "[engine][folding]") {
  ViolationFolder folder(FoldingLimits{1000, 0});
  std::vector<Violation> out;
  folder.add(flag("badpackets.held_item", "range", 0), out);
  folder.add(flag("badpackets.held_item", "repeat", 10), out);
  folder.add(flag("timer.balance", "balance", 20), out);
  CHECK(out.size() == 3);  // three keys: three immediate records
  folder.add(flag("badpackets.held_item", "range", 30), out);
  folder.add(flag("timer.balance", "balance", 40), out);
  CHECK(out.size() == 3);
  // A quiet key after a long pause: no pending record, just a new one.
  folder.add(flag("badpackets.held_item", "repeat", 5'000), out);
  CHECK(out.size() == 4);
  CHECK(out.back().type == "repeat");
  CHECK(folder.pending_flags() == 2);

  // Interval 0: every flag is a record.
  ViolationFolder unfolded(FoldingLimits{0, 0});
  std::vector<Violation> all;
  for (int i = 0; i < 10; ++i) unfolded.add(flag("timer.balance", "balance", i), all);
  CHECK(all.size() == 10);
}

TEST_CASE("folding: a budget of records per minute, over it flags fold", "[engine][folding]") {
  ViolationFolder folder(FoldingLimits{1000, 5});
  std::vector<Violation> out;
  // 8 keys flag once each, at the same time: 5 records, 3 held back.
  for (int k = 0; k < 8; ++k) folder.add(flag("check" + std::to_string(k), "t", 1'000), out);
  CHECK(out.size() == 5);
  CHECK(folder.pending_flags() == 3);
  // Still within the minute (fixed from the first flag at 1 s): nothing more.
  for (int k = 0; k < 8; ++k) folder.add(flag("check" + std::to_string(k), "t", 30'000), out);
  CHECK(out.size() == 5);
  CHECK(folder.pending_flags() == 11);
  // The next minute starts at 61 s: records again, pending ones first.
  folder.add(flag("check7", "t", 61'000), out);
  REQUIRE(out.size() == 7);
  CHECK(out[5].check == "check7");
  CHECK(out[5].count == 2);  // its flags at 1 s and 30 s
  CHECK(out[5].time_ms == 30'000);
  CHECK(out[6].count == 1);
  CHECK(out[6].time_ms == 61'000);

  folder.finish(out, kNoRank);
  CHECK(folder.pending_flags() == 0);
  CHECK(total_count(out) == 17);
}

TEST_CASE("folding: finish releases every pending record in rank order, then by type", "[engine][folding]") {
  ViolationFolder folder(FoldingLimits{1000, 0});
  std::vector<Violation> out;
  for (const char* check : {"zeta", "alpha", "mid"}) {
    for (const char* type : {"b", "a"}) {
      folder.add(flag(check, type, 0), out);
      folder.add(flag(check, type, 100), out);
      folder.add(flag(check, type, 200), out);
    }
  }
  CHECK(out.size() == 6);
  out.clear();
  const std::map<std::string, int> rank{{"zeta", 0}, {"mid", 1}, {"alpha", 2}};
  folder.finish(out, [&](std::string_view key) { return rank.at(std::string(key)); });
  REQUIRE(out.size() == 6);
  const std::vector<std::string> order{"zeta/a", "zeta/b", "mid/a", "mid/b", "alpha/a", "alpha/b"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    CHECK(out[i].check + "/" + out[i].type == order[i]);
    CHECK(out[i].count == 2);
  }
  out.clear();
  folder.finish(out, kNoRank);
  CHECK(out.empty());  // released once
}

namespace {

struct Flood {
  std::vector<Violation> rows;
  std::vector<Verdict> verdicts;
  bool kicked = false;
};

// `packets` looks with pitch 150, evenly over `span_ms`, through the real
// engine; ticks every `tick_every` packets (0: never), then finish().
Flood pitch_flood(bool fold, int packets, double span_ms, int tick_every,
                  std::shared_ptr<engine::EngineConfig> cfg = nullptr) {
  Driver d(v::v1_21_4, std::move(cfg), engine::EngineMode::originate, fold);
  d.spawn_at(0, 64, 0);
  d.engine.violations().clear();
  Flood f;
  const auto start = d.now;
  for (int i = 0; i < packets; ++i) {
    d.now = start + Micros{static_cast<std::int64_t>(span_ms * 1000 * i / packets)};
    f.verdicts.push_back(d.rot(0, 150, true));
    if (tick_every > 0 && i % tick_every == 0) d.engine.on_tick(d.now);
  }
  f.kicked = d.engine.kick_reason().has_value();
  d.engine.finish();
  f.rows = std::move(d.engine.violations());
  return f;
}

}  // namespace

TEST_CASE("folding: a 60 s flood of 20,000 pitch-150 looks stays within the record budget", "[engine][folding]") {
  const auto cfg = std::make_shared<engine::EngineConfig>();
  const auto& e = cfg->engine;
  REQUIRE(e.violation_row_interval_ms == 1000);
  REQUIRE(e.max_violation_rows_per_minute == 120);

  const Flood folded = pitch_flood(true, 20'000, 59'990, 0);
  const Flood unfolded = pitch_flood(false, 20'000, 59'990, 0);  // one record per flag
  const auto keys = per_key(folded.rows);
  // Every look flags pitch; Timer flags the 333 moves a second as well.
  REQUIRE(keys.count("badpackets.pitch/pitch") == 1);
  CHECK(unfolded.rows.size() >= 20'000);
  CHECK(folded.rows.size() <= e.max_violation_rows_per_minute + keys.size());
  // Nothing lost: per key, the counts add up to the flags.
  CHECK(total_count(folded.rows) == unfolded.rows.size());
  for (const auto& [key, rows_flags] : per_key(unfolded.rows)) {
    INFO(key);
    REQUIRE(keys.count(key) == 1);
    CHECK(keys.at(key).second == rows_flags.first);
  }
  CHECK(keys.at("badpackets.pitch/pitch").second == 20'000);
  // Only the record is folded: every packet got the same verdict either way.
  CHECK(folded.verdicts == unfolded.verdicts);
  CHECK(folded.kicked);
  // The first flag was a record at once.
  CHECK(folded.rows.front().check == "badpackets.pitch");
  CHECK(folded.rows.front().count == 1);
}

TEST_CASE("folding: records depend on flags and their times only, not on ticks", "[engine][folding]") {
  const Flood never = pitch_flood(true, 3'000, 9'000, 0);
  const Flood often = pitch_flood(true, 3'000, 9'000, 1);
  const Flood sometimes = pitch_flood(true, 3'000, 9'000, 37);
  REQUIRE(never.rows.size() == often.rows.size());
  REQUIRE(never.rows.size() == sometimes.rows.size());
  for (std::size_t i = 0; i < never.rows.size(); ++i) {
    for (const Flood* other : {&often, &sometimes}) {
      const Violation& a = never.rows[i];
      const Violation& b = other->rows[i];
      CHECK(a.check == b.check);
      CHECK(a.type == b.type);
      CHECK(a.time_ms == b.time_ms);
      CHECK(a.count == b.count);
      CHECK(a.vl == b.vl);
    }
  }
}

TEST_CASE("folding: the engine's finish releases pending records in chain order, then by type", "[engine][folding]") {
  Driver d(v::v1_21_4, nullptr, engine::EngineMode::originate, true);
  d.spawn_at(0, 64, 0);
  d.engine.violations().clear();
  // held_item (chain position 3) flags range, then pitch (position 1), four
  // times each: held_item's third flag reaches its alert VL 2 and is stored
  // at once, its fourth folds; pitch alerts from the first, the rest fold.
  for (int i = 0; i < 4; ++i) {
    d.held(12);
    d.rot(0, 150, true);
    d.advance_ms(50);
  }
  const auto immediate = d.engine.violations().size();
  CHECK(immediate >= 2);  // the first of each key
  d.engine.finish();
  const auto& rows = d.engine.violations();
  std::vector<std::string> released;
  for (std::size_t i = immediate; i < rows.size(); ++i) released.push_back(rows[i].check + "/" + rows[i].type);
  REQUIRE(released.size() >= 2);
  CHECK(released.front() == "badpackets.pitch/pitch");
  CHECK(std::find(released.begin(), released.end(), "badpackets.held_item/range") != released.end());
  const auto pos = [](std::string_view key) { return engine::DetectionEngine::Chain::position(key); };
  for (std::size_t i = immediate + 1; i < rows.size(); ++i) {
    CHECK(pos(rows[i - 1].check) <= pos(rows[i].check));
  }
  CHECK(pos("badpackets.pitch") == 1);
  CHECK(pos("no.such.check") == checks::DefaultChecks::size);
  std::uint64_t pitch = 0;
  for (const auto& r : rows) pitch += r.check == "badpackets.pitch" ? r.count : 0;
  CHECK(pitch == 4);
}

TEST_CASE("folding: the flag that kicks is stored at once, after its key's pending record", "[engine][folding]") {
  auto cfg = std::make_shared<engine::EngineConfig>();
  cfg->get<checks::badpackets::PitchCheck>().limits.kick_vl = 4.9;  // VL decays 0.05/s between the flags
  Driver d(v::v1_21_4, cfg, engine::EngineMode::originate, true);
  d.spawn_at(0, 64, 0);
  d.engine.violations().clear();
  const auto pitch_rows = [&] {
    std::vector<Violation> out;
    for (const auto& r : d.engine.violations()) {
      if (r.check == "badpackets.pitch") out.push_back(r);
    }
    return out;
  };
  for (int i = 0; i < 4; ++i) {
    CHECK(d.rot(0, 150, true) == Verdict::cancel);
    d.advance_ms(50);
  }
  CHECK(pitch_rows().size() == 1);
  CHECK(d.rot(0, 150, true) == Verdict::kick);
  REQUIRE(d.engine.kick_reason());
  const auto rows = pitch_rows();
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].count == 3);
  CHECK(rows[2].count == 1);
  CHECK(rows[2].vl == Approx(5).margin(0.05));

  // Whatever the budget.
  ViolationFolder folder(FoldingLimits{1000, 1});
  std::vector<Violation> out;
  folder.add(flag("a", "t", 0), out);
  folder.add(flag("b", "t", 10), out);
  CHECK(out.size() == 1);
  folder.add(flag("b", "t", 20, 9), out, ViolationFolder::Store::at_once);
  REQUIRE(out.size() == 3);
  CHECK(out[1].time_ms == 10);
  CHECK(out[2].vl == 9);
}

TEST_CASE("folding: the first flag to reach the alert VL is stored at once", "[engine][folding]") {
  using Store = ViolationFolder::Store;
  ViolationFolder folder(FoldingLimits{1000, 0});
  std::vector<Violation> out;
  // VL 1, 2, ... every 50 ms; the alert VL is 10.
  const auto store_of = [](int vl) { return vl >= 10 ? Store::alert : Store::fold; };
  for (int i = 1; i <= 15; ++i) folder.add(flag("movement.speed", "ground", 50 * i, i), out, store_of(i));
  REQUIRE(out.size() == 3);
  CHECK(out[0].vl == 1);
  CHECK(out[1].vl == 9);  // flags 2..9, released before the alert
  CHECK(out[1].count == 8);
  CHECK(out[2].vl == 10);  // the alert: 450 ms after the first flag, not a second
  CHECK(out[2].time_ms == 500);
  // Further alerts fold as usual; below the alert again and back up: at once.
  folder.add(flag("movement.speed", "ground", 1'600, 4), out, Store::fold);
  REQUIRE(out.size() == 5);  // the interval was over: pending 11..15, then VL 4
  CHECK(out[3].count == 5);
  folder.add(flag("movement.speed", "ground", 1'700, 12), out, Store::alert);
  REQUIRE(out.size() == 6);
  CHECK(out[5].vl == 12);
  folder.finish(out, kNoRank);
  CHECK(total_count(out) == 17);

  ViolationFolder budgeted(FoldingLimits{1000, 1});  // but never past the budget
  std::vector<Violation> few;
  budgeted.add(flag("a", "t", 0, 1), few, Store::fold);
  budgeted.add(flag("a", "t", 10, 10), few, Store::alert);
  CHECK(few.size() == 1);
}

TEST_CASE("folding: a folded record carries every outcome and every cancelled packet of its flags",
          "[engine][folding]") {
  ViolationFolder folder(FoldingLimits{1'000, 120});
  std::vector<Violation> rows;
  Violation first = flag("badpackets.pitch", "range", 0);
  first.outcome = Outcome::cancel;
  first.cancelled = 1;
  folder.add(std::move(first), rows);
  REQUIRE(rows.size() == 1);
  for (int i = 1; i <= 9; ++i) {
    Violation v = flag("badpackets.pitch", "range", i * 10, i);
    v.outcome = Outcome::cancel | (i == 5 ? Outcome::alert : Outcome::none);
    v.cancelled = 1;
    folder.add(std::move(v), rows);
  }
  CHECK(rows.size() == 1);
  folder.finish(rows, [](std::string_view) { return 0; });
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].count == 9);
  CHECK(rows[1].cancelled == 9);
  CHECK(rows[1].outcome == (Outcome::cancel | Outcome::alert));
  CHECK(rows[0].cancelled + rows[1].cancelled == 10);
}

}  // namespace violation_folding_test
