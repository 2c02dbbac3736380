// rustguard-loadgen: simulated players and a load backend in one process, for
// measuring a proxy (RustGuard, HAProxy, or nothing) under a crowd of honest
// players. See tools/loadgen/README.md.

#include <sys/resource.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/backend.hpp"
#include "loadgen/latency.hpp"
#include "loadgen/player.hpp"
#include "loadgen/report.hpp"
#include "loadgen/self_check.hpp"
#include "loadgen/worker.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace {

using namespace rustguard::loadgen;
using namespace std::chrono_literals;

struct Options {
  std::string target;
  std::uint16_t backend_listen = 25566;
  std::uint32_t players = 10;
  std::int32_t protocol = 769;
  double duration_s = 30;
  double ramp_s = 5;
  double drain_s = 1;
  double move_hz = 20;
  std::size_t threads = 0;
  double attack_every_s = 2;
  double chat_every_s = 30;
  std::uint32_t cheaters = 0;
  double cheat_every_s = 1;
  double login_timeout_s = 30;
  double wait_target_s = 0;
  bool no_tick_end = false;
  bool look_about = false;
  bool json = false;
  bool require_clean = false;
  bool self_check = false;
  BackendOptions backend;
};

std::uint32_t every_ticks(double seconds) {
  return seconds <= 0 ? 0 : static_cast<std::uint32_t>(std::max(1L, std::lround(seconds * 20)));
}

std::optional<tcp::endpoint> resolve(asio::io_context& io, const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  asio::error_code error;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host_port.substr(0, colon), host_port.substr(colon + 1), error);
  if (error || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

// Waits until `target` accepts a TCP connection (a proxy that is still
// starting), at most `seconds`.
bool wait_for(asio::io_context& io, const tcp::endpoint& target, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  do {
    tcp::socket probe(io);
    asio::error_code error;
    probe.connect(target, error);
    if (!error) return true;
    std::this_thread::sleep_for(100ms);
  } while (Clock::now() < until);
  return false;
}

int self_check() {
  SelfCheck check;
  const auto failures = check.run();
  for (const auto& f : failures) std::fprintf(stderr, "self-check: %s\n", f.c_str());
  std::printf("self-check: %zu checks over %zu protocol versions, %zu failed\n", check.checks(),
              rustguard::protocol::supported_versions().size(), failures.size());
  return failures.empty() ? 0 : 1;
}

int run(const Options& o) {
  const auto* version = rustguard::protocol::find_version(o.protocol);
  if (version == nullptr) {
    std::fprintf(stderr, "rustguard-loadgen: protocol %d has no packet table (supported: %d .. %d)\n", o.protocol,
                 rustguard::protocol::kLowestSupportedProtocol, rustguard::protocol::kHighestSupportedProtocol);
    return 2;
  }
  const std::size_t thread_count = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  RunClock clock;
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0; i < thread_count; ++i) workers.push_back(std::make_unique<Worker>(clock));
  Worker& main_worker = *workers.front();

  const bool in_process = o.backend_listen != 0;
  std::vector<std::unique_ptr<PlayerLatency>> latencies;
  if (in_process) {
    latencies.reserve(o.players);
    for (std::uint32_t i = 0; i < o.players; ++i) latencies.push_back(std::make_unique<PlayerLatency>());
  }
  std::unique_ptr<LoadBackend> backend;
  if (in_process) {
    try {
      backend = std::make_unique<LoadBackend>(workers, o.backend, latencies,
                                              tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.backend_listen));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rustguard-loadgen: cannot listen on 127.0.0.1:%u: %s\n", o.backend_listen, e.what());
      return 2;
    }
    backend->start();
  }

  const std::string target_text = o.target == "backend" ? fmt::format("127.0.0.1:{}", o.backend_listen) : o.target;
  if (o.target == "backend" && !in_process) {
    std::fprintf(stderr, "rustguard-loadgen: --target backend needs the in-process backend (--backend-listen)\n");
    return 2;
  }
  const auto target = resolve(main_worker.io, target_text);
  if (!target) {
    std::fprintf(stderr, "rustguard-loadgen: cannot resolve target '%s' (HOST:PORT)\n", target_text.c_str());
    return 2;
  }
  if (o.wait_target_s > 0 && !wait_for(main_worker.io, *target, o.wait_target_s)) {
    std::fprintf(stderr, "rustguard-loadgen: %s did not accept a connection within %.1f s\n", target_text.c_str(),
                 o.wait_target_s);
    return 2;
  }

  PlayerOptions player_options;
  player_options.protocol = o.protocol;
  player_options.host = target_text.substr(0, target_text.rfind(':'));
  player_options.port = target->port();
  player_options.move_hz = o.move_hz;
  player_options.attack_every_ticks = every_ticks(o.attack_every_s);
  player_options.chat_every_ticks = every_ticks(o.chat_every_s);
  player_options.cheaters = o.cheaters;
  player_options.cheat_every_ticks = every_ticks(o.cheat_every_s);
  player_options.other_entities = o.backend.entities;
  player_options.tick_end = !o.no_tick_end;
  player_options.look_about = o.look_about;
  player_options.login_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.login_timeout_s * 1000));

  const auto ramp = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.ramp_s));
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  const auto drain = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.drain_s));
  clock.started = Clock::now();
  clock.measure_from = clock.started + ramp;

  for (auto& w : workers) asio::co_spawn(w->io, w->wheel.run(w->stats), asio::detached);

  // Players connect at a fixed rate over the ramp, round robin over the threads.
  // A wake-up that comes late starts every player already due, so a busy
  // thread does not stretch the ramp past the run (it did: 1,107 of 9,900
  // players were never started, the thread waking late for each one).
  asio::co_spawn(
      main_worker.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(main_worker.io);
        const auto due = [&](std::uint32_t i) { return clock.started + ramp * i / std::max(1u, o.players); };
        for (std::uint32_t i = 0; i < o.players && !clock.stop_sending;) {
          timer.expires_at(due(i));
          co_await timer.async_wait(use_nothrow);
          const auto now = Clock::now();
          for (; i < o.players && due(i) <= now; ++i) {
            Worker& w = *workers[i % workers.size()];
            PlayerLatency* latency = in_process ? latencies[i].get() : nullptr;
            asio::post(w.io, [&w, &player_options, &target, i, latency] {
              std::make_shared<SimulatedPlayer>(w, player_options, i, latency)->start(*target);
            });
          }
        }
      },
      asio::detached);

  // The run's end: stop sending, let in-flight packets arrive, close, stop.
  asio::co_spawn(
      main_worker.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(main_worker.io);
        timer.expires_at(clock.started + ramp + duration);
        co_await timer.async_wait(use_nothrow);
        clock.stop_sending = true;
        timer.expires_after(drain);
        co_await timer.async_wait(use_nothrow);
        clock.closing = true;  // each connection closes at its next tick
        timer.expires_after(200ms);
        co_await timer.async_wait(use_nothrow);
        if (backend) backend->stop();
        for (auto& w : workers) {
          asio::post(w->io, [&w = *w] {
            w.wheel.stop();
            w.io.stop();
          });
        }
      },
      asio::detached);

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers.size(); ++i) threads.emplace_back([&w = *workers[i]] { w.io.run(); });
  main_worker.io.run();
  for (auto& t : threads) t.join();
  const auto ended = Clock::now();

  Stats total;
  for (const auto& w : workers) total.merge(w->stats);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  RunDescription description;
  description.target = target_text;
  description.protocol = o.protocol;
  description.release = std::string(version->release_names());
  description.players = o.players;
  description.move_hz = o.move_hz;
  description.duration_s = o.duration_s;
  description.ramp_s = o.ramp_s;
  description.threads = thread_count;
  description.compression_threshold = o.backend.compression_threshold;
  description.backend_in_process = in_process;
  description.wall_s = std::chrono::duration<double>(ended - clock.started).count();
  description.cpu_user_s =
      static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6;
  description.cpu_system_s =
      static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) / 1e6;
  description.max_rss_kib = static_cast<std::uint64_t>(usage.ru_maxrss);
  std::fputs(summary(description, total).c_str(), stdout);
  if (o.json) std::printf("%s\n", json_line(description, total).c_str());
  std::fflush(stdout);

  backend.reset();
  if (!o.require_clean) return 0;
  const bool clean = total.players_logged_in == o.players && total.login_failures.empty() &&
                     total.play_disconnects.empty() && total.serverbound.mismatches == 0 &&
                     total.clientbound.mismatches == 0 && total.serverbound.lost == 0 && total.clientbound.lost == 0 &&
                     total.backend_errors == 0;
  if (!clean) std::fprintf(stderr, "rustguard-loadgen: --require-clean: the run was not clean (see above)\n");
  return clean ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"rustguard-loadgen: simulated honest players and a load backend, with one-way latency both ways"};
  app.add_option("--target", o.target,
                 "Where players connect, HOST:PORT (a proxy), or 'backend' for the in-process "
                 "backend directly");
  app.add_option("--backend-listen", o.backend_listen,
                 "Port of the in-process backend on 127.0.0.1; 0: no backend here (it runs elsewhere)")
      ->capture_default_str();
  app.add_option("--players", o.players, "Simulated players")->capture_default_str();
  app.add_option("--protocol", o.protocol, "Protocol number (47 = 1.8.x, 769 = 1.21.4, ...)")->capture_default_str();
  app.add_option("--duration", o.duration_s, "Seconds of play after the ramp")->capture_default_str();
  app.add_option("--ramp", o.ramp_s, "Seconds over which players connect, at a fixed rate")->capture_default_str();
  app.add_option("--drain", o.drain_s, "Seconds for in-flight packets to arrive at the end")->capture_default_str();
  app.add_option("--move-hz", o.move_hz, "Movement packets per second: 20 walks, below 20 stands still (idle lobby)")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "io threads; 0: one per core")->capture_default_str();
  app.add_option("--compression-threshold", o.backend.compression_threshold,
                 "The backend's Set Compression threshold; negative: none")
      ->capture_default_str();
  app.add_option("--entities", o.backend.entities, "Other entities moving around each player")->capture_default_str();
  app.add_option("--entity-hz", o.backend.entity_hz, "Moves per second of each entity")->capture_default_str();
  app.add_option("--chunks-per-second", o.backend.chunks_per_second, "Chunk Data per player per second")
      ->capture_default_str();
  app.add_option("--chunk-bytes", o.backend.chunk_bytes, "Uncompressed size of one Chunk Data")->capture_default_str();
  app.add_option("--spawn-chunk-radius", o.backend.spawn_chunk_radius, "Chunks sent at spawn: (2r+1)^2")
      ->capture_default_str();
  app.add_option("--attack-every", o.attack_every_s, "Seconds between swing + attack of each player; 0: never")
      ->capture_default_str();
  app.add_option("--chat-every", o.chat_every_s, "Seconds between chat lines of each player; 0: never")
      ->capture_default_str();
  app.add_option("--cheaters", o.cheaters,
                 "The first N players also attack their own entity (badpackets.self_attack), to make a proxy's "
                 "punishment ladders act")
      ->capture_default_str();
  app.add_option("--cheat-every", o.cheat_every_s, "Seconds between a cheater's self-attacks; 0: never")
      ->capture_default_str();
  app.add_option("--login-timeout", o.login_timeout_s, "Seconds a player may take to reach play")
      ->capture_default_str();
  app.add_option("--wait-target", o.wait_target_s, "Wait up to this many seconds for the target to accept connections")
      ->capture_default_str();
  app.add_flag("--no-tick-end", o.no_tick_end,
               "1.21.2+: send no Client Tick End (as mineflayer), instead of one per tick (as vanilla)");
  app.add_flag("--look-about", o.look_about,
               "Walkers turn their view a little on most ticks (a rotation in most movement packets, as players "
               "send), instead of only at each new waypoint");
  app.add_flag("--json", o.json, "Also print the results as one JSON line (the last line of stdout)");
  app.add_flag("--require-clean", o.require_clean,
               "Exit 1 unless every player logged in and stayed, and no measured packet was mismatched or lost");
  app.add_flag("--self-check", o.self_check,
               "Decode every packet this tool writes with RustGuard's decoders, for every version, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (o.self_check) return self_check();
  if (o.target.empty()) {
    std::fprintf(stderr, "rustguard-loadgen: --target is required (HOST:PORT, or 'backend')\n");
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rustguard-loadgen: %s\n", e.what());
    return 2;
  }
}
