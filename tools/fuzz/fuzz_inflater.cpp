// libFuzzer target: inflater (see fuzz_entries.hpp for the input layout).
#include <cstdio>
#include <cstdlib>

#include "fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (rustguard::fuzz::Failure f = rustguard::fuzz::inflater({data, size})) {
    std::fprintf(stderr, "invariant broken: %s\n", f);
    std::abort();
  }
  return 0;
}
