// System chat (the proxy's staff alerts): the five layouts of
// packets/play/system_chat_s2c.hpp, each encoded from plain text and read
// back, with the trailing fields checked byte by byte against minecraft-data
// 3.119.0's protocol.json (packet_chat / packet_system_chat), and the packet
// ids the registry gives (read from the same data, not from the header).

#include "rustguard/protocol/packets/play/system_chat_s2c.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "rustguard/protocol/packet_registry.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace system_chat_test {

using namespace rustguard::protocol;
using packets::SystemChatS2c;

namespace {

std::vector<std::uint8_t> encode(std::string_view text, std::int32_t protocol) {
  std::vector<std::uint8_t> body;
  SystemChatS2c::from_plain_text(text, protocol).encode(body, protocol);
  return body;
}

std::string as_text(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// The bytes after the text component: what distinguishes the layouts.
std::vector<std::uint8_t> tail(const std::vector<std::uint8_t>& body, std::size_t component_bytes) {
  REQUIRE(body.size() >= component_bytes);
  return {body.begin() + static_cast<std::ptrdiff_t>(component_bytes), body.end()};
}

}  // namespace

TEST_CASE("system chat: JSON + i8 position before 1.16 (1.8 .. 1.15.2)") {
  for (const std::int32_t protocol : {v::v1_8, v::v1_12_2, 578}) {
    const auto body = encode("[RustGuard] x", protocol);
    const std::string json = R"({"text":"[RustGuard] x"})";
    REQUIRE(body.front() == json.size());  // varint length, one byte here
    CHECK(std::string(body.begin() + 1, body.begin() + 1 + static_cast<std::ptrdiff_t>(json.size())) == json);
    CHECK(tail(body, 1 + json.size()) == std::vector<std::uint8_t>{1});  // position 1: system message

    const auto back = SystemChatS2c::decode(body, protocol);
    REQUIRE(back);
    CHECK_FALSE(back->content_is_nbt);
    CHECK(as_text(back->content) == json);
    CHECK(back->position == 1);
  }
}

TEST_CASE("system chat: JSON + i8 position + zero sender UUID, 1.16 .. 1.18.2") {
  for (const std::int32_t protocol : {v::v1_16, v::v1_16_5, v::v1_17_1, v::v1_18_2}) {
    const auto body = encode("hi", protocol);
    const std::string json = R"({"text":"hi"})";
    std::vector<std::uint8_t> expected_tail(17, 0);
    expected_tail[0] = 1;  // position, then 16 zero bytes of UUID
    CHECK(tail(body, 1 + json.size()) == expected_tail);

    const auto back = SystemChatS2c::decode(body, protocol);
    REQUIRE(back);
    CHECK(as_text(back->content) == json);
    CHECK(back->position == 1);
    CHECK(back->sender == Uuid{});
  }
  // 1.15.2's layout read as 1.16's is short by the UUID.
  CHECK_FALSE(SystemChatS2c::decode(encode("hi", 578), v::v1_16));
}

TEST_CASE("system chat: JSON + varint chat type on 1.19 only") {
  const auto body = encode("hi", v::v1_19);
  const std::string json = R"({"text":"hi"})";
  CHECK(tail(body, 1 + json.size()) == std::vector<std::uint8_t>{1});  // type 1: the "system" chat type
  const auto back = SystemChatS2c::decode(body, v::v1_19);
  REQUIRE(back);
  CHECK(as_text(back->content) == json);
  CHECK(back->position == 1);
}

TEST_CASE("system chat: JSON + overlay false, 1.19.1 .. 1.20.2") {
  for (const std::int32_t protocol : {v::v1_19_1, v::v1_19_4, v::v1_20, v::v1_20_2}) {
    const auto body = encode("a \"quoted\" line", protocol);
    const std::string json = R"({"text":"a \"quoted\" line"})";
    CHECK(std::string(body.begin() + 1, body.end() - 1) == json);
    CHECK(body.back() == 0);  // overlay false: the chat, not the action bar
    const auto back = SystemChatS2c::decode(body, protocol);
    REQUIRE(back);
    CHECK(as_text(back->content) == json);
    CHECK_FALSE(back->overlay);
  }
}

TEST_CASE("system chat: NBT text component + overlay false from 1.20.3") {
  for (const std::int32_t protocol : {v::v1_20_3, v::v1_20_5, v::v1_21_4, v::v26_1}) {
    const auto body = encode("hi", protocol);
    // TAG_String root (8), u16 length 2, "hi", then overlay false.
    CHECK(body == std::vector<std::uint8_t>{8, 0, 2, 'h', 'i', 0});
    const auto back = SystemChatS2c::decode(body, protocol);
    REQUIRE(back);
    CHECK(back->content_is_nbt);
    CHECK(back->content == std::vector<std::uint8_t>{8, 0, 2, 'h', 'i'});
    CHECK_FALSE(back->overlay);
  }
  // A trailing byte the layout does not have is an error, not ignored.
  auto longer = encode("hi", v::v1_21_4);
  longer.push_back(0);
  CHECK_FALSE(SystemChatS2c::decode(longer, v::v1_21_4));
}

TEST_CASE("system chat: the registry's ids are minecraft-data's chat / system_chat") {
  const auto id = [](std::int32_t protocol) {
    const VersionInfo* version = find_version(protocol);
    REQUIRE(version != nullptr);
    return version->id_of(PacketKind::system_chat_s2c);
  };
  CHECK(id(v::v1_8) == 0x02);
  CHECK(id(v::v1_16_5) == 0x0e);
  CHECK(id(v::v1_19) == 0x5f);
  CHECK(id(v::v1_19_1) == 0x62);
  CHECK(id(v::v1_20_3) == 0x69);
  CHECK(id(v::v1_21_4) == 0x73);
  CHECK(state_of(PacketKind::system_chat_s2c) == State::play);
}

}  // namespace system_chat_test
