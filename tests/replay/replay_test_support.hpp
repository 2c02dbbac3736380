#pragma once
// Shared by the replay tests: a sink that records what the reassembler
// delivers, and builders for synthetic segments and frames.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "replay/packet_headers.hpp"
#include "replay/tcp_reassembly.hpp"

namespace rustguard::replay::test {

struct RecordedFlow {
  FlowInfo info;
  std::vector<std::uint8_t> stream[2];
  std::vector<std::int64_t> chunk_times[2];
  std::vector<std::uint64_t> gaps[2];  // offsets passed to on_gap
  bool closed = false;
  FlowEnd end = FlowEnd::end_of_capture;
  std::int64_t close_time = 0;

  const std::vector<std::uint8_t>& c2s() const { return stream[0]; }
  const std::vector<std::uint8_t>& s2c() const { return stream[1]; }
};

class RecordingSink final : public StreamSink {
 public:
  void on_open(const FlowInfo& flow) override {
    events.push_back("open " + std::to_string(flow.id));
    flows[flow.id].info = flow;
  }
  void on_data(const FlowInfo& flow, Direction dir, std::span<const std::uint8_t> bytes,
               std::int64_t time_ns) override {
    auto& f = flows[flow.id];
    const auto d = static_cast<std::size_t>(dir);
    f.stream[d].insert(f.stream[d].end(), bytes.begin(), bytes.end());
    f.chunk_times[d].push_back(time_ns);
  }
  void on_gap(const FlowInfo& flow, Direction dir, std::uint64_t offset, std::int64_t) override {
    flows[flow.id].gaps[static_cast<std::size_t>(dir)].push_back(offset);
  }
  void on_close(const FlowInfo& flow, FlowEnd why, std::int64_t time_ns) override {
    events.push_back("close " + std::to_string(flow.id) + " " + std::string{to_string(why)});
    auto& f = flows[flow.id];
    f.closed = true;
    f.end = why;
    f.close_time = time_ns;
  }

  std::map<std::uint64_t, RecordedFlow> flows;
  std::vector<std::string> events;
};

inline std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed * 131 + i * 7 + (i >> 8) * 13);
  return v;
}

// Builds the two directions of one IPv4 connection as TcpSegments. The
// payload spans point into `store`, which must outlive the segments.
class Conversation {
 public:
  Conversation(std::uint32_t client_isn, std::uint32_t server_isn, std::uint16_t client_port = 50000)
      : client_{net::IpAddress::v4(10, 0, 0, 2), client_port}, server_{net::IpAddress::v4(10, 0, 0, 1), 25565} {
    isn_[0] = client_isn;
    isn_[1] = server_isn;
  }

  TcpSegment syn() const { return seg(0, isn_[0], 0, tcp_flag::syn, {}); }
  TcpSegment syn_ack() const { return seg(1, isn_[1], isn_[0] + 1, tcp_flag::syn | tcp_flag::ack, {}); }
  TcpSegment handshake_ack() const { return seg(0, isn_[0] + 1, isn_[1] + 1, tcp_flag::ack, {}); }
  // Data at stream offset `offset` of direction `dir` (0 = client to server).
  TcpSegment data(int dir, std::uint64_t offset, std::span<const std::uint8_t> bytes,
                  std::uint8_t extra_flags = 0) const {
    return seg(dir, seq_at(dir, offset), seq_at(1 - dir, 0), tcp_flag::ack | tcp_flag::psh | extra_flags, bytes);
  }
  TcpSegment fin(int dir, std::uint64_t offset) const {
    return seg(dir, seq_at(dir, offset), seq_at(1 - dir, 0), tcp_flag::fin | tcp_flag::ack, {});
  }
  TcpSegment rst(int dir, std::uint64_t offset) const {
    return seg(dir, seq_at(dir, offset), 0, tcp_flag::rst, {});
  }
  std::uint32_t seq_at(int dir, std::uint64_t offset) const {
    return static_cast<std::uint32_t>(isn_[dir] + 1 + offset);
  }

 private:
  TcpSegment seg(int dir, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 std::span<const std::uint8_t> bytes) const {
    TcpSegment s;
    s.source = dir == 0 ? client_ : server_;
    s.destination = dir == 0 ? server_ : client_;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = bytes;
    return s;
  }
  net::Endpoint client_, server_;
  std::uint32_t isn_[2];
};

}  // namespace rustguard::replay::test
