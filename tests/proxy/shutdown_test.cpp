// SIGINT/SIGTERM's shutdown (tools/proxy/shutdown.hpp): every connection is
// asked to end on its own thread, the pool returns once they have, and a
// connection that never ends is cut off after the grace period.

#include <catch2/catch.hpp>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>

#include "../../tools/proxy/shutdown.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace shutdown_test {

using namespace rustguard;
using namespace std::chrono_literals;

namespace {

// A connection that ends as soon as it is asked to.
struct Polite final : proxy::Stoppable {
  std::atomic<int> asked{0};
  void request_shutdown() override { ++asked; }
};

// A connection that keeps its io context busy and never ends by itself.
struct Stubborn final : proxy::Stoppable {
  explicit Stubborn(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  std::atomic<int> asked{0};
  void request_shutdown() override { ++asked; }
  void hold() {
    timer.expires_after(1h);
    timer.async_wait([](const asio::error_code&) {});
  }
};

}  // namespace

TEST_CASE("Shutdown asks every connection to end and the pool returns", "[proxy][shutdown]") {
  proxy::IoPool pool(2);
  proxy::Shutdown shutdown(pool);
  Polite a, b;
  shutdown.registry(0).add(a);
  shutdown.registry(1).add(b);
  CHECK_FALSE(shutdown.started());
  asio::post(pool.main(), [&] { shutdown.begin(10s); });
  const auto t0 = std::chrono::steady_clock::now();
  pool.run();
  shutdown.finished();
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);  // not the grace period
  CHECK(shutdown.started());
  CHECK(a.asked == 1);
  CHECK(b.asked == 1);
  CHECK(shutdown.registry(0).stopping());  // connections accepted afterwards stop at once
  CHECK(shutdown.registry(1).stopping());
}

TEST_CASE("A connection that does not end is cut off after the grace period", "[proxy][shutdown]") {
  proxy::IoPool pool(1);
  proxy::Shutdown shutdown(pool);
  Stubborn stuck(pool.main());
  shutdown.registry(0).add(stuck);
  stuck.hold();
  asio::post(pool.main(), [&] {
    shutdown.begin(200ms);
    shutdown.begin(200ms);  // a second signal changes nothing
  });
  const auto t0 = std::chrono::steady_clock::now();
  pool.run();
  const auto took = std::chrono::steady_clock::now() - t0;
  shutdown.finished();
  CHECK(stuck.asked == 1);
  CHECK(took >= 200ms);
  CHECK(took < 10s);
}

}  // namespace shutdown_test
