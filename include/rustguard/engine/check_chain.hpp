#pragma once
// The checks of an engine as a compile-time list. Dispatch is resolved at
// compile time: for an input type, only the checks with an `on()` overload
// for it are called (a fold over the list, no virtual calls, no maps), and
// for a packet (or what the engine made of one) only the checks whose
// kReads / kReadsClientbound list its kind. Every check of an input runs;
// its verdict is the worst. Disabled checks are skipped; heavy checks run
// only while the player's suspicion is at the gate.
//
// What a check declares:
//   static constexpr CheckInfo kInfo;             // key, name, cost, default limits
//   static constexpr std::array kReads{...};      // serverbound kinds (optional)
//   static constexpr std::array kReadsClientbound{...};  // clientbound kinds (optional)
//   struct Params;                                // its own settings
//   Verdict on(const Input&, const PlayerContext&, const CheckSettings<Check>&, Reporter&);  // per input
// A kind a check reads must be one the engine decodes
// (engine/decoded_packets.hpp), or the build fails here.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_list.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/movement_evidence.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/decoded_packets.hpp"
#include "rustguard/engine/engine_config.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::engine {

template <class Check, class Input>
concept Handles = requires(Check& c, const Input& in, const context::PlayerContext& ctx,
                           const CheckSettings<Check>& s, Reporter& r) {
  { c.on(in, ctx, s, r) } -> std::same_as<Verdict>;
};

// The serverbound / clientbound kinds a check reads (none when it declares none).
template <class Check>
constexpr std::span<const protocol::PacketKind> serverbound_reads() noexcept {
  if constexpr (requires { Check::kReads; }) {
    return Check::kReads;
  } else {
    return {};
  }
}
template <class Check>
constexpr std::span<const protocol::PacketKind> clientbound_reads() noexcept {
  if constexpr (requires { Check::kReadsClientbound; }) {
    return Check::kReadsClientbound;
  } else {
    return {};
  }
}

template <class Check>
constexpr bool reads(protocol::PacketKind kind) noexcept {
  for (const auto k : serverbound_reads<Check>()) {
    if (k == kind) return true;
  }
  for (const auto k : clientbound_reads<Check>()) {
    if (k == kind) return true;
  }
  return false;
}

// Every kind the check reads is one the engine decodes, in that direction.
template <class Check>
constexpr bool reads_only_decoded() noexcept {
  for (const auto k : serverbound_reads<Check>()) {
    if (!DecodedServerbound::contains(k)) return false;
  }
  for (const auto k : clientbound_reads<Check>()) {
    if (!DecodedClientbound::contains(k)) return false;
  }
  return true;
}

// One per check, so the compiler names the check that fails.
template <class Check>
struct ReadsAreDecoded {
  static_assert(reads_only_decoded<Check>(),
                "this check's kReads (serverbound) or kReadsClientbound names a kind the engine does not decode: "
                "add its packet struct to engine/decoded_packets.hpp, or fix the direction");
  static constexpr bool value = true;
};

template <class List>
class CheckChain;

template <class... Checks>
class CheckChain<CheckList<Checks...>> {
  static_assert((ReadsAreDecoded<Checks>::value && ...));

 public:
  using Config = BasicEngineConfig<CheckList<Checks...>>;
  static constexpr std::size_t size = sizeof...(Checks);

  // Whether any check reads packets of this kind (either direction).
  static constexpr bool any_reads(protocol::PacketKind kind) noexcept { return (reads<Checks>(kind) || ...); }

  // The position of the check with this key in the chain (size when unknown):
  // the order in which things reported per check are listed.
  static constexpr std::size_t position(std::string_view key) noexcept {
    std::size_t i = 0, found = size;
    ((found = found == size && Checks::kInfo.key == key ? i : found, ++i), ...);
    return found;
  }

  // Runs every enabled check that handles `input` and reads packets of
  // `Kind` (the input is that packet, or what the engine made of it).
  // `suspicious()` is asked only when a heavy check would run.
  template <protocol::PacketKind Kind, class Input, class Gate>
  Verdict run(const Input& input, const context::PlayerContext& ctx, const Config& config, Reporter& reporter,
              const Gate& suspicious) {
    Verdict verdict = Verdict::pass;
    std::apply(
        [&](auto&... check) {
          ((verdict = worst(verdict, run_one<true, Kind>(check, input, ctx, config, reporter, suspicious))), ...);
        },
        checks_);
    return verdict;
  }

  // Runs every enabled check that handles `event`, whatever it reads: the
  // engine's own events (ticks, transaction answers).
  template <class Event, class Gate>
  Verdict run_event(const Event& event, const context::PlayerContext& ctx, const Config& config,
                    Reporter& reporter, const Gate& suspicious) {
    Verdict verdict = Verdict::pass;
    std::apply(
        [&](auto&... check) {
          ((verdict = worst(verdict, run_one<false, protocol::kUnknownPacketKind>(check, event, ctx, config,
                                                                                   reporter, suspicious))),
           ...);
        },
        checks_);
    return verdict;
  }

  // What the checks that build evidence short of a flag hold now
  // (checks/api/movement_evidence.hpp); a disabled check adds nothing.
  MovementEvidence movement_evidence(const Config& config, Timestamp now) const noexcept {
    MovementEvidence e;
    std::apply([&](const auto&... check) { (add_evidence(check, config, e, now), ...); }, checks_);
    return e;
  }

  template <class Check>
  Check& get() noexcept {
    return std::get<Check>(checks_);
  }
  template <class Check>
  const Check& get() const noexcept {
    return std::get<Check>(checks_);
  }

 private:
  template <class Check>
  static void add_evidence(const Check& check, const Config& config, MovementEvidence& e, Timestamp now) noexcept {
    if constexpr (requires { check.add_evidence(e, now); }) {
      if (config.template get<Check>().limits.enabled) check.add_evidence(e, now);
    } else {
      (void)check, (void)config, (void)e, (void)now;
    }
  }

  template <bool ByKind, protocol::PacketKind Kind, class Check, class Input, class Gate>
  static Verdict run_one(Check& check, const Input& input, const context::PlayerContext& ctx, const Config& config,
                         Reporter& reporter, const Gate& suspicious) {
    if constexpr (Handles<Check, Input> && (!ByKind || reads<Check>(Kind))) {
      const auto& settings = config.template get<Check>();
      if (!settings.limits.enabled) return Verdict::pass;
      if constexpr (Check::kInfo.cost == CostClass::heavy) {
        if (!suspicious()) return Verdict::pass;
      }
      return check.on(input, ctx, settings, reporter);
    } else {
      (void)check, (void)input, (void)ctx, (void)config, (void)reporter, (void)suspicious;
      return Verdict::pass;
    }
  }

  std::tuple<Checks...> checks_{};
};

}  // namespace rustguard::engine
