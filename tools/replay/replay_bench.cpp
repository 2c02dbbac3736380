// Replay throughput: the whole replay path (libpcap reading, TCP reassembly,
// handshake detection, one ConnectionSession per connection with the replay
// hooks) over the committed regression captures, read again and again, on
// one core. Prints Minecraft packets per second and MB/s of capture.
//
//   rustguard_replay_bench [--repeat N] [CAPTURE...]   (default: each file in captures/ of the source tree, N = 200)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/capture_files.hpp"
#include "replay/replay_analysis.hpp"

int main(int argc, char** argv) {
  using namespace rustguard::replay;
  int repeat = 200;
  std::vector<std::string> captures;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else {
      captures.push_back(a);
    }
  }
  if (captures.empty()) {
    std::error_code ec;
    for (const auto& f : capture_files(RUSTGUARD_SOURCE_DIR "/captures", ec)) captures.push_back(f.string());
  }
  // As the 1.8.8 expectations do: flying-squid's 1.8 chunks compress past the
  // default bomb guard, and a closed session would leave packets unread.
  const ReplaySettings settings{rustguard::adapters::parse_config("", "bench", {{"limits.max_compression_ratio", "1000"}})};

  // One pass first: warms the page cache and gives the per-pass figures.
  std::uint64_t packets = 0, bytes = 0, players = 0;
  for (const auto& c : captures) {
    const CaptureReport r = replay_capture(c, settings);
    packets += r.totals.packets;
    bytes += r.totals.bytes;
    players += r.players.size();
  }
  std::printf("replay bench: %zu argument(s), %llu players, %llu packets, %.2f MB per pass; %d passes\n",
              captures.size(), static_cast<unsigned long long>(players), static_cast<unsigned long long>(packets),
              static_cast<double>(bytes) / 1e6, repeat);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t seen = 0;
  for (int pass = 0; pass < repeat; ++pass) {
    for (const auto& c : captures) seen += replay_capture(c, settings).totals.packets;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("replay: %.0f packets/s, %.1f MB/s of capture (%.3f s for %llu packets)\n",
              static_cast<double>(seen) / s, static_cast<double>(bytes) * repeat / s / 1e6, s,
              static_cast<unsigned long long>(seen));
  return seen == packets * static_cast<std::uint64_t>(repeat) ? 0 : 1;
}
