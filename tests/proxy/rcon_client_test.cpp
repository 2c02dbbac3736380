// RconClient (tools/proxy/rcon_client.hpp) against a real RCON server on
// 127.0.0.1, written here with Asio and keeping the vanilla server's quirks:
// it takes one packet at a time by its length and counts the packets that
// were already waiting behind it (the vanilla server parses one packet per
// read, so those would be lost), splits replies over 4096 bytes into several
// packets, answers an unknown type with "Unknown request <hex type>" and a
// wrong password or a command before login with id -1. The tests drive the
// io_context with run_for until what they wait for happened, under a limit.

#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../../tools/proxy/rcon_client.hpp"
#include "../../tools/proxy/rcon_packet.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace rcon_client_test {

using asio::ip::tcp;
using namespace rustguard::proxy;
using namespace std::chrono_literals;

namespace {

class TestRconServer {
 public:
  TestRconServer(asio::io_context& io, std::string password) : io_(io), acceptor_(io), password_(std::move(password)) {}

  // Port 0: any free port.
  void listen(std::uint16_t port = 0) {
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(at.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    ++tasks_;
    asio::co_spawn(io_, accept_loop(), [this](std::exception_ptr) { --tasks_; });
  }
  void drop_connections() {
    for (auto& s : sockets_) {
      asio::error_code ignored;
      s->close(ignored);
    }
  }
  void stop() {
    asio::error_code ignored;
    acceptor_.close(ignored);
    drop_connections();
  }
  bool idle() const noexcept { return tasks_ == 0; }
  std::uint16_t port() const noexcept { return port_; }

  // What a command answers; a command for which `answers` is false gets nothing.
  std::function<std::string(const std::string&)> reply = [](const std::string& c) { return "ran " + c; };
  std::function<bool(const std::string&)> answers = [](const std::string&) { return true; };

  bool source_style_markers = false;  // answer an end marker twice

  std::vector<std::string> commands;
  std::vector<std::string> unknown_answers;      // what unknown-type packets were answered
  std::vector<std::size_t> last_reply_packets;  // body sizes of the last command's reply
  int accepted = 0;
  int logins_ok = 0;
  int logins_refused = 0;
  int pipelined = 0;  // packets that arrived with more bytes behind them
  int bad_packets = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [error, socket] = co_await acceptor_.async_accept(use_nothrow);
      if (error) co_return;
      ++accepted;
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      sockets_.push_back(shared);
      ++tasks_;
      asio::co_spawn(io_, session(shared), [this, shared](std::exception_ptr) {
        sockets_.remove(shared);
        --tasks_;
      });
    }
  }

  static void append(std::vector<std::uint8_t>& out, const rcon::Packet& p) {
    const auto bytes = rcon::encode(p);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }

  asio::awaitable<void> session(std::shared_ptr<tcp::socket> s) {
    bool logged_in = false;
    for (;;) {
      std::array<std::uint8_t, rcon::kHeaderSize> header{};
      auto [e1, n1] = co_await asio::async_read(*s, asio::buffer(header), use_nothrow);
      if (e1) co_return;
      const std::int32_t length = rcon::decode_length(header);
      if (!rcon::length_error(length, rcon::kMaxClientLength).empty()) {
        ++bad_packets;
        co_return;
      }
      std::vector<std::uint8_t> rest(static_cast<std::size_t>(length));
      auto [e2, n2] = co_await asio::async_read(*s, asio::buffer(rest), use_nothrow);
      if (e2) co_return;
      asio::error_code ec;
      if (s->available(ec) > 0) ++pipelined;
      rcon::Decoded d = rcon::decode(rest);
      if (!d.ok()) {
        ++bad_packets;
        co_return;
      }
      std::vector<std::uint8_t> out;
      const rcon::Packet& p = d.packet;
      if (p.type == rcon::kTypeLogin) {
        logged_in = p.body == password_;
        ++(logged_in ? logins_ok : logins_refused);
        append(out, {logged_in ? p.id : rcon::kAuthFailedId, rcon::kTypeAuthResponse, {}});
      } else if (p.type == rcon::kTypeCommand) {
        if (!logged_in) {
          append(out, {rcon::kAuthFailedId, rcon::kTypeAuthResponse, {}});
        } else {
          commands.push_back(p.body);
          if (!answers(p.body)) continue;
          const std::string text = reply(p.body);
          last_reply_packets.clear();
          std::size_t at = 0;
          do {
            const std::size_t n = std::min(rcon::kMaxServerBody, text.size() - at);
            append(out, {p.id, rcon::kTypeResponse, text.substr(at, n)});
            last_reply_packets.push_back(n);
            at += n;
          } while (at < text.size());
        }
      } else {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(p.type));
        const std::string text = std::string("Unknown request ") + hex;
        unknown_answers.push_back(text);
        append(out, {p.id, rcon::kTypeResponse, text});
        // What a Source server adds after its answer to an empty response.
        if (source_style_markers) append(out, {p.id, rcon::kTypeResponse, std::string("\0\x01\0\0", 4)});
      }
      auto [e3, n3] = co_await asio::async_write(*s, asio::buffer(out), use_nothrow);
      if (e3) co_return;
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::string password_;
  std::list<std::shared_ptr<tcp::socket>> sockets_;
  std::uint16_t port_ = 0;
  int tasks_ = 0;
};

template <class Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

// A port nothing listens on (until a test's server takes it).
std::uint16_t free_port(asio::io_context& io) {
  tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return probe.local_endpoint().port();
}

// The server, the client and what the client's callbacks returned; the
// destructor stops both and runs the loop until their coroutines are gone.
struct Rig {
  asio::io_context io;
  TestRconServer server{io, "secret"};
  std::unique_ptr<RconClient> client;
  std::vector<RconResult> results;
  std::vector<std::string> log;

  RconSettings settings(std::uint16_t port, std::string password = "secret") const {
    RconSettings s;
    s.host = "127.0.0.1";
    s.port = port;
    s.password = std::move(password);
    s.connect_timeout = 2s;
    s.command_timeout = 2s;
    s.first_backoff = 50ms;
    s.max_backoff = 200ms;
    s.queue_capacity = 8;
    return s;
  }
  void start(const RconSettings& s) {
    client = std::make_unique<RconClient>(io.get_executor(), s, [this](std::string_view line) { log.emplace_back(line); });
    client->start();
  }
  RconClient::Callback collect() {
    return [this](RconResult r) { results.push_back(std::move(r)); };
  }
  bool submit(std::string command) { return client->submit(std::move(command), collect()); }
  bool wait_results(std::size_t n, std::chrono::milliseconds limit = 5s) {
    return run_until(io, [&] { return results.size() >= n; }, limit);
  }
  bool wait_connected() {
    return run_until(io, [&] { return client->state() == RconState::connected; });
  }

  ~Rig() {
    if (client) client->stop();
    server.stop();
    run_until(io, [&] { return (!client || client->stopped()) && server.idle(); });
    io.restart();
    io.poll();
  }
};

}  // namespace

TEST_CASE("RCON packets: little-endian fields, two NULs, bounded lengths", "[rcon]") {
  const auto bytes = rcon::encode({7, rcon::kTypeCommand, "list"});
  const std::vector<std::uint8_t> expected{14, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 'l', 'i', 's', 't', 0, 0};
  CHECK(bytes == expected);
  CHECK(rcon::decode_length(std::span<const std::uint8_t, 4>(bytes.data(), 4)) == 14);
  const auto d = rcon::decode(std::span(bytes).subspan(4));
  REQUIRE(d.ok());
  CHECK(d.packet.id == 7);
  CHECK(d.packet.type == rcon::kTypeCommand);
  CHECK(d.packet.body == "list");

  const auto refusal = rcon::encode({rcon::kAuthFailedId, rcon::kTypeAuthResponse, {}});
  CHECK(refusal.size() == 14);
  CHECK(rcon::decode(std::span(refusal).subspan(4)).packet.id == -1);

  CHECK(rcon::length_error(10, rcon::kMaxServerLength).empty());
  CHECK(rcon::length_error(4110, rcon::kMaxServerLength).empty());
  CHECK(rcon::length_error(9, rcon::kMaxServerLength) == "RCON packet length 9 below the minimum of 10");
  CHECK(rcon::length_error(4111, rcon::kMaxServerLength) == "RCON packet length 4111 above the maximum of 4110");
  CHECK(rcon::length_error(-5, rcon::kMaxServerLength).find("below the minimum") != std::string::npos);
  CHECK(rcon::length_error(1461, rcon::kMaxClientLength).find("above the maximum of 1456") != std::string::npos);

  const std::vector<std::uint8_t> no_pad{1, 0, 0, 0, 0, 0, 0, 0, 'a', 'b'};
  CHECK(rcon::decode(no_pad).error == "RCON packet body is not followed by two NUL bytes");
  const std::vector<std::uint8_t> nul_inside{1, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 'b', 0, 0};
  CHECK(rcon::decode(nul_inside).ok());
  CHECK(rcon::decode(nul_inside).packet.body == "a");  // a C string ends at its NUL
  CHECK(!rcon::decode(std::vector<std::uint8_t>(9, 0)).ok());

  CHECK(rcon::client_body_error(std::string(1446, 'x')).empty());
  CHECK(rcon::client_body_error(std::string(1447, 'x')) == "too long for RCON (1447 bytes, at most 1446)");
  CHECK(rcon::client_body_error(std::string("a\0b", 3)) == "contains a NUL byte");
}

TEST_CASE("RCON: logs in and runs a command, one packet per write", "[rcon]") {
  Rig rig;
  rig.server.listen();
  rig.start(rig.settings(rig.server.port()));
  REQUIRE(rig.wait_connected());
  CHECK(rig.server.logins_ok == 1);
  CHECK(rig.client->last_error().empty());

  CHECK(rig.submit("list"));
  REQUIRE(rig.wait_results(1));
  CHECK(rig.results[0].sent());
  CHECK(rig.results[0].reply == "ran list");
  CHECK(rig.results[0].error.empty());
  CHECK(rig.server.commands == std::vector<std::string>{"list"});
  // The end marker was a packet of its own, answered like vanilla does.
  CHECK(rig.server.unknown_answers == std::vector<std::string>{"Unknown request 0"});
  CHECK(rig.server.pipelined == 0);

  // The awaitable form, and a reply the server leaves empty.
  rig.server.reply = [](const std::string&) { return std::string{}; };
  std::optional<RconResult> awaited;
  asio::co_spawn(rig.io, [&]() -> asio::awaitable<void> {
    std::string command = "save-all";  // a named local: see rcon_client.hpp on g++ 12
    awaited = co_await rig.client->execute(std::move(command));
  },
                 [](std::exception_ptr) {});
  REQUIRE(run_until(rig.io, [&] { return awaited.has_value(); }));
  CHECK(awaited->sent());
  CHECK(awaited->reply.empty());

  CHECK(rig.client->counters().sent == 2);
  CHECK(rig.client->counters().failed == 0);
  CHECK(rig.client->counters().reconnects == 0);
  CHECK(rig.client->counters().queue_depth == 0);
  CHECK(rig.client->counters().connected);
  CHECK(rig.server.pipelined == 0);
  CHECK(rig.server.bad_packets == 0);
}

TEST_CASE("RCON: a wrong password is a clear error and fails the commands", "[rcon]") {
  Rig rig;
  rig.server.listen();
  rig.start(rig.settings(rig.server.port(), "not-the-password"));
  CHECK(rig.submit("kick Steve"));
  REQUIRE(rig.wait_results(1));
  CHECK(!rig.results[0].sent());
  CHECK(rig.results[0].error == "RCON 127.0.0.1:" + std::to_string(rig.server.port()) +
                                    ": authentication failed (wrong password)");
  CHECK(rig.client->state() == RconState::auth_failed);
  CHECK(rig.client->last_error() == rig.results[0].error);
  CHECK(rig.server.logins_refused >= 1);
  CHECK(rig.server.commands.empty());
  REQUIRE(!rig.log.empty());
  CHECK(rig.log.front() == rig.results[0].error);

  // Later submits are refused at once with the same reason.
  CHECK(!rig.submit("ban Steve"));
  REQUIRE(rig.wait_results(2));
  CHECK(rig.results[1].error == rig.results[0].error);
  CHECK(rig.client->counters().failed == 2);
  CHECK(rig.client->counters().connect_failures >= 1);
  CHECK(!rig.client->counters().connected);
}

TEST_CASE("RCON: a 10,000-byte reply comes in three packets and is reassembled", "[rcon]") {
  Rig rig;
  std::string big;
  for (int i = 0; big.size() < 10'000; ++i) big += "line " + std::to_string(i) + "\n";
  big.resize(10'000);
  rig.server.reply = [&](const std::string& c) { return c == "big" ? big : "ran " + c; };
  rig.server.listen();
  rig.start(rig.settings(rig.server.port()));
  CHECK(rig.submit("big"));
  CHECK(rig.submit("list"));  // the next command's reply is not mixed in
  REQUIRE(rig.wait_results(2));
  REQUIRE(rig.results[0].sent());
  CHECK(rig.results[0].reply.size() == 10'000);
  CHECK(rig.results[0].reply == big);
  CHECK(rig.results[1].reply == "ran list");
  CHECK(rig.server.commands == std::vector<std::string>{"big", "list"});
  CHECK(rig.server.pipelined == 0);

  // Exactly 3 × 4096 would end on a full packet: the marker still tells.
  const std::string exact(3 * 4096, 'z');
  rig.server.reply = [&](const std::string&) { return exact; };
  CHECK(rig.submit("exact"));
  REQUIRE(rig.wait_results(3));
  CHECK(rig.server.last_reply_packets == std::vector<std::size_t>{4096, 4096, 4096});
  CHECK(rig.results[2].reply == exact);
}

TEST_CASE("RCON: a command waits while the server is down and goes once it is up", "[rcon]") {
  Rig rig;
  const std::uint16_t port = free_port(rig.io);
  rig.start(rig.settings(port));
  CHECK(rig.submit("say hello"));
  REQUIRE(run_until(rig.io, [&] { return rig.client->counters().connect_failures >= 3; }));
  CHECK(rig.results.empty());  // waiting, not lost
  CHECK(rig.client->counters().queue_depth == 1);
  CHECK(rig.client->state() != RconState::connected);
  CHECK(rig.client->last_error().find("RCON 127.0.0.1:" + std::to_string(port) + ": cannot connect") == 0);

  rig.server.listen(port);
  REQUIRE(rig.wait_results(1));
  CHECK(rig.results[0].sent());
  CHECK(rig.results[0].reply == "ran say hello");
  CHECK(rig.client->counters().reconnects == 1);
  CHECK(rig.client->counters().queue_depth == 0);
  CHECK(rig.client->last_error().empty());
}

TEST_CASE("RCON: reconnect attempts back off instead of spinning", "[rcon]") {
  Rig rig;
  auto s = rig.settings(free_port(rig.io));
  s.first_backoff = 100ms;
  s.max_backoff = 400ms;
  rig.start(s);
  // Attempts at 0, 0.1, 0.3, 0.7, 1.1 s...: within 1 s at most 4 (and
  // whatever the load, never one per loop turn).
  const auto until = std::chrono::steady_clock::now() + 1s;
  run_until(rig.io, [&] { return std::chrono::steady_clock::now() >= until; }, 2s);
  CHECK(rig.client->counters().connect_failures >= 1);
  CHECK(rig.client->counters().connect_failures <= 4);
  CHECK(rig.client->state() == RconState::down);
}

TEST_CASE("RCON: a full queue refuses with its reason, stop fails what waits", "[rcon]") {
  Rig rig;
  auto s = rig.settings(free_port(rig.io));
  s.queue_capacity = 2;
  rig.start(s);
  CHECK(rig.submit("one"));
  CHECK(rig.submit("two"));
  CHECK(!rig.submit("three"));
  CHECK(rig.client->counters().queue_depth == 2);
  REQUIRE(rig.wait_results(1));
  CHECK(!rig.results[0].sent());
  CHECK(rig.results[0].error == "RCON queue full (2 commands waiting)");

  // A command too long for one packet is refused, not cut.
  CHECK(!rig.submit(std::string(2000, 'x')));
  REQUIRE(rig.wait_results(2));
  CHECK(rig.results[1].error == "command too long for RCON (2000 bytes, at most 1446)");

  rig.client->stop();
  REQUIRE(rig.wait_results(4));
  CHECK(rig.results[2].error == "RCON client stopped");
  CHECK(rig.results[3].error == "RCON client stopped");
  CHECK(rig.client->counters().failed == 4);
  CHECK(rig.client->counters().queue_depth == 0);
}

TEST_CASE("RCON: a command waits no longer than queue_timeout for a connection", "[rcon]") {
  Rig rig;
  auto s = rig.settings(free_port(rig.io));
  s.queue_timeout = 150ms;
  rig.start(s);
  CHECK(rig.submit("kick Steve"));
  REQUIRE(rig.wait_results(1));
  CHECK(!rig.results[0].sent());
  CHECK(rig.results[0].error.find("not sent: no RCON connection for 150 ms (RCON 127.0.0.1:") == 0);
}

TEST_CASE("RCON: a command the server never answers times out, the client reconnects", "[rcon]") {
  Rig rig;
  rig.server.answers = [](const std::string& c) { return c != "hang"; };
  rig.server.listen();
  auto s = rig.settings(rig.server.port());
  s.command_timeout = 200ms;
  rig.start(s);
  CHECK(rig.submit("hang"));
  CHECK(rig.submit("list"));
  REQUIRE(rig.wait_results(2));
  CHECK(!rig.results[0].sent());
  CHECK(rig.results[0].error == "no reply within 200 ms");
  CHECK(rig.results[1].sent());
  CHECK(rig.results[1].reply == "ran list");
  CHECK(rig.server.accepted == 2);
  CHECK(rig.client->counters().reconnects == 1);
  CHECK(rig.client->counters().sent == 1);
  CHECK(rig.client->counters().failed == 1);
}

TEST_CASE("RCON: a connection the server drops while idle is replaced", "[rcon]") {
  Rig rig;
  rig.server.listen();
  rig.start(rig.settings(rig.server.port()));
  REQUIRE(rig.wait_connected());
  rig.server.drop_connections();
  REQUIRE(run_until(rig.io, [&] { return rig.server.accepted == 2 && rig.client->state() == RconState::connected; }));
  CHECK(rig.client->counters().reconnects == 1);
  CHECK(rig.submit("list"));
  REQUIRE(rig.wait_results(1));
  CHECK(rig.results[0].sent());
  CHECK(rig.results[0].reply == "ran list");
}

TEST_CASE("RCON: a second answer to the end marker is skipped, not taken for a drop", "[rcon]") {
  Rig rig;
  rig.server.source_style_markers = true;
  rig.server.listen();
  rig.start(rig.settings(rig.server.port()));
  CHECK(rig.submit("list"));
  REQUIRE(rig.wait_results(1));
  CHECK(rig.results[0].reply == "ran list");
  // The late packet reaches the idle client; a second command while it is
  // still on the way meets it inside the exchange instead. Both keep the connection.
  run_until(rig.io, [] { return false; }, 100ms);
  CHECK(rig.client->state() == RconState::connected);
  CHECK(rig.submit("a"));
  CHECK(rig.submit("b"));
  REQUIRE(rig.wait_results(3));
  CHECK(rig.results[1].reply == "ran a");
  CHECK(rig.results[2].reply == "ran b");
  CHECK(rig.server.accepted == 1);
  CHECK(rig.client->counters().reconnects == 0);
  CHECK(rig.client->counters().sent == 3);
}

}  // namespace rcon_client_test
