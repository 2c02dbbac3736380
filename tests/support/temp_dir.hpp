#pragma once
// A fresh folder under the system's temp dir for one test, removed with
// everything in it when the test ends.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace rustguard::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "rustguard-test") {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace rustguard::test
