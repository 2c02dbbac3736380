#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/hmac_sha256.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace hmac_sha256_test {

using namespace rustguard::protocol;

namespace {
std::span<const std::uint8_t> bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
std::string hex(const Sha256Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}
}  // namespace

// The vectors of FIPS 180-2's examples (and the empty message).
TEST_CASE("SHA-256 gives the standard's digests", "[hmac]") {
  CHECK(hex(sha256(bytes(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256(bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1'000'000, 'a');
  CHECK(hex(sha256(bytes(million))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Where the padding spills into a second block: 55 bytes fit with the
// length, 56 do not, 64 fill a block exactly (digests from Python's hashlib).
TEST_CASE("SHA-256 pads at the block's edges", "[hmac]") {
  CHECK(hex(sha256(bytes(std::string(55, 'a')))) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(hex(sha256(bytes(std::string(56, 'a')))) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(hex(sha256(bytes(std::string(64, 'a')))) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

// RFC 4231's test cases 1, 2 and 6 (a key longer than the block is hashed first).
TEST_CASE("HMAC-SHA256 gives RFC 4231's values", "[hmac]") {
  const std::vector<std::uint8_t> key1(20, 0x0b);
  CHECK(hex(hmac_sha256(key1, bytes("Hi There"))) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hex(hmac_sha256(std::string_view("Jefe"), bytes("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::vector<std::uint8_t> key6(131, 0xaa);
  CHECK(hex(hmac_sha256(key6, bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("digests_equal wants every byte and the length", "[hmac]") {
  const Sha256Digest d = sha256(bytes("abc"));
  CHECK(digests_equal(d, d));
  for (std::size_t i = 0; i < d.size(); ++i) {
    Sha256Digest other = d;
    other[i] ^= 0x01;
    CHECK_FALSE(digests_equal(other, d));
  }
  CHECK_FALSE(digests_equal(std::span<const std::uint8_t>(d).first(31), d));
}

}  // namespace hmac_sha256_test
