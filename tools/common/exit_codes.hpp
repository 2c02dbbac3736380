#pragma once
// Exit codes shared by every RustGuard program, so scripts can tell a bad
// config from a crash.

namespace rustguard::tools {

enum class ExitCode : int {
  ok = 0,
  failure = 1,        // a runtime failure (could not bind, database unusable, ...)
  usage = 2,          // bad command line
  config = 3,         // config.yml unreadable or invalid
  verify_mismatch = 4 // rustguard-replay verify found a difference
};

constexpr int to_int(ExitCode c) noexcept { return static_cast<int>(c); }

}  // namespace rustguard::tools
