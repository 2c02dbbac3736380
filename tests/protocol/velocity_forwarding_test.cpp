#include <catch2/catch.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "rustguard/protocol/velocity_forwarding.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace velocity_forwarding_test {

using namespace rustguard::protocol;

namespace {
// Builds forwarding data the way Velocity lays it out: signature, then the signed part.
std::vector<std::uint8_t> forwarding_data(std::int32_t version, bool with_signed_property) {
  std::vector<std::uint8_t> out(kVelocitySignatureBytes, 0xAB);
  Writer w{out};
  w.varint(version).string("203.0.113.7").uuid({0x069a79f444e94726ULL, 0xa5befca90e38aaf5ULL}).string("Notch");
  w.varint(with_signed_property ? 2 : 1);
  w.string("textures").string("ZXlKMGFXMWxjM1JoYlhBaU9qRTJNVEF3").boolean(false);
  if (with_signed_property) w.string("other").string("value").boolean(true).string("c2lnbmF0dXJl");
  if (version >= 2) w.i64(1700000000000).varint(3).u8(1).u8(2).u8(3).varint(2).u8(9).u8(9);
  return out;
}
}  // namespace

TEST_CASE("Velocity forwarding data yields the player's identity", "[velocity]") {
  for (std::int32_t version : {1, 2, 3, 4}) {
    const auto data = forwarding_data(version, version % 2 == 0);
    auto p = parse_velocity_forwarding(data);
    REQUIRE(p.ok());
    CHECK(p->forwarding_version == version);
    CHECK(p->client_address == "203.0.113.7");
    CHECK(p->uuid.to_string() == "069a79f4-44e9-4726-a5be-fca90e38aaf5");
    CHECK(p->name == "Notch");
    CHECK(p->property_count == (version % 2 == 0 ? 2 : 1));
    CHECK(p->signature.size() == kVelocitySignatureBytes);
    CHECK(p->signature[0] == 0xAB);
    CHECK(p->signed_data.size() == data.size() - kVelocitySignatureBytes);
  }
}

TEST_CASE("A forwarding signature matches only the secret it was made with", "[velocity]") {
  auto data = forwarding_data(4, true);
  const std::string_view secret = "k7Qm2xZ9vLp0";
  const auto signed_part = std::span<const std::uint8_t>(data).subspan(kVelocitySignatureBytes);
  const Sha256Digest mac = hmac_sha256(secret, signed_part);
  std::copy(mac.begin(), mac.end(), data.begin());
  auto p = parse_velocity_forwarding(data);
  REQUIRE(p.ok());
  CHECK(velocity_signature_matches(*p, secret));
  CHECK_FALSE(velocity_signature_matches(*p, "k7Qm2xZ9vLp1"));
  CHECK_FALSE(velocity_signature_matches(*p, ""));
  // One changed byte of the identity (the address's last digit) breaks it.
  auto forged = data;
  forged[kVelocitySignatureBytes + 1 + 11] ^= 0x01;
  auto f = parse_velocity_forwarding(forged);
  REQUIRE(f.ok());
  CHECK(f->client_address != "203.0.113.7");
  CHECK_FALSE(velocity_signature_matches(*f, secret));
}

TEST_CASE("Malformed Velocity forwarding data is an error, never a crash", "[velocity]") {
  const auto data = forwarding_data(1, true);
  // Version 1 ends with the properties, so every truncation must fail.
  for (std::size_t cut = 0; cut < data.size(); ++cut) {
    CHECK_FALSE(parse_velocity_forwarding(std::span(data).first(cut)).ok());
  }
  std::vector<std::uint8_t> bad(kVelocitySignatureBytes, 0);
  Writer{bad}.varint(0).string("x");
  auto p = parse_velocity_forwarding(bad);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == Errc::invalid_value);
}

}  // namespace velocity_forwarding_test
