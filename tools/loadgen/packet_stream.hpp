#pragma once
// One TCP connection speaking Minecraft framing, for either end: frames in
// (the core's FrameDecoder, ids learned with a partial inflate, bodies
// inflated only for the packets the owner reads) and frames out (compressed
// at or above the threshold with the thread's deflater). Writes accumulate in
// a buffer while one async_write is in flight, so a tick's packets leave in
// one system call. Single-threaded: a stream lives on its worker's thread.
//
// Reads ask the kernel when their bytes arrived (common/socket_read.hpp):
// a packet's one-way latency ends there, not when this busy process got
// round to reading it, so the figures measure the path under test rather
// than the load generator's own scheduling (which it reports apart, as
// latency_at_read).

#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "common/readable_wait.hpp"
#include "common/socket_read.hpp"
#include "loadgen/worker.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/varint.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::loadgen {

using asio::ip::tcp;
using protocol::Direction;
using protocol::PacketKind;
using protocol::State;

// Appends `packet` (id + fields) to `out` as one frame in the format a
// threshold selects: plain when negative, else with a dataLength and deflated
// at or above the threshold. Returns the bytes appended.
inline std::size_t append_packet_frame(Worker& worker, std::int32_t threshold, std::span<const std::uint8_t> packet,
                                       std::vector<std::uint8_t>& out) {
  const std::size_t before = out.size();
  if (threshold < 0) {
    (void)protocol::append_frame(out, packet);
    return out.size() - before;
  }
  const bool compress = static_cast<std::int64_t>(packet.size()) >= threshold;
  std::span<const std::uint8_t> payload = packet;
  if (compress) {
    worker.compressed.clear();
    worker.deflater.deflate(packet, worker.compressed);
    payload = worker.compressed;
  }
  const auto data_length = compress ? static_cast<std::int32_t>(packet.size()) : 0;
  std::uint8_t prefix[2 * protocol::kMaxVarIntBytes];
  std::size_t n =
      protocol::write_varint(prefix, static_cast<std::int32_t>(protocol::varint_size(data_length) + payload.size()));
  n += protocol::write_varint(prefix + n, data_length);
  out.insert(out.end(), prefix, prefix + n);
  out.insert(out.end(), payload.begin(), payload.end());
  return out.size() - before;
}

class PacketStream : public std::enable_shared_from_this<PacketStream> {
 public:
  PacketStream(Worker& worker, tcp::socket socket, Direction inbound)
      : worker_(worker), socket_(std::move(socket)), decoder_(inbound), inbound_(inbound) {}

  tcp::socket& socket() noexcept { return socket_; }
  const protocol::VersionInfo* version() const noexcept { return version_; }
  void set_version(const protocol::VersionInfo* version) noexcept { version_ = version; }
  State state() const noexcept { return state_; }
  void set_state(State s) noexcept {
    state_ = s;
    decoder_.set_state(s);
  }
  // Set Compression: the receiver's frames change from the next frame on, the
  // sender's from the next one it writes.
  void set_inbound_threshold(std::int32_t t) noexcept { decoder_.set_compression_threshold(t); }
  void set_outbound_threshold(std::int32_t t) noexcept { outbound_threshold_ = t; }

  // Queues one packet of `kind` (its id from the version's table) with this
  // body; returns the bytes it takes on the wire (0 when the version lacks it).
  std::size_t send(PacketKind kind, std::span<const std::uint8_t> body) {
    const protocol::VersionInfo* table = version_ != nullptr ? version_ : &protocol::supported_versions().back();
    const std::int32_t id = table->id_of(kind);
    if (id < 0 || closed_) return 0;
    auto& packet = worker_.packet;
    packet.clear();
    protocol::Writer{packet}.varint(id).bytes(body);
    return append_packet_frame(worker_, outbound_threshold_, packet, out_);
  }
  // Queues a frame built beforehand (precomputed chunk data).
  std::size_t send_frame(std::span<const std::uint8_t> frame) {
    if (closed_) return 0;
    out_.insert(out_.end(), frame.begin(), frame.end());
    return frame.size();
  }

  void flush() {
    if (writing_ || out_.empty() || closed_) return;
    writing_ = true;
    inflight_.swap(out_);
    out_.clear();
    asio::async_write(socket_, asio::buffer(inflight_),
                      [self = shared_from_this()](const asio::error_code& error, std::size_t) {
                        self->writing_ = false;
                        self->inflight_.clear();
                        if (error) {
                          self->close();
                          return;
                        }
                        self->flush();
                      });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  bool closed() const noexcept { return closed_; }

  // When the bytes of the read being delivered reached this socket, on the
  // steady clock: the kernel's stamp of its last bytes, or the read's own
  // time when there is none (a stamp that would mean a wall-clock step is
  // not believed).
  Clock::time_point arrived_at() const noexcept { return arrived_at_; }

  // Reads until the peer closes, an error, or the handler returns false; for
  // each packet calls handler.on_packet(kind, body, wire_bytes) where body is
  // empty unless handler.wants_body(kind). Returns why reading ended.
  template <class Handler>
  asio::awaitable<std::string> read_all(Handler& handler) {
    // Wait for readability, then read into the thread's buffer: one buffer per
    // thread rather than one per connection (20,000 sockets x 16 KiB would
    // be 320 MiB). The decoder keeps its own copy of an unfinished frame.
    // The wait skips re-arming epoll when the last read left nothing, as the
    // proxy's does (common/readable_wait.hpp): Asio's own async_wait made one
    // epoll_ctl per read, about a sixth of this process's CPU at 1,000
    // players, on the cores the proxy under test shares.
    std::string ended;
    asio::error_code error;
    socket_.non_blocking(true, error);
    (void)tools::enable_unread_hint(socket_);
    (void)tools::enable_arrival_stamps(socket_);
    auto& buffer = worker_.read_buffer;
    tools::ReadState state;
    while (ended.empty() && !error) {
      std::tie(error) = co_await tools::async_wait_readable(socket_, state, use_nothrow);
      while (ended.empty() && !error) {
        const tools::HintedRead read = tools::read_some_hinted(socket_, buffer, error);
        state.update(read, error);
        if (error == asio::error::would_block || error == asio::error::try_again) {
          error = {};
          break;
        }
        if (error) break;
        const std::size_t n = read.bytes;
        arrived_at_ = arrival_of(read.stamped_ns);
        auto fed = decoder_.feed(std::span<const std::uint8_t>{buffer.data(), n}, [&](const protocol::Frame& frame) {
          ended = deliver(frame, handler);
          return ended.empty() ? protocol::FrameAction::proceed : protocol::FrameAction::pause;
        });
        if (!fed && ended.empty()) ended = "bad frame: " + fed.error().message();
        if (!state.more) break;  // drained: wait again rather than read EAGAIN
      }
    }
    if (ended.empty()) ended = error == asio::error::eof ? "closed by peer" : error.message();
    co_return ended;
  }

 private:
  static Clock::time_point arrival_of(std::int64_t stamped_ns) noexcept {
    const auto now = Clock::now();
    if (stamped_ns == 0) return now;
    const std::chrono::nanoseconds waited{tools::kernel_wait_ns(stamped_ns, tools::realtime_ns())};
    return now - std::chrono::duration_cast<Clock::duration>(waited);
  }

  // Learns the packet's id (and body when wanted) and hands it over; a
  // non-empty return ends the connection.
  template <class Handler>
  std::string deliver(const protocol::Frame& frame, Handler& handler) {
    const std::size_t wire_bytes =
        protocol::varint_size(static_cast<std::int32_t>(frame.contents.size())) + frame.contents.size();
    std::span<const std::uint8_t> packet = frame.payload;
    std::int32_t id = 0;
    std::span<const std::uint8_t> body;
    const protocol::VersionInfo* table = version_ != nullptr ? version_ : &protocol::supported_versions().back();
    if (frame.compressed()) {
      auto peeked = worker_.inflater.peek_packet_id(frame.payload, frame.data_length);
      if (!peeked) return "bad compressed frame: " + peeked.error().message();
      id = *peeked;
      const PacketKind kind = table->kind_of(state_, inbound_, id);
      if (handler.wants_body(kind)) {
        auto inflated = worker_.inflater.inflate(frame.payload, frame.data_length, worker_.inflated);
        if (!inflated) return "bad compressed frame: " + inflated.error().message();
        packet = *inflated;
      } else {
        return handler.on_packet(kind, body, wire_bytes) ? std::string{} : std::string{"handler ended"};
      }
    }
    const auto head = protocol::read_varint_prefix(packet);
    if (head.status != protocol::VarIntStatus::ok) return "bad packet id";
    id = head.value;
    body = packet.subspan(head.size);
    const PacketKind kind = table->kind_of(state_, inbound_, id);
    return handler.on_packet(kind, body, wire_bytes) ? std::string{} : std::string{"handler ended"};
  }

  Worker& worker_;
  tcp::socket socket_;
  protocol::FrameDecoder decoder_;
  Direction inbound_;
  const protocol::VersionInfo* version_ = nullptr;
  State state_ = State::handshake;
  std::int32_t outbound_threshold_ = -1;
  std::vector<std::uint8_t> out_;
  std::vector<std::uint8_t> inflight_;
  bool writing_ = false;
  bool closed_ = false;
  Clock::time_point arrived_at_{};
};

}  // namespace rustguard::loadgen
