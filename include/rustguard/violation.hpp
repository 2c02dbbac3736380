#pragma once
// What a check emits when it flags a player. A plain value: the core builds it
// from its inputs (the time it was fed, the numbers it computed) and hands it
// to whoever listens; storing it is an adapter's business.

#include <cstdint>
#include <string>

#include "rustguard/protocol/types.hpp"

namespace rustguard {

struct Violation {
  // The time fed into the core: wall-clock epoch ms in the live proxy, the
  // capture timestamp in replay. Never read from a clock here.
  std::int64_t time_ms = 0;
  std::string player_name;
  protocol::Uuid player_uuid;
  std::string check;         // "timer"
  std::string type;          // "balance"
  double vl = 0;             // violation level after this flag
  std::string detail;        // short human text with the numbers
  std::string numbers_json;  // the triggering numbers as a JSON object
  std::int32_t protocol_version = 0;
  std::int32_t ping_ms = 0;
  std::uint32_t count = 1;  // flags this record stands for (repeats fold: engine/violation_folding.hpp)
  std::uint64_t session_id = 0;  // assigned by the violation log at session start
};

}  // namespace rustguard
