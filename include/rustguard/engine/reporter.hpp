#pragma once
// How a check flags a player. The reporter raises the check's violation level,
// feeds the suspicion score, hands a Violation (with the player's identity,
// protocol and ping) to the folder, which stores it or folds it into a
// pending record (violation_folding.hpp), and turns the check's limits into a
// verdict: cancel the packet, kick, or ask for a setback. Every flag has its
// consequences, folded or not. Allocates only when a flag is raised.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/check_info.hpp"
#include "rustguard/engine/suspicion_score.hpp"
#include "rustguard/engine/verdict.hpp"
#include "rustguard/engine/violation_folding.hpp"
#include "rustguard/engine/violation_level.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::engine {

// What the session should do beyond the verdict.
struct Consequences {
  std::optional<std::string> kick_reason;
  bool setback = false;  // send the player back to its last accepted position
};

class Reporter {
 public:
  Reporter(const context::PlayerContext& ctx, ViolationFolder& folder, std::vector<Violation>& out,
           SuspicionScore& suspicion, double suspicion_half_life_s, Consequences& consequences, Timestamp now) noexcept
      : ctx_(ctx), folder_(folder), out_(out), suspicion_(suspicion), half_life_(suspicion_half_life_s),
        consequences_(consequences), now_(now) {}

  Timestamp now() const noexcept { return now_; }
  // The key of the first check whose flag through this reporter asked to
  // cancel (or kick); empty when none did.
  std::string_view cancelled_by() const noexcept { return cancelled_by_; }

  // Raises `vl` by `amount` and reports it. `detail` is the short readable
  // text with the numbers; `numbers_json` the same numbers as a JSON object.
  Verdict flag(const CheckInfo& info, const CheckLimits& limits, ViolationLevel& vl, std::string_view type,
               double amount, std::string detail, std::string numbers_json = "{}") {
    const double level = vl.add(amount, now_, limits.decay_per_second);
    suspicion_.add(amount, now_, half_life_);
    Violation v;
    v.time_ms = now_.to_millis();
    v.player_name = ctx_.name;
    v.player_uuid = ctx_.uuid;
    v.check = std::string(info.key);
    v.type = std::string(type);
    v.vl = level;
    v.detail = std::move(detail);
    v.numbers_json = std::move(numbers_json);
    v.protocol_version = ctx_.protocol;
    v.ping_ms = static_cast<std::int32_t>(ctx_.ping_ms + 0.5);

    Verdict verdict = Verdict::pass;
    bool kicks_now = false;
    if (limits.setback_vl > 0 && level >= limits.setback_vl) consequences_.setback = true;
    if (limits.cancel_vl > 0 && level >= limits.cancel_vl) verdict = Verdict::cancel;
    if (limits.kick_vl > 0 && level >= limits.kick_vl) {
      verdict = Verdict::kick;
      if (!consequences_.kick_reason) {
        consequences_.kick_reason = std::string(info.name) + " (" + std::string(type) + ")";
        kicks_now = true;
      }
    }
    if (verdict != Verdict::pass && cancelled_by_.empty()) cancelled_by_ = info.key;
    // The flag that kicks is stored at once, so the kick can point at it;
    // one that reaches the alert VL too, so alerts are never late.
    const bool alert = limits.alert_vl > 0 && level >= limits.alert_vl;
    folder_.add(std::move(v), out_,
                kicks_now ? ViolationFolder::Store::at_once
                          : (alert ? ViolationFolder::Store::alert : ViolationFolder::Store::fold));
    return verdict;
  }

 private:
  const context::PlayerContext& ctx_;
  ViolationFolder& folder_;
  std::vector<Violation>& out_;
  SuspicionScore& suspicion_;
  double half_life_;
  Consequences& consequences_;
  Timestamp now_;
  std::string_view cancelled_by_;  // a CheckInfo key: static storage
};

}  // namespace rustguard::engine
