#pragma once
// One player connection through the proxy.
//
//   run() = serve()  then  close(): goodbye, flush, log
//
// serve(): optional PROXY header (trusted peers only) -> the client's handshake
// -> connect to the backend (or answer alone when it is down) -> one reader
// (pump) per direction, each a chain of completion handlers while serve()
// waits for both to end. Each waits until its socket is readable, reads
// into the thread's scratch buffer, feeds the session, and queues what the
// session produced for either socket (write_queue.hpp: one writer per
// socket, driven by completion handlers). A reader pauses while the other
// side's queue holds more than `max_pending_bytes` (backpressure). With the
// io thread's ring (uring_loop.hpp, `io_uring: true`) the pumps are the
// ring's reads instead (play_on_uring): the same feed, the same backpressure.
// The watchdog, a timer with a completion handler: login and idle timeouts,
// shutdown requests, and the core's deadlines (PlayerSession::next_deadline:
// the engine's ticks in play), so transaction timeouts and the timer balance
// advance without packets. Whatever ends the connection first — a reader, the
// watchdog — calls halt(), which cancels the other waits.
//
// One coroutine (serve_connection's, suspended in serve()) and no more while
// a player plays: a big lobby holds thousands of idle connections, and each
// coroutine frame (and each of Asio's awaitable operators, which spawn one
// per operand) costs memory for as long as the player stays
// (docs/benchmarks.md, "Memory per connection"), and resuming one for every
// read costs CPU ("Pumps without coroutines").
//
// This file owns the sockets and does what the sans-I/O pieces next to it
// answer: connection_policy.hpp (deadlines, limits, the inflate rate, the
// PROXY header, the goodbye text), backend_down_responder.hpp (answering
// alone while the backend is down), connection_events.hpp (metrics,
// /players, alerts and the shared SessionRecorder for the core's events)
// and connection_log.hpp (how log lines name a connection). The core
// (session::PlayerSession) gets the bytes and the proxy clock's time.
//
// Everything lives in this object, which lives in the coroutine frame of
// serve_connection(); all of it runs on the io thread that accepted the
// socket, so nothing here is locked. Completion handlers (the readers', the
// writers', the watchdog's) point at it: serve() returns only once both
// readers have ended, and close() waits until no other one is pending.

#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "../common/log.hpp"
#include "../common/readable_wait.hpp"
#include "accept_backoff.hpp"
#include "arrival_time.hpp"
#include "backend_down_responder.hpp"
#include "connection_clips.hpp"
#include "connection_events.hpp"
#include "connection_log.hpp"
#include "connection_policy.hpp"
#include "loop_lag.hpp"
#include "metrics.hpp"
#include "net_address.hpp"
#include "proxy_state.hpp"
#include "recording_writer.hpp"
#include "registry.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/time.hpp"
#include "session_recording.hpp"
#include "uring_loop.hpp"
#include "write_queue.hpp"

namespace rustguard::proxy {

using asio::ip::tcp;
using session::Direction;
using tools::async_wait_readable;
using tools::enable_unread_hint;
using tools::HintedRead;
using tools::read_some_hinted;
using tools::ReadState;

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

// And for zlib: every compressed packet is a zlib stream of its own, so the
// sessions of one io thread share one set of streams and packet buffers
// (ConnectionSession::use_workspace) instead of holding ~40 KiB per inflater
// and ~260 KiB per deflater each.
inline protocol::CompressionWorkspace& scratch_workspace() {
  thread_local protocol::CompressionWorkspace workspace;
  return workspace;
}

}  // namespace detail

class Connection final : public Stoppable, private UringRecvSink {
 public:
  using Clock = ConnectionPolicy::Clock;
  // How soon the watchdog looks again at a connection whose bytes keep the
  // core's ticks running (watchdog()).
  static constexpr std::chrono::milliseconds kBusyRecheck{1000};

  Connection(tcp::socket client, std::uint64_t id, ProxyState& state, ConnectionRegistry& registry, LoopLag& lag,
             std::shared_ptr<const RuntimeConfig> config)
      : client_(std::move(client)),
        server_(client_.get_executor()),
        id_(id),
        state_(state),
        registry_(registry),
        lag_(lag),
        runtime_(std::move(config)),
        cfg_(runtime_->config),
        started_(Clock::now()),
        policy_(cfg_.connections, started_),
        client_out_(client_.get_executor()),
        server_out_(client_.get_executor(), /*paused=*/true),
        session_(cfg_.limits, runtime_->engine),
        watchdog_timer_(client_.get_executor()),
        pumps_done_(client_.get_executor()),
        responder_(state_.status, cfg_.messages.motd),
        events_(id_, state_, session_, address_, responder_) {
    asio::error_code ec;
    const auto peer = client_.remote_endpoint(ec);
    if (!ec) {
      address_.peer = {to_ip(peer.address()), peer.port()};
      const auto local = client_.local_endpoint(ec);
      if (!ec) local_ = {to_ip(local.address()), local.port()};
    }
    address_.real = address_.peer;
    events_.address_changed();
    // Built on the io thread that owns the connection (serve_connection).
    session_.use_workspace(detail::scratch_workspace());
    session_.require_velocity_secret(cfg_.velocity.forwarding_secret);
    // Staff alerts are posted to this io thread and go out like any other
    // bytes for the client: in the stream's order, after the last feed's
    // output, and not once serving ended (the goodbye is the last word).
    events_.enable_staff_alerts(client_.get_executor(), [this](std::span<const std::uint8_t> bytes) {
      if (halted_ || client_out_.failed()) return false;
      client_out_.push(bytes);
      return true;
    });
    client_.set_option(tcp::no_delay(true), ec);
    client_.non_blocking(true, ec);
    enable_unread_hint(client_);  // without it, every wait re-arms (readable_wait.hpp)
    enable_arrival_stamps(client_);  // the core judges arrival times, not this loop's (arrival_time.hpp)
    if (cfg_.recordings.enabled() || state_.recording_requests.any()) {
      recording_.arm(state_.recordings.load(std::memory_order_acquire));
    }
    if (cfg_.clips.enabled && state_.clip_budget != nullptr && state_.clip_writer != nullptr) {
      clips_ = std::make_unique<ConnectionClips>(cfg_.clips, *state_.clip_budget, *state_.clip_writer, id_,
                                                 state_.metrics);
      session_.set_frame_tap(clips_->tap());
      events_.clip_with([this](adapters::ActionKind kind) { return request_clip(kind); },
                        [this] {
                          const std::string name = clips_->request_now(Timestamp{state_.clock.now_us()},
                                                                       session_.tracker().identity().name, clip_ends(),
                                                                       session_);
                          tools::log_info("clip #{} {}: {} (requested on the admin address)", id_,
                                          session_.tracker().identity().name, name);
                        });
    }
    events_.record_to(recording_);
  }

  asio::awaitable<void> run() {
    registry_.add(*this);
    Metrics::add(state_.metrics.connections_total);
    Metrics::add(state_.metrics.connections_current);
    if (registry_.stopping()) stop_requested_ = true;
    client_out_.attach(client_);
    server_out_.attach(server_);
    watchdog();  // arms its timer, or ends the connection at once
    try {
      co_await serve();
    } catch (const std::exception& e) {
      // Only this player's connection ends; close() still runs, as handlers
      // pending on this object must finish before it goes.
      tools::log_error("#{} {}: internal error: {}", id_, address(), e.what());
      end(EndCause::client_closed, std::string("internal error: ") + e.what());
    }
    halt();
    co_await close();
    // The ticks due until now and the folded violation records still pending.
    const Timestamp now{arrival_.advance_to(state_.clock.now_us())};
    session::Output& out = detail::scratch_output();
    out.clear();
    if (clips_) clips_->before(now);
    session_.advance(now, out);
    session_.finish(out);
    events_.handle(out);
    if (clips_) clips_->close(now);
    events_.finish(now);
    recording_.close(now, ending_ && ending_->cause == EndCause::backend_closed ? Direction::clientbound
                                                                                : Direction::serverbound);
    registry_.remove(*this);
    state_.metrics.connections_current.fetch_sub(1, std::memory_order_relaxed);
    log_disconnect();
  }

  void request_shutdown() override {
    stop_requested_ = true;
    watchdog_timer_.cancel();
  }

 private:
  // ---- lifecycle -------------------------------------------------------------

  // Ends serving, whoever calls it first: the reads waiting on either
  // socket, a reader waiting for its writer and a backend connect give up.
  // The ending (end()) is set before.
  void halt() {
    if (halted_) return;
    halted_ = true;
    for (auto& signal : read_cancel_) signal.emit(asio::cancellation_type::terminal);
    if (uring_ != nullptr) {
      for (auto& r : uring_recv_) uring_->cancel(r);
    }
    client_out_.interrupt();
    server_out_.interrupt();
    if (connect_timer_ != nullptr) connect_timer_->cancel();
  }

  // The completion token of a read wait on one side, cancelled by halt().
  auto cancellable_by_halt(Direction from) {
    return asio::bind_cancellation_slot(read_cancel_[index_of(from)].slot(), use_nothrow);
  }

  // After serve(): the goodbye, the last writes, then the sockets close.
  asio::awaitable<void> close() {
    using namespace asio::experimental::awaitable_operators;
    watchdog_stopped_ = true;
    watchdog_timer_.cancel();
    say_goodbye();
    client_out_.finish();
    server_out_.finish();
    asio::steady_timer deadline(client_.get_executor());
    deadline.expires_after(std::chrono::milliseconds(cfg_.connections.shutdown_flush_ms));
    co_await (drained() || deadline.async_wait(use_nothrow));
    // Half-close both sides and read what is left until each peer closes:
    // closing a socket with unread input resets the connection, and a reset
    // destroys what the peer has not read yet (the backend would lose the
    // player's last packets, the client our Disconnect). Bounded by the same
    // deadline, restarted.
    asio::error_code ec;
    const bool drain_server = server_.is_open() && !server_out_.failed();
    const bool drain_client = told_client_ && !client_out_.failed();
    if (drain_server) server_.shutdown(tcp::socket::shutdown_send, ec);
    if (drain_client) client_.shutdown(tcp::socket::shutdown_send, ec);
    if (drain_server || drain_client) {
      deadline.expires_after(std::chrono::milliseconds(cfg_.connections.shutdown_flush_ms));
      co_await ((drain_input(server_, drain_server) && drain_input(client_, drain_client)) ||
                deadline.async_wait(use_nothrow));
    }
    server_.close(ec);
    client_.close(ec);
    // Closing aborted the writes in flight and the watchdog's wait was
    // cancelled above; their handlers are queued and point at this object.
    while (client_out_.writing() || server_out_.writing() || watchdog_armed_) {
      co_await asio::post(client_.get_executor(), asio::use_awaitable);
    }
  }

  asio::awaitable<void> drained() {
    while (!client_out_.done()) co_await client_out_.progress();
    while (!server_out_.done()) co_await server_out_.progress();
  }

  // Reads and discards until the peer closes or fails (the other side is gone).
  // Reads before it waits: a wait after would_block needs no re-arming
  // (readable_wait.hpp).
  static asio::awaitable<void> drain_input(tcp::socket& socket, bool enabled) {
    while (enabled) {
      asio::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(detail::scratch().data(), detail::scratch().size()), ec);
      if (ec == asio::error::would_block) {
        auto [waited] = co_await async_wait_readable(socket, /*drained=*/true, use_nothrow);
        if (waited) co_return;
        continue;
      }
      if (ec || n == 0) co_return;
    }
  }

  // The first ending wins; a broken limit is counted either way.
  void end(Ending e) {
    if (e.limit) state_.metrics.limit_hit(*e.limit);
    if (!ending_) ending_ = std::move(e);
  }
  void end(EndCause cause, std::string reason) { end(Ending{cause, std::move(reason), std::nullopt}); }

  // The Disconnect the player should see for the way the connection ends.
  void say_goodbye() {
    const Ending& e = ending_ ? *ending_ : Ending{};
    const std::string* text = goodbye_text(e.cause, e.reason, events_.backend_kicked(), malformed_from_server_, cfg_.messages);
    if (text == nullptr || client_out_.failed()) return;
    session::Output out;
    session_.append_disconnect(*text, out);
    if (!out.to_client.empty()) {
      client_out_.push(out.to_client);
      told_client_ = true;
    }
  }

  // One look at the timeouts and the core's deadlines, then the timer is
  // armed for the next; a completion handler, not a coroutine (its frame
  // would stay for the connection's whole life).
  void watchdog() {
    const auto now = Clock::now();
    auto wake = policy_.on_wake(now, progress_of(session_), connected_, stop_requested_);
    if (wake.end) {
      end(std::move(*wake.end));
      halt();
      return;
    }
    std::optional<ConnectionPolicy::TimePoint> core;
    if (wake.run_core) {
      if (!advance(now)) {
        halt();
        return;
      }
      if (auto due = session_.next_deadline()) {
        core = state_.clock.to_steady(due->micros);
        // Bytes fed since the last wake ran the due ticks first
        // (PlayerSession::feed), and will go on doing so while they flow:
        // look again a second from now, not at every tick (4 wakes a second
        // a player, a timer each). Each tick runs at its own instant either
        // way; a player gone quiet has his next ones run up to a second late.
        if (fed_since_wake_) core = std::max(*core, now + kBusyRecheck);
      }
    }
    fed_since_wake_ = false;
    watchdog_timer_.expires_at(ConnectionPolicy::wake_at(wake.at, core));
    watchdog_armed_ = true;
    watchdog_timer_.async_wait([this](const asio::error_code&) {
      watchdog_armed_ = false;
      // Cancelled by request_shutdown() it looks again at once; by close(), it stops.
      if (!watchdog_stopped_) watchdog();
    });
  }

  // ---- serving ---------------------------------------------------------------

  asio::awaitable<void> serve() {
    if (!co_await read_proxy_header()) co_return;
    while (session_.tracker().state(Direction::serverbound) == protocol::State::handshake && !session_.opaque()) {
      if (!co_await read_once(Direction::serverbound)) co_return;
      if (auto over = policy_.pending(server_out_.backlog())) {
        end(std::move(*over));
        co_return;
      }
    }
    if (session_.tracker().version_unknown() && session_.tracker().intent() != protocol::packets::Intent::status) {
      if (cfg_.unknown_versions == UnknownVersionPolicy::refuse) {
        end(unsupported_version_ending());
        co_return;
      }
      tools::log_warn("#{} {}: protocol {} has no packet table; forwarded uninspected (unknown_versions: forward)", id_,
                      address(), session_.tracker().protocol());
    }
    if (auto refused = overload_ending(session_.tracker().intent(), lag_.lag_at(Clock::now()), cfg_.connections)) {
      tools::log_warn("#{} {}: {}", id_, address(), refused->reason);
      end(std::move(*refused));
      co_return;
    }
    if (!co_await connect_backend()) {
      if (!halted_) co_await serve_without_backend();
      co_return;
    }
    // Whichever pump ends first halts the other; serve() returns once both
    // have ended, so no handler of theirs is left pointing at this object.
    pumps_running_ = 2;
    if (UringLoop* loop = this_thread_uring(); loop != nullptr) {
      co_await play_on_uring(*loop);
    } else {
      next_read(Direction::serverbound);
      next_read(Direction::clientbound);
      while (pumps_running_ > 0) co_await pumps_done_.wait();
    }
    if (pump_error_) std::rethrow_exception(pump_error_);
    if (backend_left_without_a_word()) {
      forget_backend();
      co_await serve_without_backend();
    }
  }

  // Play through the io thread's ring (uring_loop.hpp): the sockets are
  // lent to it and read and written there until both readers end, then
  // taken back for the goodbye and the close, which run as without it.
  asio::awaitable<void> play_on_uring(UringLoop& loop) {
    co_await writes_settled();  // an async_write in flight holds the socket
    if (halted_) {
      pumps_running_ = 0;
      co_return;
    }
    asio::error_code ec;
    const auto client_protocol = client_.local_endpoint(ec).protocol();
    const auto server_protocol = server_.local_endpoint(ec).protocol();
    uring_fd_[0] = client_.release(ec);
    uring_fd_[1] = server_.release(ec);
    uring_ = &loop;
    client_out_.use_uring(loop, uring_fd_[0]);
    server_out_.use_uring(loop, uring_fd_[1]);
    for (std::size_t i = 0; i < 2; ++i) loop.recv(uring_recv_[i], uring_fd_[i], static_cast<int>(i), *this);
    while (pumps_running_ > 0) co_await pumps_done_.wait();
    // A send still in flight waits for a peer that does not read: as long
    // as the close would wait for it, then it is given up.
    if (client_out_.writing() || server_out_.writing()) {
      asio::steady_timer deadline(client_.get_executor());
      deadline.expires_after(std::chrono::milliseconds(cfg_.connections.shutdown_flush_ms));
      deadline.async_wait([this](const asio::error_code& e) {
        if (e) return;
        client_out_.abandon_uring_send();
        server_out_.abandon_uring_send();
      });
      co_await writes_settled();
      deadline.cancel();
    }
    uring_ = nullptr;
    client_out_.use_socket();
    server_out_.use_socket();
    client_.assign(client_protocol, uring_fd_[0], ec);
    server_.assign(server_protocol, uring_fd_[1], ec);
    // Asio forgot the sockets' modes with them: without this its
    // synchronous writes (WriteQueue::push) would wait for a full socket.
    client_.non_blocking(true, ec);
    server_.non_blocking(true, ec);
    uring_fd_ = {-1, -1};
  }

  // Until neither write queue has a write in flight (their handlers point
  // into the socket they were started on).
  asio::awaitable<void> writes_settled() {
    while (client_out_.writing()) co_await client_out_.progress();
    while (server_out_.writing()) co_await server_out_.progress();
  }

  // The ring's reads (UringRecvSink): the same inspection as read_ready's,
  // and the same backpressure, by stopping the reads of a side while the
  // other side's queue is over `max_pending_bytes`.
  void on_received(int tag, std::span<const std::uint8_t> bytes, std::int64_t stamped_ns) override {
    const Direction from = tag == 0 ? Direction::serverbound : Direction::clientbound;
    if (halted_) return;
    try {
      if (!inspect(from, bytes, stamped_ns)) {
        halt();
        return;
      }
    } catch (...) {
      if (!pump_error_) pump_error_ = std::current_exception();
      halt();
      return;
    }
    WriteQueue& toward = from == Direction::serverbound ? server_out_ : client_out_;
    if (toward.failed()) {
      end_on_failed_write(from);
    } else if (!uring_paused_[tag] && policy_.must_pause(toward.backlog()) && !toward.done()) {
      uring_paused_[tag] = true;
      uring_->cancel(uring_recv_[static_cast<std::size_t>(tag)]);
    }
  }

  void on_recv_ended(int tag, int result) override {
    const Direction from = tag == 0 ? Direction::serverbound : Direction::clientbound;
    if (result == -ECANCELED && uring_paused_[tag] && !halted_) {
      resume_when_drained(from);
      return;
    }
    uring_paused_[tag] = false;
    if (result != -ECANCELED) {
      const std::string what =
          result == 0 ? "closed the connection" : std::error_code(-result, std::system_category()).message();
      if (from == Direction::serverbound) {
        end(EndCause::client_closed, "client " + what);
      } else {
        end(EndCause::backend_closed, "backend " + what);
      }
    }
    pump_ended(from);
  }

  // A paused side reads again once the other side's queue went down.
  void resume_when_drained(Direction from) {
    const std::size_t i = index_of(from);
    WriteQueue& toward = from == Direction::serverbound ? server_out_ : client_out_;
    if (halted_ || toward.failed()) {
      uring_paused_[i] = false;
      if (!halted_) end_on_failed_write(from);
      return pump_ended(from);
    }
    if (policy_.must_pause(toward.backlog()) && !toward.done()) {
      toward.on_progress([this, from] { resume_when_drained(from); });
      return;
    }
    uring_paused_[i] = false;
    uring_->recv(uring_recv_[i], uring_fd_[i], static_cast<int>(i), *this);
  }

  // The backend accepted the connection and closed or reset it before it
  // sent a byte: a backend process that is exiting still accepts on its
  // listening socket for a moment. To the player that backend is down, as
  // if it had refused: a server-list ping is answered from the cache, a
  // login hears "unavailable" rather than "lost".
  bool backend_left_without_a_word() const {
    return ending_ && ending_->cause == EndCause::backend_closed && connected_ && !stop_requested_ &&
           session_.counters(Direction::clientbound).bytes == 0 && !client_out_.failed();
  }

  // Undoes connect_backend() and the ending the pumps set, so that
  // serve_without_backend() answers alone.
  void forget_backend() {
    backend_error_ = std::move(ending_->reason);
    ending_.reset();
    halted_ = false;
    connected_ = false;
    asio::error_code ignored;
    server_.close(ignored);
    server_out_.discard();
    Metrics::add(state_.metrics.backend_unavailable);
  }

  // Reads the client's first bytes; a PROXY header is used when the peer is
  // trusted and refused otherwise. Bytes after the header are fed to the session.
  asio::awaitable<bool> read_proxy_header() {
    std::vector<std::uint8_t> head;
    for (;;) {
      if (halted_) co_return false;
      auto [ec] = co_await async_wait_readable(client_, read_state_[0],
                                               cancellable_by_halt(Direction::serverbound));
      if (halted_) co_return false;
      if (ec) {
        end(EndCause::client_closed, ec.message());
        co_return false;
      }
      const auto buf = detail::scratch();
      const HintedRead read = read_some_hinted(client_, buf, ec);
      const std::size_t n = read.bytes;
      read_state_[0].update(read, ec);
      if (ec == asio::error::would_block) continue;
      if (ec) {
        end(EndCause::client_closed, ec == asio::error::eof ? "client closed" : ec.message());
        co_return false;
      }
      policy_.client_read(Clock::now());
      head.insert(head.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      auto step = proxy_header_step(head, address_.peer, runtime_->is_trusted(address_.peer.address));
      if (step.end) {
        end(std::move(*step.end));
        co_return false;
      }
      if (step.incomplete) continue;
      std::span<const std::uint8_t> rest = head;
      if (step.header) {
        address_.proxied = true;
        if (!step.header->local) {
          address_.real = step.header->source;
          local_ = step.header->destination;
        }
        rest = rest.subspan(step.header->length);
        events_.address_changed();
      }
      co_return rest.empty() || inspect(Direction::serverbound, rest, read.stamped_ns);
    }
  }

  // One read from one side, fed to the session, before the pumps run (the
  // handshake, answering alone). False when the connection ends.
  // A read that left bytes (or the peer's FIN) in the socket is followed
  // by another before any wait: no readiness edge will announce them
  // (readable_wait.hpp). It goes after the thread's other connections ran.
  asio::awaitable<bool> read_once(Direction from) {
    for (;;) {
      if (halted_) co_return false;
      std::error_code ec;
      if (read_state(from).more) {
        co_await asio::post(client_.get_executor(), asio::use_awaitable);
      } else {
        std::tie(ec) = co_await async_wait_readable(socket_of(from), read_state(from), cancellable_by_halt(from));
      }
      switch (read_ready(from, ec)) {
        case ReadStep::fed: co_return true;
        case ReadStep::ended: co_return false;
        case ReadStep::again: break;
      }
    }
  }

  enum class ReadStep { fed, again, ended };

  // The read after a wait (or a post) on one side, `waited` being how the
  // wait ended: feeds what it read to the session, or says to wait again,
  // or that the connection ends (its ending set).
  ReadStep read_ready(Direction from, std::error_code waited) {
    // Halted meanwhile (by the other reader or the watchdog): the ending is set.
    if (halted_) return ReadStep::ended;
    std::error_code ec = waited;
    if (!ec) {
      const auto buf = detail::scratch();
      const HintedRead read = read_some_hinted(socket_of(from), buf, ec);
      read_state(from).update(read, ec);
      if (ec == asio::error::would_block) return ReadStep::again;
      if (!ec) return inspect(from, buf.first(read.bytes), read.stamped_ns) ? ReadStep::fed : ReadStep::ended;
    }
    const bool eof = ec == asio::error::eof;
    if (from == Direction::serverbound) {
      end(EndCause::client_closed, eof ? "client closed the connection" : "client: " + ec.message());
    } else {
      end(EndCause::backend_closed, eof ? "backend closed the connection" : "backend: " + ec.message());
    }
    return ReadStep::ended;
  }

  // ---- the pumps: one reader per direction in play ----------------------------
  //
  // next_read -> (readiness wait, or a post when the last read left bytes)
  //   -> on_readable: read_ready, then backpressure -> next_read ...
  // until a read ends the connection or halt() cancels the wait.
  //
  // A chain of completion handlers, not a coroutine: at 1,000 active players
  // resuming a coroutine for every read through Asio's awaitable machinery
  // (and the per-read frames of read_once and of each co_await'ed operation)
  // cost about 6 % of the proxy's CPU (docs/benchmarks.md, "Pumps without
  // coroutines"). Each chain has one operation pending at a time; exceptions
  // end the chain and serve() rethrows the first.

  void next_read(Direction from) {
    if (halted_) return pump_ended(from);
    if (read_state(from).more) {
      asio::post(client_.get_executor(), [this, from] { guarded(from, [&] { on_readable(from, {}); }); });
      return;
    }
    async_wait_readable(socket_of(from), read_state(from),
                        asio::bind_cancellation_slot(read_cancel_[index_of(from)].slot(), [this, from](std::error_code ec) {
                          guarded(from, [&] { on_readable(from, ec); });
                        }));
  }

  void on_readable(Direction from, std::error_code waited) {
    switch (read_ready(from, waited)) {
      case ReadStep::ended: return pump_ended(from);
      case ReadStep::again: return next_read(from);
      case ReadStep::fed: return go_on_when_drained(from);
    }
  }

  // Backpressure: a reader pauses while the other side's queue holds more
  // than `max_pending_bytes`, and goes on at its writer's next progress.
  void go_on_when_drained(Direction from) {
    WriteQueue& toward = from == Direction::serverbound ? server_out_ : client_out_;
    if (halted_) return pump_ended(from);
    if (toward.failed()) {
      end_on_failed_write(from);
      return pump_ended(from);
    }
    if (policy_.must_pause(toward.backlog()) && !toward.done()) {
      toward.on_progress([this, from] { guarded(from, [&] { go_on_when_drained(from); }); });
      return;
    }
    next_read(from);
  }

  // Runs one step of a pump; what it throws ends that pump (and the connection).
  template <typename Step>
  void guarded(Direction from, Step&& step) {
    try {
      step();
    } catch (...) {
      if (!pump_error_) pump_error_ = std::current_exception();
      pump_ended(from);
    }
  }

  void pump_ended(Direction) {
    halt();
    if (--pumps_running_ == 0) pumps_done_.notify();
  }

  // A write toward the other side failed: that side is gone, so the
  // connection ends with its cause (the caller's pump ends with it).
  void end_on_failed_write(Direction from) {
    end(from == Direction::serverbound ? EndCause::backend_closed : EndCause::client_closed, "write failed");
    halt();
  }

  static std::size_t index_of(Direction from) noexcept { return from == Direction::serverbound ? 0 : 1; }
  tcp::socket& socket_of(Direction from) noexcept { return from == Direction::serverbound ? client_ : server_; }
  ReadState& read_state(Direction from) noexcept { return read_state_[index_of(from)]; }

  // Feeds bytes read from one side to the session and queues its output;
  // `stamped_ns`: when the kernel received them (0: not known), which is
  // the time the core gets (arrival_time.hpp). A client's read also counts
  // as its activity (the idle limits). False when the session (or a limit)
  // ends the connection.
  bool inspect(Direction from, std::span<const std::uint8_t> bytes, std::int64_t stamped_ns) {
    const auto t0 = Clock::now();
    if (from == Direction::serverbound) policy_.client_read(t0);
    fed_since_wake_ = true;
    session::Output& out = detail::scratch_output();
    out.clear();
    const Timestamp now{arrival_.of_read(state_.clock.to_us(t0), stamped_ns, stamped_ns != 0 ? realtime_ns() : 0)};
    report_lateness(t0, now);
    recording_.bytes(from, bytes, now);
    if (clips_) clips_->before(now);
    session_.feed(from, bytes, now, out);
    if (recording_.undecided()) decide_recording(now);
    const auto t1 = Clock::now();
    events_.fed(from, bytes.size(), std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0),
                std::chrono::microseconds(arrival_.last_wait_us()));
    server_out_.push(out.to_server);
    client_out_.push(out.to_client);
    if (clips_) clips_->saw(out.events, session_);
    events_.handle(out);
    if (clips_) clips_->after(now, session_);
    if (out.close) {
      const auto& c = *out.close;
      if (c.cause != session::CloseCause::malformed) {
        end(kick_ending(cfg_.messages, c.reason, session_.engine().kick_reason_is_message()));
        return false;
      }
      state_.metrics.decode_error(c.error);
      malformed_from_server_ = c.from == Direction::clientbound;
      end(malformed_ending(c.error, c.reason));
      return false;
    }
    const std::uint64_t inflated = session_.counters(Direction::serverbound).inflated_bytes +
                                   session_.counters(Direction::clientbound).inflated_bytes;
    if (auto over = policy_.inflated(t1, inflated)) {
      end(std::move(*over));
      return false;
    }
    return true;
  }

  // Runs the core's deadlines due by `now`; false when it decided to kick.
  // Bytes read now may have waited in the kernel while this loop was busy
  // with other connections: the core must not take that for the player's
  // timing (PlayerSession::host_late; the engine ignores small delays).
  void report_lateness(Clock::time_point now, Timestamp at) {
    if (const auto lag = lag_.lag_at(now); lag.count() > 0) {
      session_.host_late(at, lag);
      // The engine ignores delays below its threshold: only the others are
      // worth a note (the replay's call would be a no-op too).
      if (lag >= millis(runtime_->engine->engine.host_late_threshold_ms)) {
        recording_.note({adapters::recording::NoteKind::host_late, lag, {}, {}}, at);
      }
    }
  }

  // Whether this connection is recorded (recordings.players, all_players,
  // or asked for through the admin address):
  // known once Login Start named the player and the backend is connected
  // (the recording's addresses are both ends).
  void decide_recording(Timestamp now) {
    const protocol::ConnectionTracker& t = session_.tracker();
    if (t.intent() == protocol::packets::Intent::status || session_.legacy_ping()) {
      recording_.decide(false, {}, {}, {});
      return;
    }
    const std::string& name = t.identity().name;
    if (name.empty() || !connected_) return;
    // The backend's address as connect_backend() saw it: in play the socket
    // may be lent to the io thread's ring, where Asio cannot ask it.
    if (backend_end_.port == 0 || !(cfg_.recordings.records(name) || state_.recording_requests.has(name))) {
      recording_.decide(false, {}, {}, {});
      return;
    }
    const adapters::PcapngEndpoints ends{address_.real, backend_end_};
    recording_.decide(true, RecordingWriter::stem_for(now, name, id_), ends,
                      fmt::format("RustGuard session recording: player {}, connection #{}, {} -> {}; the streams are "
                                  "what RustGuard read (client and backend), replay with rustguard-replay",
                                  name, id_, address_.real.to_string(), ends.server.to_string()));
  }

  // The clip an action of `kind` belongs to, at the time of the core call
  // being handled (the ring's time); "" when it gets none.
  std::string request_clip(adapters::ActionKind kind) {
    if (!clips_->wanted(kind)) return {};
    return clips_->request(kind, clips_->now(), session_.tracker().identity().name, clip_ends(), session_);
  }
  // The connection's addresses for a clip file: the player's (the PROXY
  // protocol's when there is one) and the backend's.
  // The backend's is the one it had when connected: a clip is often cut
  // after the backend's socket closed.
  adapters::PcapngEndpoints clip_ends() const { return {address_.real, backend_end_}; }

  bool advance(Clock::time_point now) {
    session::Output& out = detail::scratch_output();
    out.clear();
    const Timestamp at{arrival_.advance_to(state_.clock.to_us(now))};
    report_lateness(now, at);
    if (clips_) clips_->before(at);
    session_.advance(at, out);
    recording_.advanced(at);
    if (clips_) clips_->saw(out.events, session_);
    events_.handle(out);
    if (clips_) clips_->after(at, session_);
    if (!out.close) return true;
    end(kick_ending(cfg_.messages, out.close->reason, session_.engine().kick_reason_is_message()));
    return false;
  }

  // ---- the backend -----------------------------------------------------------

  asio::awaitable<bool> connect_backend() {
    using namespace asio::experimental::awaitable_operators;
    if (halted_) co_return false;
    asio::steady_timer timer(client_.get_executor());
    timer.expires_after(std::chrono::milliseconds(cfg_.connections.connect_timeout_ms));
    asio::error_code error = asio::error::host_not_found;
    bool timed_out = false;
    auto attempt = [&]() -> asio::awaitable<void> {
      tcp::resolver resolver(client_.get_executor());
      auto [resolve_error, endpoints] =
          co_await resolver.async_resolve(cfg_.backend.host, std::to_string(cfg_.backend.port), use_nothrow);
      if (resolve_error) {
        error = resolve_error;
        co_return;
      }
      // Endpoint by endpoint, opening the socket here: asio's range connect
      // reports a failed open (EMFILE) as operation_aborted.
      for (const auto& entry : endpoints) {
        asio::error_code ec;
        server_.close(ec);
        server_.open(entry.endpoint().protocol(), ec);
        if (ec) {
          error = ec;
          continue;
        }
        auto [connect_error] = co_await server_.async_connect(entry.endpoint(), use_nothrow);
        error = connect_error;
        if (!connect_error || connect_error == asio::error::operation_aborted) co_return;
      }
    };
    auto expire = [&]() -> asio::awaitable<void> {
      auto [ec] = co_await timer.async_wait(use_nothrow);
      if (!ec) timed_out = true;
    };
    connect_timer_ = &timer;  // halt() cancels the wait, and so the attempt
    co_await (attempt() || expire());
    connect_timer_ = nullptr;
    if (halted_) {
      asio::error_code ignored;
      server_.close(ignored);
      server_out_.discard();
      co_return false;
    }
    if (error || timed_out) {
      Metrics::add(state_.metrics.backend_unavailable);
      backend_error_ = backend_error_text(error, timed_out, cfg_.connections.connect_timeout_ms);
      asio::error_code ignored;
      server_.close(ignored);
      server_out_.discard();
      co_return false;
    }
    asio::error_code ec;
    server_.set_option(tcp::no_delay(true), ec);
    server_.non_blocking(true, ec);
    enable_unread_hint(server_);
    enable_arrival_stamps(server_);
    if (cfg_.proxy_protocol.to_backend) {
      std::vector<std::uint8_t> header;
      protocol::write_proxy_v2(header, address_.real, local_);
      server_out_.push_front(header);
    }
    server_out_.resume();
    connected_ = true;
    if (const auto backend = server_.remote_endpoint(ec); !ec) backend_end_ = {to_ip(backend.address()), backend.port()};
    tools::log_info("connect #{} {} -> {}: {}", id_, address(), cfg_.backend.to_string(), describe());
    co_return true;
  }

  // The backend is down: the responder says what to answer and when to stop.
  asio::awaitable<void> serve_without_backend() {
    tools::log_warn("#{} {}: backend {} unavailable ({})", id_, address(), cfg_.backend.to_string(), backend_error_);
    for (;;) {
      const auto& t = session_.tracker();
      auto step = responder_.respond(
          {session_.legacy_ping(), t.state(Direction::serverbound) == protocol::State::status, t.protocol()},
          backend_error_);
      if (!step.to_client.empty()) client_out_.push(step.to_client);
      Metrics::add(state_.metrics.status_from_cache, step.answered);
      if (step.end) {
        end(std::move(*step.end));
        co_return;
      }
      server_out_.discard();
      if (!co_await read_once(Direction::serverbound)) co_return;
    }
  }

  // ---- logging ---------------------------------------------------------------

  std::string address() const { return events_.address_text(); }
  std::string describe() const { return describe_client(session_.tracker(), session_.legacy_ping()); }

  void log_disconnect() const {
    if (!tools::Log::instance().enabled(LogLevel::info)) return;
    const std::string where = address();
    const std::string what = describe();
    tools::log_info("{}", disconnect_line({id_, session_.tracker().identity().name, where, what,
                                           std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_),
                                           session_.counters(Direction::serverbound).bytes,
                                           session_.counters(Direction::clientbound).bytes,
                                           session_.engine().timing_flags_held(),
                                           ending_ ? std::string_view(ending_->reason) : std::string_view()}));
  }

  tcp::socket client_;
  tcp::socket server_;
  std::uint64_t id_;
  ProxyState& state_;
  ConnectionRegistry& registry_;
  LoopLag& lag_;  // of the io thread this connection lives on
  std::shared_ptr<const RuntimeConfig> runtime_;
  const Config& cfg_;
  // The fields every read and write touches, with the connection's small
  // flags, together at the front, apart from the session's 4.6 KB: at 1,000
  // players a connection's state is no longer in the cache when its next
  // read comes, and the proxy's profile stalled on each of the lines these
  // fields used to be scattered over (docs/benchmarks.md, "A connection's
  // hot fields in few lines").
  bool halted_ = false;
  bool fed_since_wake_ = false;    // inspect() ran since the watchdog last woke
  bool connected_ = false;
  bool stop_requested_ = false;
  bool malformed_from_server_ = false;
  bool told_client_ = false;
  bool watchdog_armed_ = false;    // its handler is pending
  bool watchdog_stopped_ = false;  // close() began
  int pumps_running_ = 0;
  std::array<ReadState, 2> read_state_{};  // serverbound, clientbound: what the last read left
  std::array<asio::cancellation_signal, 2> read_cancel_;  // serverbound, clientbound read waits
  UringLoop* uring_ = nullptr;                 // in play on the io thread's ring
  std::array<UringRecv, 2> uring_recv_{};      // serverbound, clientbound reads there
  std::array<int, 2> uring_fd_{{-1, -1}};      // the sockets lent to it
  std::array<bool, 2> uring_paused_{};         // a side's reads stopped for backpressure
  std::unique_ptr<ConnectionClips> clips_;  // clips.enabled: the ring of the client leg and the clips cut from it
  ArrivalTime arrival_;  // the core's time: when reads' bytes arrived, never running backwards
  Clock::time_point started_;
  ConnectionPolicy policy_;
  SessionRecording recording_;
  WriteQueue client_out_;
  WriteQueue server_out_;
  session::PlayerSession session_;
  asio::steady_timer watchdog_timer_;
  Signal pumps_done_;  // serve() waits on it for both pumps to end
  asio::steady_timer* connect_timer_ = nullptr;           // while connect_backend() waits
  std::exception_ptr pump_error_;  // the first exception a pump threw
  ClientAddress address_;
  BackendDownResponder responder_;
  ConnectionEvents events_;
  net::Endpoint backend_end_{};  // the backend's address once connected
  net::Endpoint local_;
  std::optional<Ending> ending_;
  std::string backend_error_;
};

// The coroutine that owns one connection (spawned on the socket's io context).
inline asio::awaitable<void> serve_connection(tcp::socket client, std::uint64_t id, ProxyState& state,
                                              ConnectionRegistry& registry, LoopLag& lag,
                                              std::shared_ptr<const RuntimeConfig> config) {
  Connection connection(std::move(client), id, state, registry, lag, std::move(config));
  co_await connection.run();
}

}  // namespace rustguard::proxy
