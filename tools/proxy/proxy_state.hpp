#pragma once
// What every connection shares: the clock, the metrics, the status cache, the
// violation log, and the config in force when it was accepted (a reload
// affects new connections; a connection keeps its engine config for life).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "action_outlets.hpp"
#include "clock.hpp"
#include "metrics.hpp"
#include "player_directory.hpp"
#include "clip_writer.hpp"
#include "recording_requests.hpp"
#include "recording_writer.hpp"
#include "rustguard/adapters/clip_ring.hpp"
#include "rustguard/adapters/config.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/net/ip_address.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "status_responder.hpp"

namespace rustguard::proxy {

// A validated Config plus what is derived from it once per load.
struct RuntimeConfig {
  Config config;
  std::vector<protocol::Cidr> trusted;
  // The checks.* section, shared read-only by every connection accepted
  // under this config (each engine holds it for the connection's life).
  std::shared_ptr<const engine::EngineConfig> engine;

  explicit RuntimeConfig(Config c) : config(std::move(c)), engine(std::make_shared<const engine::EngineConfig>(config.checks)) {
    for (const auto& s : config.proxy_protocol.trusted) {
      if (auto cidr = protocol::parse_cidr(s)) trusted.push_back(*cidr);  // the loader rejected bad ones
    }
  }
  bool is_trusted(const net::IpAddress& ip) const noexcept {
    for (const auto& c : trusted) {
      if (c.contains(ip)) return true;
    }
    return false;
  }
};

struct ProxyState {
  Clock clock;
  Metrics metrics;
  StatusCache status;
  adapters::ViolationLog* violation_log = nullptr;  // set once in main; null: nothing is stored
  PlayerDirectory players;                          // who is online, for GET /players
  ActionOutlets* actions = nullptr;                 // set once in main; null: no RCON, webhook or strikes
  // Session recordings' writer: made in main when a config (the first, or a
  // reload) turns recordings on, then kept until exit; null: none yet.
  std::atomic<RecordingWriter*> recordings{nullptr};
  // Players the operator asked to record through the admin address.
  RecordingRequests recording_requests;
  // What every connection's clip ring draws its memory from (clips.*), set
  // once in main; null: no rings.
  adapters::ClipBudget* clip_budget = nullptr;
  // The clip files' writer (clips.enabled at start), else null.
  ClipWriter* clip_writer = nullptr;
};

}  // namespace rustguard::proxy
