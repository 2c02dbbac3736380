#pragma once
// The regression captures the clip tests rewrite (captures/): each with its
// cheater and the check that must alert on it, the replay settings they
// need, and the comparison of two replays' check tallies.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/replay_analysis.hpp"

namespace rustguard::test {

struct CheaterCapture {
  const char* capture;
  const char* cheater;
  const char* check;  // a check key prefix that must alert on the cheater
};

inline const std::vector<CheaterCapture>& cheater_captures() {
  static const std::vector<CheaterCapture> all{
      {"speed-1.21.4.pcap", "spee1214_cheat", "movement.speed"},
      {"speed-1.8.8.pcap", "spee188_cheat", "movement.speed"},
      {"reach-1.21.4.pcap", "rea1214_rch", "combat.reach"},
      {"fly-1.21.4.pcap", "fly1214_cheat", "movement.fly"},
  };
  return all;
}

inline replay::ReplaySettings capture_replay_settings() {
  // flying-squid's 1.8 chunks compress ~830:1 (captures/README.md).
  return replay::ReplaySettings{adapters::parse_config("", "test", {{"limits.max_compression_ratio", "1000"}})};
}

// Every check of `want` has the same count, highest VL and alerts in `got`,
// and no other check flagged. True when `check` alerted in `want`.
inline bool same_check_tallies(const replay::PlayerReport& want, const replay::PlayerReport& got,
                               const std::string& check) {
  bool alerted = false;
  REQUIRE(got.checks.size() == want.checks.size());
  for (const auto& [key, tally] : want.checks) {
    INFO(key);
    REQUIRE(got.checks.count(key) == 1);
    CHECK(got.checks.at(key).count == tally.count);
    CHECK(got.checks.at(key).max_vl == tally.max_vl);
    CHECK(got.checks.at(key).alerts == tally.alerts);
    if (key.rfind(check, 0) == 0 && tally.alerts > 0) alerted = true;
  }
  return alerted;
}

}  // namespace rustguard::test
