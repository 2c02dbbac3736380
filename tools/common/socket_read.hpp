#pragma once
// One non-blocking read of a TCP socket that also returns what the kernel
// knows about it: whether bytes are left (TCP_INQ), and when the last bytes
// read reached the socket (SO_TIMESTAMPNS). The proxy and the load generator
// use both: the hint lets a wait skip re-arming (readable_wait.hpp); the
// stamp is when the core says a packet arrived (proxy/arrival_time.hpp) and
// where the load generator's latency ends, not at its own busy loop
// (loadgen/packet_stream.hpp).
//
// On a TCP socket, recvmsg returns the stamp of the last skb it copied from
// (tcp_recv_timestamp), on CLOCK_REALTIME; segments that queued while nobody
// read may have been merged into one skb carrying the newest stamp.

#include <asio/error.hpp>
#include <asio/ip/tcp.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <span>
#include <system_error>

namespace rustguard::tools {

// Asks the kernel to report, with each read, what the socket still holds
// (TCP_INQ). False when it cannot.
inline bool enable_unread_hint(asio::ip::tcp::socket& socket) noexcept {
  const int on = 1;
  return ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INQ, &on, sizeof on) == 0;
}

// Asks the kernel to stamp what arrives on `socket` (read_some_hinted returns
// the stamp). False when it cannot: reads then carry no stamp.
inline bool enable_arrival_stamps(asio::ip::tcp::socket& socket) noexcept {
  const int on = 1;
  return ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

// CLOCK_REALTIME in nanoseconds, the kernel stamps' clock.
inline std::int64_t realtime_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A stamp that would mean a wait longer than this is taken for a
// wall-clock step, not a wait.
inline constexpr std::int64_t kMaxBelievedWaitNs = 10'000'000'000;

// How long the bytes of a read stamped `stamped_ns` had waited when the
// realtime clock read `realtime_now_ns`; 0 when the read carried no stamp
// or the answer would mean a wall-clock step (negative, or over
// kMaxBelievedWaitNs). Both the proxy and the load generator take a read's
// arrival as their own clock's time of the read minus this.
inline std::int64_t kernel_wait_ns(std::int64_t stamped_ns, std::int64_t realtime_now_ns) noexcept {
  if (stamped_ns == 0) return 0;
  const std::int64_t waited = realtime_now_ns - stamped_ns;
  return waited > 0 && waited <= kMaxBelievedWaitNs ? waited : 0;
}

struct HintedRead {
  std::size_t bytes = 0;
  // The socket may still hold bytes or the peer's FIN: read again before waiting.
  bool more = false;
  // The kernel said what is left (TCP_INQ): when nothing is, the next wait
  // need not re-arm (readable_wait.hpp's `drained`).
  bool hinted = false;
  // When the last bytes read reached the socket, CLOCK_REALTIME in ns, where
  // the socket asked for stamps; 0 otherwise.
  std::int64_t stamped_ns = 0;
};

// One non-blocking read into `buffer`. Errors as Asio's read_some reports
// them: would_block, eof, or the system error.
inline HintedRead read_some_hinted(asio::ip::tcp::socket& socket, std::span<std::uint8_t> buffer,
                                   std::error_code& ec) noexcept {
  ec.clear();
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(socket.native_handle(), &msg, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    ec = (errno == EAGAIN || errno == EWOULDBLOCK) ? std::error_code(asio::error::would_block)
                                                   : std::error_code(errno, asio::error::get_system_category());
    return {};
  }
  if (n == 0) {
    ec = asio::error::eof;
    return {};
  }
  HintedRead read{static_cast<std::size_t>(n), static_cast<std::size_t>(n) == buffer.size(), false, 0};
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
      int inq = 0;
      std::memcpy(&inq, CMSG_DATA(c), sizeof inq);
      read.more = inq != 0;
      read.hinted = true;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      read.stamped_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
  }
  return read;
}

}  // namespace rustguard::tools
