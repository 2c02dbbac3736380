#pragma once
// A small leveled logger on {fmt}: one line per event, to stderr, with a UTC
// timestamp. Tools only; the core never logs, it returns values.

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <mutex>

#include "rustguard/adapters/log_level.hpp"

namespace rustguard::tools {

class Log {
 public:
  static Log& instance() {
    static Log log;
    return log;
  }
  void set_level(LogLevel l) { level_.store(l, std::memory_order_relaxed); }
  bool enabled(LogLevel l) const { return l >= level_.load(std::memory_order_relaxed) && l != LogLevel::off; }

  template <class... Args>
  void write(LogLevel l, fmt::format_string<Args...> format, Args&&... args) {
    if (!enabled(l)) return;
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    std::string line = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z {:5} ", now, to_string(l));
    line += fmt::format(format, std::forward<Args>(args)...);
    line += '\n';
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }

 private:
  std::atomic<LogLevel> level_{LogLevel::info};
  std::mutex mutex_;
};

template <class... Args>
void log_info(fmt::format_string<Args...> f, Args&&... a) { Log::instance().write(LogLevel::info, f, std::forward<Args>(a)...); }
template <class... Args>
void log_warn(fmt::format_string<Args...> f, Args&&... a) { Log::instance().write(LogLevel::warn, f, std::forward<Args>(a)...); }
template <class... Args>
void log_error(fmt::format_string<Args...> f, Args&&... a) { Log::instance().write(LogLevel::error, f, std::forward<Args>(a)...); }
template <class... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... a) { Log::instance().write(LogLevel::debug, f, std::forward<Args>(a)...); }

// A callback for adapters that log through a plain function (the violation
// log): every line goes through this logger, prefixed with `source`.
inline std::function<void(LogLevel, std::string_view)> log_callback(std::string source) {
  return [source = std::move(source)](LogLevel level, std::string_view message) {
    Log::instance().write(level, "{}: {}", source, message);
  };
}

}  // namespace rustguard::tools
