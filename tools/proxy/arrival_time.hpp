#pragma once
// When a read's bytes reached the proxy, as opposed to when it read them.
//
// The timing checks (timer.balance, autoclicker.pattern and .cps, the
// transaction round trips) judge a player by when his packets arrive. The
// proxy used to hand the core the time of its read; a read that waited in
// the kernel because the io thread was busy with other connections, or was
// not on a CPU, then carried that wait as if the player had sent late. Under
// the 50 ms at which the loop-lag probe makes the engine hold such flags
// (checks.engine.host_late_threshold_ms), those waits went straight into the
// checks as jitter: on a loaded host a flat autoclicker read as a human, and
// a clean-clone CI run lost an alert that way (docs/status.md).
//
// The kernel knows better: with SO_TIMESTAMPNS set, each skb is stamped on
// arrival and recvmsg on a TCP socket returns the stamp of the last skb it
// read from (CLOCK_REALTIME, tcp_recv_timestamp). How long that was before
// the read, taken from the realtime clock read at once after it, is
// subtracted from the read's time on the proxy's steady clock: a wall-clock
// step between the two would show as a negative or huge wait, and is then
// ignored (the read's time, as before).
//
// The core needs its time not to run backwards: a connection's two sides
// feed the same session, and the watchdog advances it too, so a read whose
// bytes arrived before the session's last time is given that time instead.
// The recording and clips get the same time as the session, so a replay of
// them gives the same rows.

#include <algorithm>
#include <cstdint>

#include "../common/socket_read.hpp"

namespace rustguard::proxy {

// enable_arrival_stamps and realtime_ns: common/socket_read.hpp, which the
// load generator shares.
using tools::enable_arrival_stamps;
using tools::realtime_ns;

class ArrivalTime {
 public:
  // A wait longer than this is taken for a wall-clock step, not a wait (the
  // loop-lag probe reports real stalls this long, and the engine holds its
  // timing flags for them anyway).
  static constexpr std::int64_t kMaxWaitUs = tools::kMaxBelievedWaitNs / 1000;

  // The time (µs, the proxy's clock) to give the core for a read made at
  // `read_us`, whose last bytes the kernel stamped `stamped_ns` (realtime;
  // 0: no stamp) when its realtime clock read `realtime_at_read_ns`.
  // Remembers it: the next answer is never earlier.
  std::int64_t of_read(std::int64_t read_us, std::int64_t stamped_ns, std::int64_t realtime_at_read_ns) noexcept {
    last_wait_us_ = tools::kernel_wait_ns(stamped_ns, realtime_at_read_ns) / 1000;
    return advance_to(read_us - last_wait_us_);
  }

  // The core's time for anything else the connection does at `now_us` (the
  // watchdog's advance): never earlier than the last.
  std::int64_t advance_to(std::int64_t now_us) noexcept {
    last_us_ = std::max(last_us_, now_us);
    return last_us_;
  }

  // How long the last read's bytes had waited in the kernel (µs; 0 when
  // not stamped), before the clamp to the session's time.
  std::int64_t last_wait_us() const noexcept { return last_wait_us_; }

 private:
  std::int64_t last_us_ = 0;
  std::int64_t last_wait_us_ = 0;
};

}  // namespace rustguard::proxy
