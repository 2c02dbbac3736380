#pragma once
// A minimal harness for RustGuard's benchmark programs: sections register
// themselves, main() runs the ones named on the command line (all by
// default), and helpers time a callable with steady_clock and print figures.
// Tools may use clocks; the core may not.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

namespace rustguard::bench {

struct Section {
  const char* name;
  const char* summary;
  void (*run)();
};

inline std::vector<Section>& sections() {
  static std::vector<Section> all;
  return all;
}

struct SectionRegistration {
  SectionRegistration(const char* name, const char* summary, void (*run)()) {
    sections().push_back(Section{name, summary, run});
  }
};

// RUSTGUARD_BENCH_SECTION(frame_split, "what it measures") { ...body... }
#define RUSTGUARD_BENCH_SECTION(id, summary)                                             \
  static void rustguard_bench_##id();                                                    \
  static const ::rustguard::bench::SectionRegistration rustguard_bench_reg_##id{#id, summary, \
                                                                            &rustguard_bench_##id}; \
  static void rustguard_bench_##id()

// Keeps a value alive so the optimiser cannot drop the work producing it.
template <class T>
inline void keep(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// Calls fn() repeatedly (in batches of `batch`) for at least `min_seconds`,
// after one warm-up batch; returns seconds per call.
template <class Fn>
double seconds_per_call(Fn&& fn, std::uint64_t batch = 1, double min_seconds = 0.5) {
  using clock = std::chrono::steady_clock;
  for (std::uint64_t i = 0; i < batch; ++i) fn();
  std::uint64_t calls = 0;
  const auto start = clock::now();
  double elapsed = 0;
  do {
    for (std::uint64_t i = 0; i < batch; ++i) fn();
    calls += batch;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return elapsed / static_cast<double>(calls);
}

inline void print_rate(const char* what, double bytes_per_call, double seconds_per_call) {
  std::printf("  %-58s %10.1f MB/s\n", what, bytes_per_call / seconds_per_call / 1e6);
}
inline void print_ns(const char* what, double seconds_per_call) {
  std::printf("  %-58s %10.1f ns\n", what, seconds_per_call * 1e9);
}
inline void print_value(const char* what, double value, const char* unit) {
  std::printf("  %-58s %10.1f %s\n", what, value, unit);
}

// Runs the sections named in argv (all when none), in name order.
inline int run_sections(int argc, char** argv) {
  auto all = sections();
  std::sort(all.begin(), all.end(),
            [](const Section& a, const Section& b) { return std::string_view{a.name} < std::string_view{b.name}; });
  if (argc > 1 && std::string_view{argv[1]} == "--list") {
    for (const auto& s : all) std::printf("%s: %s\n", s.name, s.summary);
    return 0;
  }
  int ran = 0;
  for (const auto& s : all) {
    bool wanted = argc <= 1;
    for (int i = 1; i < argc; ++i) wanted = wanted || std::string_view{argv[i]} == s.name;
    if (!wanted) continue;
    std::printf("[%s] %s\n", s.name, s.summary);
    s.run();
    ++ran;
  }
  if (ran == 0) {
    std::fprintf(stderr, "no such section; --list shows them\n");
    return 2;
  }
  return 0;
}

}  // namespace rustguard::bench
