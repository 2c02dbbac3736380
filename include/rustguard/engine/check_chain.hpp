#pragma once
// The checks of an engine as a compile-time list. Dispatch is resolved at
// compile time: for an input type, only the checks with an `on()` overload
// for it are called (a fold over the list, no virtual calls, no maps), and
// for a packet only the checks whose kReads lists its kind. Every check of a
// packet runs; the packet's verdict is the worst. Disabled checks are skipped;
// heavy checks run only while the player's suspicion is at the gate.

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>

#include "rustguard/context/player_context.hpp"
#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/engine/engine_config.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::engine {

template <class Check, class Input>
concept Handles = requires(Check& c, const Input& in, const context::PlayerContext& ctx,
                           const CheckSettings<Check>& s, Reporter& r) {
  { c.on(in, ctx, s, r) } -> std::same_as<Verdict>;
};

template <class Check>
constexpr bool reads(protocol::PacketKind kind) noexcept {
  for (const auto k : Check::kReads) {
    if (k == kind) return true;
  }
  return false;
}

template <class List>
class CheckChain;

template <class... Checks>
class CheckChain<CheckList<Checks...>> {
 public:
  using Config = BasicEngineConfig<CheckList<Checks...>>;
  static constexpr std::size_t size = sizeof...(Checks);

  // Whether any check reads packets of this kind (serverbound).
  static constexpr bool any_reads(protocol::PacketKind kind) noexcept { return (reads<Checks>(kind) || ...); }

  // The position of the check with this key in the chain (size when unknown):
  // the order in which things reported per check are listed.
  static constexpr std::size_t position(std::string_view key) noexcept {
    std::size_t i = 0, found = size;
    ((found = found == size && Checks::kInfo.key == key ? i : found, ++i), ...);
    return found;
  }

  // Runs every enabled check that handles `input`; `kind` (when given)
  // restricts it to the checks that read that packet kind.
  template <class Input>
  Verdict run(const Input& input, const protocol::PacketKind* kind, const context::PlayerContext& ctx,
              const Config& config, Reporter& reporter, bool suspicious) {
    Verdict verdict = Verdict::pass;
    std::apply(
        [&](auto&... check) {
          ((verdict = worst(verdict, run_one(check, input, kind, ctx, config, reporter, suspicious))), ...);
        },
        checks_);
    return verdict;
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
  template <class Check, class Input>
  static Verdict run_one(Check& check, const Input& input, const protocol::PacketKind* kind,
                         const context::PlayerContext& ctx, const Config& config, Reporter& reporter,
                         bool suspicious) {
    if constexpr (Handles<Check, Input>) {
      const auto& settings = config.template get<Check>();
      if (!settings.limits.enabled) return Verdict::pass;
      if (kind != nullptr && !reads<Check>(*kind)) return Verdict::pass;
      if (Check::kInfo.cost == CostClass::heavy && !suspicious) return Verdict::pass;
      return check.on(input, ctx, settings, reporter);
    } else {
      (void)check, (void)input, (void)kind, (void)ctx, (void)config, (void)reporter, (void)suspicious;
      return Verdict::pass;
    }
  }

  std::tuple<Checks...> checks_{};
};

}  // namespace rustguard::engine
