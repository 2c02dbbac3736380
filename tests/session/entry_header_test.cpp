// The entry header compiles on its own and is enough to run a connection
// through the session and the engine.
#include "rustguard/rustguard.hpp"

#include <catch2/catch.hpp>

#include <memory>

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace entry_header_test {

TEST_CASE("rustguard.hpp alone runs a handshake through the session and the engine", "[entry]") {
  using namespace rustguard;
  session::PlayerSession connection{ProtocolLimits{}, std::make_shared<const engine::EngineConfig>()};
  std::vector<std::uint8_t> packet;
  protocol::Writer{packet}.varint(0).varint(protocol::v::v1_21_4).string("localhost").u16(25565).varint(2);
  std::vector<std::uint8_t> stream;
  REQUIRE(protocol::append_frame(stream, packet).ok());
  session::Output out;
  connection.feed(protocol::Direction::serverbound, stream, Timestamp::from_millis(1), out);
  CHECK_FALSE(out.close);
  CHECK(out.to_server == stream);
  CHECK(connection.tracker().state(protocol::Direction::serverbound) == protocol::State::login);
  CHECK(connection.tracker().protocol() == protocol::v::v1_21_4);
}

}  // namespace entry_header_test
