#pragma once
// What every connection shares: the clock, the metrics, the status cache, and
// the config in force when it was accepted (a reload affects new connections).

#include <memory>
#include <vector>

#include "clock.hpp"
#include "metrics.hpp"
#include "rustguard/config.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "status_responder.hpp"

namespace rustguard::proxy {

// A validated Config plus what is derived from it once per load.
struct RuntimeConfig {
  Config config;
  std::vector<protocol::Cidr> trusted;

  explicit RuntimeConfig(Config c) : config(std::move(c)) {
    for (const auto& s : config.proxy_protocol.trusted) {
      if (auto cidr = protocol::parse_cidr(s)) trusted.push_back(*cidr);  // the loader rejected bad ones
    }
  }
  bool is_trusted(const protocol::IpAddress& ip) const noexcept {
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
};

}  // namespace rustguard::proxy
