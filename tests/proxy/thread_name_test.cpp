// Thread names (rustguard/adapters/thread_name.hpp): what `top -H` and
// /proc/<pid>/task/<tid>/comm show for the proxy's threads, and the io
// pool's names for its own threads.

#include <catch2/catch.hpp>

#include <pthread.h>

#include <asio/post.hpp>

#include <future>
#include <string>
#include <thread>

#include "../../tools/proxy/io_pool.hpp"
#include "rustguard/adapters/thread_name.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace thread_name_test {

namespace {
// No assertion in here: it runs on the pool's threads too, and Catch2's
// assertions are for the test's own thread. A failed read is "?".
std::string current_thread_name() {
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "?";
  return name;
}

std::string name_set_on_a_thread(const std::string& wanted) {
  std::string seen;
  std::thread t([&] {
    rustguard::adapters::name_this_thread(wanted);
    seen = current_thread_name();
  });
  t.join();
  return seen;
}
}  // namespace

TEST_CASE("thread name: a short name is kept as given", "[proxy][thread_name]") {
  CHECK(name_set_on_a_thread("rg-violations") == "rg-violations");
}

TEST_CASE("thread name: a name over 15 characters is cut, not refused", "[proxy][thread_name]") {
  CHECK(name_set_on_a_thread("rg-a-very-long-thread-name") == "rg-a-very-long-");
}

TEST_CASE("thread name: the io pool names its threads by context, the caller's stays", "[proxy][thread_name]") {
  const std::string caller = current_thread_name();
  rustguard::proxy::IoPool pool(3);
  std::promise<std::string> on0, on1, on2;
  asio::post(pool.context(0), [&] { on0.set_value(current_thread_name()); });
  asio::post(pool.context(1), [&] { on1.set_value(current_thread_name()); });
  asio::post(pool.context(2), [&] { on2.set_value(current_thread_name()); });
  std::thread stopper([&] {
    // Every name read, then let the pool's run() return.
    on0.get_future().wait();
    pool.release();
  });
  auto f1 = on1.get_future();
  auto f2 = on2.get_future();
  pool.run();
  stopper.join();
  CHECK(f1.get() == "rg-io-1");
  CHECK(f2.get() == "rg-io-2");
  CHECK(current_thread_name() == caller);
}

}  // namespace thread_name_test
