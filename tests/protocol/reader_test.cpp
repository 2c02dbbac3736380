#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace reader_test {

using namespace rustguard::protocol;

namespace {
std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> v;
  for (int b : list) v.push_back(static_cast<std::uint8_t>(b));
  return v;
}
}  // namespace

TEST_CASE("VarInt decodes the reference values", "[reader][varint]") {
  struct Case {
    std::vector<std::uint8_t> in;
    std::int32_t value;
  };
  const Case cases[] = {
      {bytes({0x00}), 0},
      {bytes({0x01}), 1},
      {bytes({0x7f}), 127},
      {bytes({0x80, 0x01}), 128},
      {bytes({0xff, 0x01}), 255},
      {bytes({0xdd, 0xc7, 0x01}), 25565},
      {bytes({0xff, 0xff, 0x7f}), 2097151},
      {bytes({0xff, 0xff, 0xff, 0xff, 0x07}), 2147483647},
      {bytes({0xff, 0xff, 0xff, 0xff, 0x0f}), -1},
      {bytes({0x80, 0x80, 0x80, 0x80, 0x08}), -2147483648},
  };
  for (const auto& c : cases) {
    Reader r{c.in};
    CHECK(r.varint() == c.value);
    CHECK(r.finish("case").ok());
    std::vector<std::uint8_t> out;
    Writer{out}.varint(c.value);
    CHECK(out == c.in);
    CHECK(varint_size(c.value) == c.in.size());
  }
}

TEST_CASE("VarInt longer than five bytes is rejected", "[reader][varint]") {
  const auto in = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader r{in};
  CHECK(r.varint() == 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::varint_too_long);
}

TEST_CASE("VarLong decodes and rejects an eleventh byte", "[reader][varint]") {
  std::vector<std::uint8_t> out;
  Writer{out}.varlong(-1).varlong(9223372036854775807LL);
  Reader r{out};
  CHECK(r.varlong() == -1);
  CHECK(r.varlong() == 9223372036854775807LL);
  CHECK(r.finish("varlongs").ok());

  const auto too_long = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader bad{too_long};
  bad.varlong();
  CHECK(bad.error().code == Errc::varlong_too_long);
}

TEST_CASE("Truncated reads fail without reading past the buffer", "[reader]") {
  const auto in = bytes({0x01, 0x02, 0x03});
  Reader r{in};
  CHECK(r.i32() == 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::truncated);
  // Sticky: later reads return zero and keep the first error.
  CHECK(r.u8() == 0);
  CHECK(r.error().code == Errc::truncated);
  CHECK_FALSE(r.finish("x").ok());
}

TEST_CASE("Leftover bytes are an error", "[reader]") {
  const auto in = bytes({0x01, 0x02});
  Reader r{in};
  r.u8();
  auto res = r.finish("Test Packet");
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().code == Errc::leftover_bytes);
  CHECK(res.error().message() == "leftover_bytes: Test Packet 1");
}

TEST_CASE("Strings honour their character cap", "[reader][string]") {
  std::vector<std::uint8_t> out;
  Writer{out}.string("Notch").string("\xc3\xa9t\xc3\xa9");
  Reader r{out};
  CHECK(r.string_view(16) == "Notch");
  CHECK(r.string(3) == "\xc3\xa9t\xc3\xa9");
  CHECK(r.finish("strings").ok());

  std::vector<std::uint8_t> longer;
  Writer{longer}.string("seventeen chars!!");
  Reader capped{longer};
  capped.string_view(16);
  CHECK(capped.error().code == Errc::string_too_long);

  const auto negative = bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
  Reader neg{negative};
  neg.string_view();
  CHECK(neg.error().code == Errc::negative_length);

  const auto claims_more = bytes({0x05, 'a', 'b'});
  Reader short_string{claims_more};
  short_string.string_view();
  CHECK(short_string.error().code == Errc::truncated);
}

TEST_CASE("Fixed-width fields are big-endian", "[reader]") {
  std::vector<std::uint8_t> out;
  Writer{out}.u16(25565).i32(-2).i64(-3).f32(1.5f).f64(-0.25).boolean(true).i8(-5);
  Reader r{out};
  CHECK(r.u16() == 25565);
  CHECK(r.i32() == -2);
  CHECK(r.i64() == -3);
  CHECK(r.f32() == 1.5f);
  CHECK(r.f64() == -0.25);
  CHECK(r.boolean());
  CHECK(r.i8() == -5);
  CHECK(r.finish("fixed").ok());
}

TEST_CASE("Block positions use the pre- and post-1.14 layouts", "[reader][position]") {
  const BlockPos p{-1234567, -64, 7654321};
  for (bool legacy : {true, false}) {
    std::vector<std::uint8_t> out;
    Writer{out}.position(p, legacy);
    Reader r{out};
    CHECK(r.position(legacy) == p);
  }
  // Reference value from the protocol documentation (1.14+ layout):
  // 0x4607632C15B4833F = x 18357644, y 831, z -20882616.
  std::vector<std::uint8_t> out;
  Writer{out}.u64(0x4607632C15B4833FULL);
  Reader r{out};
  CHECK(r.position(false) == BlockPos{18357644, 831, -20882616});
}

TEST_CASE("UUID and angle", "[reader]") {
  std::vector<std::uint8_t> out;
  Writer{out}.uuid({0x069a79f444e94726ULL, 0xa5befca90e38aaf5ULL}).u8(64);
  Reader r{out};
  CHECK(r.uuid().to_string() == "069a79f4-44e9-4726-a5be-fca90e38aaf5");
  CHECK(r.angle() == 90.0f);
}

TEST_CASE("Error messages name the numbers", "[error]") {
  const Error e = make_error(Errc::frame_too_large, "frame length", 3000000, 2097151);
  CHECK(e.message() == "frame_too_large: frame length 3000000 (limit 2097151)");
}

}  // namespace reader_test
