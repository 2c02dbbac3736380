// Violations per second into PostgreSQL through the violation log, and what
// the packet path pays for each one: the latency of ViolationLog::
// log_violation() on the producing thread. That call is the whole cost a
// violation adds to a packet: the proxy's connection hands the core's events
// to SessionRecorder (tools/proxy/connection_events.hpp), whose only storage
// work is log_violation() (plus log_action() for an alert row, the same
// path); the writer thread, the COPY and the commit run elsewhere.
//
//   rustguard_bench_postgres --database URL [--instance-id N] [--violations N | --seconds S]
//                            [--producers N] [--rate VIOLATIONS_PER_S] [--players N]
//                            [--flush-rows N] [--start-at EPOCH_MS] [--spill PATH]
//   rustguard_bench_postgres --database URL --sink-only [--instance-id N] [--violations N] [--flush-rows N]
//
// The rate is end to end: from the first log_violation() until flush() says
// every accepted record is committed, so a writer that falls behind shows in
// it. A run whose records went to the spill file (the database failed) is
// reported as such and exits 3: its rate is not a database rate.
//
// --sink-only skips the log and its threads: PostgresRecordSink::write()
// alone, batch after batch of --flush-rows violations from memory, timed per
// batch. Compared with the full log it tells the writer thread's share from
// the database's; run with PGOPTIONS='-c synchronous_commit=off' it tells
// the commit's wait for the WAL flush from the rest.
//
// --seconds runs for that long instead of a number of violations (meant with
// --rate: a flat-out producer would park gigabytes); SIGTERM or SIGINT ends
// it early with its figures, which is how the script stops a background flood.
//
// --start-at lets several processes (a fleet of instances on one database)
// start producing at the same moment, after each has connected.
//
// Output: one `key=value` line per figure group, prefixed `postgres_bench`,
// so that a script can grep and sum them (tools/bench/postgres_bench.sh).

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rustguard/adapters/postgres_log_database.hpp"

using namespace rustguard;
using namespace rustguard::adapters;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string database;
  std::uint32_t instance = 0;
  long violations = 1'000'000;
  double seconds = 0;  // > 0: run this long instead of a fixed number
  int producers = 1;
  double rate = 0;  // offered violations/s over all producers; 0: flat out
  int players = 100;
  std::size_t flush_rows = 0;  // 0: the config default (violation_log.flush_rows)
  std::int64_t start_at_ms = 0;
  std::string spill;
  bool sink_only = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: rustguard_bench_postgres --database URL [--instance-id N] [--violations N | --seconds S]\n"
               "         [--producers N] [--rate V/S] [--players N] [--flush-rows N] [--start-at EPOCH_MS]\n"
               "         [--spill PATH] [--sink-only]\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view k = argv[i];
    if (k == "--sink-only") {
      a.sink_only = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    const char* v = argv[++i];
    if (k == "--database") a.database = v;
    else if (k == "--instance-id") a.instance = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
    else if (k == "--violations") a.violations = std::atol(v);
    else if (k == "--seconds") a.seconds = std::atof(v);
    else if (k == "--producers") a.producers = std::max(1, std::atoi(v));
    else if (k == "--rate") a.rate = std::atof(v);
    else if (k == "--players") a.players = std::max(1, std::atoi(v));
    else if (k == "--flush-rows") a.flush_rows = static_cast<std::size_t>(std::atol(v));
    else if (k == "--start-at") a.start_at_ms = std::atoll(v);
    else if (k == "--spill") a.spill = v;
    else usage("unknown option");
  }
  if (a.database.empty()) usage("--database is required");
  return a;
}

// SIGTERM / SIGINT end a timed run early, as if its time were up: the
// script stops a background flood this way and still gets its figures.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void on_signal(int) { interrupted.store(true, std::memory_order_relaxed); }

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Violations as the checks write them: the check's dotted name, its type, a
// detail line and a numbers object of the lengths the real checks produce
// (combat/reach.hpp, timer, autoclicker/cps.hpp, movement). Built before the
// timed call, as the check builds them before the recorder sees them.
struct Shape {
  const char* check;
  const char* type;
  const char* detail;
  const char* numbers;
};
constexpr std::array<Shape, 4> kShapes{{
    {"combat.reach", "distance", "entity 48213 at 3.412 blocks, range 3.000 (margin 0.031)",
     R"({"entity":48213,"distance":3.412118,"range":3.000000,"margin":0.031250,"boxes":1})"},
    {"timer.balance", "balance", "balance -412 ms below -300 ms after 40 packets",
     R"({"balance_ms":-412,"limit_ms":-300,"packets":40})"},
    {"autoclicker.cps", "cps", "23 clicks in 20 ticks (limit 20, 4 ticks above)",
     R"({"clicks":23,"window_ticks":20,"limit":20,"above":4})"},
    {"movement.flight", "hover", "airborne 31 ticks, vertical speed 0.000 b/t (expected -0.784)",
     R"({"ticks":31,"dy":0.000000,"expected_dy":-0.784000,"ground":false})"},
}};

struct Player {
  std::string name;
  protocol::Uuid uuid;
  std::uint64_t session = 0;
};

Violation make_violation(const Player& p, std::uint64_t i, std::int64_t now_ms) {
  const Shape& s = kShapes[i % kShapes.size()];
  Violation v;
  v.time_ms = now_ms;
  v.player_name = p.name;
  v.player_uuid = p.uuid;
  v.check = s.check;
  v.type = s.type;
  v.vl = static_cast<double>(i % 200) * 0.5;
  v.detail = s.detail;
  v.numbers_json = s.numbers;
  v.protocol_version = 763;
  v.ping_ms = 20 + static_cast<std::int32_t>(i % 80);
  v.session_id = p.session;
  return v;
}

std::int64_t pct(const std::vector<std::int64_t>& sorted, double q) {
  return sorted.empty() ? 0 : sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

// CPU seconds used so far by the process or by the calling thread.
double cpu_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

void wait_for_start(const Args& a) {
  if (a.start_at_ms <= 0) return;
  const std::int64_t wait = a.start_at_ms - epoch_ms();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds{wait});
}

// PostgresRecordSink::write() alone, one batch of flush_rows violations at a time.
int run_sink_only(const Args& a) {
  PostgresRecordSink sink;
  if (auto s = sink.open(a.database); !s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.message.c_str());
    return 1;
  }
  const InstanceIds ids{a.instance};
  const PostgresRecordSink::IdRange own[] = {{ids.counter_begin(), ids.counter_end()}};
  std::uint64_t next = 0;
  if (auto s = sink.max_id_in(own, next); !s.ok()) {
    std::fprintf(stderr, "max id: %s\n", s.message.c_str());
    return 1;
  }
  next = std::max(next, ids.counter_begin()) + 1;
  const std::size_t batch = a.flush_rows != 0 ? a.flush_rows : ViolationLogSettings{}.flush_rows;
  Player p{"SinkBench" + std::to_string(a.instance), protocol::Uuid{0x5151, a.instance}, next++};
  std::vector<StorageRecord> records;
  {
    SessionStart start;
    start.id = p.session;
    start.player_uuid = p.uuid;
    start.player_name = p.name;
    start.address = "203.0.113.7:51234";
    start.protocol_version = 763;
    start.start_ms = epoch_ms();
    records.emplace_back(std::move(start));
    if (auto s = sink.write(records); !s.ok()) {
      std::fprintf(stderr, "session: %s\n", s.message.c_str());
      return 1;
    }
  }
  std::vector<std::int64_t> batch_us;
  long written = 0;
  const auto t0 = Clock::now();
  while (written < a.violations) {
    records.clear();
    const std::size_t n = std::min<std::size_t>(batch, static_cast<std::size_t>(a.violations - written));
    for (std::size_t i = 0; i < n; ++i) {
      records.emplace_back(ViolationRecord{next, make_violation(p, next, epoch_ms())});
      ++next;
    }
    const auto b = Clock::now();
    if (auto s = sink.write(records); !s.ok()) {
      std::fprintf(stderr, "write: %s\n", s.message.c_str());
      return 1;
    }
    batch_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - b).count());
    written += static_cast<long>(n);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  double in_write = 0;
  for (auto us : batch_us) in_write += static_cast<double>(us) / 1e6;
  std::sort(batch_us.begin(), batch_us.end());
  std::printf(
      "postgres_bench sink_only instance=%u violations=%ld batch_rows=%zu batches=%zu seconds=%.3f "
      "violations_per_s=%.0f write_violations_per_s=%.0f batch_ms_p50=%.2f batch_ms_p99=%.2f batch_ms_max=%.2f\n",
      a.instance, written, batch, batch_us.size(), secs, static_cast<double>(written) / secs,
      in_write > 0 ? static_cast<double>(written) / in_write : 0.0, static_cast<double>(pct(batch_us, 0.5)) / 1e3,
      static_cast<double>(pct(batch_us, 0.99)) / 1e3, batch_us.empty() ? 0.0 : static_cast<double>(batch_us.back()) / 1e3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (a.sink_only) return run_sink_only(a);
  if (a.seconds > 0) {
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
  }

  std::string dir;
  std::string spill = a.spill;
  if (spill.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rustguard-pgbench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
    spill = dir + "/violations.spill";
  }

  // The proxy's options for `database: postgresql://...` with the config's
  // defaults (violation_log_options), so the batching is what production runs.
  ViolationLogSettings settings;
  settings.instance_id = a.instance;
  settings.spill_path = spill;
  if (a.flush_rows != 0) settings.flush_rows = static_cast<std::uint32_t>(a.flush_rows);
  ViolationLogOptions o = violation_log_options(
      a.database, settings, [](LogLevel, std::string_view line) {
        std::fprintf(stderr, "log: %.*s\n", static_cast<int>(line.size()), line.data());
      });
  use_postgres(o);
  // A flat-out producer outruns any database: park the backlog rather than
  // refuse it, so the figure is the writer's sustained rate, not a drop rate.
  // (The proxy keeps the default 2^20; a real server's violations come at a
  // fraction of this rate.)
  // A timed run (meant with --rate) gets 2^22 records (about 2 GB) of room;
  // past that the producer's records are refused and the run fails.
  if (a.seconds <= 0) o.overflow_capacity = static_cast<std::size_t>(a.violations) + 1024;
  else o.overflow_capacity = std::size_t{1} << 22;

  std::string error;
  auto log = ViolationLog::start(o, error);
  if (!log) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }

  // Logged-in players, as at a server's busy hour: each producer (an io
  // thread) owns some of them and flags them in turn.
  std::vector<Player> players(static_cast<std::size_t>(a.players));
  for (std::size_t i = 0; i < players.size(); ++i) {
    Player& p = players[i];
    p.name = "Player" + std::to_string(a.instance) + "_" + std::to_string(i);
    p.uuid = protocol::Uuid{0x7267'0000'0000'0000ULL | a.instance, i};
    SessionStart s;
    s.player_uuid = p.uuid;
    s.player_name = p.name;
    s.address = "198.51.100." + std::to_string(i % 250 + 1) + ":" + std::to_string(40000 + i);
    s.protocol_version = 763;
    s.start_ms = epoch_ms();
    p.session = log->begin_session(std::move(s));
    log->set_client_brand(p.session, "vanilla");
  }
  if (!log->flush()) {
    std::fprintf(stderr, "sessions could not be stored\n");
    return 1;
  }
  const auto before = log->counters();
  wait_for_start(a);

  const long per_producer = a.violations / a.producers;
  std::vector<std::vector<std::int64_t>> costs(static_cast<std::size_t>(a.producers));
  std::vector<long> produced(static_cast<std::size_t>(a.producers), 0);
  std::vector<long> refused(static_cast<std::size_t>(a.producers), 0);
  std::vector<double> producer_cpu(static_cast<std::size_t>(a.producers), 0.0);
  std::vector<std::thread> threads;
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto wall0 = epoch_ms();
  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
  for (int p = 0; p < a.producers; ++p) {
    threads.emplace_back([&, p] {
      auto& cost = costs[static_cast<std::size_t>(p)];
      cost.reserve(a.seconds > 0 ? std::size_t{1} << 22 : static_cast<std::size_t>(per_producer));
      const double producer_rate = a.rate / a.producers;
      std::uint64_t n = 0;
      // The wall clock as the proxy stamps violations (the index on time_ms
      // sees rising times, as in production), read with the loop's clock.
      std::int64_t now_ms = wall0;
      for (;; ++n) {
        // The clock is read every 256 calls only: the loop's own cost stays
        // out of the figure.
        if ((n & 255) == 0) {
          now_ms = epoch_ms();
          if (a.seconds > 0 ? Clock::now() >= deadline || interrupted.load(std::memory_order_relaxed)
                            : static_cast<long>(n) >= per_producer) {
            break;
          }
          if (producer_rate > 0) {
            std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(static_cast<double>(n) / producer_rate)));
          }
        } else if (a.seconds <= 0 && static_cast<long>(n) >= per_producer) {
          break;
        }
        const Player& pl = players[(n * static_cast<std::uint64_t>(a.producers) + static_cast<std::uint64_t>(p)) %
                                   players.size()];
        Violation v = make_violation(pl, n, now_ms);
        const auto c0 = Clock::now();
        const std::uint64_t id = log->log_violation(std::move(v));
        const auto c1 = Clock::now();
        cost.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(c1 - c0).count());
        if (id == 0) ++refused[static_cast<std::size_t>(p)];
      }
      produced[static_cast<std::size_t>(p)] = static_cast<long>(n);
      producer_cpu[static_cast<std::size_t>(p)] = cpu_seconds(RUSAGE_THREAD);
    });
  }
  for (auto& t : threads) t.join();
  const auto t_produced = Clock::now();
  const bool flushed = log->flush();
  const auto t1 = Clock::now();
  const auto wall1 = epoch_ms();
  const double cpu1 = cpu_seconds(RUSAGE_SELF);
  const auto after = log->counters();
  for (const Player& p : players) log->end_session(p.session, epoch_ms());
  log->stop();
  const auto final_counters = log->counters();

  long violations = 0;
  long refusals = 0;
  double producers_cpu = 0;
  for (std::size_t i = 0; i < produced.size(); ++i) {
    violations += produced[i];
    refusals += refused[i];
    producers_cpu += producer_cpu[i];
  }
  std::vector<std::int64_t> all;
  for (auto& c : costs) all.insert(all.end(), c.begin(), c.end());
  std::sort(all.begin(), all.end());
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  const double produce_secs = std::chrono::duration<double>(t_produced - t0).count();
  const std::uint64_t written = after.written - before.written;
  const std::uint64_t batches = after.batches - before.batches;
  const std::uint64_t accepted = static_cast<std::uint64_t>(violations - refusals);
  // Only violations were logged between the two counter reads, so every
  // record written in between is one of them.
  std::printf(
      "postgres_bench result instance=%u producers=%d violations=%ld written=%llu spilled=%llu dropped=%llu "
      "refused=%ld seconds=%.3f producers_done_s=%.3f violations_per_s=%.0f batches=%llu rows_per_batch=%.0f "
      "overflowed=%llu start_ms=%lld end_ms=%lld\n",
      a.instance, a.producers, violations, static_cast<unsigned long long>(written),
      static_cast<unsigned long long>(final_counters.spilled), static_cast<unsigned long long>(final_counters.dropped),
      refusals, secs, produce_secs, static_cast<double>(written) / secs, static_cast<unsigned long long>(batches),
      batches ? static_cast<double>(written) / static_cast<double>(batches) : 0.0,
      static_cast<unsigned long long>(after.overflowed - before.overflowed), static_cast<long long>(wall0),
      static_cast<long long>(wall1));
  std::printf("postgres_bench latency instance=%u calls=%zu p50_ns=%lld p99_ns=%lld p999_ns=%lld max_ns=%lld\n",
              a.instance, all.size(), static_cast<long long>(pct(all, 0.50)), static_cast<long long>(pct(all, 0.99)),
              static_cast<long long>(pct(all, 0.999)), static_cast<long long>(all.empty() ? 0 : all.back()));
  // The process's CPU between the first violation and the flush, less the
  // producers': the writer thread's share (building the batches, COPY's
  // text, libpq), against the wall time it had.
  std::printf("postgres_bench cpu instance=%u process_s=%.3f producers_s=%.3f writer_s=%.3f wall_s=%.3f\n", a.instance,
              cpu1 - cpu0, producers_cpu, cpu1 - cpu0 - producers_cpu, secs);
  std::fflush(stdout);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  if (!flushed || final_counters.dropped != 0 || refusals != 0) return 2;
  if (written != accepted || final_counters.spilled != 0) return 3;
  return 0;
}
