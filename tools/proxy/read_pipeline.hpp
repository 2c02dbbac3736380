#pragma once
// Reads held back one step, so that a connection's state is on its way from
// memory while the read ahead of it runs.
//
// At 1,000 active players a read's inspection spends most of its time
// waiting for the player's state: the kernel's work since that player's last
// read (the other connections' syscalls and packets) has pushed it out of
// the caches, and the inspection meets it one line after another
// (docs/benchmarks.md, "Where a read's time goes"). A prefetch issued just
// before the read's own recvmsg overlapped that wait with the syscall, but
// slowed the syscall by as much (docs/benchmarks.md, nineteenth session).
// Here the wait overlaps another connection's read instead: when one wake of
// the io thread finds several sockets readable, Asio runs their wait
// handlers back to back; each handler prefetches its connection's state and
// hands its read to hold(), which runs the read held before it. The batch's
// last read runs from a handler that hold() posts once a batch: Asio queues
// a handler posted from a handler behind the ready ones of the same wake.
//
// A held read meets what a read after any wait meets: its connection may
// have been halted meanwhile (by the read that ran before it: a kick by
// name, a duplicate login), which its own step checks first. It keeps its
// connection alive as a pending wait does, since its pump has not ended.
//
// Per thread: each io_context runs on one thread (io_pool.hpp), and hold()
// must be called on the thread that runs the context of the executor it
// is given.

#include <asio/post.hpp>

#include <cstddef>
#include <optional>
#include <system_error>
#include <utility>

#include "rustguard/protocol/state.hpp"

namespace rustguard::proxy {

// Asks for every cache line of `bytes` at `start`, for writing.
inline void prefetch_lines(const void* start, std::size_t bytes) noexcept {
  const char* p = static_cast<const char*>(start);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 1, 3);
}

class ReadPipeline {
 public:
  // A read to run: `run(owner, from, waited)`, `waited` being how the wait
  // for it ended.
  struct Read {
    void (*run)(void* owner, protocol::Direction from, std::error_code waited) = nullptr;
    void* owner = nullptr;
    protocol::Direction from = protocol::Direction::serverbound;
    std::error_code waited;
  };

  // Holds `read` and runs the read held before it, if any. `executor_of()`
  // gives this thread's executor, asked for only by a batch's first read
  // (a connection's executor is a line of it the read has not needed yet).
  template <class ExecutorOf>
  static void hold(const Read& read, ExecutorOf&& executor_of) {
    State& s = state();
    std::optional<Read> before = std::exchange(s.held, read);
    if (!s.flush_posted) {
      s.flush_posted = true;
      asio::post(executor_of(), [] {
        State& t = state();
        t.flush_posted = false;
        if (std::optional<Read> last = std::exchange(t.held, std::nullopt)) last->run(last->owner, last->from, last->waited);
      });
    }
    if (before) before->run(before->owner, before->from, before->waited);
  }

  // Whether this thread holds a read (for tests).
  static bool holding() noexcept { return state().held.has_value(); }

 private:
  struct State {
    std::optional<Read> held;
    bool flush_posted = false;
  };
  static State& state() noexcept {
    thread_local State s;
    return s;
  }
};

}  // namespace rustguard::proxy
