#pragma once
// Reading a socket with one syscall per read: no epoll_ctl per wait.
// Shared by the proxy's pumps and the load generator's streams (the read
// itself: socket_read.hpp).
//
// The proxy waits for readability and then reads into its io thread's
// scratch buffer (no buffer per connection: a big lobby holds thousands of
// idle sockets). Asio's socket.async_wait(wait_read) re-arms the descriptor
// with epoll_ctl(EPOLL_CTL_MOD) on every call: at 1,000 active players that
// was 42,000 epoll_ctl calls a second, one per read, where HAProxy makes
// 1,400 (docs/benchmarks.md, "Reads without epoll_ctl").
//
// Asio's epoll reactor registers every socket edge-triggered once, and an
// edge is reported for every arrival of new data and for the peer's FIN. So
// once a read has taken everything the socket held, whatever comes next
// brings an edge of its own, and the next wait needs no re-arming. The wait
// below tells the reactor exactly that: its perform() answers "done and
// exhausted", so the reactor stops trying it speculatively until the next
// edge, and a wait started meanwhile is only queued (no syscall at all).
//
// "Everything the socket held" is what read_some_hinted() reports: a read
// through recvmsg with TCP_INQ (Linux 4.18), whose answer says how many
// bytes are left, and says "1" when only the peer's FIN is — a FIN that
// arrived with the last data raises no edge of its own, and a short read
// stops at it without saying so (the e2e bots' kick-and-close hung on
// exactly that). The caller's contract: wait only after a read that left
// nothing; otherwise read again. A reset that arrives with the last data is
// not announced either; it is found by the next write toward that peer
// (a playing connection writes both ways several times a second) or by
// the idle timeout.
//
// Only for Asio 1.22's epoll reactor (Debian 12), whose internals this
// uses, and sockets where TCP_INQ could be set; anything else gets Asio's
// own re-arming async_wait, for which the same contract is merely
// conservative.

#include <asio/async_result.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include "socket_read.hpp"

#if ASIO_VERSION == 102201 && defined(ASIO_HAS_EPOLL) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT)
#define RUSTGUARD_EDGE_READABLE_WAIT 1
#include <asio/associated_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/detail/bind_handler.hpp>
#include <asio/detail/epoll_reactor.hpp>
#include <asio/detail/fenced_block.hpp>
#include <asio/detail/handler_alloc_helpers.hpp>
#include <asio/detail/handler_cont_helpers.hpp>
#include <asio/detail/handler_work.hpp>
#include <asio/detail/memory.hpp>
#include <asio/detail/reactor_op.hpp>
#else
#define RUSTGUARD_EDGE_READABLE_WAIT 0
#endif

namespace rustguard::tools {

#if RUSTGUARD_EDGE_READABLE_WAIT
namespace detail {

// The socket's reactor registration is in its implementation, which
// basic_socket keeps protected: a pointer to that member, taken inside a
// derived class, reads it from any socket.
struct SocketInternals : asio::ip::tcp::socket {
  static auto& implementation(asio::ip::tcp::socket& socket) noexcept {
    return (socket.*(&SocketInternals::impl_)).get_implementation();
  }
};

// A read wait that completes when the socket is readable and tells the
// reactor not to try it again before the next edge.
template <typename Handler, typename IoExecutor>
class EdgeReadableOp : public asio::detail::reactor_op {
 public:
  ASIO_DEFINE_HANDLER_PTR(EdgeReadableOp);

  EdgeReadableOp(Handler& handler, const IoExecutor& io_ex)
      : reactor_op(std::error_code(), &EdgeReadableOp::do_perform, &EdgeReadableOp::do_complete),
        handler_(std::move(handler)),
        work_(handler_, io_ex) {}

  static status do_perform(reactor_op*) { return done_and_exhausted; }

  static void do_complete(void* owner, asio::detail::operation* base, const std::error_code&, std::size_t) {
    auto* o = static_cast<EdgeReadableOp*>(base);
    ptr p = {asio::detail::addressof(o->handler_), o, o};
    asio::detail::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    // The handler is moved out and the op freed before the upcall, which may
    // start the next wait (and reuse this memory).
    asio::detail::binder1<Handler, std::error_code> handler(o->handler_, o->ec_);
    p.h = asio::detail::addressof(handler.handler_);
    p.reset();
    if (owner) {
      asio::detail::fenced_block b(asio::detail::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

 private:
  Handler handler_;
  asio::detail::handler_work<Handler, IoExecutor> work_;
};

// Cancels the wait (halt() of the connection) like Asio's own waits do.
class EdgeReadableCancellation {
 public:
  EdgeReadableCancellation(asio::detail::epoll_reactor& reactor,
                           asio::detail::epoll_reactor::per_descriptor_data& data, int descriptor)
      : reactor_(reactor), data_(data), descriptor_(descriptor) {}
  void operator()(asio::cancellation_type_t type) {
    using asio::cancellation_type;
    if (!!(type & (cancellation_type::terminal | cancellation_type::partial | cancellation_type::total))) {
      reactor_.cancel_ops_by_key(descriptor_, data_, asio::detail::epoll_reactor::read_op, this);
    }
  }

 private:
  asio::detail::epoll_reactor& reactor_;
  asio::detail::epoll_reactor::per_descriptor_data& data_;
  int descriptor_;
};

}  // namespace detail
#endif

// What a reader keeps between two reads of one socket.
struct ReadState {
  bool more = false;     // read again before waiting
  bool drained = false;  // the next wait may skip re-arming (async_wait_readable)
#if RUSTGUARD_EDGE_READABLE_WAIT
  // The socket's reactor, looked up at its first wait: use_service takes
  // the context's registry mutex and walks its list, once per wait it cost
  // 1 % of the proxy's CPU at 1,000 players. A socket never changes context.
  asio::detail::epoll_reactor* reactor = nullptr;
  // The cancellation handler this reader's last wait put in its slot, and
  // what it cancels: the next wait on the same socket through the same slot
  // reuses it. Emplacing one per wait destroyed the last (an indirect call
  // to a handler long out of the cache): 1 % of the proxy's samples. So
  // every operation started through that slot must be a wait of this
  // reader's (async_wait_readable with this state): another operation
  // would replace the handler without this state knowing.
  struct InstalledCancellation {
    asio::cancellation_slot slot;
    void* key = nullptr;  // the handler, which is also the ops' cancellation key
    int descriptor = -1;
    const void* reactor_data = nullptr;
  } cancellation;
#endif
  void update(const HintedRead& read, const std::error_code& ec) noexcept {
    more = read.more;
    // would_block says the socket is empty as surely as the hint does.
    drained = read.hinted ? !read.more : ec == asio::error::would_block;
  }
};

namespace detail {
// Starts the wait; `reactor_cache` (may be null) remembers the socket's reactor.
template <typename Handler>
void start_readable_wait(asio::ip::tcp::socket& socket, bool drained, ReadState* reactor_cache, Handler handler) {
#if RUSTGUARD_EDGE_READABLE_WAIT
  if (drained) {
    using Executor = asio::ip::tcp::socket::executor_type;
    using Op = EdgeReadableOp<Handler, Executor>;
    auto& impl = SocketInternals::implementation(socket);
    asio::detail::epoll_reactor* reactor = reactor_cache != nullptr ? reactor_cache->reactor : nullptr;
    if (reactor == nullptr) {
      reactor = &asio::use_service<asio::detail::epoll_reactor>(
          asio::query(socket.get_executor(), asio::execution::context));
      if (reactor_cache != nullptr) reactor_cache->reactor = reactor;
    }
    const bool is_continuation = ::asio_handler_cont_helpers::is_continuation(handler);
    auto slot = asio::get_associated_cancellation_slot(handler);
    typename Op::ptr p = {asio::detail::addressof(handler), Op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) Op(handler, socket.get_executor());
    if (impl.socket_ == asio::detail::invalid_socket) {
      p.p->ec_ = asio::error::bad_descriptor;
      reactor->post_immediate_completion(p.p, is_continuation);
    } else {
      if (slot.is_connected()) {
        auto* installed = reactor_cache != nullptr ? &reactor_cache->cancellation : nullptr;
        if (installed != nullptr && installed->key != nullptr && installed->slot == slot && slot.has_handler() &&
            installed->descriptor == impl.socket_ && installed->reactor_data == impl.reactor_data_) {
          p.p->cancellation_key_ = installed->key;
        } else {
          p.p->cancellation_key_ =
              &slot.template emplace<EdgeReadableCancellation>(*reactor, impl.reactor_data_, impl.socket_);
          if (installed != nullptr) *installed = {slot, p.p->cancellation_key_, impl.socket_, impl.reactor_data_};
        }
      }
      reactor->start_op(asio::detail::epoll_reactor::read_op, impl.socket_, impl.reactor_data_, p.p,
                        is_continuation, /*allow_speculative=*/true);
    }
    p.v = p.p = nullptr;
    return;
  }
#endif
  (void)drained;
#if RUSTGUARD_EDGE_READABLE_WAIT
  // Asio's own wait puts its own handler in the slot.
  if (reactor_cache != nullptr) reactor_cache->cancellation = {};
#endif
  (void)reactor_cache;
  socket.async_wait(asio::ip::tcp::socket::wait_read, std::move(handler));
}
}  // namespace detail

// Completes with an error_code when `socket` is readable (or failed, or the
// peer closed), or with operation_aborted when the handler's cancellation
// slot fires. `state`: the reader's ReadState for this socket, which must
// outlive the wait. Only when its `drained` holds (the last read left
// nothing: read_some_hinted said so through the hint, or the socket
// answered would_block) may the wait skip re-arming.
template <typename Token>
auto async_wait_readable(asio::ip::tcp::socket& socket, ReadState& state, Token&& token) {
  return asio::async_initiate<Token, void(std::error_code)>(
      [&socket, &state](auto handler) { detail::start_readable_wait(socket, state.drained, &state, std::move(handler)); },
      token);
}

// The same for a caller that keeps no ReadState (one wait, or a test).
template <typename Token>
auto async_wait_readable(asio::ip::tcp::socket& socket, bool drained, Token&& token) {
  return asio::async_initiate<Token, void(std::error_code)>(
      [&socket, drained](auto handler) { detail::start_readable_wait(socket, drained, nullptr, std::move(handler)); },
      token);
}

}  // namespace rustguard::tools
