#include <catch2/catch.hpp>

#include "rustguard/actions/placeholders.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace placeholders_test {

using namespace rustguard::actions;

namespace {
PlaceholderValues values() {
  PlaceholderValues v;
  v.player = "Steve";
  v.uuid = "00000000-0000-3000-8000-000000000001";
  v.check = "combat.reach";
  v.type = "distance";
  v.vl = 12.345;
  v.ping_ms = 87;
  v.version = "1.21.4";
  v.detail = "entity 25 at 3.634 blocks";
  v.server = "survival";
  v.group = "combat";
  return v;
}
}  // namespace

TEST_CASE("every placeholder is filled in", "[actions][placeholders]") {
  CHECK(expand("ban %player% %uuid% Cheating (%check% %type%, VL %vl%)", values()) ==
        "ban Steve 00000000-0000-3000-8000-000000000001 Cheating (combat.reach distance, VL 12.3)");
  CHECK(expand("%ping% ms on %version% at %server% [%group%]: %detail%", values()) ==
        "87 ms on 1.21.4 at survival [combat]: entity 25 at 3.634 blocks");
  CHECK(expand("no placeholders", values()) == "no placeholders");
  CHECK(expand("", values()).empty());
}

TEST_CASE("what is not a placeholder stays as written", "[actions][placeholders]") {
  CHECK(expand("100% sure, %player%", values()) == "100% sure, Steve");
  CHECK(expand("%unknown% %player%", values()) == "%unknown% Steve");
  CHECK(expand("trailing %", values()) == "trailing %");
  CHECK(expand("%%player%", values()) == "%Steve");
  // A replacement is not scanned again: a name with placeholders stays that.
  PlaceholderValues v = values();
  v.player = "%server%";
  CHECK(expand("kick %player%", v) == "kick %server%");
}

TEST_CASE("the loader's check for unknown placeholders", "[actions][placeholders]") {
  CHECK(unknown_placeholder("ban %player% for %check%").empty());
  CHECK(unknown_placeholder("ban %plyer% now") == "%plyer%");
  CHECK(unknown_placeholder("50% or 60% off").empty());  // not names
  CHECK(unknown_placeholder("100% %bogus%") == "%bogus%");
  CHECK(unknown_placeholder("lone % sign").empty());
}

}  // namespace placeholders_test
