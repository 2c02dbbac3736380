// read_pipeline.hpp: each read held runs once, in order, after the next
// read's handler; a batch's last read runs after the batch. On posted
// handlers and on real loopback sockets that one epoll wake finds readable
// together (the order the proxy relies on: Asio queues the flush behind the
// wake's other handlers).
#include <catch2/catch.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <poll.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "../../tools/common/readable_wait.hpp"
#include "../../tools/proxy/read_pipeline.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace read_pipeline_test {

using asio::ip::tcp;
using rustguard::protocol::Direction;
using rustguard::proxy::ReadPipeline;

namespace {

// What ran, in order: "h:<name>" for a wait's handler, "<name>" for its read.
struct Log {
  std::vector<std::string> entries;
  struct Named {
    Named(Log* l, std::string n) : log(l), name(std::move(n)) {}
    Log* log;
    std::string name;
    Direction from = Direction::serverbound;
    std::error_code waited;
  };
  static void run(void* owner, Direction from, std::error_code waited) {
    auto* n = static_cast<Named*>(owner);
    n->from = from;
    n->waited = waited;
    n->log->entries.push_back(n->name);
  }
};

template <class Executor>
void handler(Log& log, Log::Named& read, const Executor& ex, Direction from = Direction::serverbound,
             std::error_code ec = {}) {
  log.entries.push_back("h:" + read.name);
  ReadPipeline::hold({&Log::run, &read, from, ec}, [&] { return ex; });
}

}  // namespace

TEST_CASE("reads held in one batch run in order, each after the next one's handler") {
  asio::io_context ctx{1};
  Log log;
  Log::Named a{&log, "a"}, b{&log, "b"}, c{&log, "c"};
  asio::post(ctx, [&] { handler(log, a, ctx.get_executor()); });
  asio::post(ctx, [&] { handler(log, b, ctx.get_executor(), Direction::clientbound, asio::error::operation_aborted); });
  asio::post(ctx, [&] { handler(log, c, ctx.get_executor()); });
  ctx.run();
  CHECK(log.entries == std::vector<std::string>{"h:a", "h:b", "a", "h:c", "b", "c"});
  // Each read gets what its own wait said, not its neighbour's.
  CHECK(b.from == Direction::clientbound);
  CHECK(b.waited == asio::error::operation_aborted);
  CHECK(c.from == Direction::serverbound);
  CHECK(!c.waited);
  CHECK_FALSE(ReadPipeline::holding());

  // The next batch flushes its last read too.
  log.entries.clear();
  Log::Named d{&log, "d"};
  ctx.restart();
  asio::post(ctx, [&] { handler(log, d, ctx.get_executor()); });
  ctx.run();
  CHECK(log.entries == std::vector<std::string>{"h:d", "d"});
  CHECK_FALSE(ReadPipeline::holding());
}

TEST_CASE("sockets one wake finds readable: each read runs once, after the next socket's handler") {
  asio::io_context ctx{1};
  tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::array<tcp::socket, 3> peers{tcp::socket{ctx}, tcp::socket{ctx}, tcp::socket{ctx}};
  std::array<tcp::socket, 3> readers{tcp::socket{ctx}, tcp::socket{ctx}, tcp::socket{ctx}};
  for (std::size_t i = 0; i < peers.size(); ++i) {
    peers[i].connect(acceptor.local_endpoint());
    readers[i] = acceptor.accept();
    readers[i].non_blocking(true);
    REQUIRE(rustguard::tools::enable_unread_hint(readers[i]));
  }
  // Data in every reader's kernel buffer before the io thread waits once.
  for (auto& p : peers) asio::write(p, asio::buffer(std::string("x")));
  for (auto& r : readers) {
    pollfd p{r.native_handle(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
  }
  Log log;
  std::array<Log::Named, 3> reads{Log::Named{&log, "0"}, Log::Named{&log, "1"}, Log::Named{&log, "2"}};
  for (std::size_t i = 0; i < readers.size(); ++i) {
    rustguard::tools::async_wait_readable(readers[i], /*drained=*/false, [&, i](std::error_code ec) {
      handler(log, reads[i], ctx.get_executor(), Direction::serverbound, ec);
    });
  }
  ctx.run();
  // The reactor reports the three in its own order; whatever it is, every
  // read runs right after the next handler, the last after all handlers.
  REQUIRE(log.entries.size() == 6);
  std::vector<std::string> handlers, runs;
  for (const auto& e : log.entries) (e.rfind("h:", 0) == 0 ? handlers : runs).push_back(e);
  REQUIRE(handlers.size() == 3);
  const std::string first = handlers[0].substr(2), second = handlers[1].substr(2), third = handlers[2].substr(2);
  CHECK(log.entries == std::vector<std::string>{"h:" + first, "h:" + second, first, "h:" + third, second, third});
  for (const auto& r : reads) CHECK(!r.waited);
  CHECK_FALSE(ReadPipeline::holding());
}

}  // namespace read_pipeline_test
