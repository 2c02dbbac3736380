#pragma once
// The rules of one proxied connection, sans I/O: when it must end and why,
// and when its watchdog must next wake up. Steady time points go in as
// arguments (nothing here reads a clock), answers come out as values:
//
//   ConnectionPolicy policy(cfg.connections, accepted_at);
//   policy.client_read(now);                            // every read from the client
//   auto w = policy.on_wake(now, progress_of(session), connected, stopping);
//   if (w.end) end the connection (count w.end->limit);
//   if (w.run_core) run the core's due ticks, then
//   timer.expires_at(ConnectionPolicy::wake_at(w.at, core_deadline));
//
// tools/proxy/connection.hpp owns the sockets and acts on these answers;
// tests/proxy/connection_policy_test.cpp drives them without any.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "limit.hpp"
#include "wake_grid.hpp"
#include "rustguard/adapters/proxy_settings.hpp"
#include "rustguard/protocol/error.hpp"
#include "rustguard/net/endpoint.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/handshake/intention_c2s.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "rustguard/protocol/state.hpp"

namespace rustguard::proxy {

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
  overloaded,  // a login refused while the proxy runs late (refuse_logins_lag_ms)
};

// How a connection ends: the cause, the reason (logged; for a kick, also
// shown to the player), and the limit it broke, if any (counted in
// rustguard_limit_hits_total).
struct Ending {
  EndCause cause = EndCause::client_closed;
  std::string reason;
  std::optional<Limit> limit;
};

// Where the connection is on its way to play, as the server sees it (the
// tracker moves only on the server's word). The first configuration phase
// has its own, longer deadline: a server may send a resource pack there.
enum class Phase : std::uint8_t { login, configuration, done };

// What the policy reads of the core's session.
struct SessionProgress {
  protocol::State state = protocol::State::handshake;  // serverbound
  bool encrypted = false;    // online mode: the rest is opaque
  bool opaque = false;       // forwarded uninspected (encrypted, unknown version, legacy ping)
  bool legacy_ping = false;  // a pre-1.7 server-list ping
  // The client has sent its Login Start and the server has sent nothing
  // back yet: the login waits on the server, not on the client.
  bool awaiting_server = false;
};

template <class Session>
SessionProgress progress_of(const Session& s) noexcept {
  const protocol::State state = s.tracker().state(protocol::Direction::serverbound);
  const bool awaiting_server = state == protocol::State::login && !s.tracker().identity().name.empty() &&
                               s.counters(protocol::Direction::clientbound).bytes == 0;
  return {state, s.tracker().encrypted(), s.opaque(), s.legacy_ping(), awaiting_server};
}

class ConnectionPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  // How often the watchdog looks again while a login waits on the server.
  static constexpr std::chrono::seconds kServerWaitRecheck{1};

  ConnectionPolicy(const ConnectionLimits& limits, TimePoint accepted) noexcept
      : limits_(limits),
        login_deadline_(accepted + std::chrono::milliseconds(limits.login_timeout_ms)),
        last_client_read_(accepted) {}

  // Something was read from the client (the idle timeout starts again).
  void client_read(TimePoint now) noexcept { last_client_read_ = now; }

  // Past encryption (online mode) nothing can be read and the server's own
  // login timeout applies; so it does for a version forwarded uninspected
  // (unknown_versions: forward). Once in play, done for good (1.20.2+ may
  // go back to configuration; that is not a login).
  Phase phase(const SessionProgress& p) noexcept {
    if (reached_play_) return Phase::done;
    if (p.state == protocol::State::play) {
      reached_play_ = true;
      return Phase::done;
    }
    if (p.encrypted || (p.opaque && !p.legacy_ping)) return Phase::done;
    if (p.state == protocol::State::configuration) return Phase::configuration;
    return Phase::login;
  }

  struct Wake {
    std::optional<Ending> end;  // a deadline passed (or a shutdown): end the connection
    bool run_core = false;      // connected and past the login: run the core's due ticks now
    TimePoint at{};             // the policy's own next deadline
  };

  // The watchdog woke at `now`. The configuration deadline starts at the
  // first wake that finds the connection in configuration.
  Wake on_wake(TimePoint now, const SessionProgress& progress, bool connected, bool stopping) {
    Wake w;
    if (stopping) {
      w.end = Ending{EndCause::shutdown, "proxy shutting down", std::nullopt};
      return w;
    }
    const Phase p = phase(progress);
    // The login deadline is the client's: a server slow to answer Login
    // Start (its own login timeout is 30 s in vanilla) must not cost the
    // player the login, as it did for 1,154-1,815 of 5,000 logins on a
    // saturated host (docs/benchmarks.md, "RustGuard without its
    // inspection, as a control"). While it waits, the deadline stays a
    // whole login_timeout_ms ahead, looked at every second, so once the
    // server answers the client still has login_timeout_ms, less up to a
    // second, to finish. The wait is bounded by idle_timeout_ms (the
    // client sends nothing meanwhile). A client cannot cause the wait: it
    // ends with the server's first byte, whatever the client does.
    const bool waiting_on_server = p == Phase::login && progress.awaiting_server;
    if (waiting_on_server) {
      login_deadline_ = std::max(login_deadline_, now + std::chrono::milliseconds(limits_.login_timeout_ms));
    }
    if (p == Phase::login && now >= login_deadline_) {
      w.end = Ending{EndCause::login_timeout,
                     "login timeout: not logged in after " + std::to_string(limits_.login_timeout_ms) + " ms",
                     Limit::login_timeout};
      return w;
    }
    if (p == Phase::configuration && !configuration_deadline_) {
      configuration_deadline_ = now + std::chrono::milliseconds(limits_.configuration_timeout_ms);
    }
    if (p == Phase::configuration && now >= *configuration_deadline_) {
      w.end = Ending{EndCause::login_timeout,
                     "login timeout: not in play " + std::to_string(limits_.configuration_timeout_ms) +
                         " ms after the login",
                     Limit::login_timeout};
      return w;
    }
    const TimePoint idle_deadline = last_client_read_ + std::chrono::milliseconds(limits_.idle_timeout_ms);
    if (now >= idle_deadline && waiting_on_server) {
      w.end = Ending{EndCause::login_timeout,
                     "login timeout: no answer from the server to Login Start for " +
                         std::to_string(limits_.idle_timeout_ms) + " ms",
                     Limit::login_timeout};
      return w;
    }
    if (now >= idle_deadline) {
      w.end = Ending{EndCause::idle_timeout,
                     "idle timeout: nothing from the client for " + std::to_string(limits_.idle_timeout_ms) + " ms",
                     Limit::idle_timeout};
      return w;
    }
    w.at = idle_deadline;
    if (p == Phase::login) w.at = std::min(w.at, waiting_on_server ? now + kServerWaitRecheck : login_deadline_);
    if (p == Phase::configuration) w.at = std::min(w.at, *configuration_deadline_);
    w.run_core = connected && p == Phase::done;
    return w;
  }

  // When to wake: the policy's own deadline or the core's (PlayerSession::
  // next_deadline, as a steady time point), whichever comes first, rounded
  // up onto the wake-up grid.
  static TimePoint wake_at(TimePoint own, std::optional<TimePoint> core) noexcept {
    return on_wake_grid(core ? std::min(own, *core) : own);
  }

  // Watchdogs fire on a shared grid of kWakeGrid. Each connection's watchdog
  // is due about once a second (ConnectionPolicy's timeouts, the core's next
  // tick), at its own instant: a thousand players on two io threads made
  // some 500 timer wake-ups a second a thread, most of them of a thread that
  // was asleep, each one a trip through the scheduler on two shared cores
  // (docs/benchmarks.md, "Watchdogs on a grid"). On the grid, every watchdog
  // due within the same slot fires in one wake-up. Nothing the watchdog does
  // needs finer timing: the timeouts are seconds, and the core runs each due
  // tick at its own instant whenever it is called.
  static constexpr std::chrono::milliseconds kWakeGrid = proxy::kWakeGrid;
  static TimePoint on_wake_grid(TimePoint t) noexcept { return at_or_after_on_grid(t, kWakeGrid); }

  // Backpressure: a reader pauses while the other side's queue holds more.
  bool must_pause(std::size_t backlog) const noexcept { return backlog > limits_.max_pending_bytes; }

  // Where the reader cannot pause (the backend not connected yet, the
  // handshake), going over the bound ends the connection.
  std::optional<Ending> pending(std::size_t backlog) const {
    if (!must_pause(backlog)) return std::nullopt;
    return Ending{EndCause::malformed,
                  "more than " + std::to_string(limits_.max_pending_bytes) +
                      " bytes pending for a peer that is not reading",
                  Limit::max_pending_bytes};
  }

  // `total`: the bytes the session has inflated so far, both directions.
  // Fixed one-second windows, the first starting at the first call.
  std::optional<Ending> inflated(TimePoint now, std::uint64_t total) {
    if (now - inflate_window_start_ >= std::chrono::seconds(1)) {
      inflate_window_start_ = now;
      inflate_window_base_ = total;
    }
    if (total - inflate_window_base_ <= limits_.max_inflated_bytes_per_second) return std::nullopt;
    return Ending{EndCause::inflated_rate,
                  "inflated more than " + std::to_string(limits_.max_inflated_bytes_per_second) +
                      " bytes in one second",
                  Limit::inflated_rate};
  }

 private:
  ConnectionLimits limits_;
  TimePoint login_deadline_;
  std::optional<TimePoint> configuration_deadline_;
  TimePoint last_client_read_;
  TimePoint inflate_window_start_{};
  std::uint64_t inflate_window_base_ = 0;
  bool reached_play_ = false;
};

// The client's first bytes, which may start with a PROXY header (v1 or v2):
// used when the peer is trusted (proxy_protocol.trusted), refused otherwise.
struct ProxyHeaderStep {
  bool incomplete = false;                  // read more bytes, then ask again
  std::optional<Ending> end;                // malformed, or from an untrusted peer
  std::optional<protocol::ProxyHeader> header;  // a trusted header; the stream starts after header->length bytes
};

inline ProxyHeaderStep proxy_header_step(std::span<const std::uint8_t> head, const net::Endpoint& peer,
                                         bool peer_trusted) {
  ProxyHeaderStep step;
  auto parsed = protocol::parse_proxy_header(head);
  if (!parsed) {
    step.end = Ending{EndCause::bad_proxy_header, "malformed PROXY header: " + parsed.error().message(), std::nullopt};
  } else if (parsed->status == protocol::ProxyHeaderStatus::incomplete) {
    step.incomplete = true;
  } else if (parsed->status == protocol::ProxyHeaderStatus::complete) {
    if (peer_trusted) {
      step.header = parsed->header;
    } else {
      step.end = Ending{EndCause::untrusted_proxy_header,
                        "PROXY header from untrusted address " + peer.to_string() + " refused",
                        Limit::untrusted_proxy_header};
    }
  }
  return step;
}

// The core ended the connection for the player's behaviour: the player reads
// the kick message and the core's reason, or a punishment ladder's own text
// as it is (`reason_is_message`).
inline Ending kick_ending(const Messages& messages, const std::string& reason, bool reason_is_message = false) {
  return Ending{EndCause::kicked, reason_is_message ? reason : messages.kick + ": " + reason, std::nullopt};
}

// The core found a stream it cannot read (either side): a frame over the
// size limit also counts as max_frame_bytes.
inline Ending malformed_ending(protocol::Errc error, std::string reason) {
  const bool too_large = error == protocol::Errc::frame_too_large || error == protocol::Errc::frame_length_too_long;
  return Ending{EndCause::malformed, std::move(reason),
                too_large ? std::optional<Limit>(Limit::max_frame_bytes) : std::nullopt};
}

// A client announcing a version RustGuard has no packet table for, under
// unknown_versions: refuse: the Disconnect names the supported range.
inline Ending unsupported_version_ending() {
  const auto versions = protocol::supported_versions();
  const auto first_name = [](const protocol::VersionInfo& v) {
    const auto names = v.release_names();
    return std::string(names.substr(0, names.find(',')));
  };
  return Ending{EndCause::kicked,
                "Unsupported Minecraft version. This server accepts " + first_name(versions.front()) + " to " +
                    first_name(versions.back()) + ".",
                std::nullopt};
}

// Admission under overload: a login (or transfer) arriving while the io
// thread it landed on runs `loop_lag` late is refused with
// messages.overloaded, so that the players already online keep their
// timing (and the timing checks their footing) instead of everyone
// degrading together. Status pings are answered regardless: they are cheap
// and tell the player the server is up. `refuse_logins_lag_ms` 0: never.
inline std::optional<Ending> overload_ending(protocol::packets::Intent intent, std::chrono::microseconds loop_lag,
                                             const ConnectionLimits& limits) {
  if (limits.refuse_logins_lag_ms == 0 || intent == protocol::packets::Intent::status) return std::nullopt;
  if (loop_lag < std::chrono::milliseconds(limits.refuse_logins_lag_ms)) return std::nullopt;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(loop_lag).count();
  return Ending{EndCause::overloaded,
                "login refused: the io thread runs " + std::to_string(ms) + " ms late (connections.refuse_logins_lag_ms " +
                    std::to_string(limits.refuse_logins_lag_ms) + ")",
                Limit::refuse_logins_lag};
}

// The Disconnect text the player should read for the way the connection
// ended (`reason` is the Ending's, the text of a kick); null: nothing to say.
// A backend that kicked the player itself already said why; a malformed
// stream from the server is a lost backend to the player.
inline const std::string* goodbye_text(EndCause cause, const std::string& reason, bool backend_kicked,
                                       bool malformed_from_server, const Messages& m) noexcept {
  switch (cause) {
    case EndCause::backend_closed:
      return backend_kicked ? nullptr : &m.backend_lost;
    case EndCause::malformed:
    case EndCause::inflated_rate:
      return malformed_from_server ? &m.backend_lost : &m.protocol_error;
    case EndCause::kicked:
      return &reason;
    case EndCause::login_timeout:
    case EndCause::idle_timeout:
      return &m.timeout;
    case EndCause::shutdown:
      return &m.shutdown;
    case EndCause::backend_unavailable:
      return &m.backend_unavailable;
    case EndCause::overloaded:
      return &m.overloaded;
    default:
      return nullptr;
  }
}

}  // namespace rustguard::proxy
