#pragma once
// The quoted #include lines of a source file, for the tests that hold the
// layers to their direction by reading the headers themselves.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace rustguard::test {

// What `path` includes with quotes ("rustguard/...", "../x.hpp"), in order.
inline std::vector<std::string> quoted_includes(const std::filesystem::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  const std::string prefix = "#include \"";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const auto end = line.find('"', prefix.size());
    if (end != std::string::npos) out.push_back(line.substr(prefix.size(), end - prefix.size()));
  }
  return out;
}

}  // namespace rustguard::test
