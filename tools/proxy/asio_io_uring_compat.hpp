#pragma once
// Force-included (-include) into the proxy and its tests when RUSTGUARD_IO_URING
// is ON (tools/proxy/CMakeLists.txt); never included by hand.
//
// Asio 1.22's io_uring backend submits its cancellations (IORING_OP_ASYNC_CANCEL)
// and timeout removals without setting the SQE's user_data. liburing 2.2 stopped
// clearing user_data in io_uring_prep_*, so with Debian 12's liburing 2.3 those
// SQEs complete carrying the user_data of whatever operation last used the ring
// slot, and Asio hands the cancel's result (-ENOENT, -EALREADY, 0) to that
// unrelated operation's queue: "accept failed: No such file or directory",
// reads and connects failing with EBADF, status pings never answered
// (tests/e2e/hostile.mjs status-cache). Fixed upstream in Asio 1.27
// (chriskohlhoff/asio#1215, commit 0080ec1c9). Until then: every SQE Asio takes
// starts with user_data 0, which Asio's completion loop skips; the SQEs Asio
// means to hear from set their own user_data after this.

#include <liburing.h>

inline ::io_uring_sqe* rustguard_io_uring_get_sqe(::io_uring* ring) noexcept {
  ::io_uring_sqe* sqe = ::io_uring_get_sqe(ring);
  if (sqe != nullptr) ::io_uring_sqe_set_data64(sqe, 0);
  return sqe;
}

#define io_uring_get_sqe(ring) rustguard_io_uring_get_sqe(ring)
