#pragma once
// The admin endpoint (admin_http.hpp says what it answers): GET /metrics in
// Prometheus text format, GET /players (?name=X: with X's violations in the
// store), and the session recordings asked
// for by name (GET, POST, DELETE /recordings). HTTP/1.1 with one request per connection, which is what Prometheus and
// curl need; it runs on the main io thread and never touches player traffic.

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "../common/log.hpp"
#include "admin_http.hpp"
#include "metrics.hpp"
#include "write_queue.hpp"

namespace rustguard::proxy {

inline asio::awaitable<void> admin_session(asio::ip::tcp::socket socket, const Metrics& metrics,
                                           const PlayerDirectory& players, AdminRecordings* recordings,
                                           PlayerHistoryService* history) {
  using namespace asio::experimental::awaitable_operators;
  std::string head;
  asio::steady_timer timer(socket.get_executor());
  timer.expires_after(std::chrono::seconds(5));
  auto read = [&]() -> asio::awaitable<void> {
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(head, 8192), "\r\n\r\n", use_nothrow);
    if (ec) head.clear();
    (void)n;
  };
  co_await (read() || timer.async_wait(use_nothrow));
  if (head.empty()) co_return;
  // A player's history is read off this thread (player_history_service.hpp).
  std::optional<PlayerHistory> past;
  if (const std::string_view name = players_query_name(head); !name.empty() && history != nullptr) {
    past = co_await history->async_lookup(std::string(name), asio::use_awaitable);
  }
  const std::string response = admin_response(head, metrics, players, recordings, past ? &*past : nullptr);
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(response), use_nothrow);
  (void)ec;
  (void)n;
  asio::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

inline asio::awaitable<void> admin_loop(asio::ip::tcp::acceptor& acceptor, const Metrics& metrics,
                                        const PlayerDirectory& players, AdminRecordings* recordings = nullptr,
                                        PlayerHistoryService* history = nullptr) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(use_nothrow);
    if (error) {
      if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), admin_session(std::move(socket), metrics, players, recordings, history),
                   asio::detached);
  }
}

}  // namespace rustguard::proxy
