#pragma once
// The minimal forwarding session: one coroutine per direction, joined with ||
// so that when one side closes the other is cancelled. The live-proxy issue
// replaces the byte pump with frame splitting and inspection through the core.

#include <asio/awaitable.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>

#include "../common/log.hpp"
#include "rustguard/config.hpp"

namespace rustguard::proxy {

using asio::ip::tcp;
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

struct TransferStats {
  std::uint64_t bytes = 0;
};

// Copies bytes from `from` to `to` until either side closes or fails.
inline asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to, TransferStats& stats) {
  std::array<std::uint8_t, 16 * 1024> buffer;
  for (;;) {
    auto [read_error, n] = co_await from.async_read_some(asio::buffer(buffer), use_nothrow);
    if (read_error) break;
    auto [write_error, written] = co_await asio::async_write(to, asio::buffer(buffer.data(), n), use_nothrow);
    if (write_error) break;
    stats.bytes += written;
  }
  asio::error_code ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
}

inline asio::awaitable<void> forward_session(tcp::socket client, Endpoint backend) {
  using namespace asio::experimental::awaitable_operators;
  const auto started = std::chrono::steady_clock::now();
  asio::error_code ec;
  const auto peer = client.remote_endpoint(ec);
  const std::string peer_text = ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port());

  tcp::resolver resolver(client.get_executor());
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(backend.host, std::to_string(backend.port), use_nothrow);
  tcp::socket server(client.get_executor());
  if (!resolve_error) {
    auto [connect_error, connected] = co_await asio::async_connect(server, endpoints, use_nothrow);
    resolve_error = connect_error;
  }
  if (resolve_error) {
    tools::log_warn("connect {} -> backend {} failed: {}", peer_text, backend.to_string(), resolve_error.message());
    co_return;
  }
  client.set_option(tcp::no_delay(true), ec);
  server.set_option(tcp::no_delay(true), ec);
  tools::log_info("connect {} -> {}", peer_text, backend.to_string());

  TransferStats up, down;
  co_await (pump(client, server, up) || pump(server, client, down));

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  tools::log_info("disconnect {} after {} ms, {} bytes up, {} bytes down", peer_text, ms.count(), up.bytes, down.bytes);
}

}  // namespace rustguard::proxy
