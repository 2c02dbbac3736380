// Sustained violations per second into SQLite through the violation log, the
// rows per committed batch, and what a producer pays per enqueue (p50/p99).
//
//   rustguard_bench_storage [violations=2000000] [producers=1] [offered/s=0: flat out] [db path]
//
// With an offered rate the producers pace themselves (in steps of 1000), which
// shows the enqueue cost of the lock-free channel path rather than the
// overflow list a flat-out producer fills.
//
// The rate is end to end: from the first enqueue until stop() has committed
// the last row, so a writer that falls behind shows up in the figure.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "rustguard/adapters/violation_log.hpp"

using namespace rustguard;
using namespace rustguard::adapters;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  const int producers = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
  const double offered = argc > 3 ? std::atof(argv[3]) : 0.0;
  std::string dir;
  std::string db;
  if (argc > 4) {
    db = argv[4];
  } else {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rustguard-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
    db = dir + "/bench.db";
  }

  ViolationLogOptions o;
  o.database_path = db;
  // Producers here outrun any disk; park the whole run rather than refuse, so
  // the figure is the writer's sustained rate, not a drop rate.
  o.overflow_capacity = static_cast<std::size_t>(total) + 16;
  o.log = [](rustguard::LogLevel, std::string_view line) { std::fprintf(stderr, "log: %.*s\n", static_cast<int>(line.size()), line.data()); };
  std::string error;
  auto log = ViolationLog::start(o, error);
  if (!log) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }

  const long per_producer = total / producers;
  std::vector<std::vector<std::int64_t>> costs(static_cast<std::size_t>(producers));
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      SessionStart s;
      s.player_uuid = protocol::Uuid{0x42, static_cast<std::uint64_t>(p)};
      s.player_name = "Bench" + std::to_string(p);
      s.address = "192.0.2.1:50000";
      s.protocol_version = 763;
      s.start_ms = 1'700'000'000'000;
      const auto session = log->begin_session(s);
      auto& cost = costs[static_cast<std::size_t>(p)];
      cost.reserve(static_cast<std::size_t>(per_producer));
      const char* checks[] = {"timer", "reach", "flight", "autoclicker"};
      const auto start = Clock::now();
      for (long i = 0; i < per_producer; ++i) {
        if (offered > 0 && i % 1000 == 0) {
          const double due_s = static_cast<double>(i) * producers / offered;
          std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(due_s)));
        }
        Violation v;
        v.time_ms = 1'700'000'000'000 + i / 50;
        v.player_name = s.player_name;
        v.player_uuid = s.player_uuid;
        v.check = checks[i & 3];
        v.type = "balance";
        v.vl = static_cast<double>(i % 100) * 0.5;
        v.detail = "balance -412 ms below -300 ms";
        v.numbers_json = R"({"balance_ms":-412,"limit_ms":-300})";
        v.protocol_version = 763;
        v.ping_ms = 35;
        v.session_id = session;
        const auto a = Clock::now();
        log->log_violation(std::move(v));
        cost.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - a).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto t_enqueued = Clock::now();
  log->stop();
  const auto t1 = Clock::now();

  std::vector<std::int64_t> all;
  for (auto& c : costs) all.insert(all.end(), c.begin(), c.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double q) { return all.empty() ? 0 : all[static_cast<std::size_t>(q * static_cast<double>(all.size() - 1))]; };
  const auto c = log->counters();
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  const double enqueue_secs = std::chrono::duration<double>(t_enqueued - t0).count();
  std::printf("violations:            %llu written, %llu dropped, %llu overflowed, %llu spilled\n",
              static_cast<unsigned long long>(c.written), static_cast<unsigned long long>(c.dropped),
              static_cast<unsigned long long>(c.overflowed), static_cast<unsigned long long>(c.spilled));
  std::printf("sustained:             %.0f violations/s into SQLite (%.2f s end to end, producers done after %.2f s)\n",
              static_cast<double>(c.written) / secs, secs, enqueue_secs);
  std::printf("rows per batch:        %.0f (%llu batches)\n",
              c.batches ? static_cast<double>(c.written) / static_cast<double>(c.batches) : 0.0,
              static_cast<unsigned long long>(c.batches));
  std::printf("enqueue cost:          p50 %lld ns, p99 %lld ns, p99.9 %lld ns, max %lld ns\n",
              static_cast<long long>(pct(0.50)), static_cast<long long>(pct(0.99)),
              static_cast<long long>(pct(0.999)), static_cast<long long>(all.empty() ? 0 : all.back()));
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return c.dropped == 0 ? 0 : 2;
}
