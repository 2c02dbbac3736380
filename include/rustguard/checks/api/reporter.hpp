#pragma once
// How a check flags a player. The reporter raises the check's violation level,
// feeds the suspicion score, hands a Violation (with the player's identity,
// protocol and ping) to the folder, which stores it or folds it into a
// pending record (violation_folding.hpp), and turns the check's limits into a
// verdict (cancel the packet, kick, or ask for a setback) and the violation's
// Outcome, the one statement of what was done that every adapter reads.
// Every flag has its consequences, folded or not. Every flag also climbs the
// player's punishment ladders (actions/punishment_ladder.hpp): a step that
// fires adds its actions to the flag's record (stored at once, so the actions
// rows can point at it), and its kick, cancel or setback to the verdict and
// consequences like a check's own thresholds. Allocates only when a flag is
// raised.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/actions/fired_action.hpp"
#include "rustguard/actions/placeholders.hpp"
#include "rustguard/actions/punishment_config.hpp"
#include "rustguard/actions/punishment_ladder.hpp"
#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/movement_evidence.hpp"
#include "rustguard/checks/api/suspicion_score.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_folding.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::engine {

// What the session should do beyond the verdict.
struct Consequences {
  std::optional<std::string> kick_reason;
  std::string_view kick_check;  // the key of the check whose flag kicked (empty: a limit of the engine)
  Timestamp kick_at{};          // the time of the input that kicked (a packet, or a tick's own instant)
  // The kick reason is a punishment ladder's text, for the player to read as
  // it is (a check's or the engine's reason follows messages.kick).
  bool kick_reason_is_message = false;
  bool setback = false;  // send the player back to its last accepted position
  // Flags judged from arrival times that were held because the host said it
  // was reading late (Reporter::flag_timing).
  std::uint64_t timing_flags_held = 0;
};

// What a reporter is judging: a serverbound packet, whose verdict can drop
// it, or time passing / a transaction answer, where a cancel drops nothing.
enum class Judging : std::uint8_t { packet, event };

// The alert line of a ladder's `alert` without a text of its own.
inline constexpr std::string_view kDefaultLadderAlert = "%player% failed %check% %type% (VL %vl%, %group%): %detail%";
// The Disconnect of a ladder's `kick` without a text of its own.
inline constexpr std::string_view kDefaultLadderKick = "Kicked by RustGuard (%check%)";

class Reporter {
 public:
  Reporter(const context::PlayerContext& ctx, ViolationFolder& folder, std::vector<Violation>& out,
           SuspicionScore& suspicion, double suspicion_half_life_s, Consequences& consequences, Timestamp now,
           Judging judging = Judging::packet, actions::PunishmentLadder* ladder = nullptr,
           const actions::Punishments* punishments = nullptr, bool setbacks = true) noexcept
      : ctx_(ctx), folder_(folder), out_(out), suspicion_(suspicion), half_life_(suspicion_half_life_s),
        consequences_(consequences), now_(now), judging_(judging), ladder_(ladder),
        punishments_(punishments), setbacks_(setbacks) {}

  Timestamp now() const noexcept { return now_; }
  // The player's suspicion score now (every flag adds its amount; it halves
  // every checks.engine.suspicion_half_life_s): the gate of heavier analysis.
  double suspicion() const noexcept { return suspicion_.value(now_, half_life_); }
  // What the movement checks hold short of a flag now (nothing when the
  // engine gave no source). Collected on demand: ask it only when judging.
  MovementEvidence movement_evidence() const noexcept { return evidence_(now_); }
  void set_evidence_source(MovementEvidenceSource source) noexcept { evidence_ = source; }

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

    // The outcome is decided here, once, from the check's thresholds; every
    // adapter reads it from the record instead of comparing VLs again.
    Verdict verdict = Verdict::pass;
    bool kicks_now = false;
    const bool alert = limits.alert_vl > 0 && level >= limits.alert_vl;
    if (alert) v.outcome |= Outcome::alert;
    if (setbacks_ && limits.setback_vl > 0 && level >= limits.setback_vl) {
      consequences_.setback = true;
      v.outcome |= Outcome::setback;
    }
    if (limits.cancel_vl > 0 && level >= limits.cancel_vl) {
      verdict = Verdict::cancel;
      if (judging_ == Judging::packet) {
        v.outcome |= Outcome::cancel;
        v.cancelled = 1;
      }
    }
    if (limits.kick_vl > 0 && level >= limits.kick_vl) {
      verdict = Verdict::kick;
      if (!consequences_.kick_reason) {
        consequences_.kick_reason = std::string(info.name) + " (" + std::string(type) + ")";
        consequences_.kick_at = now_;
        consequences_.kick_check = info.key;
        kicks_now = true;
        v.outcome |= Outcome::kick;
      }
    }
    if (ladder_ != nullptr && punishments_ != nullptr && run_ladders(info, type, level, v, verdict)) kicks_now = true;
    // The flag that kicks (or fired a ladder step) is stored at once, so the
    // kick and the actions can point at it; one that reaches the alert VL
    // too, so alerts are never late.
    folder_.add(std::move(v), out_,
                kicks_now ? ViolationFolder::Store::at_once
                          : (alert ? ViolationFolder::Store::alert : ViolationFolder::Store::fold));
    return verdict;
  }

  // A flag judged from when packets arrived (or did not) rather than from
  // what they say. While the host (the proxy) has said its own reading is
  // late (PlayerContext::host_late_until), arrival times measure the host,
  // not the client: the flag is held — counted, not raised — so an
  // overloaded proxy never accuses an honest player.
  Verdict flag_timing(const CheckInfo& info, const CheckLimits& limits, ViolationLevel& vl, std::string_view type,
                      double amount, std::string detail, std::string numbers_json = "{}") {
    if (now_ < ctx_.host_late_until) {
      ++consequences_.timing_flags_held;
      return Verdict::pass;
    }
    return flag(info, limits, vl, type, amount, std::move(detail), std::move(numbers_json));
  }

 private:
  // The steps this flag fires, applied to its record and the verdict. True
  // when one fired (the record must be stored at once).
  bool run_ladders(const CheckInfo& info, std::string_view type, double level, Violation& v, Verdict& verdict) {
    const actions::Punishments& config = *punishments_;
    if (config.groups.empty()) return false;
    const std::vector<actions::FiredStep> fired = ladder_->on_flag(config, info.key, level, now_);
    if (fired.empty()) return false;
    const std::string uuid = v.player_uuid.to_string();
    actions::PlaceholderValues values{v.player_name, uuid, v.check, type, level, v.ping_ms, version_name(),
                                      v.detail, config.server_name, {}};
    for (const actions::FiredStep& f : fired) {
      const actions::PunishmentGroup& group = config.groups[f.group];
      const actions::LadderStep& step = group.steps[f.step];
      values.group = group.name;
      for (const actions::ActionSpec& a : step.actions) {
        switch (a.type) {
          case actions::ActionType::alert:
            v.actions.push_back({actions::FiredKind::alert, group.name,
                                 actions::expand(a.text.empty() ? kDefaultLadderAlert : a.text, values)});
            break;
          case actions::ActionType::command:
            v.actions.push_back({actions::FiredKind::command, group.name, actions::expand(a.text, values)});
            break;
          case actions::ActionType::cancel:
            verdict = worst(verdict, Verdict::cancel);
            if (judging_ == Judging::packet) {
              v.outcome |= Outcome::cancel;
              v.cancelled = 1;
            }
            break;
          case actions::ActionType::setback:
            if (!setbacks_) break;
            consequences_.setback = true;
            v.outcome |= Outcome::setback;
            break;
          case actions::ActionType::kick:
            verdict = Verdict::kick;
            if (!consequences_.kick_reason) {
              consequences_.kick_reason = actions::expand(a.text.empty() ? kDefaultLadderKick : a.text, values);
              consequences_.kick_reason_is_message = true;
              consequences_.kick_at = now_;
              consequences_.kick_check = info.key;
              v.outcome |= Outcome::kick;
            }
            break;
        }
      }
      if (step.strike) v.actions.push_back({actions::FiredKind::strike, group.name, {}});
    }
    return true;
  }

  // "1.21.4" for %version%: the first release of the player's protocol, as
  // the proxy's /players and webhook name it.
  std::string_view version_name() const noexcept {
    const protocol::VersionInfo* version = protocol::find_version(ctx_.protocol);
    if (version == nullptr) return {};
    const std::string_view names = version->release_names();
    return names.substr(0, names.find(','));
  }

  const context::PlayerContext& ctx_;
  ViolationFolder& folder_;
  std::vector<Violation>& out_;
  SuspicionScore& suspicion_;
  double half_life_;
  Consequences& consequences_;
  Timestamp now_;
  Judging judging_;
  actions::PunishmentLadder* ladder_;
  MovementEvidenceSource evidence_{};
  const actions::Punishments* punishments_;
  bool setbacks_ = true;  // engine.setbacks: off, no flag asks for one
};

}  // namespace rustguard::engine
