#pragma once
// One player connection through the proxy.
//
//   run() = ( serve() || watchdog() )  then  close(): goodbye, flush, log
//           && client writer && server writer          (one writer per socket)
//
// serve(): optional PROXY header (trusted peers only) -> the client's handshake
// -> connect to the backend (or answer alone when it is down) -> one reader per
// direction, joined with ||. Each reader waits until its socket is readable,
// reads into the thread's scratch buffer, feeds the session, and queues what
// the session produced for either socket. A reader pauses while the other
// side's queue holds more than `max_pending_bytes` (backpressure).
// watchdog(): login and idle timeouts, shutdown requests, and the core's
// deadlines (PlayerSession::next_deadline: the engine's ticks in play), so
// transaction timeouts and the timer balance advance without packets.
//
// Everything lives in this object, which lives in the coroutine frame of
// serve_connection(); all of it runs on the io thread that accepted the
// socket, so nothing here is locked.
//
// The core (session::PlayerSession) gets the bytes and the proxy clock's time;
// what it answers (bytes, a close request, events) is queued, counted in the
// metrics, and handed to the shared SessionRecorder, which writes the rows
// a replay of the same bytes writes too.

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../common/log.hpp"
#include "metrics.hpp"
#include "proxy_state.hpp"
#include "registry.hpp"
#include "rustguard/adapters/session_recorder.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/time.hpp"
#include "status_responder.hpp"
#include "write_queue.hpp"

namespace rustguard::proxy {

using asio::ip::tcp;
using session::Direction;

// Why a connection ended (the first cause wins).
enum class EndCause : std::uint8_t {
  client_closed,
  backend_closed,
  backend_unavailable,
  answered_by_proxy,  // status or legacy ping answered while the backend is down
  malformed,
  kicked,
  login_timeout,
  idle_timeout,
  inflated_rate,
  untrusted_proxy_header,
  bad_proxy_header,
  shutdown,
};

namespace detail {

// One read buffer per io thread: a read is fed to the session before the
// next co_await, so connections never hold a read buffer of their own.
inline std::span<std::uint8_t> scratch() {
  thread_local std::array<std::uint8_t, 64 * 1024> buffer;
  return buffer;
}

// Likewise for the session's output: it is queued before the next co_await.
inline session::Output& scratch_output() {
  thread_local session::Output output;
  return output;
}

inline net::IpAddress to_ip(const asio::ip::address& a) {
  net::IpAddress ip;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    ip = net::IpAddress::v4(b[0], b[1], b[2], b[3]);
  } else {
    const auto b = a.to_v6().to_bytes();
    ip.family = net::AddressFamily::ipv6;
    for (std::size_t i = 0; i < 16; ++i) ip.bytes[i] = b[i];
  }
  return ip.unmapped();
}

inline std::string endpoint_text(const net::Endpoint& e) {
  const bool v6 = e.address.family == net::AddressFamily::ipv6;
  return (v6 ? "[" + e.address.to_string() + "]" : e.address.to_string()) + ":" + std::to_string(e.port);
}

}  // namespace detail

class Connection final : public Stoppable {
 public:
  Connection(tcp::socket client, std::uint64_t id, ProxyState& state, ConnectionRegistry& registry,
             std::shared_ptr<const RuntimeConfig> config)
      : client_(std::move(client)),
        server_(client_.get_executor()),
        id_(id),
        state_(state),
        registry_(registry),
        runtime_(std::move(config)),
        cfg_(runtime_->config),
        session_(cfg_.limits, runtime_->engine),
        recorder_(state_.violation_log, adapters::RecorderOrigin{adapters::SessionSource::live, {}, {}}),
        client_out_(client_.get_executor()),
        server_out_(client_.get_executor(), /*paused=*/true),
        watchdog_timer_(client_.get_executor()),
        started_(std::chrono::steady_clock::now()),
        last_client_read_(started_) {
    asio::error_code ec;
    const auto peer = client_.remote_endpoint(ec);
    if (!ec) {
      peer_ = {detail::to_ip(peer.address()), peer.port()};
      const auto local = client_.local_endpoint(ec);
      if (!ec) local_ = {detail::to_ip(local.address()), local.port()};
    }
    real_ = peer_;
    recorder_.set_address(detail::endpoint_text(real_));
    client_.set_option(tcp::no_delay(true), ec);
    client_.non_blocking(true, ec);
  }

  asio::awaitable<void> run() {
    using namespace asio::experimental::awaitable_operators;
    registry_.add(*this);
    Metrics::add(state_.metrics.connections_total);
    Metrics::add(state_.metrics.connections_current);
    if (registry_.stopping()) stop_requested_ = true;
    co_await (lifecycle() && client_out_.run(client_) && server_out_.run(server_));
    // The ticks due until now and the folded violation records still pending.
    const Timestamp now{state_.clock.now_us()};
    session::Output& out = detail::scratch_output();
    out.clear();
    session_.advance(now, out);
    session_.finish(out);
    on_events(out);
    recorder_.end(now);
    registry_.remove(*this);
    if (listed_) state_.players.remove(id_);
    state_.metrics.connections_current.fetch_sub(1, std::memory_order_relaxed);
    if (counted_player_) state_.metrics.player(session_.tracker().protocol(), -1);
    log_disconnect();
  }

  void request_shutdown() override {
    stop_requested_ = true;
    watchdog_timer_.cancel();
  }

 private:
  // ---- lifecycle -------------------------------------------------------------

  asio::awaitable<void> lifecycle() {
    using namespace asio::experimental::awaitable_operators;
    co_await (serve() || watchdog());
    say_goodbye();
    client_out_.finish();
    server_out_.finish();
    asio::steady_timer deadline(client_.get_executor());
    deadline.expires_after(std::chrono::milliseconds(cfg_.connections.shutdown_flush_ms));
    co_await (drained() || deadline.async_wait(use_nothrow));
    asio::error_code ec;
    server_.close(ec);
    if (told_client_ && !client_out_.failed()) {
      // Half-close and let the client read the goodbye: closing with unread
      // input would reset the connection and could destroy it in flight.
      client_.shutdown(tcp::socket::shutdown_send, ec);
      deadline.expires_after(std::chrono::milliseconds(500));
      co_await (drain_client_input() || deadline.async_wait(use_nothrow));
    }
    client_.close(ec);
  }

  asio::awaitable<void> drained() {
    while (!client_out_.done()) co_await client_out_.progress();
    while (!server_out_.done()) co_await server_out_.progress();
  }

  asio::awaitable<void> drain_client_input() {
    for (;;) {
      auto [ec] = co_await client_.async_wait(tcp::socket::wait_read, use_nothrow);
      if (ec) co_return;
      const std::size_t n = client_.read_some(asio::buffer(detail::scratch().data(), detail::scratch().size()), ec);
      if (ec == asio::error::would_block) continue;
      if (ec || n == 0) co_return;
    }
  }

  void end(EndCause cause, std::string detail) {
    if (cause_) return;
    cause_ = cause;
    reason_ = std::move(detail);
  }

  // The Disconnect the player should see for the way the connection ends.
  void say_goodbye() {
    const EndCause cause = cause_.value_or(EndCause::client_closed);
    const std::string* text = nullptr;
    switch (cause) {
      case EndCause::backend_closed:
        if (!backend_kicked_) text = &cfg_.messages.backend_lost;
        break;
      case EndCause::malformed:
      case EndCause::inflated_rate:
        text = malformed_from_server_ ? &cfg_.messages.backend_lost : &cfg_.messages.protocol_error;
        break;
      case EndCause::kicked:
        text = &reason_;
        break;
      case EndCause::login_timeout:
      case EndCause::idle_timeout:
        text = &cfg_.messages.timeout;
        break;
      case EndCause::shutdown:
        text = &cfg_.messages.shutdown;
        break;
      case EndCause::backend_unavailable:
        text = &cfg_.messages.backend_unavailable;
        break;
      default:
        break;
    }
    if (text == nullptr || client_out_.failed()) return;
    session::Output out;
    session_.append_disconnect(*text, out);
    if (!out.to_client.empty()) {
      client_out_.push(out.to_client);
      told_client_ = true;
    }
  }

  asio::awaitable<void> watchdog() {
    using clock = std::chrono::steady_clock;
    const auto login_deadline = started_ + std::chrono::milliseconds(cfg_.connections.login_timeout_ms);
    std::optional<clock::time_point> configuration_deadline;
    const auto idle = std::chrono::milliseconds(cfg_.connections.idle_timeout_ms);
    for (;;) {
      if (stop_requested_) {
        end(EndCause::shutdown, "proxy shutting down");
        co_return;
      }
      const auto now = clock::now();
      const Phase phase = login_phase();
      const bool logging_in = phase != Phase::done;
      if (phase == Phase::login && now >= login_deadline) {
        state_.metrics.limit_hit(Limit::login_timeout);
        end(EndCause::login_timeout, "login timeout: not logged in after " +
                                         std::to_string(cfg_.connections.login_timeout_ms) + " ms");
        co_return;
      }
      if (phase == Phase::configuration && !configuration_deadline) {
        configuration_deadline = now + std::chrono::milliseconds(cfg_.connections.configuration_timeout_ms);
      }
      if (phase == Phase::configuration && now >= *configuration_deadline) {
        state_.metrics.limit_hit(Limit::login_timeout);
        end(EndCause::login_timeout, "login timeout: not in play " +
                                         std::to_string(cfg_.connections.configuration_timeout_ms) +
                                         " ms after the login");
        co_return;
      }
      const auto idle_deadline = last_client_read_ + idle;
      if (now >= idle_deadline) {
        state_.metrics.limit_hit(Limit::idle_timeout);
        end(EndCause::idle_timeout,
            "idle timeout: nothing from the client for " + std::to_string(cfg_.connections.idle_timeout_ms) + " ms");
        co_return;
      }
      auto wake = idle_deadline;
      if (phase == Phase::login) wake = std::min(wake, login_deadline);
      if (phase == Phase::configuration) wake = std::min(wake, *configuration_deadline);
      if (connected_ && !logging_in) {
        if (!advance(now)) co_return;
        if (auto due = session_.next_deadline()) wake = std::min(wake, state_.clock.to_steady(due->micros));
      }
      watchdog_timer_.expires_at(wake);
      co_await watchdog_timer_.async_wait(use_nothrow);
    }
  }

  // Where the connection is on its way to play, as the server sees it (the
  // tracker moves only on the server's word). The first configuration phase
  // has its own, longer deadline: a server may send a resource pack there.
  // Past encryption (online mode) nothing can be read and the server's own
  // login timeout applies; so it does for a version forwarded uninspected
  // (unknown_versions: forward).
  enum class Phase : std::uint8_t { login, configuration, done };
  Phase login_phase() noexcept {
    const auto& t = session_.tracker();
    if (reached_play_) return Phase::done;
    if (t.state(Direction::serverbound) == protocol::State::play) {
      reached_play_ = true;
      return Phase::done;
    }
    if (t.encrypted() || (session_.opaque() && !session_.legacy_ping())) return Phase::done;
    if (t.state(Direction::serverbound) == protocol::State::configuration) return Phase::configuration;
    return Phase::login;
  }

  // ---- serving ---------------------------------------------------------------

  asio::awaitable<void> serve() {
    if (!co_await read_proxy_header()) co_return;
    while (session_.tracker().state(Direction::serverbound) == protocol::State::handshake && !session_.opaque()) {
      if (!co_await read_once(Direction::serverbound)) co_return;
      if (!within_pending_bound(server_out_)) co_return;
    }
    if (session_.tracker().version_unknown() && session_.tracker().intent() != protocol::packets::Intent::status) {
      if (cfg_.unknown_versions == UnknownVersionPolicy::refuse) {
        const auto versions = protocol::supported_versions();
        end(EndCause::kicked, "Unsupported Minecraft version. This server accepts " +
                                  std::string(versions.front().release_names().substr(0, versions.front().release_names().find(','))) +
                                  " to " + std::string(versions.back().release_names().substr(0, versions.back().release_names().find(','))) + ".");
        co_return;
      }
      tools::log_warn("#{} {}: protocol {} has no packet table; forwarded uninspected (unknown_versions: forward)", id_,
                      address_text(), session_.tracker().protocol());
    }
    if (!co_await connect_backend()) {
      co_await serve_without_backend();
      co_return;
    }
    using namespace asio::experimental::awaitable_operators;
    co_await (pump(Direction::serverbound) || pump(Direction::clientbound));
  }

  // Reads the client's first bytes; a PROXY header is used when the peer is
  // trusted and refused otherwise. Bytes after the header are fed to the session.
  asio::awaitable<bool> read_proxy_header() {
    std::vector<std::uint8_t> head;
    for (;;) {
      auto [ec] = co_await client_.async_wait(tcp::socket::wait_read, use_nothrow);
      if (ec) {
        end(EndCause::client_closed, ec.message());
        co_return false;
      }
      const auto buf = detail::scratch();
      const std::size_t n = client_.read_some(asio::buffer(buf.data(), buf.size()), ec);
      if (ec == asio::error::would_block) continue;
      if (ec) {
        end(EndCause::client_closed, ec == asio::error::eof ? "client closed" : ec.message());
        co_return false;
      }
      last_client_read_ = std::chrono::steady_clock::now();
      head.insert(head.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      auto parsed = protocol::parse_proxy_header(head);
      if (!parsed) {
        end(EndCause::bad_proxy_header, "malformed PROXY header: " + parsed.error().message());
        co_return false;
      }
      if (parsed->status == protocol::ProxyHeaderStatus::incomplete) continue;
      std::span<const std::uint8_t> rest = head;
      if (parsed->status == protocol::ProxyHeaderStatus::complete) {
        if (!runtime_->is_trusted(peer_.address)) {
          state_.metrics.limit_hit(Limit::untrusted_proxy_header);
          end(EndCause::untrusted_proxy_header,
              "PROXY header from untrusted address " + detail::endpoint_text(peer_) + " refused");
          co_return false;
        }
        proxied_ = true;
        if (!parsed->header.local) {
          real_ = parsed->header.source;
          local_ = parsed->header.destination;
        }
        rest = rest.subspan(parsed->header.length);
        recorder_.set_address(detail::endpoint_text(real_));
      }
      co_return rest.empty() || inspect(Direction::serverbound, rest);
    }
  }

  // One read from one side, fed to the session. False when the connection ends.
  asio::awaitable<bool> read_once(Direction from) {
    tcp::socket& socket = from == Direction::serverbound ? client_ : server_;
    for (;;) {
      auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_nothrow);
      if (!ec) {
        const auto buf = detail::scratch();
        const std::size_t n = socket.read_some(asio::buffer(buf.data(), buf.size()), ec);
        if (ec == asio::error::would_block) continue;
        if (!ec) {
          if (from == Direction::serverbound) last_client_read_ = std::chrono::steady_clock::now();
          co_return inspect(from, buf.first(n));
        }
      }
      const bool eof = ec == asio::error::eof;
      if (from == Direction::serverbound) {
        end(EndCause::client_closed, eof ? "client closed the connection" : "client: " + ec.message());
      } else {
        end(EndCause::backend_closed, eof ? "backend closed the connection" : "backend: " + ec.message());
      }
      co_return false;
    }
  }

  // Bytes held for a peer that is not reading them (or not connected yet)
  // count against max_pending_bytes wherever the reader cannot simply pause.
  bool within_pending_bound(const WriteQueue& queue) {
    if (queue.backlog() <= cfg_.connections.max_pending_bytes) return true;
    state_.metrics.limit_hit(Limit::max_pending_bytes);
    end(EndCause::malformed, "more than " + std::to_string(cfg_.connections.max_pending_bytes) +
                                 " bytes pending for a peer that is not reading");
    return false;
  }

  asio::awaitable<void> pump(Direction from) {
    WriteQueue& toward = from == Direction::serverbound ? server_out_ : client_out_;
    const std::size_t bound = cfg_.connections.max_pending_bytes;
    for (;;) {
      if (!co_await read_once(from)) co_return;
      while (toward.backlog() > bound && !toward.done()) co_await toward.progress();
      if (toward.failed()) {
        end(from == Direction::serverbound ? EndCause::backend_closed : EndCause::client_closed, "write failed");
        co_return;
      }
    }
  }

  // Feeds bytes read from one side to the session and queues its output.
  // False when the session (or a limit) ends the connection.
  bool inspect(Direction from, std::span<const std::uint8_t> bytes) {
    const auto t0 = std::chrono::steady_clock::now();
    session::Output& out_ = detail::scratch_output();
    out_.clear();
    session_.feed(from, bytes, Timestamp{state_.clock.to_us(t0)}, out_);
    const auto t1 = std::chrono::steady_clock::now();
    state_.metrics.inspection_time(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));

    const auto& counters = session_.counters(from);
    auto& seen_packets = from == Direction::serverbound ? packets_seen_[0] : packets_seen_[1];
    Metrics::add(from == Direction::serverbound ? state_.metrics.packets_serverbound : state_.metrics.packets_clientbound,
                 counters.packets - seen_packets);
    seen_packets = counters.packets;
    Metrics::add(from == Direction::serverbound ? state_.metrics.bytes_serverbound : state_.metrics.bytes_clientbound,
                 bytes.size());

    server_out_.push(out_.to_server);
    client_out_.push(out_.to_client);
    on_events(out_);

    if (out_.close) {
      const auto& c = *out_.close;
      if (c.cause == session::CloseCause::malformed) {
        state_.metrics.decode_error(c.error);
        if (c.error == protocol::Errc::frame_too_large || c.error == protocol::Errc::frame_length_too_long) {
          state_.metrics.limit_hit(Limit::max_frame_bytes);
        }
        malformed_from_server_ = c.from == Direction::clientbound;
        end(EndCause::malformed, c.reason);
      } else {
        kick(c.reason);
      }
      return false;
    }
    return within_inflate_rate(t1);
  }

  bool within_inflate_rate(std::chrono::steady_clock::time_point now) {
    const std::uint64_t total = session_.counters(Direction::serverbound).inflated_bytes +
                                session_.counters(Direction::clientbound).inflated_bytes;
    if (now - inflate_window_start_ >= std::chrono::seconds(1)) {
      inflate_window_start_ = now;
      inflate_window_base_ = total;
    }
    if (total - inflate_window_base_ <= cfg_.connections.max_inflated_bytes_per_second) return true;
    state_.metrics.limit_hit(Limit::inflated_rate);
    end(EndCause::inflated_rate, "inflated more than " + std::to_string(cfg_.connections.max_inflated_bytes_per_second) +
                                     " bytes in one second");
    return false;
  }

  // Acts on what the core reported during the last call, then records it
  // (the rows are the recorder's business, the same as in a replay).
  void on_events(session::Output& out) {
    Metrics& m = state_.metrics;
    for (session::Event& e : out.events) {
      std::visit([&](auto& event) { on(event, m); }, e);
    }
    const engine::DetectionEngine& engine = session_.engine();
    Metrics::add(m.transactions_sent, engine.transactions_sent() - transactions_sent_);
    Metrics::add(m.transactions_answered, engine.transactions_answered() - transactions_answered_);
    transactions_sent_ = engine.transactions_sent();
    transactions_answered_ = engine.transactions_answered();
    recorder_.record(out.events);
    out.events.clear();
  }

  void on(session::PlayerLoggedIn&, Metrics& m) {
    if (counted_player_) return;
    counted_player_ = true;
    m.player(session_.tracker().protocol(), 1);
    list_player();
  }
  void on(session::ClientBrand&, Metrics&) {}
  void on(session::ViolationFound& e, Metrics& m) {
    const Violation& v = e.violation;
    m.violations.add(v.check, v.count);
    if (v.cancelled > 0) m.cancels.add(v.check, v.cancelled);
    const bool alert = has(v.outcome, Outcome::alert);
    if (listed_) {
      listed_->violations.fetch_add(v.count, std::memory_order_relaxed);
      if (alert) listed_->alerts.fetch_add(1, std::memory_order_relaxed);
    }
    if (alert) {
      m.alerts.add(v.check);
      const auto& name = session_.tracker().identity().name;
      tools::log_warn("alert #{} {}: {}", id_, name.empty() ? "-" : name, adapters::violation_summary(v));
    }
  }
  void on(session::PlayerKicked& e, Metrics& m) {
    const std::string check = e.check.empty() ? std::string("other") : e.check;
    m.kicks.add(check);
    const auto& name = session_.tracker().identity().name;
    tools::log_warn("kick #{} {} {}: {} (check {})", id_, name.empty() ? "-" : name, address_text(), e.reason, check);
  }
  void on(session::EncryptionStarted&, Metrics& m) {
    Metrics::add(m.encrypted_connections);
    tools::log_info("#{} {}: encrypted (online-mode) connection, forwarded uninspected", id_, address_text());
  }
  void on(session::StatusRequested&, Metrics&) { ++status_requests_; }
  void on(session::StatusPinged& e, Metrics&) { status_ping_ = e.payload; }
  void on(session::StatusAnswered& e, Metrics&) {
    state_.status.store(session_.tracker().protocol(), std::move(e.json));
  }
  void on(session::ServerDisconnected&, Metrics&) { backend_kicked_ = true; }

  // Puts the player in the operators' index (GET /players) until disconnect.
  void list_player() {
    const auto& identity = session_.tracker().identity();
    auto entry = std::make_shared<PlayerEntry>();
    entry->connection_id = id_;
    entry->name = identity.name;
    entry->uuid = identity.uuid ? identity.uuid->to_string() : std::string{};
    entry->address = identity.velocity_forwarded && !identity.forwarded_address.empty() ? identity.forwarded_address
                                                                                        : detail::endpoint_text(real_);
    entry->protocol = session_.tracker().protocol();
    const auto names = protocol::release_names(entry->protocol);
    entry->release = std::string(names.substr(0, names.find(',')));
    entry->since_ms = state_.clock.now_us() / 1000;
    listed_ = state_.players.add(std::move(entry));
  }

  // Runs the core's deadlines due by `now`; false when it decided to kick.
  bool advance(std::chrono::steady_clock::time_point now) {
    session::Output& out = detail::scratch_output();
    out.clear();
    session_.advance(Timestamp{state_.clock.to_us(now)}, out);
    on_events(out);
    if (!out.close) return true;
    kick(out.close->reason);
    return false;
  }

  // The core ended the connection for the player's behaviour: the player
  // reads the kick message and the reason (logged and recorded from the
  // PlayerKicked event).
  void kick(const std::string& reason) { end(EndCause::kicked, cfg_.messages.kick + ": " + reason); }

  asio::awaitable<bool> connect_backend() {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(client_.get_executor());
    timer.expires_after(std::chrono::milliseconds(cfg_.connections.connect_timeout_ms));
    asio::error_code error = asio::error::timed_out;
    auto attempt = [&]() -> asio::awaitable<void> {
      tcp::resolver resolver(client_.get_executor());
      auto [resolve_error, endpoints] =
          co_await resolver.async_resolve(cfg_.backend.host, std::to_string(cfg_.backend.port), use_nothrow);
      if (resolve_error) {
        error = resolve_error;
        co_return;
      }
      auto [connect_error, endpoint] = co_await asio::async_connect(server_, endpoints, use_nothrow);
      (void)endpoint;
      error = connect_error;
    };
    co_await (attempt() || timer.async_wait(use_nothrow));
    if (error) {
      Metrics::add(state_.metrics.backend_unavailable);
      backend_error_ = error == asio::error::operation_aborted ? "timed out" : error.message();
      asio::error_code ignored;
      server_.close(ignored);
      server_out_.discard();
      co_return false;
    }
    asio::error_code ec;
    server_.set_option(tcp::no_delay(true), ec);
    server_.non_blocking(true, ec);
    if (cfg_.proxy_protocol.to_backend) {
      std::vector<std::uint8_t> header;
      protocol::write_proxy_v2(header, real_, local_);
      server_out_.push_front(header);
    }
    server_out_.resume();
    connected_ = true;
    tools::log_info("connect #{} {} -> {}: {}", id_, address_text(), cfg_.backend.to_string(), describe_client());
    co_return true;
  }

  // The backend is down: answer the server list ourselves, tell a logging-in
  // player why, close anything else.
  asio::awaitable<void> serve_without_backend() {
    tools::log_warn("#{} {}: backend {} unavailable ({})", id_, address_text(), cfg_.backend.to_string(),
                    backend_error_);
    if (session_.legacy_ping()) {
      const auto reply = legacy_ping_reply(cfg_.messages.motd, protocol::kHighestSupportedProtocol, "RustGuard", 0, 0);
      client_out_.push(reply);
      Metrics::add(state_.metrics.status_from_cache);
      end(EndCause::answered_by_proxy, "legacy ping answered by the proxy (backend down)");
      co_return;
    }
    if (session_.tracker().state(Direction::serverbound) != protocol::State::status) {
      end(EndCause::backend_unavailable, "backend unavailable: " + backend_error_);
      co_return;
    }
    for (;;) {
      // One answer per connection, as the game's server gives: a client
      // that keeps asking without reading would otherwise pile answers up.
      if (status_requests_ > 1 || (status_requests_ == 1 && answered_status_)) {
        end(EndCause::malformed, "more than one status request on one connection");
        co_return;
      }
      if (status_requests_ == 1) {
        status_requests_ = 0;
        answered_status_ = true;
        answer_status();
      }
      if (status_ping_) {
        std::vector<std::uint8_t> pong;
        append_status_pong(pong, *status_ping_);
        client_out_.push(pong);
        end(EndCause::answered_by_proxy, "status answered by the proxy (backend down)");
        co_return;
      }
      server_out_.discard();
      if (!co_await read_once(Direction::serverbound)) co_return;
    }
  }

  void answer_status() {
    const std::int32_t protocol = session_.tracker().protocol();
    auto json = state_.status.lookup(protocol);
    if (!json) {
      const auto names = protocol::release_names(protocol);
      json = status_json_from_motd(cfg_.messages.motd, protocol, names.empty() ? "RustGuard" : names);
    }
    std::vector<std::uint8_t> frame;
    append_status_response(frame, *json);
    client_out_.push(frame);
    Metrics::add(state_.metrics.status_from_cache);
  }

  // ---- logging ---------------------------------------------------------------

  std::string address_text() const {
    const auto& identity = session_.tracker().identity();
    if (identity.velocity_forwarded && !identity.forwarded_address.empty()) {
      return identity.forwarded_address + " (Velocity, via " + detail::endpoint_text(peer_) + ")";
    }
    if (proxied_) return detail::endpoint_text(real_) + " (via " + detail::endpoint_text(peer_) + ")";
    return detail::endpoint_text(peer_);
  }

  std::string describe_client() const {
    const auto& t = session_.tracker();
    if (session_.legacy_ping()) return "legacy ping";
    if (t.state(Direction::serverbound) == protocol::State::handshake) return "no handshake";
    const auto names = protocol::release_names(t.protocol());
    std::string s = "protocol " + std::to_string(t.protocol()) + " (" +
                    (names.empty() ? std::string("unsupported") : std::string(names)) + ")";
    s += t.intent() == protocol::packets::Intent::status ? " status" : " login";
    if (!t.identity().name.empty()) s += " as " + t.identity().name;
    return s;
  }

  void log_disconnect() const {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    const auto& identity = session_.tracker().identity();
    tools::log_info("disconnect #{} {} {}: {}, {}.{:03} s, {} B up, {} B down: {}", id_,
                    identity.name.empty() ? std::string("-") : identity.name, address_text(), describe_client(),
                    ms.count() / 1000, ms.count() % 1000, session_.counters(Direction::serverbound).bytes,
                    session_.counters(Direction::clientbound).bytes,
                    reason_.empty() ? std::string("client closed") : reason_);
  }

  tcp::socket client_;
  tcp::socket server_;
  std::uint64_t id_;
  ProxyState& state_;
  std::shared_ptr<PlayerEntry> listed_;  // our entry in state_.players while logged in
  ConnectionRegistry& registry_;
  std::shared_ptr<const RuntimeConfig> runtime_;
  const Config& cfg_;
  session::PlayerSession session_;
  adapters::SessionRecorder recorder_;
  WriteQueue client_out_;
  WriteQueue server_out_;
  asio::steady_timer watchdog_timer_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_client_read_;
  std::chrono::steady_clock::time_point inflate_window_start_{};
  std::uint64_t inflate_window_base_ = 0;
  std::array<std::uint64_t, 2> packets_seen_{};
  net::Endpoint peer_, local_, real_;
  std::optional<EndCause> cause_;
  std::string reason_;
  std::string backend_error_;
  bool proxied_ = false;
  bool connected_ = false;
  bool stop_requested_ = false;
  bool backend_kicked_ = false;
  bool malformed_from_server_ = false;
  bool told_client_ = false;
  bool answered_status_ = false;
  bool reached_play_ = false;
  bool counted_player_ = false;
  int status_requests_ = 0;                  // while answering alone (backend down)
  std::optional<std::int64_t> status_ping_;  // likewise
  std::uint64_t transactions_sent_ = 0;      // the engine's counts already in the metrics
  std::uint64_t transactions_answered_ = 0;
};

// The coroutine that owns one connection (spawned on the socket's io context).
inline asio::awaitable<void> serve_connection(tcp::socket client, std::uint64_t id, ProxyState& state,
                                              ConnectionRegistry& registry,
                                              std::shared_ptr<const RuntimeConfig> config) {
  Connection connection(std::move(client), id, state, registry, std::move(config));
  co_await connection.run();
}

}  // namespace rustguard::proxy
