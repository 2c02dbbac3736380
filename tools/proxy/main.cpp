// rustguard: the live anti-cheat proxy. Players connect here; bytes go on to
// the backend through the core's connection session. See docs/architecture.md
// for how a packet flows and docs/deployment.md for how to run it.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "../common/cli_overrides.hpp"
#include "../common/exit_codes.hpp"
#include "../common/log.hpp"
#include "admin_server.hpp"
#include "connection.hpp"
#include "io_pool.hpp"
#include "rate_limiter.hpp"
#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/violation_log.hpp"

namespace {

using namespace rustguard;
using asio::ip::tcp;

struct Server {
  proxy::IoPool& pool;
  std::vector<std::unique_ptr<proxy::ConnectionRegistry>>& registries;
  proxy::ProxyState& state;
  std::shared_ptr<const proxy::RuntimeConfig> config;  // main thread only
  proxy::PerIpRateLimiter rate_limiter;
  std::uint64_t next_id = 1;
  bool stopping = false;
};

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Server& server) {
  for (;;) {
    const std::size_t index = server.pool.next_index();
    auto [error, socket] = co_await acceptor.async_accept(server.pool.context(index), proxy::use_nothrow);
    if (error) {
      if (error == asio::error::operation_aborted || server.stopping) co_return;
      tools::log_warn("accept failed: {}", error.message());
      continue;
    }
    const auto& cfg = server.config->config;
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
    if (!server.config->is_trusted(ip) && !server.rate_limiter.allow(ip, server.state.clock.now_us())) {
      metrics.limit_hit(proxy::Limit::per_ip_rate);
      tools::log_warn("refused {}: more than {} new connections per second from this address (connections.per_ip_rate)",
                      peer_text, cfg.connections.per_ip_rate);
      continue;
    }
    asio::co_spawn(server.pool.context(index),
                   proxy::serve_connection(std::move(socket), server.next_id++, server.state,
                                                      *server.registries[index], server.config),
                   asio::detached);
  }
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
  raise_file_limit();

  // One violation log per process; its writer thread stores what every
  // connection reports. A database that cannot be written is retried and
  // spilled (never silently dropped); only a second writer is fatal.
  adapters::ViolationLogOptions log_options = adapters::violation_log_options(config, tools::log_callback("violation log"));
  std::string storage_error;
  std::unique_ptr<adapters::ViolationLog> violation_log = adapters::ViolationLog::start(std::move(log_options), storage_error);
  if (!violation_log) {
    tools::log_error("violation log {}: {}", config.database, storage_error);
    return tools::to_int(tools::ExitCode::failure);
  }

  proxy::IoPool pool(config.threads);
  std::vector<std::unique_ptr<proxy::ConnectionRegistry>> registries;
  for (std::size_t i = 0; i < pool.size(); ++i) registries.push_back(std::make_unique<proxy::ConnectionRegistry>());
  proxy::ProxyState state;
  state.violation_log = violation_log.get();
  state.metrics.storage = [log = violation_log.get()] {
    const auto c = log->counters();
    return proxy::StorageFigures{c.accepted, c.written, c.spilled, c.imported, c.retried, c.dropped, c.rejected,
                                 log->disk_bytes()};
  };
  Server server{pool, registries, state, std::make_shared<const proxy::RuntimeConfig>(config),
                proxy::PerIpRateLimiter(config.connections.per_ip_rate, config.connections.per_ip_burst)};

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
  tools::log_info("rustguard listening on {}, backend {}, metrics http://{}/metrics, {} io threads",
                  config.listen.to_string(), config.backend.to_string(), config.admin.to_string(), pool.size());

  // A last resort if some connection cannot finish flushing: stop anyway.
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool finished = false;
  std::thread hard_stop;

  asio::signal_set signals(pool.main(), SIGINT, SIGTERM, SIGHUP);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      try {
        Config fresh = adapters::load_config(flags.config_path, flags.overrides());
        // Listen/admin addresses and the thread count apply at the next start.
        fresh.listen = config.listen;
        fresh.admin = config.admin;
        fresh.threads = config.threads;
        tools::Log::instance().set_level(fresh.log_level);
        server.rate_limiter.configure(fresh.connections.per_ip_rate, fresh.connections.per_ip_burst);
        server.config = std::make_shared<const proxy::RuntimeConfig>(fresh);
        if (fresh.database != config.database) {
          tools::log_warn("config reload: database {} applies at the next start; still writing {}", fresh.database,
                          config.database);
          fresh.database = config.database;
        }
        config = fresh;
        tools::log_info("config reloaded from {} (applies to new connections; open ones keep their checks config)",
                        flags.config_path);
      } catch (const adapters::ConfigError& e) {
        tools::log_error("config reload rejected, keeping the previous config: {}", e.what());
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
    for (std::size_t i = 0; i < pool.size(); ++i) {
      asio::post(pool.context(i), [registry = registries[i].get()] { registry->shutdown_all(); });
    }
    pool.release();
    const auto grace = std::chrono::milliseconds(config.connections.shutdown_flush_ms + 3000);
    hard_stop = std::thread([&, grace] {
      std::unique_lock lock(stop_mutex);
      if (!stop_cv.wait_for(lock, grace, [&] { return finished; })) {
        tools::log_warn("connections still open after {} ms; stopping anyway", grace.count());
        pool.stop();
      }
    });
  };
  signals.async_wait(on_signal);

  asio::co_spawn(pool.main(), accept_loop(acceptor, server), asio::detached);
  asio::co_spawn(pool.main(), proxy::admin_loop(admin, state.metrics, state.players), asio::detached);
  pool.run();
  {
    std::lock_guard lock(stop_mutex);
    finished = true;
  }
  stop_cv.notify_all();
  if (hard_stop.joinable()) hard_stop.join();
  // Every connection has ended (and logged its session end): store what is
  // still pending before exiting.
  violation_log->stop();
  const auto stored = violation_log->counters();
  // Records that went through the spill file and were imported before the
  // stop are fine; only lost ones (error) or ones still waiting (warn) are news.
  if (const auto report = violation_log->stop_report(); report.level != LogLevel::info) {
    tools::Log::instance().write(report.level, "violation log {}: {}", config.database, report.text);
  }
  tools::log_info("rustguard stopped; violation log: {} records written", stored.written + stored.imported);
  return tools::to_int(tools::ExitCode::ok);
}
