#pragma once
// Context updaters: how the engine keeps the player's context in step with
// the packets, as types instead of cases of a switch. An updater is a type
// with static overloads, one per input it follows (a decoded packet, or what
// the engine made of one, such as a MoveSample):
//
//   static void before(const Input&, ServerboundUpdate&);  // before the checks see it
//   static void after(const Input&, ServerboundUpdate&);   // after every check ran
//   static void before(const pk::SomeS2c&, ClientboundUpdate&);  // clientbound, likewise
//
// The engine runs, for each input, every registered updater's before(), then
// the checks, then every after(), in registration order
// (engine/context_updaters.hpp lists them). Serverbound claims and movement
// follow the packet after the checks (the checks judge the packet against
// what the client said before it); what the server tells the client is
// recorded before any check reads the clientbound packet. A packet some
// updater follows is decoded whether or not a check reads it.

#include <cstdint>
#include <optional>

#include "rustguard/context/player_context.hpp"
#include "rustguard/time.hpp"

namespace rustguard::engine {

// What the engine answers for one clientbound packet: the transaction ids the
// session injects immediately before / after it, in the same stream: Ping
// (1.17+) with this id, or Window Confirmation on window 0 with this id as the
// action number (before 1.17). Never set for a packet inside a bundle: the
// engine waits for the bundle's closing delimiter and asks for the
// transaction after it.
struct ClientboundDecision {
  std::optional<std::int32_t> transaction_before;
  std::optional<std::int32_t> transaction_after;
};

// What an updater of a serverbound input is given.
struct ServerboundUpdate {
  context::PlayerContext& ctx;
  Timestamp now;
};

// What an updater of a clientbound packet is given: also the transactions
// the session will inject around the packet, which lag compensation decides.
struct ClientboundUpdate {
  context::PlayerContext& ctx;
  Timestamp now;
  ClientboundDecision& decision;
};

template <class Updater, class Input, class Update>
concept UpdatesBefore = requires(const Input& in, Update& u) { Updater::before(in, u); };
template <class Updater, class Input, class Update>
concept UpdatesAfter = requires(const Input& in, Update& u) { Updater::after(in, u); };

template <class... Updaters>
struct UpdaterList {
  // Whether any updater follows this input (so the engine must decode it).
  template <class Input, class Update>
  static constexpr bool follows =
      ((UpdatesBefore<Updaters, Input, Update> || UpdatesAfter<Updaters, Input, Update>) || ...);

  template <class Input, class Update>
  static void before(const Input& in, Update& u) {
    (before_one<Updaters>(in, u), ...);
  }
  template <class Input, class Update>
  static void after(const Input& in, Update& u) {
    (after_one<Updaters>(in, u), ...);
  }

 private:
  template <class Updater, class Input, class Update>
  static void before_one(const Input& in, Update& u) {
    if constexpr (UpdatesBefore<Updater, Input, Update>) {
      Updater::before(in, u);
    } else {
      (void)in, (void)u;
    }
  }
  template <class Updater, class Input, class Update>
  static void after_one(const Input& in, Update& u) {
    if constexpr (UpdatesAfter<Updater, Input, Update>) {
      Updater::after(in, u);
    } else {
      (void)in, (void)u;
    }
  }
};

}  // namespace rustguard::engine
