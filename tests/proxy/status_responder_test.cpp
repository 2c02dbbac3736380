#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../tools/proxy/status_responder.hpp"
#include "rustguard/protocol/packets/status/status_response_s2c.hpp"
#include "rustguard/protocol/reader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace status_responder_test {

using namespace rustguard;

TEST_CASE("A status answer from the MOTD is a valid Status Response frame", "[status]") {
  const std::string json = proxy::status_json_from_motd("Hello \"world\"\n", 765, "1.20.4");
  CHECK(json ==
        "{\"version\":{\"name\":\"1.20.4\",\"protocol\":765},\"players\":{\"max\":0,\"online\":0},"
        "\"description\":{\"text\":\"Hello \\\"world\\\"\\u000a\"}}");
  std::vector<std::uint8_t> frame;
  proxy::append_status_response(frame, json);
  protocol::Reader r{frame};
  const auto length = r.varint();
  CHECK(static_cast<std::size_t>(length) == frame.size() - 1);  // a 1-byte length prefix
  CHECK(r.varint() == 0x00);
  auto decoded = protocol::packets::StatusResponseS2c::decode(std::span(frame).subspan(2), 765);
  REQUIRE(decoded);
  CHECK(decoded->json == json);

  std::vector<std::uint8_t> pong;
  proxy::append_status_pong(pong, 0x0102030405060708);
  CHECK(pong == std::vector<std::uint8_t>{0x09, 0x01, 1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("The status cache prefers the client's protocol, then the latest answer", "[status]") {
  proxy::StatusCache cache;
  CHECK_FALSE(cache.lookup(765));
  cache.store(47, "{\"a\":1}");
  cache.store(765, "{\"b\":2}");
  CHECK(cache.lookup(47) == "{\"a\":1}");
  CHECK(cache.lookup(765) == "{\"b\":2}");
  CHECK(cache.lookup(340) == "{\"b\":2}");
}

TEST_CASE("The legacy ping reply uses the 1.6 kick format in UTF-16BE", "[status]") {
  const auto reply = proxy::legacy_ping_reply("Hi \xC3\xA9\xF0\x9F\x98\x80", 127, "1.6", 1, 20);
  // "§1\0" "127\0" "1.6\0" "Hi é😀\0" "1\0" "20": 3+4+4+7 (é one unit, 😀 two)+2+2 = 22 units
  REQUIRE(reply.size() == 3 + 2 * 22);
  CHECK(reply[0] == 0xFF);
  CHECK(reply[1] == 0);
  CHECK(reply[2] == 22);
  CHECK(reply[3] == 0x00);
  CHECK(reply[4] == 0xA7);  // §
  CHECK(reply[5] == 0x00);
  CHECK(reply[6] == '1');
  CHECK(reply[7] == 0x00);
  CHECK(reply[8] == 0x00);  // NUL separator
  // é (U+00E9), then the surrogate pair D83D DE00
  const std::vector<std::uint8_t> tail(reply.begin() + 3 + 2 * 14, reply.begin() + 3 + 2 * 17);
  CHECK(tail == std::vector<std::uint8_t>{0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00});
}

}  // namespace status_responder_test
