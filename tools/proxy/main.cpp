// rustguard: the live anti-cheat proxy. Players connect here; bytes go on to
// the backend. See docs/architecture.md for how a packet flows.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>

#include "../common/cli_overrides.hpp"
#include "../common/exit_codes.hpp"
#include "../common/log.hpp"
#include "forwarder.hpp"
#include "io_pool.hpp"
#include "rustguard/adapters/config_loader.hpp"

namespace {

using namespace rustguard;
using asio::ip::tcp;

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, proxy::IoPool& pool, const Config& config) {
  for (;;) {
    auto& ctx = pool.next();
    auto [error, socket] = co_await acceptor.async_accept(ctx, proxy::use_nothrow);
    if (error) {
      if (error == asio::error::operation_aborted) co_return;
      tools::log_warn("accept failed: {}", error.message());
      continue;
    }
    asio::co_spawn(ctx, proxy::forward_session(std::move(socket), config.backend), asio::detached);
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

  proxy::IoPool pool(config.threads);
  tcp::acceptor acceptor(pool.main());
  try {
    const auto address = asio::ip::make_address(config.listen.host);
    const tcp::endpoint endpoint(address, config.listen.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
  } catch (const std::exception& e) {
    tools::log_error("cannot listen on {}: {}", config.listen.to_string(), e.what());
    return tools::to_int(tools::ExitCode::failure);
  }
  tools::log_info("rustguard listening on {}, backend {}, {} io threads", config.listen.to_string(),
                  config.backend.to_string(), pool.size());

  asio::signal_set signals(pool.main(), SIGINT, SIGTERM, SIGHUP);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      try {
        Config fresh = adapters::load_config(flags.config_path, flags.overrides());
        tools::Log::instance().set_level(fresh.log_level);
        tools::log_info("config reloaded from {}", flags.config_path);
        // Listen address and thread count apply at the next start; the rest applies now.
        fresh.listen = config.listen;
        fresh.threads = config.threads;
        config = fresh;
      } catch (const adapters::ConfigError& e) {
        tools::log_error("config reload rejected, keeping the previous config: {}", e.what());
      }
      signals.async_wait(on_signal);
      return;
    }
    tools::log_info("signal {}: stopping", signal);
    asio::error_code ignored;
    acceptor.close(ignored);
    pool.stop();
  };
  signals.async_wait(on_signal);

  asio::co_spawn(pool.main(), accept_loop(acceptor, pool, config), asio::detached);
  pool.run();
  tools::log_info("rustguard stopped");
  return tools::to_int(tools::ExitCode::ok);
}
