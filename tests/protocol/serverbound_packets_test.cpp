// Serverbound typed decoders (plus the handshake, status, login and
// configuration packets of both directions) against the bytes and values
// minecraft-protocol produced for every fixture release
// (tests/node/fixtures/serverbound.mjs).

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "packet_fixtures.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"

namespace {

using namespace rustguard::protocol;
using namespace rustguard::protocol::packets;
using rustguard::test::field_text;
using Fields = std::map<std::string, std::string>;

// ---- fields_of: decoded struct -> {C++ field name: text} -------------------

Fields fields_of(const SetPositionC2s& p) {
  return {{"x", field_text(p.x)}, {"feet_y", field_text(p.feet_y)}, {"z", field_text(p.z)},
          {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetPositionRotationC2s& p) {
  return {{"x", field_text(p.x)},         {"feet_y", field_text(p.feet_y)},
          {"z", field_text(p.z)},         {"yaw", field_text(p.yaw)},
          {"pitch", field_text(p.pitch)}, {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetRotationC2s& p) {
  return {{"yaw", field_text(p.yaw)}, {"pitch", field_text(p.pitch)},
          {"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}
Fields fields_of(const SetMovementFlagsC2s& p) {
  return {{"on_ground", field_text(p.on_ground)},
          {"horizontal_collision", field_text(p.horizontal_collision)}};
}

// ---- decoder table ----------------------------------------------------------

using Decoded = std::variant<Fields, Error>;

struct Decoder {
  PacketKind kind;
  std::function<Decoded(std::span<const std::uint8_t>, std::int32_t)> decode;
  // True when decode() reads the whole body (calls finish()): then every
  // truncation and one extra byte must be errors. False for packets whose
  // tails are kept or skipped as raw bytes.
  bool whole_body;
};

template <class P>
Decoder decoder(bool whole_body = true) {
  return Decoder{P::kind,
                 [](std::span<const std::uint8_t> body, std::int32_t protocol) -> Decoded {
                   auto r = P::decode(body, protocol);
                   if (!r) return r.error();
                   return fields_of(*r);
                 },
                 whole_body};
}

const std::map<std::string, Decoder>& decoders() {
  static const std::map<std::string, Decoder> table = {
      {"set_position_c2s", decoder<SetPositionC2s>()},
      {"set_position_rotation_c2s", decoder<SetPositionRotationC2s>()},
      {"set_rotation_c2s", decoder<SetRotationC2s>()},
      {"set_movement_flags_c2s", decoder<SetMovementFlagsC2s>()},
  };
  return table;
}

// Fixture kinds this suite owns: every serverbound kind, and the clientbound
// kinds of the handshake, status, login and configuration states.
bool owned(const std::string& kind) {
  if (kind.ends_with("_c2s")) return true;
  for (std::size_t k = 0; k < kPacketKindCount; ++k) {
    if (rustguard::protocol::detail::kKindNames[k] == kind) {
      return rustguard::protocol::detail::kKindStates[k] != State::play;
    }
  }
  return false;
}

const rustguard::protocol::detail::VersionIds& version_of(const std::string& release) {
  for (const auto& v : kVersions) {
    std::string_view names = v.release_names;
    while (!names.empty()) {
      const auto comma = names.find(", ");
      if (names.substr(0, comma) == release) return v;
      names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 2);
    }
  }
  throw std::runtime_error("no protocol for release " + release);
}

}  // namespace

TEST_CASE("serverbound decoders read what minecraft-protocol wrote, in every release") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const auto& version = version_of(release);
    int checked = 0;
    for (const auto& f : rustguard::test::load_packet_fixtures(release)) {
      if (!owned(f.kind)) continue;
      INFO(release << " line " << f.line << ": " << f.kind);
      const auto it = decoders().find(f.kind);
      REQUIRE(it != decoders().end());
      const Decoder& d = it->second;
      CHECK(version.ids[static_cast<std::size_t>(d.kind)] == f.id);
      auto decoded = d.decode(f.body, version.protocol);
      if (auto* e = std::get_if<Error>(&decoded)) FAIL(e->message());
      rustguard::test::check_fields(f, std::get<Fields>(decoded));
      ++checked;
    }
    INFO(release);
    CHECK(checked > 0);
  }
}

TEST_CASE("serverbound decoders reject truncated and overlong bodies without crashing") {
  for (const auto& release : rustguard::test::fixture_releases()) {
    const auto& version = version_of(release);
    for (const auto& f : rustguard::test::load_packet_fixtures(release)) {
      if (!owned(f.kind)) continue;
      INFO(release << " line " << f.line << ": " << f.kind);
      const auto it = decoders().find(f.kind);
      REQUIRE(it != decoders().end());
      const Decoder& d = it->second;
      for (std::size_t n = 0; n < f.body.size(); ++n) {
        // A copy of exactly n bytes, so ASan sees any read past the end.
        const std::vector<std::uint8_t> prefix(f.body.begin(), f.body.begin() + static_cast<std::ptrdiff_t>(n));
        const auto decoded = d.decode(prefix, version.protocol);
        if (d.whole_body) {
          INFO("truncated to " << n << " bytes");
          CHECK(std::holds_alternative<Error>(decoded));
        }
      }
      if (d.whole_body) {
        auto longer = f.body;
        longer.push_back(0);
        const auto decoded = d.decode(longer, version.protocol);
        REQUIRE(std::holds_alternative<Error>(decoded));
        CHECK(std::get<Error>(decoded).code == Errc::leftover_bytes);
      }
    }
  }
}
