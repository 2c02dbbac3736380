#pragma once
// Loads tests/fixtures/packets/<release>.txt (written by
// tests/node/generate_packet_fixtures.mjs) and compares decoded fields with the
// values minecraft-protocol read from the same bytes.

#include <catch2/catch.hpp>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rustguard::test {

inline const std::vector<std::string>& fixture_releases() {
  static const std::vector<std::string> releases = {"1.8.8",  "1.12.2", "1.16.5", "1.20.4",
                                                    "1.20.6", "1.21.1", "1.21.3", "1.21.4",
                                                    "1.21.5", "1.21.8", "1.21.11", "26.1"};
  return releases;
}

struct PacketFixture {
  std::string release;
  int line = 0;
  std::string kind;  // PacketKind enumerator name
  std::int32_t id = 0;
  std::vector<std::uint8_t> body;  // packet body after the id
  std::map<std::string, std::string> fields;  // values as minecraft-protocol read them
};

namespace detail {
inline std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

inline std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  if (hex == "-") return out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

template <class T>
bool parse_whole(const std::string& s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}
}  // namespace detail

// Every fixture of one release, in file order.
inline std::vector<PacketFixture> load_packet_fixtures(const std::string& release) {
  const std::string path = std::string(RUSTGUARD_TEST_DATA_DIR) + "/fixtures/packets/" + release + ".txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture file " + path);
  std::vector<PacketFixture> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    PacketFixture f;
    f.release = release;
    f.line = number;
    std::string id, hex, field;
    words >> f.kind >> id >> hex;
    f.id = std::stoi(id);
    f.body = detail::from_hex(hex);
    while (words >> field) {
      const auto eq = field.find('=');
      if (eq == std::string::npos) throw std::runtime_error(path + ": bad field " + field);
      f.fields[field.substr(0, eq)] = detail::percent_decode(field.substr(eq + 1));
    }
    out.push_back(std::move(f));
  }
  return out;
}

// True when `expected` (from the fixture) and `actual` (from the C++ decoder)
// denote the same value: same integer, same double, or the same text.
inline bool same_value(const std::string& expected, const std::string& actual) {
  std::int64_t ei = 0, ai = 0;
  if (detail::parse_whole(expected, ei) && detail::parse_whole(actual, ai)) return ei == ai;
  std::uint64_t eu = 0, au = 0;
  if (detail::parse_whole(expected, eu) && detail::parse_whole(actual, au)) return eu == au;
  double ed = 0, ad = 0;
  if (detail::parse_whole(expected, ed) && detail::parse_whole(actual, ad)) return ed == ad;
  return expected == actual;
}

// Formats a decoded value the way the comparison expects.
inline std::string field_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
inline std::string field_text(float v) { return field_text(static_cast<double>(v)); }
inline std::string field_text(bool v) { return v ? "true" : "false"; }
inline std::string field_text(const std::string& v) { return v; }
inline std::string field_text(std::string_view v) { return std::string(v); }
template <class Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
inline std::string field_text(Int v) {
  return std::to_string(v);
}

// Checks that every field the fixture names was produced by the decoder with
// the same value. A field the decoder does not report fails the test, so a
// fixture can never be silently ignored.
inline void check_fields(const PacketFixture& f, const std::map<std::string, std::string>& actual) {
  INFO(f.release << " line " << f.line << ": " << f.kind);
  for (const auto& [name, expected] : f.fields) {
    INFO("field " << name);
    const auto it = actual.find(name);
    REQUIRE(it != actual.end());
    INFO("expected " << expected << ", decoded " << it->second);
    CHECK(same_value(expected, it->second));
  }
}

}  // namespace rustguard::test
