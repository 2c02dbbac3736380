#pragma once
// Names the calling thread for the operating system, so that `top -H`,
// `ps -T` and /proc/<pid>/task/<tid>/comm tell a server owner which of the
// proxy's threads uses the CPU (an io thread, the violation log's writer...).
// Linux keeps at most 15 characters; longer names are cut, never refused.
// The main thread is left alone: its name is the process's name, which
// pgrep and service managers match.

#include <pthread.h>

#include <cstring>
#include <string_view>

namespace rustguard::adapters {

inline void name_this_thread(std::string_view name) noexcept {
  char cut[16] = {};
  std::memcpy(cut, name.data(), name.size() < 15 ? name.size() : 15);
  // Only fails for a name over 15 characters, which `cut` never is.
  (void)pthread_setname_np(pthread_self(), cut);
}

}  // namespace rustguard::adapters
