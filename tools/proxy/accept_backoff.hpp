#pragma once
// What the accept loop does when accept() fails, sans I/O. Out of file
// descriptors (EMFILE, ENFILE) or memory, the pending connection stays in the
// kernel's queue and the listening socket stays readable, so retrying at once
// spins a core and writes a log line per retry (issue 11: 12,012 lines in one
// second). Instead accepting pauses, 100 ms at first and doubling up to 1 s
// while the failures go on, and one line per interval says how many failed:
//
//   AcceptBackoff backoff;
//   on error:  auto d = backoff.failed(now, accept_error_kind(ec));
//              if (d.log) log("accept failed: {} ({} in the last ...)", ...);
//              if (d.pause > 0) wait d.pause before accepting again
//   on success: backoff.accepted();
//
// tests/proxy/accept_backoff_test.cpp drives it without sockets.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace rustguard::proxy {

enum class AcceptErrorKind : std::uint8_t {
  file_descriptors,  // EMFILE, ENFILE: the process or the system is out of them
  memory,            // ENOBUFS, ENOMEM
  other,             // the peer gave up (ECONNABORTED), a firewall said no (EPERM)...: retry at once
};

// errno values: std::system_category and std::generic_category, and Asio's
// own system category ("asio.system", which standalone Asio uses for every
// socket error and which compares equal to neither).
inline bool is_errno_category(const std::error_category& c) noexcept {
  return c == std::system_category() || c == std::generic_category() || std::string_view(c.name()) == "asio.system";
}

inline AcceptErrorKind accept_error_kind(const std::error_code& ec) noexcept {
  if (!is_errno_category(ec.category())) return AcceptErrorKind::other;
  switch (ec.value()) {
    case EMFILE:
    case ENFILE:
      return AcceptErrorKind::file_descriptors;
    case ENOBUFS:
    case ENOMEM:
      return AcceptErrorKind::memory;
    default:
      return AcceptErrorKind::other;
  }
}

inline const char* to_string(AcceptErrorKind k) noexcept {
  switch (k) {
    case AcceptErrorKind::file_descriptors: return "file_descriptors";
    case AcceptErrorKind::memory: return "memory";
    case AcceptErrorKind::other: return "other";
  }
  return "other";
}

class AcceptBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = std::chrono::milliseconds;

  AcceptBackoff() noexcept = default;
  AcceptBackoff(Duration first_pause, Duration max_pause, Duration log_interval) noexcept
      : first_(first_pause), max_(max_pause), log_interval_(log_interval) {}

  struct Decision {
    Duration pause{0};  // wait this long before the next accept (0: at once)
    // Set when a line is due: the failures it covers (this one included),
    // since the last line.
    std::optional<std::uint64_t> log;
  };

  Decision failed(TimePoint now, AcceptErrorKind kind) {
    Decision d;
    ++unlogged_;
    if (kind != AcceptErrorKind::other) {
      pause_ = pause_.count() == 0 ? first_ : std::min(max_, pause_ * 2);
      d.pause = pause_;
    }
    if (!logged_ || now - last_log_ >= log_interval_) {
      d.log = unlogged_;
      unlogged_ = 0;
      last_log_ = now;
      logged_ = true;
    }
    return d;
  }

  // A connection was accepted: the next failure pauses for the first pause again.
  void accepted() noexcept { pause_ = Duration(0); }

  Duration current_pause() const noexcept { return pause_; }
  // Failures not yet reported in a log line.
  std::uint64_t unlogged() const noexcept { return unlogged_; }

 private:
  Duration first_{100}, max_{1000}, log_interval_{1000};
  Duration pause_{0};
  TimePoint last_log_{};
  bool logged_ = false;
  std::uint64_t unlogged_ = 0;
};

// The log line for a Decision with `log` set.
inline std::string accept_failure_line(const std::string& message, std::uint64_t count, AcceptBackoff::Duration pause,
                                       AcceptBackoff::Duration interval) {
  std::string line = "accept failed: " + message;
  if (count > 1) line += " (" + std::to_string(count) + " times in the last " + std::to_string(interval.count()) + " ms)";
  if (pause.count() > 0) line += "; pausing new connections for " + std::to_string(pause.count()) + " ms";
  return line;
}

// Why a backend connection could not be made, for the log and the player's
// Disconnect: the timeout when the timer ran out first, else the socket's own
// error (EMFILE reads "Too many open files", not a timeout).
inline std::string backend_error_text(const std::error_code& error, bool timed_out, std::uint32_t timeout_ms) {
  if (timed_out) return "timed out after " + std::to_string(timeout_ms) + " ms";
  std::string text = error.message();
  if (accept_error_kind(error) == AcceptErrorKind::file_descriptors) text += " (the proxy is out of file descriptors)";
  return text;
}

}  // namespace rustguard::proxy
