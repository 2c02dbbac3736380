#pragma once
// Turns captured TCP segments back into the two byte streams of each
// connection, in order, exactly once, as the endpoints' sockets saw them.
//
// What a capture throws at it, and what it does:
// - Retransmissions and overlapping segments: the first copy of each byte
//   wins; bytes already delivered or already buffered are never replaced.
// - Out-of-order segments: buffered until the hole before them fills, within
//   a per-flow bound (ReassemblyLimits). Past the bound the direction is
//   abandoned with on_gap: a hole the capture never saw would otherwise hold
//   memory forever, and a stream with a hole cannot be decoded anyway.
// - Sequence numbers wrap at 2^32; positions are kept as 64-bit stream
//   offsets and each segment is placed by its signed distance from the next
//   expected sequence number.
// - Captures that start mid-connection: a flow whose first segment is not a
//   SYN is skipped (counted once in flows_without_handshake), because without
//   the handshake the start of the stream, and so the framing of what follows,
//   is unknown.
// - FIN closes a direction once every byte before it arrived; both FINs, or an
//   RST, close the flow. Flows that never close are closed by finish() (or by
//   an optional idle timeout in capture time).
//
// Output goes to a StreamSink: ordered chunks per direction, each stamped with
// the capture time of the segment that completed it. Pure: no libpcap, no
// clock; time is the capture's.

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "flow_table.hpp"
#include "packet_headers.hpp"

namespace rustguard::replay {

enum class Direction : std::uint8_t { client_to_server = 0, server_to_client = 1 };

constexpr std::string_view to_string(Direction d) noexcept {
  return d == Direction::client_to_server ? "client_to_server" : "server_to_client";
}

enum class FlowEnd : std::uint8_t {
  fin,             // both directions sent FIN and every byte before it arrived
  reset,           // an RST from either side
  reused,          // a new SYN with a different ISN took over the 4-tuple
  idle_timeout,    // no segment for ReassemblyLimits::idle_timeout_ns
  end_of_capture,  // still open when finish() was called
};
inline constexpr std::size_t kFlowEndCount = 5;

constexpr std::string_view to_string(FlowEnd e) noexcept {
  switch (e) {
    case FlowEnd::fin: return "fin";
    case FlowEnd::reset: return "reset";
    case FlowEnd::reused: return "reused";
    case FlowEnd::idle_timeout: return "idle_timeout";
    case FlowEnd::end_of_capture: return "end_of_capture";
  }
  return "unknown";
}

struct FlowInfo {
  std::uint64_t id = 0;       // 1, 2, ... in the order the SYNs were captured
  net::Endpoint client;       // the endpoint that sent the SYN
  net::Endpoint server;
  std::int64_t start_ns = 0;  // capture time of the SYN
};

// Receives the reassembled streams. Calls for one flow come in capture order:
// on_open, then on_data/on_gap for either direction, then on_close.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_open(const FlowInfo& /*flow*/) {}
  // `bytes` is only valid during the call.
  virtual void on_data(const FlowInfo& flow, Direction dir, std::span<const std::uint8_t> bytes,
                       std::int64_t time_ns) = 0;
  // Bytes from stream offset `offset` on are missing (never captured, or the
  // buffering bound was hit). Nothing more is delivered for this direction.
  virtual void on_gap(const FlowInfo& /*flow*/, Direction /*dir*/, std::uint64_t /*offset*/,
                      std::int64_t /*time_ns*/) {}
  virtual void on_close(const FlowInfo& /*flow*/, FlowEnd /*why*/, std::int64_t /*time_ns*/) {}
};

struct ReassemblyLimits {
  // Out-of-order data held per flow (both directions together), in bytes and
  // in segments (many tiny segments cost more than their bytes).
  std::size_t max_buffered_bytes = std::size_t{8} << 20;
  std::size_t max_buffered_segments = 16384;
  // Open flows silent this long (capture time) are closed; 0 keeps them
  // until finish(), which suits captures of bounded length.
  std::int64_t idle_timeout_ns = 0;
  // How long a closed or skipped 4-tuple is remembered, so that the last ACK
  // after a FIN is not mistaken for a new mid-connection flow.
  std::int64_t closed_linger_ns = std::int64_t{240} * 1'000'000'000;
};

struct ReassemblyStats {
  std::uint64_t segments = 0;                    // TCP segments fed in
  std::uint64_t flows = 0;                       // connections whose SYN was captured
  std::uint64_t flows_without_handshake = 0;     // skipped: first segment seen was not a SYN
  std::uint64_t segments_without_handshake = 0;  // segments of those flows
  std::uint64_t segments_after_close = 0;        // stragglers after FIN/RST
  std::uint64_t segments_before_sync = 0;        // server data before its ISN was known
  std::uint64_t retransmitted_segments = 0;      // carried nothing new
  std::uint64_t overlapping_segments = 0;        // partly old, partly new
  std::uint64_t out_of_order_segments = 0;       // arrived ahead of a hole
  std::uint64_t buffer_overflows = 0;            // hit ReassemblyLimits
  std::uint64_t gaps = 0;                        // directions abandoned with bytes missing
  std::uint64_t bytes_delivered = 0;
  std::array<std::uint64_t, kFlowEndCount> closed{};  // by FlowEnd

  std::uint64_t closed_by(FlowEnd e) const noexcept { return closed[static_cast<std::size_t>(e)]; }
};

class TcpReassembler {
 public:
  explicit TcpReassembler(StreamSink& sink, ReassemblyLimits limits = {}) : sink_(sink), limits_(limits) {}

  void add(const TcpSegment& seg, std::int64_t time_ns) {
    ++stats_.segments;
    maybe_sweep(time_ns);
    Flow& f = lookup(FlowKey::of(seg.source, seg.destination));
    f.last_seen_ns = time_ns;
    const bool pure_syn = seg.has(tcp_flag::syn) && !seg.has(tcp_flag::ack);

    if (f.state != State::open) {
      // A SYN opens a connection unless it is a retransmission of the SYN of
      // the connection that just closed on this tuple.
      const bool new_connection = pure_syn && !(f.state == State::closed && seg.seq == f.client_isn);
      if (!new_connection) {
        if (f.state == State::none) {
          f.state = State::skipped;
          ++stats_.flows_without_handshake;
        }
        if (f.state == State::skipped) {
          ++stats_.segments_without_handshake;
        } else {
          ++stats_.segments_after_close;
        }
        return;
      }
      start_flow(f, seg, time_ns);
    } else if (pure_syn && seg.source == f.info.client) {
      if (seg.seq == f.client_isn) {
        ++stats_.retransmitted_segments;
        return;
      }
      close_flow(f, FlowEnd::reused, time_ns);
      start_flow(f, seg, time_ns);
    }

    const Direction dir = seg.source == f.info.client ? Direction::client_to_server : Direction::server_to_client;
    Half& h = f.half[index(dir)];
    Half& server_half = f.half[index(Direction::server_to_client)];
    if (dir == Direction::server_to_client && seg.has(tcp_flag::syn) && !h.synchronized) {
      h.synchronize(seg.seq + 1);
    }
    // Without the SYN-ACK, the client's first ACK names the server's next
    // sequence number just as well.
    if (dir == Direction::client_to_server && seg.has(tcp_flag::ack) && !server_half.synchronized) {
      server_half.synchronize(seg.ack);
    }
    if (seg.has(tcp_flag::rst)) {
      close_flow(f, FlowEnd::reset, time_ns);
      return;
    }
    if (!h.synchronized) {
      if (!seg.payload.empty() || seg.has(tcp_flag::fin)) ++stats_.segments_before_sync;
      return;
    }
    // A SYN occupies one sequence number before any data it carries.
    const std::uint32_t data_seq = seg.seq + (seg.has(tcp_flag::syn) ? 1u : 0u);
    if (!seg.payload.empty()) accept(f, dir, data_seq, seg.payload, time_ns);
    if (seg.has(tcp_flag::fin) && !h.fin_seen) {
      const std::int64_t fin_at = h.offset_of(data_seq) + static_cast<std::int64_t>(seg.payload.size());
      h.fin_seen = true;
      h.fin_offset = fin_at < 0 ? 0 : static_cast<std::uint64_t>(fin_at);
    }
    if (f.half[0].finished() && f.half[1].finished()) close_flow(f, FlowEnd::fin, time_ns);
  }

  // Closes every flow still open, in flow-id order, as end_of_capture. Call
  // once after the last capture file of a run.
  void finish(std::int64_t time_ns) {
    for (Flow* f : open_flows_by_id()) close_flow(*f, FlowEnd::end_of_capture, time_ns);
  }

  const ReassemblyStats& stats() const noexcept { return stats_; }
  const ReassemblyLimits& limits() const noexcept { return limits_; }
  std::size_t tracked_tuples() const noexcept { return table_.size(); }
  std::size_t open_flows() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(table_.begin(), table_.end(), [](const auto& kv) { return kv.second.state == State::open; }));
  }

 private:
  enum class State : std::uint8_t { none, open, closed, skipped };

  struct Half {
    bool synchronized = false;
    bool broken = false;   // a gap was reported; nothing more is delivered
    bool fin_seen = false;
    std::uint32_t base_seq = 0;   // sequence number of stream offset 0
    std::uint64_t delivered = 0;  // bytes handed to the sink so far
    std::uint64_t fin_offset = 0;
    std::map<std::uint64_t, std::vector<std::uint8_t>> pending;  // offset -> bytes, disjoint

    void synchronize(std::uint32_t first_seq) noexcept {
      synchronized = true;
      base_seq = first_seq;
    }
    // Stream offset of `seq`: its signed 32-bit distance from the next
    // expected sequence number, which is what makes wraparound a non-event.
    std::int64_t offset_of(std::uint32_t seq) const noexcept {
      const auto next = static_cast<std::uint32_t>(base_seq + static_cast<std::uint32_t>(delivered));
      return static_cast<std::int64_t>(delivered) + static_cast<std::int32_t>(seq - next);
    }
    bool finished() const noexcept { return fin_seen && (broken || delivered >= fin_offset); }
  };

  struct Flow {
    State state = State::none;
    FlowInfo info;
    std::uint32_t client_isn = 0;
    std::int64_t last_seen_ns = 0;
    std::size_t buffered_bytes = 0;
    std::size_t buffered_segments = 0;
    std::array<Half, 2> half;
  };

  static constexpr std::size_t index(Direction d) noexcept { return static_cast<std::size_t>(d); }
  static constexpr std::int64_t kSweepIntervalNs = 1'000'000'000;

  // A segment and the ACK answering it usually follow each other in a
  // capture, so the last flow found is checked before hashing.
  Flow& lookup(const FlowKey& key) {
    if (last_flow_ != nullptr && last_key_ == key) return *last_flow_;
    Flow& f = table_[key];
    last_key_ = key;
    last_flow_ = &f;
    return f;
  }

  void start_flow(Flow& f, const TcpSegment& syn, std::int64_t time_ns) {
    f = Flow{};
    f.state = State::open;
    f.info.id = ++last_flow_id_;
    f.info.client = syn.source;
    f.info.server = syn.destination;
    f.info.start_ns = time_ns;
    f.last_seen_ns = time_ns;
    f.client_isn = syn.seq;
    f.half[index(Direction::client_to_server)].synchronize(syn.seq + 1);
    ++stats_.flows;
    sink_.on_open(f.info);
  }

  void accept(Flow& f, Direction dir, std::uint32_t seq, std::span<const std::uint8_t> data, std::int64_t time_ns) {
    Half& h = f.half[index(dir)];
    if (h.broken) return;
    const std::int64_t off = h.offset_of(seq);
    const std::int64_t end = off + static_cast<std::int64_t>(data.size());
    const auto delivered = static_cast<std::int64_t>(h.delivered);
    if (end <= delivered) {
      ++stats_.retransmitted_segments;
      return;
    }
    if (off <= delivered) {
      bool overlapped = off < delivered;
      data = data.subspan(static_cast<std::size_t>(delivered - off));
      // Up to the first buffered segment this is new; from there the
      // buffered copy came first and wins, and the segment resumes after it.
      while (!data.empty()) {
        std::size_t fresh = data.size();
        if (!h.pending.empty() && h.pending.begin()->first < h.delivered + data.size()) {
          fresh = static_cast<std::size_t>(h.pending.begin()->first - h.delivered);
          overlapped = true;
        }
        if (fresh > 0) deliver(f, dir, data.first(fresh), time_ns);
        data = data.subspan(fresh);
        const std::uint64_t before = h.delivered;
        drain(f, dir, time_ns);
        const auto skipped = static_cast<std::size_t>(std::min<std::uint64_t>(h.delivered - before, data.size()));
        data = data.subspan(skipped);
      }
      drain(f, dir, time_ns);
      if (overlapped) ++stats_.overlapping_segments;
      return;
    }
    buffer(f, dir, static_cast<std::uint64_t>(off), data, time_ns);
  }

  void deliver(Flow& f, Direction dir, std::span<const std::uint8_t> data, std::int64_t time_ns) {
    f.half[index(dir)].delivered += data.size();
    stats_.bytes_delivered += data.size();
    sink_.on_data(f.info, dir, data, time_ns);
  }

  // Hands over every buffered segment the delivered prefix now reaches.
  void drain(Flow& f, Direction dir, std::int64_t time_ns) {
    Half& h = f.half[index(dir)];
    while (!h.pending.empty()) {
      auto it = h.pending.begin();
      if (it->first > h.delivered) break;
      const std::vector<std::uint8_t>& bytes = it->second;
      const std::uint64_t seg_end = it->first + bytes.size();
      if (seg_end > h.delivered) {
        deliver(f, dir, std::span<const std::uint8_t>{bytes}.subspan(h.delivered - it->first), time_ns);
      }
      f.buffered_bytes -= bytes.size();
      --f.buffered_segments;
      h.pending.erase(it);
    }
  }

  // Stores the parts of [off, off + size) that no buffered segment holds yet.
  void buffer(Flow& f, Direction dir, std::uint64_t off, std::span<const std::uint8_t> data, std::int64_t time_ns) {
    Half& h = f.half[index(dir)];
    auto& pending = h.pending;
    const std::uint64_t end = off + data.size();
    std::uint64_t start = off;
    bool covered_some = false, stored_some = false;
    if (auto after = pending.upper_bound(start); after != pending.begin()) {
      const auto before = std::prev(after);
      const std::uint64_t before_end = before->first + before->second.size();
      if (before_end > start) {
        covered_some = true;
        start = before_end;
      }
    }
    while (start < end) {
      const auto next = pending.lower_bound(start);
      const std::uint64_t stop = next == pending.end() ? end : std::min(end, next->first);
      if (stop > start) {
        const std::size_t n = static_cast<std::size_t>(stop - start);
        if (f.buffered_bytes + n > limits_.max_buffered_bytes ||
            f.buffered_segments + 1 > limits_.max_buffered_segments) {
          ++stats_.buffer_overflows;
          abandon(f, dir, time_ns);
          return;
        }
        const auto first = data.begin() + static_cast<std::ptrdiff_t>(start - off);
        pending.emplace_hint(next, start, std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(n)));
        f.buffered_bytes += n;
        ++f.buffered_segments;
        stored_some = true;
      }
      if (next == pending.end() || next->first >= end) break;
      covered_some = true;
      start = next->first + next->second.size();
    }
    if (!stored_some) {
      ++stats_.retransmitted_segments;
    } else {
      ++stats_.out_of_order_segments;
      if (covered_some) ++stats_.overlapping_segments;
    }
  }

  void abandon(Flow& f, Direction dir, std::int64_t time_ns) {
    Half& h = f.half[index(dir)];
    h.broken = true;
    ++stats_.gaps;
    for (const auto& [offset, bytes] : h.pending) {
      f.buffered_bytes -= bytes.size();
      --f.buffered_segments;
    }
    h.pending.clear();
    sink_.on_gap(f.info, dir, h.delivered, time_ns);
  }

  void close_flow(Flow& f, FlowEnd why, std::int64_t time_ns) {
    // Bytes still waiting behind a hole will never be delivered.
    for (Direction dir : {Direction::client_to_server, Direction::server_to_client}) {
      Half& h = f.half[index(dir)];
      if (!h.broken && !h.pending.empty()) abandon(f, dir, time_ns);
    }
    f.state = State::closed;
    ++stats_.closed[static_cast<std::size_t>(why)];
    sink_.on_close(f.info, why, time_ns);
  }

  std::vector<Flow*> open_flows_by_id() {
    std::vector<Flow*> out;
    for (auto& [key, f] : table_) {
      if (f.state == State::open) out.push_back(&f);
    }
    // Hash order is not capture order; callbacks must be deterministic.
    std::sort(out.begin(), out.end(), [](const Flow* a, const Flow* b) { return a->info.id < b->info.id; });
    return out;
  }

  // Once per second of capture time: closes idle flows and forgets tuples that
  // have been closed or skipped for longer than the linger time.
  void maybe_sweep(std::int64_t now) {
    if (next_sweep_ns_ == 0 || now + kSweepIntervalNs < next_sweep_ns_) next_sweep_ns_ = now + kSweepIntervalNs;
    if (now < next_sweep_ns_) return;
    next_sweep_ns_ = now + kSweepIntervalNs;
    if (limits_.idle_timeout_ns > 0) {
      for (Flow* f : open_flows_by_id()) {
        if (now - f->last_seen_ns > limits_.idle_timeout_ns) close_flow(*f, FlowEnd::idle_timeout, now);
      }
    }
    last_flow_ = nullptr;
    std::erase_if(table_, [&](const auto& kv) {
      const Flow& f = kv.second;
      return (f.state == State::closed || f.state == State::skipped) &&
             now - f.last_seen_ns > limits_.closed_linger_ns;
    });
  }

  StreamSink& sink_;
  ReassemblyLimits limits_;
  ReassemblyStats stats_;
  FlowTable<Flow> table_;
  FlowKey last_key_;
  Flow* last_flow_ = nullptr;  // node pointers stay valid across rehashing
  std::uint64_t last_flow_id_ = 0;
  std::int64_t next_sweep_ns_ = 0;
};

}  // namespace rustguard::replay
