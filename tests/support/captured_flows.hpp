#pragma once
// The TCP connections of a capture file as the replay's reassembler delivers
// them: per connection, every chunk of bytes in capture order with its time,
// and how the connection ended. For tests that rewrite or re-play the
// regression captures (captures/) connection by connection.

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "replay/capture_feed.hpp"
#include "replay/capture_reader.hpp"
#include "replay/tcp_reassembly.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/time.hpp"

namespace rustguard::test {

struct Chunk {
  protocol::Direction direction;  // serverbound: from the side that opened the connection
  std::int64_t time_ns;
  std::vector<std::uint8_t> bytes;
  Timestamp at() const noexcept { return Timestamp{time_ns / 1000}; }
};

struct CapturedFlow {
  replay::FlowInfo info;
  std::vector<Chunk> chunks;
  bool closed = false;  // the reassembler closed it (FINs, RST, or the capture's end)
  replay::FlowEnd end = replay::FlowEnd::end_of_capture;
  std::int64_t close_ns = 0;
  // Where the connection ended with FINs or an RST; none: the capture stopped first.
  std::optional<Timestamp> fin_at() const {
    if (!closed || end == replay::FlowEnd::end_of_capture) return std::nullopt;
    return Timestamp{close_ns / 1000};
  }
};

class FlowCollector final : public replay::StreamSink {
 public:
  void on_open(const replay::FlowInfo& flow) override { flows[flow.id].info = flow; }
  void on_data(const replay::FlowInfo& flow, replay::Direction dir, std::span<const std::uint8_t> bytes,
               std::int64_t time_ns) override {
    const auto d = dir == replay::Direction::client_to_server ? protocol::Direction::serverbound
                                                              : protocol::Direction::clientbound;
    flows[flow.id].chunks.push_back({d, time_ns, {bytes.begin(), bytes.end()}});
  }
  void on_gap(const replay::FlowInfo&, replay::Direction, std::uint64_t, std::int64_t) override { ++gaps; }
  void on_close(const replay::FlowInfo& flow, replay::FlowEnd why, std::int64_t time_ns) override {
    CapturedFlow& f = flows[flow.id];
    f.closed = true;
    f.end = why;
    f.close_ns = time_ns;
  }

  std::map<std::uint64_t, CapturedFlow> flows;  // by the reassembler's flow id
  int gaps = 0;
};

// Every flow of the capture at `path`, by flow id.
inline FlowCollector collect_flows(const std::string& path) {
  FlowCollector collected;
  replay::TcpReassembler reassembler{collected};
  replay::CaptureReader reader{path};
  replay::CaptureStats stats;
  REQUIRE(replay::feed_capture(reader, reassembler, stats).empty());
  reassembler.finish(0);
  return collected;
}

// The connections of a regression capture (captures/NAME) that carried bytes.
inline std::vector<CapturedFlow> connections_of(const std::string& capture) {
  FlowCollector collected = collect_flows(std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture);
  std::vector<CapturedFlow> out;
  for (auto& [id, flow] : collected.flows) {
    if (!flow.chunks.empty()) out.push_back(std::move(flow));
  }
  REQUIRE(!out.empty());
  return out;
}

}  // namespace rustguard::test
