#pragma once
// How much the tools log (config.yml's `log_level`). The adapters that log
// through a callback (the violation log) use the same levels.

#include <cstdint>
#include <string_view>

namespace rustguard {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, off };

constexpr std::string_view to_string(LogLevel l) noexcept {
  switch (l) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    case LogLevel::off: return "off";
  }
  return "?";
}

}  // namespace rustguard
