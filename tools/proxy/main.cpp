// rustguard: the live anti-cheat proxy. Players connect here; bytes go on to
// the backend through the core's connection session. See docs/architecture.md
// for how a packet flows and docs/deployment.md for how to run it.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <csignal>
#include <functional>
#include <memory>
#include <string_view>

#include "../common/cli_overrides.hpp"
#include "../common/exit_codes.hpp"
#include "../common/log.hpp"
#include "accept_backoff.hpp"
#include "admin_server.hpp"
#include "connection.hpp"
#include "io_pool.hpp"
#include "rate_limiter.hpp"
#include "reload.hpp"
#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/violation_log.hpp"
#if RUSTGUARD_WITH_POSTGRES
#include "rustguard/adapters/postgres_log_database.hpp"
#include "rustguard/adapters/postgres_player_history.hpp"
#include "strike_sync.hpp"
#endif
#include "shutdown.hpp"

namespace {

using namespace rustguard;
using asio::ip::tcp;

struct Server {
  proxy::IoPool& pool;
  proxy::Shutdown& shutdown;
  proxy::ProxyState& state;
  proxy::LiveConfig& config;  // main thread only
  proxy::PerIpRateLimiter rate_limiter;
  proxy::AcceptBackoff accept_backoff;
  std::uint64_t next_id = 1;
  bool stopping = false;
};

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Server& server) {
  for (;;) {
    const std::size_t index = server.pool.next_index();
    auto [error, socket] = co_await acceptor.async_accept(server.pool.context(index), proxy::use_nothrow);
    if (error) {
      if (error == asio::error::operation_aborted || server.stopping) co_return;
      // Out of file descriptors the listening socket stays readable: pause
      // instead of spinning, and log once per interval with a count.
      const proxy::AcceptErrorKind kind = proxy::accept_error_kind(error);
      server.state.metrics.accept_error(kind);
      const auto decision = server.accept_backoff.failed(std::chrono::steady_clock::now(), kind);
      if (decision.log) {
        tools::log_warn("{}", proxy::accept_failure_line(error.message(), *decision.log, decision.pause,
                                                         std::chrono::milliseconds(1000)));
      }
      if (decision.pause.count() > 0) {
        proxy::Metrics::add(server.state.metrics.accept_pauses);
        asio::steady_timer pause(acceptor.get_executor());
        pause.expires_after(decision.pause);
        co_await pause.async_wait(proxy::use_nothrow);
        if (server.stopping) co_return;
      }
      continue;
    }
    server.accept_backoff.accepted();
    const std::shared_ptr<const proxy::RuntimeConfig> runtime = server.config.runtime();
    const auto& cfg = runtime->config;
    asio::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) continue;
    const net::IpAddress ip = proxy::to_ip(peer.address());
    const std::string peer_text = net::Endpoint{ip, peer.port()}.to_string();
    auto& metrics = server.state.metrics;
    if (metrics.get(metrics.connections_current) >= cfg.connections.max_connections) {
      metrics.limit_hit(proxy::Limit::max_connections);
      tools::log_warn("refused {}: {} connections open (connections.max_connections)", peer_text,
                      cfg.connections.max_connections);
      continue;  // the socket closes here
    }
    // A trusted load balancer carries many players from one address; their
    // own addresses are only known after its PROXY header.
    if (!runtime->is_trusted(ip) && !server.rate_limiter.allow(ip, server.state.clock.now_us())) {
      metrics.limit_hit(proxy::Limit::per_ip_rate);
      tools::log_warn("refused {}: more than {} new connections per second from this address (connections.per_ip_rate)",
                      peer_text, cfg.connections.per_ip_rate);
      continue;
    }
    asio::co_spawn(server.pool.context(index),
                   proxy::serve_connection(std::move(socket), server.next_id++, server.state,
                                           server.shutdown.registry(index), server.pool.lag(index), runtime),
                   asio::detached);
  }
}

#if RUSTGUARD_WITH_POSTGRES
using StrikeSyncPtr = std::unique_ptr<proxy::StrikeSync>;
#else
struct NoStrikeSync {};
using StrikeSyncPtr = std::unique_ptr<NoStrikeSync>;
#endif

// The ladders' unexpired strikes: from the SQLite file once, or from a
// fleet's PostgreSQL store at start and then every punishments.strike_sync
// (the returned sync thread, which must not outlive `outlets`).
StrikeSyncPtr load_strikes(proxy::ActionOutlets& outlets, const Config& config) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto& p = config.checks.punishments;
  if (p.groups.empty()) return {};
  if (is_database_url(config.database)) {
#if RUSTGUARD_WITH_POSTGRES
    auto sync = std::make_unique<proxy::StrikeSync>(
        adapters::PostgresStrikeReader(config.database, adapters::InstanceIds{config.violation_log.instance_id},
                                       std::chrono::seconds(10)),
        outlets.strikes, std::chrono::milliseconds(p.strike_sync_ms), p.strike_expiry_ms);
    sync->read_at_start();
    sync->start();
    return sync;
#else
    return {};  // the violation log refuses the URL at start
#endif
  }
  if (const auto s = outlets.strikes.load(config.database, now_ms - p.strike_expiry_ms); !s.ok()) {
    tools::log_error("punishments: cannot read the strikes in {} ({}); the ladders count this run's strikes only",
                     config.database, s.message);
    return {};
  }
  if (outlets.strikes.loaded() > 0) tools::log_info("punishments: {} unexpired strike(s) read", outlets.strikes.loaded());
  return {};
}

// Where GET /players?name=X reads a player's recent violations: the
// violation log's database (a fleet's shared store: every instance's).
std::unique_ptr<adapters::PlayerHistorySource> player_history_source(const Config& config) {
#if RUSTGUARD_WITH_POSTGRES
  if (is_database_url(config.database)) {
    return std::make_unique<adapters::PostgresPlayerHistory>(config.database, std::chrono::seconds(5));
  }
#endif
  return std::make_unique<adapters::SqlitePlayerHistory>(config.database);
}

// The RCON client (on the main executor) and the webhook sender, when
// enabled. RCON is tried at once: a wrong password or a closed port is an
// error in the log before the first command needs it, not a reason to stop.
void start_outlets(proxy::ActionOutlets& outlets, const Config& config, proxy::IoPool& pool) {
  outlets.server_name = config.checks.punishments.server_name;
  for (const auto& group : config.checks.punishments.groups) {
    for (const auto& step : group.steps) {
      for (const auto& action : step.actions) {
        if (action.type == actions::ActionType::setback && !config.checks.engine.setbacks) {
          tools::log_warn("punishments.groups.{}: setback does nothing while checks.engine.setbacks is false",
                          group.name);
        }
      }
    }
  }
  if (config.rcon.enabled) {
    outlets.rcon_executor = pool.main().get_executor();
    outlets.rcon = std::make_unique<proxy::RconClient>(outlets.rcon_executor, config.rcon,
                                                       [](std::string_view line) { tools::log_warn("rcon: {}", line); });
    outlets.rcon->start();
    tools::log_info("rcon: commands go to {}:{}", config.rcon.host, config.rcon.port);
  }
  if (config.webhook.enabled) {
    outlets.webhook = std::make_unique<proxy::WebhookSender>(
        config.webhook, [](std::string_view line) { tools::log_warn("webhook: {}", line); });
    tools::log_info("webhook: alerts are posted every {} ms at most per player", config.webhook.interval.count());
  }
}

proxy::ActionFigures outlet_figures(const proxy::ActionOutlets& o) {
  proxy::ActionFigures f;
  if (o.rcon) {
    const auto& c = o.rcon->counters();
    f.rcon_enabled = true;
    f.rcon_connected = c.connected.load(std::memory_order_relaxed);
    f.rcon_sent = c.sent.load(std::memory_order_relaxed);
    f.rcon_failed = c.failed.load(std::memory_order_relaxed);
    f.rcon_reconnects = c.reconnects.load(std::memory_order_relaxed);
    f.rcon_connect_failures = c.connect_failures.load(std::memory_order_relaxed);
    f.rcon_queue = c.queue_depth.load(std::memory_order_relaxed);
  }
  if (o.webhook) {
    const auto& c = o.webhook->counters();
    f.webhook_enabled = true;
    f.webhook_sent = c.sent.load(std::memory_order_relaxed);
    f.webhook_failed = c.failed.load(std::memory_order_relaxed);
    f.webhook_dropped = c.dropped.load(std::memory_order_relaxed);
    f.webhook_retried = c.retried.load(std::memory_order_relaxed);
    f.webhook_rate_limited = c.rate_limited.load(std::memory_order_relaxed);
    f.webhook_waiting = c.waiting.load(std::memory_order_relaxed);
  }
  return f;
}

void raise_file_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rustguard: anti-cheat proxy for Minecraft Java Edition"};
  tools::CommonFlags flags;
  flags.add_to(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? tools::to_int(tools::ExitCode::ok) : tools::to_int(tools::ExitCode::usage);
  }

  Config config;
  try {
    config = adapters::load_config(flags.config_path, flags.overrides());
  } catch (const adapters::ConfigError& e) {
    tools::log_error("config: {}", e.what());
    return tools::to_int(tools::ExitCode::config);
  }
  tools::Log::instance().set_level(config.log_level);
  proxy::LiveConfig::log_model_stage(config, [](LogLevel level, std::string_view text) {
    if (level == LogLevel::error) {
      tools::log_error("{}", text);
    } else {
      tools::log_info("{}", text);
    }
  });
  raise_file_limit();

  // The ladders' unexpired strikes, read before the violation log opens the
  // file for writing (and migrates it). Unreadable: logged, the ladders
  // start from this process's strikes only.
  proxy::ActionOutlets outlets;
  const StrikeSyncPtr strike_sync = load_strikes(outlets, config);
  // One violation log per process; its writer thread stores what every
  // connection reports. A database that cannot be written is retried and
  // spilled (never silently dropped); only a second writer is fatal.
  adapters::ViolationLogOptions log_options = adapters::violation_log_options(config, tools::log_callback("violation log"));
#if RUSTGUARD_WITH_POSTGRES
  if (is_database_url(config.database)) adapters::use_postgres(log_options);
#endif
  std::string storage_error;
  std::unique_ptr<adapters::ViolationLog> violation_log = adapters::ViolationLog::start(std::move(log_options), storage_error);
  if (!violation_log) {
    tools::log_error("violation log {}: {}", redacted_database(config.database), storage_error);
    return tools::to_int(tools::ExitCode::failure);
  }

  // The clip rings' budget: fixed at start (a reload's clips.max_total_bytes
  // takes a restart); rings exist only while clips.enabled. Made before the
  // pool, whose connections return their rings' bytes to it.
  adapters::ClipBudget clip_budget(config.clips.max_total_bytes);
  proxy::IoPool pool(config.threads, config.io_uring);
  proxy::Shutdown shutdown(pool);
  proxy::ProxyState state;
  state.violation_log = violation_log.get();
  state.players.set_staff_alerts(config.staff_alerts);
  start_outlets(outlets, config, pool);
  state.actions = &outlets;
  state.metrics.actions = [&outlets] { return outlet_figures(outlets); };
  state.metrics.storage = [log = violation_log.get()] {
    const auto c = log->counters();
    return proxy::StorageFigures{c.accepted, c.written, c.spilled, c.imported, c.retried, c.dropped, c.rejected,
                                 log->disk_bytes()};
  };
  state.metrics.event_loop_lag = [&pool] { return pool.max_published_lag(); };
  state.metrics.clock_ms = [&clock = state.clock] { return clock.now_us() / 1000; };
  // Session recordings: the writer starts with the first config that names
  // a player to record (this one or a reload), or with the first request on
  // the admin address, and stays until exit; its folder and limits are the
  // ones of the config in force then.
  std::unique_ptr<proxy::RecordingWriter> recordings;
  auto start_recordings = [&](const RecordingSettings& settings, bool wanted) {
    if (recordings || !wanted) return true;
    auto writer = std::make_unique<proxy::RecordingWriter>(settings, tools::log_callback("recordings"));
    if (!writer->ok()) {
      tools::log_error("recordings: {}", writer->error());
      return false;
    }
    recordings = std::move(writer);
    state.recordings.store(recordings.get(), std::memory_order_release);
    tools::log_info("recording sessions into {}", recordings->folder().string());
    return true;
  };
  if (!start_recordings(config.recordings, config.recordings.enabled())) return tools::to_int(tools::ExitCode::failure);
  state.clip_budget = &clip_budget;
  state.metrics.clip_rings = [&clip_budget] { return std::pair{clip_budget.used(), clip_budget.limit()}; };
  // Evidence clips' writer: with clips.enabled at start (turning clips on
  // by a reload takes a restart; off by a reload: new connections keep no
  // ring). Its folder and limits are fixed at start.
  std::unique_ptr<proxy::ClipWriter> clip_writer;
  if (config.clips.enabled) {
    ClipSettings clips = config.clips;
    // Next to the database file; for a PostgreSQL database, next to the
    // spill file (by default the config file's folder).
    if (clips.folder.empty()) {
      const std::string next_to = is_database_url(config.database)
                                      ? violation_spill_path(config.database, config.violation_log)
                                      : config.database;
      clips.folder = (std::filesystem::path(next_to).parent_path() / "clips").string();
    }
    clip_writer = std::make_unique<proxy::ClipWriter>(clips, tools::log_callback("clips"));
    if (!clip_writer->ok()) {
      tools::log_error("clips: {}", clip_writer->error());
      return tools::to_int(tools::ExitCode::failure);
    }
    state.clip_writer = clip_writer.get();
    tools::log_info("evidence clips into {}", clip_writer->folder().string());
  }
  state.metrics.clips = [w = clip_writer.get()]() -> std::optional<proxy::ClipFigures> {
    if (w == nullptr) return std::nullopt;
    return w->figures();
  };
  state.metrics.recordings = [&state]() -> std::optional<proxy::RecordingFigures> {
    const proxy::RecordingWriter* w = state.recordings.load(std::memory_order_acquire);
    if (w == nullptr) return std::nullopt;
    return w->figures();
  };
  // SIGHUP reloads the file with the same command-line overrides.
  proxy::LiveConfig live(
      config, flags.config_path, [&flags] { return adapters::load_config(flags.config_path, flags.overrides()); },
      [](LogLevel level, std::string_view text) { tools::Log::instance().write(level, "{}", text); });
  Server server{pool, shutdown, state, live,
                proxy::PerIpRateLimiter(config.connections.per_ip_rate, config.connections.per_ip_burst),
                proxy::AcceptBackoff{}};

  // The signals are caught before the ports open: a script that sends
  // SIGHUP as soon as it can connect must not meet SIGHUP's default action
  // (the end of the process). Asio queues a signal that comes before the
  // first async_wait below. (CI: e2e_failures "reload" under ASan.)
  asio::signal_set signals(pool.main(), SIGINT, SIGTERM, SIGHUP);
  tcp::acceptor acceptor(pool.main());
  tcp::acceptor admin(pool.main());
  auto open = [](tcp::acceptor& a, const Endpoint& where) {
    const tcp::endpoint endpoint(asio::ip::make_address(where.host), where.port);
    a.open(endpoint.protocol());
    a.set_option(tcp::acceptor::reuse_address(true));
    a.bind(endpoint);
    a.listen(1024);
  };
  try {
    open(acceptor, config.listen);
  } catch (const std::exception& e) {
    tools::log_error("cannot listen on {}: {}", config.listen.to_string(), e.what());
    return tools::to_int(tools::ExitCode::failure);
  }
  try {
    open(admin, config.admin);
  } catch (const std::exception& e) {
    tools::log_error("cannot serve /metrics on {}: {}", config.admin.to_string(), e.what());
    return tools::to_int(tools::ExitCode::failure);
  }
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (live.reload()) {
        const Config& fresh = live.config();
        tools::Log::instance().set_level(fresh.log_level);
        server.rate_limiter.configure(fresh.connections.per_ip_rate, fresh.connections.per_ip_burst);
        state.players.set_staff_alerts(fresh.staff_alerts);  // at once, for staff already online too
#if RUSTGUARD_WITH_POSTGRES
        if (strike_sync) strike_sync->set_expiry(fresh.checks.punishments.strike_expiry_ms);
#endif
        start_recordings(fresh.recordings, fresh.recordings.enabled());
        if (recordings && fresh.recordings.folder != recordings->folder().string() && fresh.recordings.enabled()) {
          tools::log_warn("recordings: still writing into {}; a new folder takes a restart",
                          recordings->folder().string());
        }
      }
      signals.async_wait(on_signal);
      return;
    }
    tools::log_info("signal {}: stopping; disconnecting {} connection(s)", signal,
                    state.metrics.get(state.metrics.connections_current));
    server.stopping = true;
    asio::error_code ignored;
    acceptor.close(ignored);
    admin.close(ignored);
    // Commands still queued fail ("stopped", an actions row each); the
    // client ends once the executor has run its completions.
    if (outlets.rcon) outlets.rcon->stop();
    // A last resort if some connection cannot finish flushing: stop anyway.
    shutdown.begin(std::chrono::milliseconds(live.config().connections.shutdown_flush_ms + 3000));
  };
  signals.async_wait(on_signal);
  // Said only now that SIGHUP and SIGTERM are handled: scripts (and the e2e
  // suites) take this line as "ready", and a SIGHUP before the signal set
  // existed would have ended the process (its default action) or been lost.
  tools::log_info("rustguard listening on {}, backend {}, metrics http://{}/metrics, {} io threads",
                  config.listen.to_string(), config.backend.to_string(), config.admin.to_string(), pool.size());

  asio::co_spawn(pool.main(), accept_loop(acceptor, server), asio::detached);
  // POST /recordings?player=NAME starts the writer if no config did, with
  // the folder and limits of the config in force.
  proxy::AdminRecordings admin_recordings{state.recording_requests, [&]() -> std::string {
    if (recordings) return {};
    if (!start_recordings(live.config().recordings, true)) return "cannot start the writer (see the log)";
    return {};
  }};
  // After the pool: it goes first, so a read still running hands its answer
  // to a main context that still exists.
  proxy::PlayerHistoryService history(player_history_source(config));
  asio::co_spawn(pool.main(), proxy::admin_loop(admin, state.metrics, state.players, &admin_recordings, &history),
                 asio::detached);
  pool.run();
  shutdown.finished();
  // Alerts still waiting for the webhook get one attempt within stop_grace.
  if (outlets.webhook) outlets.webhook->stop();
  // The RCON client's socket and timers belong to the pool's main context:
  // they go while it still exists (outlets was made before the pool, to read
  // the strikes before the violation log opens the file).
  outlets.rcon.reset();
  // Every connection has ended (and logged its session end): store what is
  // still pending before exiting.
  if (recordings) recordings->stop();
  if (clip_writer) clip_writer->stop();
  violation_log->stop();
  const auto stored = violation_log->counters();
  // Records that went through the spill file and were imported before the
  // stop are fine; only lost ones (error) or ones still waiting (warn) are news.
  if (const auto report = violation_log->stop_report(); report.level != LogLevel::info) {
    tools::Log::instance().write(report.level, "violation log {}: {}", redacted_database(config.database), report.text);
  }
  tools::log_info("rustguard stopped; violation log: {} records written", stored.written + stored.imported);
  return tools::to_int(tools::ExitCode::ok);
}
