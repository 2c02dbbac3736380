#pragma once
// Expands the CAPTURE arguments of the replay tool: a file stands for itself,
// a folder for the capture files directly inside it, in name order (which is
// also the order tcpdump -C / -G rotations are written in when they share a
// prefix).

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace rustguard::replay {

inline bool looks_like_capture_file(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  // "x.pcap", "x.pcapng", "x.cap", and tcpdump -C rotations "x.pcap1", "x.pcap2"...
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string ext = name.substr(dot + 1);
  if (ext == "cap" || ext == "pcapng") return true;
  if (ext.rfind("pcap", 0) != 0) return false;
  return std::all_of(ext.begin() + 4, ext.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Files to read for one argument; `ec` is set when it is neither a readable
// folder nor an existing file.
inline std::vector<std::filesystem::path> capture_files(const std::filesystem::path& arg, std::error_code& ec) {
  std::vector<std::filesystem::path> out;
  ec.clear();
  if (!std::filesystem::is_directory(arg, ec)) {
    if (ec) return out;
    if (!std::filesystem::exists(arg, ec)) {
      if (!ec) ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return out;
    }
    out.push_back(arg);
    return out;
  }
  for (std::filesystem::directory_iterator it{arg, ec}, end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && looks_like_capture_file(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace rustguard::replay
