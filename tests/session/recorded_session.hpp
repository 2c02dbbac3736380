#pragma once
// Loads a session recorded by tests/node/record_stream.mjs: a mineflayer client
// and a minecraft-protocol server, both directions in arrival order.

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rustguard/protocol/state.hpp"

namespace rustguard::test {

struct Record {
  protocol::Direction direction;
  std::int64_t micros;  // since the first record
  std::vector<std::uint8_t> bytes;
};

inline std::vector<Record> load_session(const std::string& version) {
  const std::string path = std::string(RUSTGUARD_TEST_DATA_DIR) + "/fixtures/streams/" + version + ".session";
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  const std::vector<std::uint8_t> all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<Record> out;
  std::size_t i = 0;
  auto big_endian = [&](std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v = (v << 8) | all[at + static_cast<std::size_t>(k)];
    return v;
  };
  while (i + 13 <= all.size()) {
    const auto dir = all[i] == 0 ? protocol::Direction::serverbound : protocol::Direction::clientbound;
    const auto micros = static_cast<std::int64_t>(big_endian(i + 1, 8));
    const auto n = static_cast<std::size_t>(big_endian(i + 9, 4));
    i += 13;
    REQUIRE(i + n <= all.size());
    out.push_back({dir, micros, std::vector<std::uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(i),
                                                          all.begin() + static_cast<std::ptrdiff_t>(i + n))});
    i += n;
  }
  REQUIRE(i == all.size());
  return out;
}

inline std::vector<std::uint8_t> concat(const std::vector<Record>& records, protocol::Direction d) {
  std::vector<std::uint8_t> out;
  for (const auto& r : records) {
    if (r.direction == d) out.insert(out.end(), r.bytes.begin(), r.bytes.end());
  }
  return out;
}

}  // namespace rustguard::test
