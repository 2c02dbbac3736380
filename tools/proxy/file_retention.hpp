#pragma once
// Retention of a folder the proxy writes evidence into (session recordings,
// evidence clips): its own files only, oldest first, until none is older
// than `max_age` and they add up to at most `max_total` bytes (0: no limit).
// Files whose names `ours` does not accept are never touched, so an operator
// can keep other things in the folder. Runs on the writer thread that owns
// the folder.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace rustguard::proxy {

// The number of files removed.
template <class IsOurs>
std::uint64_t enforce_retention(const std::filesystem::path& folder, std::chrono::milliseconds max_age,
                                std::uint64_t max_total, IsOurs&& ours) {
  if (max_age.count() == 0 && max_total == 0) return 0;
  struct File {
    std::filesystem::path path;
    std::filesystem::file_time_type time;
    std::uint64_t size;
  };
  std::vector<File> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it{folder, ec}, end; !ec && it != end; it.increment(ec)) {
    std::error_code e;
    if (!it->is_regular_file(e) || !ours(it->path().filename().string())) continue;
    files.push_back({it->path(), it->last_write_time(e), it->file_size(e)});
  }
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.time < b.time; });
  std::uint64_t total = 0;
  for (const File& f : files) total += f.size;
  const auto now = std::filesystem::file_time_type::clock::now();
  std::uint64_t removed = 0;
  for (const File& f : files) {
    const bool too_old = max_age.count() > 0 && now - f.time > max_age;
    const bool too_much = max_total > 0 && total > max_total;
    if (!too_old && !too_much) break;
    std::error_code e;
    if (std::filesystem::remove(f.path, e)) {
      ++removed;
      total -= f.size;
    }
  }
  return removed;
}

}  // namespace rustguard::proxy
