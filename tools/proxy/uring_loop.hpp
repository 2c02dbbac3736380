#pragma once
// The io threads' data path in play on io_uring: each io thread owns one
// ring beside its Asio io_context, and the sockets of the players in play
// are read and written through it instead of a readiness wait, a recvmsg and
// a send per read. Syscalls are dear on this project's VMs: at 1,000 players
// a forwarder on io_uring used 0.66-0.74× HAProxy's CPU where the same
// forwarder on epoll used 0.89-0.93×, and RustGuard itself went from
// 1.05-1.34× to 0.82× (docs/benchmarks.md, "Players in play on io_uring").
//
//   reads:  one multishot recvmsg per socket into the ring's provided
//           buffers; each completion carries the bytes and the kernel's
//           arrival stamp (SO_TIMESTAMPNS), handed to the socket's sink;
//   writes: one send at a time per socket (UringSend, MSG_WAITALL), from
//           the loop's send buffers (WriteQueue::use_uring);
//   waking: the ring signals an eventfd that the io_context waits on; its
//           handler runs the completions and submits what is queued until
//           neither the ring nor the kernel has more, with the eventfd's
//           signal off meanwhile (run()).
//
// The ring is SINGLE_ISSUER with COOP_TASKRUN: the kernel finishes a read
// (copies the bytes) when this thread next leaves the kernel, not by
// interrupting it. Not DEFER_TASKRUN: with it the eventfd's signal for
// pending work reached the loop 14-16 ms late here. Everything runs on the
// thread that made the loop; nothing is locked.
//
// Lifetimes: the kernel points at an armed UringRecv and at a UringSend in
// flight (user_data); their owners keep them until armed() / busy() is false.

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <liburing.h>

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace rustguard::proxy {

class UringLoop;

// What the kernel hands back for one operation (user_data points at it).
struct UringOp {
  using Complete = void (*)(UringOp&, const io_uring_cqe&, UringLoop&);
  explicit UringOp(Complete c) : complete(c) {}
  Complete complete;
};

// Whoever reads a socket through the loop.
class UringRecvSink {
 public:
  // Bytes read; `stamped_ns`: the kernel's arrival stamp of the last of
  // them (CLOCK_REALTIME), 0 when there was none.
  virtual void on_received(int tag, std::span<const std::uint8_t> bytes, std::int64_t stamped_ns) = 0;
  // The reads ended: 0 at the peer's FIN, -ECANCELED after cancel(), -errno.
  // The UringRecv is no longer armed when this runs.
  virtual void on_recv_ended(int tag, int result) = 0;

 protected:
  ~UringRecvSink() = default;
};

// One socket's reads.
class UringRecv : public UringOp {
 public:
  UringRecv() : UringOp(&UringRecv::done) {}
  bool armed() const noexcept { return armed_; }

 private:
  friend class UringLoop;
  static void done(UringOp& op, const io_uring_cqe& cqe, UringLoop& loop);
  int fd_ = -1;
  int tag_ = 0;
  UringRecvSink* sink_ = nullptr;
  bool armed_ = false;
  bool cancelling_ = false;
  bool eof_ = false;
};

// Whoever writes a socket through the loop: `result` is the bytes sent or -errno.
class UringSendSink {
 public:
  virtual void on_sent(int result) = 0;

 protected:
  ~UringSendSink() = default;
};

// One socket's sends, one at a time.
class UringSend : public UringOp {
 public:
  explicit UringSend(UringSendSink& sink) : UringOp(&UringSend::done), sink_(&sink) {}
  bool busy() const noexcept { return busy_; }

 private:
  friend class UringLoop;
  static void done(UringOp& op, const io_uring_cqe& cqe, UringLoop& loop);
  UringSendSink* sink_;
  bool busy_ = false;
};

class UringLoop {
 public:
  struct Options {
    unsigned entries = 1024;         // submission queue
    unsigned completions = 32768;    // completion queue
    unsigned buffers = 512;          // provided read buffers (a power of two)
    unsigned buffer_bytes = 2048;    // each, header and stamp included
  };

  // A loop for the calling thread, driven by `io`; null (and `why`) when
  // the kernel cannot set the ring up (before Linux 6.1, io_uring disabled).
  static std::unique_ptr<UringLoop> create(asio::io_context& io, const Options& options, std::string& why) {
    std::unique_ptr<UringLoop> loop(new UringLoop(io, options));
    if (!loop->init(why)) return nullptr;
    loop->wait();
    return loop;
  }

  UringLoop(const UringLoop&) = delete;
  UringLoop& operator=(const UringLoop&) = delete;
  ~UringLoop() {
    asio::error_code ignored;
    event_.close(ignored);
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (buffer_ring_ != nullptr) std::free(buffer_ring_);
  }

  // Starts reading `fd` (non-blocking, SO_TIMESTAMPNS set for stamps) into `sink`.
  void recv(UringRecv& r, int fd, int tag, UringRecvSink& sink) {
    r.fd_ = fd;
    r.tag_ = tag;
    r.sink_ = &sink;
    r.cancelling_ = false;
    r.eof_ = false;
    arm(r);
  }
  // Stops the reads: on_recv_ended(-ECANCELED) follows (or the ending already under way).
  void cancel(UringRecv& r) {
    if (!r.armed_ || r.cancelling_) return;
    r.cancelling_ = true;
    io_uring_sqe* s = sqe();
    io_uring_prep_cancel64(s, reinterpret_cast<std::uintptr_t>(static_cast<UringOp*>(&r)), 0);
    io_uring_sqe_set_data64(s, 0);
    kick();
  }
  // Gives up a send in flight: on_sent follows, with what was sent or -ECANCELED.
  void cancel(UringSend& op) {
    if (!op.busy_) return;
    io_uring_sqe* s = sqe();
    io_uring_prep_cancel64(s, reinterpret_cast<std::uintptr_t>(static_cast<UringOp*>(&op)), 0);
    io_uring_sqe_set_data64(s, 0);
    kick();
  }

  // Buffers for sends in flight, by size class, kept by the loop for its
  // thread: a send completes within the batch that submitted it unless the
  // peer's window is full, so few are out at once and the same few, warm,
  // serve every connection (buffers of its own would pin kilobytes per
  // connection for what is in flight a few microseconds).
  struct SendBuffer {
    std::uint8_t* data = nullptr;
    std::size_t capacity = 0;
  };
  SendBuffer take_send_buffer(std::size_t bytes) {
    const int c = size_class(bytes);
    if (c < 0) return {new std::uint8_t[bytes], bytes};
    auto& pool = send_pool_[static_cast<std::size_t>(c)];
    if (!pool.empty()) {
      std::uint8_t* b = pool.back().release();
      pool.pop_back();
      return {b, kSendClass[static_cast<std::size_t>(c)]};
    }
    return {new std::uint8_t[kSendClass[static_cast<std::size_t>(c)]], kSendClass[static_cast<std::size_t>(c)]};
  }
  void give_send_buffer(SendBuffer b) {
    const int c = size_class(b.capacity);
    if (c < 0 || kSendClass[static_cast<std::size_t>(c)] != b.capacity ||
        send_pool_[static_cast<std::size_t>(c)].size() >= kSendPoolKeep) {
      delete[] b.data;
      return;
    }
    send_pool_[static_cast<std::size_t>(c)].emplace_back(b.data);
  }

  // Sends `bytes` (kept alive by the caller until on_sent) on `fd`.
  void send(UringSend& op, int fd, std::span<const std::uint8_t> bytes) {
    if (!op.busy_) ++outstanding_;
    op.busy_ = true;
    io_uring_sqe* s = sqe();
    io_uring_prep_send(s, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data64(s, reinterpret_cast<std::uintptr_t>(static_cast<UringOp*>(&op)));
    kick();
  }

  // The pool is being released: once no operation is outstanding, the loop
  // stops waiting, so that its io_context can run out of work.
  void stop_when_idle() {
    stopping_ = true;
    settle_stop();
  }

 private:
  friend class UringRecv;
  friend class UringSend;

  UringLoop(asio::io_context& io, const Options& options) : io_(io), options_(options), event_(io) {
    std::memset(&ring_, 0, sizeof ring_);
    msg_template_.msg_controllen = CMSG_SPACE(sizeof(timespec));
  }

  bool init(std::string& why) {
    io_uring_params p{};
    // Not DEFER_TASKRUN: its eventfd signal reached this loop 14-16 ms late
    // here (the kernel defers it), so completions waited for another wake-up.
    // COOP_TASKRUN runs the completions' work when this thread next leaves
    // the kernel (its epoll_wait returns), and the eventfd wakes it.
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_CQSIZE;
    p.cq_entries = options_.completions;
    if (int r = io_uring_queue_init_params(options_.entries, &ring_, &p); r < 0) {
      why = std::string("io_uring_setup: ") + std::strerror(-r);
      return false;
    }
    ring_ready_ = true;
    void* mem = nullptr;
    const std::size_t ring_bytes = sizeof(io_uring_buf) * options_.buffers;
    if (posix_memalign(&mem, 4096, ring_bytes) != 0) {
      why = "out of memory";
      return false;
    }
    std::memset(mem, 0, ring_bytes);
    buffer_ring_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(buffer_ring_);
    reg.ring_entries = options_.buffers;
    reg.bgid = kGroup;
    if (int r = io_uring_register_buf_ring(&ring_, &reg, 0); r < 0) {
      why = std::string("io_uring_register_buf_ring: ") + std::strerror(-r);
      return false;
    }
    io_uring_buf_ring_init(buffer_ring_);
    buffers_.resize(std::size_t(options_.buffers) * options_.buffer_bytes);
    for (unsigned i = 0; i < options_.buffers; ++i) give_back(i, static_cast<int>(i), /*advance=*/false);
    io_uring_buf_ring_advance(buffer_ring_, options_.buffers);
    const int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0 || io_uring_register_eventfd(&ring_, efd) < 0) {
      if (efd >= 0) ::close(efd);
      why = "io_uring_register_eventfd failed";
      return false;
    }
    event_.assign(efd);
    return true;
  }

  static constexpr int kGroup = 0;
  static constexpr std::array<std::size_t, 4> kSendClass{512, 4096, 16384, 65536};
  static constexpr std::size_t kSendPoolKeep = 64;  // per class
  static int size_class(std::size_t bytes) noexcept {
    for (std::size_t i = 0; i < kSendClass.size(); ++i) {
      if (bytes <= kSendClass[i]) return static_cast<int>(i);
    }
    return -1;
  }

  // A free submission entry; when all are queued, they are submitted
  // first (run() has taken its completions off the ring before it hands
  // them out, so the kernel has room for theirs).
  io_uring_sqe* sqe() {
    for (;;) {
      if (io_uring_sqe* s = io_uring_get_sqe(&ring_)) return s;
      io_uring_submit_and_get_events(&ring_);
    }
  }

  void arm(UringRecv& r) {
    if (!r.armed_) ++outstanding_;
    io_uring_sqe* s = sqe();
    io_uring_prep_recvmsg_multishot(s, r.fd_, &msg_template_, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = kGroup;
    io_uring_sqe_set_data64(s, reinterpret_cast<std::uintptr_t>(static_cast<UringOp*>(&r)));
    r.armed_ = true;
    kick();
  }

  // Work was queued from outside the loop's own handler (a timer, a
  // coroutine): make sure it is submitted soon.
  void kick() {
    if (running_ || kick_posted_) return;
    kick_posted_ = true;
    asio::post(io_, [this] {
      kick_posted_ = false;
      run();
    });
  }

  // Puts buffer `id` back at the ring's tail; at start, `offset` places
  // the buffers one after another before a single advance.
  void give_back(unsigned id, int offset = 0, bool advance = true) {
    io_uring_buf_ring_add(buffer_ring_, buffers_.data() + std::size_t(id) * options_.buffer_bytes,
                          options_.buffer_bytes, static_cast<unsigned short>(id),
                          io_uring_buf_ring_mask(options_.buffers), offset);
    if (advance) io_uring_buf_ring_advance(buffer_ring_, 1);
  }

  void settle_stop() {
    if (stopping_ && outstanding_ == 0 && !running_) {
      asio::error_code ignored;
      event_.cancel(ignored);
    }
  }

  void wait() {
    event_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
      if (ec || (stopping_ && outstanding_ == 0)) return;
      std::uint64_t count;
      (void)!::read(event_.native_handle(), &count, sizeof count);
      run();
      wait();
    });
  }

  // One completion of a socket's reads. A multishot request can stop
  // without the stream ending (its completion then lacks F_MORE: the ring
  // ran out of buffers, or of completion slots); only a read of 0 bytes is
  // the peer's FIN.
  void received(UringRecv& r, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    bool fin = false;
    if (cqe.res >= 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
      const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
      auto* base = buffers_.data() + std::size_t(id) * options_.buffer_bytes;
      io_uring_recvmsg_out* out = io_uring_recvmsg_validate(base, cqe.res, &msg_template_);
      std::int64_t stamp = 0;
      std::size_t length = 0;
      const std::uint8_t* payload = nullptr;
      if (out != nullptr) {
        for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(out, &msg_template_); c != nullptr;
             c = io_uring_recvmsg_cmsg_nexthdr(out, &msg_template_, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            stamp = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
          }
        }
        payload = static_cast<const std::uint8_t*>(io_uring_recvmsg_payload(out, &msg_template_));
        length = io_uring_recvmsg_payload_length(out, cqe.res, &msg_template_);
      }
      if (length > 0) r.sink_->on_received(r.tag_, {payload, length}, stamp);
      give_back(id);
      fin = out != nullptr && length == 0;
    }
    if (more) {
      // The request goes on; after the FIN it has nothing more to say.
      if (fin && !r.cancelling_) {
        r.eof_ = true;
        cancel(r);
      }
      return;
    }
    // The request is over.
    int result = 0;
    if (r.eof_ || fin) {
      result = 0;
    } else if (r.cancelling_) {
      result = -ECANCELED;
    } else if (cqe.res < 0 && cqe.res != -ENOBUFS) {
      result = cqe.res;
    } else {
      // Stopped with the stream still open (out of buffers or completion
      // slots): read on. The buffers come back as completions are handled.
      arm(r);
      return;
    }
    r.armed_ = false;
    --outstanding_;
    r.sink_->on_recv_ended(r.tag_, result);
  }

  // Runs the completions and submits what is queued until neither the ring
  // nor the kernel has more (a submit only when there is something to
  // submit or the kernel asks for one: task work to run, completions held
  // back); after kRounds the rest waits behind the io_context's other ready
  // handlers (timers, the lag probe), so a flood does not starve them.
  // While it runs, the eventfd stays quiet: completions posted during its
  // own submits would otherwise wake the loop once more for nothing.
  static constexpr int kRounds = 8;
  static constexpr unsigned kBatch = 128;
  void run() {
    running_ = true;
    io_uring_cq_eventfd_toggle(&ring_, false);
    for (int round = 0;; ++round) {
      if (io_uring_sq_ready(&ring_) > 0 || kernel_has_more()) io_uring_submit_and_get_events(&ring_);
      if (reap() == 0 && io_uring_sq_ready(&ring_) == 0 && !kernel_has_more()) {
        io_uring_cq_eventfd_toggle(&ring_, true);
        // Posted between the last look and the signal coming back on.
        if (io_uring_cq_ready(&ring_) == 0 && !kernel_has_more()) break;
        io_uring_cq_eventfd_toggle(&ring_, false);
      }
      if (round + 1 == kRounds) {
        io_uring_cq_eventfd_toggle(&ring_, true);
        running_ = false;
        kick();
        return;
      }
    }
    running_ = false;
    settle_stop();
  }

  // Task work waiting for this thread to enter the kernel (COOP_TASKRUN
  // with TASKRUN_FLAG), or completions the kernel held back for want of room.
  bool kernel_has_more() const noexcept {
    return (IO_URING_READ_ONCE(*ring_.sq.kflags) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0;
  }

  // Hands out the completions on the ring; how many there were.
  unsigned reap() {
    unsigned seen = 0;
    for (;;) {
      // Copied off the ring and the ring advanced before they are handed
      // out: a handler that queues work may have to submit (sqe()).
      std::array<io_uring_cqe*, kBatch> found;
      const unsigned n = io_uring_peek_batch_cqe(&ring_, found.data(), kBatch);
      if (n == 0) return seen;
      std::array<io_uring_cqe, kBatch> batch;
      for (unsigned i = 0; i < n; ++i) batch[i] = *found[i];
      io_uring_cq_advance(&ring_, n);
      seen += n;
      for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t data = io_uring_cqe_get_data64(&batch[i]);
        if (data == 0) continue;  // a cancel's own completion
        auto* op = reinterpret_cast<UringOp*>(static_cast<std::uintptr_t>(data));
        op->complete(*op, batch[i], *this);
      }
    }
  }

  asio::io_context& io_;
  Options options_;
  io_uring ring_;
  bool ring_ready_ = false;
  io_uring_buf_ring* buffer_ring_ = nullptr;
  std::vector<std::uint8_t> buffers_;
  msghdr msg_template_{};
  asio::posix::stream_descriptor event_;
  bool running_ = false;
  bool kick_posted_ = false;
  bool stopping_ = false;
  std::size_t outstanding_ = 0;  // armed reads and sends in flight
  std::array<std::vector<std::unique_ptr<std::uint8_t[]>>, kSendClass.size()> send_pool_;
};

// The ring of the io thread running this code, or null (not set up, or
// switched off); IoPool sets it on each of its threads.
inline UringLoop*& this_thread_uring() noexcept {
  thread_local UringLoop* loop = nullptr;
  return loop;
}

inline void UringSend::done(UringOp& op, const io_uring_cqe& cqe, UringLoop& loop) {
  auto& self = static_cast<UringSend&>(op);
  // MSG_WAITALL: one completion per send (the sink may start the next).
  self.busy_ = false;
  --loop.outstanding_;
  self.sink_->on_sent(cqe.res);
}

inline void UringRecv::done(UringOp& op, const io_uring_cqe& cqe, UringLoop& loop) {
  loop.received(static_cast<UringRecv&>(op), cqe);
}

}  // namespace rustguard::proxy
