#pragma once
// A progress bar on stderr for long replays: only when stderr is a terminal
// and the input is large enough to be worth watching.

#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace rustguard::replay {

class ProgressBar {
 public:
  static constexpr std::uint64_t kMinBytes = 16u << 20;

  ProgressBar() = default;
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() {
    if (enabled_ && shown_) std::fputs("\r\033[K", stderr);
  }

  void update(std::uint64_t done, std::uint64_t total) {
    if (!decided_) {
      decided_ = true;
      enabled_ = ::isatty(2) == 1 && total >= kMinBytes;
    }
    if (!enabled_ || total == 0) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    shown_ = true;
    char bar[41];
    for (int i = 0; i < 40; ++i) bar[i] = i < percent * 40 / 100 ? '#' : '.';
    bar[40] = '\0';
    std::fprintf(stderr, "\r[%s] %3d%%  %.1f / %.1f MB", bar, percent, static_cast<double>(done) / 1e6,
                 static_cast<double>(total) / 1e6);
    std::fflush(stderr);
  }

 private:
  bool decided_ = false;
  bool enabled_ = false;
  bool shown_ = false;
  int last_percent_ = -1;
};

}  // namespace rustguard::replay
