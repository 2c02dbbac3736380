#pragma once
// A client for the backend's RCON port (Minecraft's Source RCON,
// rcon_packet.hpp), the way out for actions that run server commands.
//
//   RconClient rcon(ex, settings, log);
//   rcon.start();
//   rcon.submit("kick Steve cheating", [](RconResult r) { ... });   // or
//   RconResult r = co_await rcon.execute("ban Steve");
//   ...
//   rcon.stop();  // then let the executor run until rcon.stopped()
//
// One coroutine owns the connection: it connects (with a timeout), logs in,
// and sends one command at a time, because the server answers one packet per
// read and gives no other way to tell which reply belongs to what. Commands
// wait in a bounded queue while the server is down: they are sent once it is
// back, fail when they waited longer than queue_timeout, and a submit to a
// full queue fails with its reason; every command's callback runs exactly
// once, so an action is never lost silently.
//
// A reply longer than 4096 bytes comes as several packets and none says it
// is the last. Once the first packet of a reply arrived (so the server has
// read the command), the client sends a second, empty packet of the response
// type: Minecraft answers it with "Unknown request 0" (Source servers with an
// empty response) only after the whole reply, so its id marks the end. It is
// not sent with the command: the vanilla server parses one packet per read,
// and a second packet arriving in the same read would be lost.
//
// A command that gets no reply within command_timeout fails and the
// connection is dropped, so a late reply can never be taken for the next
// command's. A command in flight when the connection drops fails too
// ("connection lost"): it may have run, and running a ban twice is worse
// than reporting it failed. Reconnects wait 0.5 s doubling to 30 s
// (first_backoff, max_backoff) between attempts. A wrong password fails the
// queued commands at once (no retry will fix it before a reload) and later
// submits too, while attempts go on at the backoff's pace.
//
// Single-threaded: everything but counters() runs on the client's executor.
// g++ 12 destroys temporaries inside a co_await expression twice (a packet
// built in the call's braces freed its body twice here), so what a co_await
// call takes is a named local.

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "rcon_packet.hpp"
#include "rustguard/adapters/action_settings.hpp"
#include "write_queue.hpp"

namespace rustguard::proxy {

// The settings are config.yml's `rcon:` (adapters/action_settings.hpp).
using RconSettings = rustguard::RconSettings;

enum class RconOutcome : std::uint8_t { sent, failed };

inline const char* to_string(RconOutcome o) noexcept { return o == RconOutcome::sent ? "sent" : "failed"; }

struct RconResult {
  RconOutcome outcome = RconOutcome::failed;
  std::string reply;  // the whole reply when sent (often empty: many commands answer nothing)
  std::string error;  // why it failed
  bool sent() const noexcept { return outcome == RconOutcome::sent; }
};

enum class RconState : std::uint8_t { idle, connecting, connected, down, auth_failed, stopped };

inline const char* to_string(RconState s) noexcept {
  switch (s) {
    case RconState::idle: return "idle";
    case RconState::connecting: return "connecting";
    case RconState::connected: return "connected";
    case RconState::down: return "down";
    case RconState::auth_failed: return "auth_failed";
    case RconState::stopped: return "stopped";
  }
  return "idle";
}

// For /metrics: written on the client's executor, readable from any thread.
struct RconCounters {
  std::atomic<std::uint64_t> sent{0};              // commands answered
  std::atomic<std::uint64_t> failed{0};            // commands failed, refused ones included
  std::atomic<std::uint64_t> reconnects{0};        // logins after a failed attempt or a lost connection
  std::atomic<std::uint64_t> connect_failures{0};  // attempts that failed (connect, timeout or login)
  std::atomic<std::uint64_t> queue_depth{0};       // commands waiting (the one in flight not counted)
  std::atomic<bool> connected{false};
};

class RconClient {
 public:
  using Callback = std::function<void(RconResult)>;
  using Log = std::function<void(std::string_view)>;
  using Clock = std::chrono::steady_clock;

  // The type of the empty packet that marks the end of a reply (see the top).
  static constexpr std::int32_t kEndMarkerType = rcon::kTypeResponse;

  RconClient(asio::any_io_executor ex, RconSettings settings, Log log = {})
      : ex_(std::move(ex)),
        settings_(std::move(settings)),
        log_(std::move(log)),
        socket_(ex_),
        wake_(ex_),
        backoff_timer_(ex_) {}
  RconClient(const RconClient&) = delete;
  RconClient& operator=(const RconClient&) = delete;

  // Connects at once, so a wrong password or a closed port shows in the log
  // and in state() before the first action needs them.
  void start() {
    if (running_ || stopping_) return;
    running_ = true;
    asio::co_spawn(ex_, run(), [this](std::exception_ptr) {
      running_ = false;
      set_state(RconState::stopped);
    });
  }

  // Fails every waiting command and the one in flight ("stopped") and ends
  // the coroutine; the client may go once stopped() is true.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    fail_queued("RCON client stopped");
    asio::error_code ignored;
    socket_.cancel(ignored);
    socket_.close(ignored);
    backoff_timer_.cancel();
    wake_.notify();
    if (!running_) set_state(RconState::stopped);
  }
  bool stopped() const noexcept { return !running_; }

  // Queues a command; `done` runs exactly once, on the executor, never
  // inside submit(). Returns false when the command was refused at once
  // (queue full, stopped, wrong password, not a valid body): `done` then
  // gets the failure with its reason.
  bool submit(std::string command, Callback done) {
    std::string refusal;
    if (stopping_) {
      refusal = "RCON client stopped";
    } else if (state_ == RconState::auth_failed) {
      refusal = last_error_;
    } else if (std::string body_error = rcon::client_body_error(command); !body_error.empty()) {
      refusal = "command " + body_error;
    } else if (queue_.size() >= settings_.queue_capacity) {
      refusal = "RCON queue full (" + std::to_string(settings_.queue_capacity) + " commands waiting)";
    }
    if (!refusal.empty()) {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      asio::post(ex_, [done = std::move(done), refusal = std::move(refusal)]() mutable {
        if (done) done(RconResult{RconOutcome::failed, {}, std::move(refusal)});
      });
      return false;
    }
    queue_.push_back(Pending{std::move(command), std::move(done), Clock::now()});
    update_depth();
    wake_.notify();
    return true;
  }

  // submit() for a coroutine: the result, whatever it is.
  asio::awaitable<RconResult> execute(std::string command) {
    struct Waiter {
      explicit Waiter(const asio::any_io_executor& ex) : ready(ex) {}
      std::optional<RconResult> result;
      Signal ready;
    };
    auto waiter = std::make_shared<Waiter>(ex_);
    submit(std::move(command), [waiter](RconResult r) {
      waiter->result = std::move(r);
      waiter->ready.notify();
    });
    while (!waiter->result) co_await waiter->ready.wait();
    co_return std::move(*waiter->result);
  }

  RconState state() const noexcept { return state_; }
  // The last connection or login failure ("" once logged in again).
  const std::string& last_error() const noexcept { return last_error_; }
  const RconCounters& counters() const noexcept { return counters_; }
  const RconSettings& settings() const noexcept { return settings_; }

 private:
  struct Pending {
    std::string command;
    Callback done;
    Clock::time_point queued;
  };

  // ---- the connection's life ---------------------------------------------------

  asio::awaitable<void> run() {
    std::chrono::milliseconds backoff{0};
    bool had_trouble = false;  // a failed attempt or a lost connection since the last login
    while (!stopping_) {
      if (backoff.count() > 0) {
        set_state(state_ == RconState::auth_failed ? RconState::auth_failed : RconState::down);
        co_await wait_backoff(backoff);
        if (stopping_) break;
      }
      expire_queued();
      // Still refusing submits while the password is being tried again.
      if (state_ != RconState::auth_failed) set_state(RconState::connecting);
      LoginOutcome login = co_await connect_and_login();
      if (stopping_) break;
      if (!login.error.empty()) {
        close_socket();
        counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
        if (login.error != last_error_) say(login.error);
        last_error_ = login.error;
        had_trouble = true;
        if (login.wrong_password) {
          set_state(RconState::auth_failed);
          fail_queued(last_error_);
        } else {
          set_state(RconState::down);
        }
        backoff = next_backoff(backoff);
        continue;
      }
      if (had_trouble) counters_.reconnects.fetch_add(1, std::memory_order_relaxed);
      last_error_.clear();
      say("RCON " + where() + ": connected");
      set_state(RconState::connected);
      counters_.connected.store(true, std::memory_order_relaxed);
      std::string lost = co_await serve();
      counters_.connected.store(false, std::memory_order_relaxed);
      close_socket();
      if (stopping_) break;
      last_error_ = lost;
      say(lost);
      had_trouble = true;
      set_state(RconState::down);
      // A server that accepts and drops at once is not hammered.
      backoff = settings_.first_backoff;
    }
    close_socket();
  }

  std::chrono::milliseconds next_backoff(std::chrono::milliseconds current) const {
    if (current.count() <= 0) return settings_.first_backoff;
    return std::min(current * 2, settings_.max_backoff);
  }

  asio::awaitable<void> wait_backoff(std::chrono::milliseconds pause) {
    backoff_timer_.expires_after(pause);
    co_await backoff_timer_.async_wait(use_nothrow);
  }

  struct LoginOutcome {
    std::string error;
    bool wrong_password = false;
  };

  asio::awaitable<LoginOutcome> connect_and_login() {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer deadline(ex_);
    deadline.expires_after(settings_.connect_timeout);
    auto outcome = co_await (attempt_login() || deadline.async_wait(use_nothrow));
    if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
    co_return LoginOutcome{"RCON " + where() + ": no connection and login within " +
                               std::to_string(settings_.connect_timeout.count()) + " ms",
                           false};
  }

  asio::awaitable<LoginOutcome> attempt_login() {
    close_socket();
    asio::ip::tcp::resolver resolver(ex_);
    const std::string service = std::to_string(settings_.port);
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(settings_.host, service, use_nothrow);
    if (resolve_error) co_return LoginOutcome{"RCON " + where() + ": cannot resolve: " + resolve_error.message()};
    asio::error_code error = asio::error::host_not_found;
    for (const auto& entry : endpoints) {
      close_socket();
      auto [connect_error] = co_await socket_.async_connect(entry.endpoint(), use_nothrow);
      error = connect_error;
      if (!error || stopping_) break;
    }
    if (error) co_return LoginOutcome{"RCON " + where() + ": cannot connect: " + error.message()};
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);

    if (std::string body_error = rcon::client_body_error(settings_.password); !body_error.empty()) {
      co_return LoginOutcome{"RCON " + where() + ": password " + body_error};
    }
    const rcon::Packet login{next_id(), rcon::kTypeLogin, settings_.password};
    const std::string write_error = co_await write_packet(login);
    if (!write_error.empty()) co_return LoginOutcome{"RCON " + where() + ": login: " + write_error};
    for (;;) {
      Read read = co_await read_packet();
      if (!read.error.empty()) co_return LoginOutcome{"RCON " + where() + ": login: " + read.error};
      if (read.packet.id == rcon::kAuthFailedId) {
        co_return LoginOutcome{"RCON " + where() + ": authentication failed (wrong password)", true};
      }
      // Source servers send an empty response before the login's answer.
      if (read.packet.type == rcon::kTypeResponse) continue;
      if (read.packet.id == login.id && read.packet.type == rcon::kTypeAuthResponse) co_return LoginOutcome{};
      co_return LoginOutcome{"RCON " + where() + ": login: unexpected answer (id " + std::to_string(read.packet.id) +
                             ", type " + std::to_string(read.packet.type) + ")"};
    }
  }

  // Sends queued commands until the connection is lost; returns why.
  asio::awaitable<std::string> serve() {
    using namespace asio::experimental::awaitable_operators;
    while (!stopping_) {
      expire_queued();
      if (queue_.empty()) {
        // Idle: a socket readable with nothing to read means the server
        // closed it; finding that out here keeps the next command from being
        // written into a dead connection.
        auto woke = co_await (wake_.wait() || socket_.async_wait(asio::ip::tcp::socket::wait_read, use_nothrow));
        if (woke.index() == 0 || stopping_) continue;
        asio::error_code ec;
        if (socket_.available(ec) == 0 || ec) co_return "RCON " + where() + ": connection closed by the server";
        // A late packet: Source servers answer an end marker twice.
        asio::steady_timer deadline(ex_);
        deadline.expires_after(settings_.command_timeout);
        auto late = co_await (read_packet() || deadline.async_wait(use_nothrow));
        if (late.index() == 1) co_return "RCON " + where() + ": an unasked packet did not arrive whole";
        if (const Read& read = std::get<0>(late); !read.error.empty()) co_return "RCON " + where() + ": " + read.error;
        continue;
      }
      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      update_depth();
      asio::steady_timer deadline(ex_);
      deadline.expires_after(settings_.command_timeout);
      auto outcome = co_await (exchange(in_flight_->command) || deadline.async_wait(use_nothrow));
      if (stopping_) {
        finish(RconResult{RconOutcome::failed, {}, "RCON client stopped"});
        co_return std::string{};
      }
      if (outcome.index() == 1) {
        const std::string reason = "no reply within " + std::to_string(settings_.command_timeout.count()) + " ms";
        finish(RconResult{RconOutcome::failed, {}, reason});
        co_return "RCON " + where() + ": " + reason + ": reconnecting";
      }
      Exchange done = std::get<0>(std::move(outcome));
      if (!done.error.empty()) {
        finish(RconResult{RconOutcome::failed, {}, done.error});
        co_return "RCON " + where() + ": " + done.error;
      }
      finish(RconResult{RconOutcome::sent, std::move(done.reply), {}});
    }
    co_return std::string{};
  }

  struct Exchange {
    std::string reply;
    std::string error;
  };

  // One command and its whole reply (the end marker: see the top).
  asio::awaitable<Exchange> exchange(const std::string& command) {
    const rcon::Packet request{next_id(), rcon::kTypeCommand, command};
    const std::string write_error = co_await write_packet(request);
    if (!write_error.empty()) co_return Exchange{{}, "connection lost before the command was sent: " + write_error};
    std::string reply;
    std::optional<std::int32_t> marker;
    for (;;) {
      Read read = co_await read_packet();
      if (!read.error.empty()) co_return Exchange{{}, "connection lost before the reply: " + read.error};
      const rcon::Packet& p = read.packet;
      if (p.id == rcon::kAuthFailedId) co_return Exchange{{}, "the server says the client is not logged in"};
      if (marker && p.id == *marker) co_return Exchange{std::move(reply), {}};
      if (p.id != request.id) continue;  // a leftover of an end marker (Source servers answer it twice)
      reply += p.body;
      if (!marker) {
        const rcon::Packet end_marker{next_id(), kEndMarkerType, {}};
        marker = end_marker.id;
        const std::string marker_error = co_await write_packet(end_marker);
        if (!marker_error.empty()) co_return Exchange{{}, "connection lost during the reply: " + marker_error};
      }
    }
  }

  // ---- packets -----------------------------------------------------------------

  asio::awaitable<std::string> write_packet(const rcon::Packet& packet) {
    const std::vector<std::uint8_t> bytes = rcon::encode(packet);
    auto [error, n] = co_await asio::async_write(socket_, asio::buffer(bytes), use_nothrow);
    (void)n;
    co_return error ? error.message() : std::string{};
  }

  struct Read {
    rcon::Packet packet;
    std::string error;
  };

  asio::awaitable<Read> read_packet() {
    std::array<std::uint8_t, rcon::kHeaderSize> header{};
    auto [header_error, header_n] = co_await asio::async_read(socket_, asio::buffer(header), use_nothrow);
    (void)header_n;
    if (header_error) co_return Read{{}, describe_read_error(header_error)};
    const std::int32_t length = rcon::decode_length(header);
    if (std::string error = rcon::length_error(length, rcon::kMaxServerLength); !error.empty()) {
      co_return Read{{}, error};
    }
    in_.resize(static_cast<std::size_t>(length));
    auto [body_error, body_n] = co_await asio::async_read(socket_, asio::buffer(in_), use_nothrow);
    (void)body_n;
    if (body_error) co_return Read{{}, describe_read_error(body_error)};
    rcon::Decoded decoded = rcon::decode(in_);
    if (!decoded.ok()) co_return Read{{}, decoded.error};
    co_return Read{std::move(decoded.packet), {}};
  }

  static std::string describe_read_error(const asio::error_code& error) {
    if (error == asio::error::eof) return "closed by the server";
    return error.message();
  }

  // ---- bookkeeping ---------------------------------------------------------------

  std::int32_t next_id() noexcept {
    // Positive and never -1 (the id of a refusal).
    if (next_id_ <= 0 || next_id_ == std::numeric_limits<std::int32_t>::max()) next_id_ = 1;
    return next_id_++;
  }

  void finish(RconResult result) {
    if (!in_flight_) return;
    Pending done = std::move(*in_flight_);
    in_flight_.reset();
    count(result);
    if (done.done) done.done(std::move(result));
  }

  void count(const RconResult& result) {
    if (result.sent()) {
      counters_.sent.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void fail_queued(const std::string& reason) {
    std::deque<Pending> failing;
    failing.swap(queue_);
    update_depth();
    for (Pending& p : failing) {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      asio::post(ex_, [done = std::move(p.done), reason]() {
        if (done) done(RconResult{RconOutcome::failed, {}, reason});
      });
    }
  }

  // Commands that waited longer than queue_timeout fail: an action that
  // arrives minutes late (a kick after the player left) does more harm.
  void expire_queued() {
    const auto now = Clock::now();
    while (!queue_.empty() && now - queue_.front().queued >= settings_.queue_timeout) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      std::string reason = "not sent: no RCON connection for " + std::to_string(settings_.queue_timeout.count()) +
                           " ms" + (last_error_.empty() ? std::string{} : " (" + last_error_ + ")");
      asio::post(ex_, [done = std::move(p.done), reason = std::move(reason)]() {
        if (done) done(RconResult{RconOutcome::failed, {}, reason});
      });
    }
    update_depth();
  }

  void update_depth() { counters_.queue_depth.store(queue_.size(), std::memory_order_relaxed); }

  void close_socket() {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  void set_state(RconState s) { state_ = s; }

  void say(const std::string& line) {
    if (log_) log_(line);
  }

  std::string where() const { return settings_.host + ":" + std::to_string(settings_.port); }

  asio::any_io_executor ex_;
  RconSettings settings_;
  Log log_;
  asio::ip::tcp::socket socket_;
  Signal wake_;
  asio::steady_timer backoff_timer_;
  std::deque<Pending> queue_;
  std::optional<Pending> in_flight_;
  std::vector<std::uint8_t> in_;
  RconCounters counters_;
  RconState state_ = RconState::idle;
  std::string last_error_;
  std::int32_t next_id_ = 1;
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace rustguard::proxy
