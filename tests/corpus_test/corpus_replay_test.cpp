// Replays every file of tests/corpus/<target>/ (fuzzer seeds and the inputs
// that once crashed or hung RustGuard) through the fuzz targets' own entry
// functions, so every build checks them without libFuzzer. Under
// -DRUSTGUARD_SANITIZE=ON a regression shows up as an ASan/UBSan report.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../tools/fuzz/fuzz_entries.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace corpus_replay_test {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> corpus_files(const std::string& target) {
  const fs::path dir = fs::path(RUSTGUARD_TEST_DATA_DIR) / "corpus" / target;
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("Every corpus input passes its fuzz target's invariants", "[corpus]") {
  for (const char* target : rustguard::fuzz::kTargetNames) {
    const auto files = corpus_files(target);
    INFO("target " << target);
    // Each target keeps a seed corpus; an empty folder means a lost corpus.
    CHECK(!files.empty());
    for (const auto& file : files) {
      const auto bytes = read_all(file);
      INFO(file.filename().string() << " (" << bytes.size() << " bytes)");
      const rustguard::fuzz::Failure failure = rustguard::fuzz::run_target(target, bytes);
      CHECK(failure == nullptr);
      if (failure != nullptr) FAIL_CHECK(failure);
    }
  }
}

TEST_CASE("The corpus stays small: each file under 64 KiB, all under 2 MiB", "[corpus]") {
  std::uintmax_t total = 0;
  for (const char* target : rustguard::fuzz::kTargetNames) {
    for (const auto& file : corpus_files(target)) {
      const auto size = fs::file_size(file);
      INFO(file.string());
      CHECK(size < 64 * 1024);
      total += size;
    }
  }
  CHECK(total < 2 * 1024 * 1024);
}

TEST_CASE("An unknown target name is reported, not silently passed", "[corpus]") {
  const std::vector<std::uint8_t> empty;
  CHECK(rustguard::fuzz::run_target("no_such_target", empty) != nullptr);
  for (const char* target : rustguard::fuzz::kTargetNames) {
    INFO(target);
    CHECK(rustguard::fuzz::run_target(target, empty) == nullptr);
  }
}

}  // namespace corpus_replay_test
