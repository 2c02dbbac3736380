#pragma once
// A list of checks, in chain order: what checks/all_checks.hpp registers and
// what the engine (engine/check_chain.hpp) is instantiated with. Only a type;
// the engine decides how to run it.

#include <cstddef>

namespace rustguard::engine {

template <class... Checks>
struct CheckList {
  static constexpr std::size_t size = sizeof...(Checks);
};

}  // namespace rustguard::engine
