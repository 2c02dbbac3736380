#pragma once
// The proxy's counters and their Prometheus text rendering (GET /metrics).
// Every io thread updates the same atomics with relaxed ordering: they are
// statistics, read by a scrape that only needs each number to be eventually
// right, so no ordering between them is paid for on the packet path.

#include <fmt/core.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::proxy {

// Each limit a connection can break (docs/configuration.md, `connections` and `limits`).
enum class Limit : std::uint8_t {
  login_timeout,
  idle_timeout,
  max_connections,
  per_ip_rate,
  max_frame_bytes,
  inflated_rate,
  untrusted_proxy_header,
  count
};

constexpr std::string_view to_string(Limit l) noexcept {
  switch (l) {
    case Limit::login_timeout: return "login_timeout";
    case Limit::idle_timeout: return "idle_timeout";
    case Limit::max_connections: return "max_connections";
    case Limit::per_ip_rate: return "per_ip_rate";
    case Limit::max_frame_bytes: return "max_frame_bytes";
    case Limit::inflated_rate: return "inflated_rate";
    case Limit::untrusted_proxy_header: return "untrusted_proxy_header";
    case Limit::count: break;
  }
  return "?";
}

// Upper bounds (microseconds) of the inspection-time histogram buckets; +Inf is implicit.
inline constexpr std::array<std::uint64_t, 12> kInspectionBucketsUs = {1, 2, 5, 10, 20, 50, 100, 200, 500,
                                                                       1000, 5000, 20000};

class Metrics {
 public:
  using Counter = std::atomic<std::uint64_t>;
  static constexpr std::size_t kErrcCount = static_cast<std::size_t>(protocol::Errc::encrypted) + 1;

  Counter connections_current{0};
  Counter connections_total{0};
  Counter packets_serverbound{0}, packets_clientbound{0};
  Counter bytes_serverbound{0}, bytes_clientbound{0};
  Counter encrypted_connections{0};
  Counter backend_unavailable{0};
  Counter status_from_cache{0};
  std::array<Counter, kErrcCount> decode_errors{};
  std::array<Counter, static_cast<std::size_t>(Limit::count)> limit_hits{};

  void decode_error(protocol::Errc e) noexcept { add(decode_errors[static_cast<std::size_t>(e)]); }
  void limit_hit(Limit l) noexcept { add(limit_hits[static_cast<std::size_t>(l)]); }

  // A player reached play (or login) with this protocol number; `delta` -1 when it leaves.
  void player(std::int32_t protocol, std::int64_t delta) noexcept {
    const auto versions = protocol::supported_versions();
    std::size_t slot = versions.size();  // unknown versions share the last slot
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].protocol() == protocol) slot = i;
    }
    if (slot >= players_.size()) slot = players_.size() - 1;
    players_[slot].fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
  }

  void inspection_time(std::uint64_t us) noexcept {
    std::size_t b = 0;
    while (b < kInspectionBucketsUs.size() && us > kInspectionBucketsUs[b]) ++b;
    add(inspection_buckets_[b]);
    add(inspection_sum_us_, us);
    add(inspection_count_);
  }

  static void add(Counter& c, std::uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }
  static std::uint64_t get(const Counter& c) noexcept { return c.load(std::memory_order_relaxed); }

  // Prometheus text exposition format 0.0.4.
  std::string render() const {
    std::string out;
    auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    auto sample = [&](std::string_view name, std::string_view labels, std::uint64_t v) {
      out += labels.empty() ? fmt::format("{} {}\n", name, v) : fmt::format("{}{{{}}} {}\n", name, labels, v);
    };
    family("rustguard_connections", "gauge", "Open player connections.");
    sample("rustguard_connections", "", get(connections_current));
    family("rustguard_connections_total", "counter", "Player connections accepted since start.");
    sample("rustguard_connections_total", "", get(connections_total));
    family("rustguard_players", "gauge", "Players logged in, by protocol version.");
    const auto versions = protocol::supported_versions();
    for (std::size_t i = 0; i < versions.size() && i + 1 < players_.size(); ++i) {
      const auto n = get(players_[i]);
      if (n != 0) {
        sample("rustguard_players",
               fmt::format("protocol=\"{}\",release=\"{}\"", versions[i].protocol(), versions[i].release_names()), n);
      }
    }
    if (const auto n = get(players_.back()); n != 0) sample("rustguard_players", "protocol=\"other\",release=\"\"", n);
    family("rustguard_packets_total", "counter", "Frames seen, by direction.");
    sample("rustguard_packets_total", "direction=\"serverbound\"", get(packets_serverbound));
    sample("rustguard_packets_total", "direction=\"clientbound\"", get(packets_clientbound));
    family("rustguard_bytes_total", "counter", "Bytes read from each side, by direction.");
    sample("rustguard_bytes_total", "direction=\"serverbound\"", get(bytes_serverbound));
    sample("rustguard_bytes_total", "direction=\"clientbound\"", get(bytes_clientbound));
    family("rustguard_decode_errors_total", "counter", "Connections closed for undecodable bytes, by reason.");
    for (std::size_t i = 1; i < decode_errors.size(); ++i) {
      sample("rustguard_decode_errors_total",
             fmt::format("reason=\"{}\"", protocol::to_string(static_cast<protocol::Errc>(i))), get(decode_errors[i]));
    }
    family("rustguard_limit_hits_total", "counter", "Connections closed or refused for breaking a limit.");
    for (std::size_t i = 0; i < limit_hits.size(); ++i) {
      sample("rustguard_limit_hits_total", fmt::format("limit=\"{}\"", to_string(static_cast<Limit>(i))),
             get(limit_hits[i]));
    }
    family("rustguard_encrypted_connections_total", "counter",
           "Online-mode (encrypted) connections, forwarded uninspected.");
    sample("rustguard_encrypted_connections_total", "", get(encrypted_connections));
    family("rustguard_backend_unavailable_total", "counter", "Connections the backend did not accept.");
    sample("rustguard_backend_unavailable_total", "", get(backend_unavailable));
    family("rustguard_status_from_cache_total", "counter", "Server-list pings answered by the proxy itself.");
    sample("rustguard_status_from_cache_total", "", get(status_from_cache));
    family("rustguard_inspection_seconds", "histogram", "Time spent inspecting one read (session.feed).");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kInspectionBucketsUs.size(); ++b) {
      cumulative += get(inspection_buckets_[b]);
      sample("rustguard_inspection_seconds_bucket", fmt::format("le=\"{}\"", kInspectionBucketsUs[b] / 1e6), cumulative);
    }
    cumulative += get(inspection_buckets_.back());
    sample("rustguard_inspection_seconds_bucket", "le=\"+Inf\"", cumulative);
    out += fmt::format("rustguard_inspection_seconds_sum {}\n", static_cast<double>(get(inspection_sum_us_)) / 1e6);
    sample("rustguard_inspection_seconds_count", "", get(inspection_count_));
    return out;
  }

 private:
  std::array<Counter, protocol::supported_versions().size() + 1> players_{};
  std::array<Counter, kInspectionBucketsUs.size() + 1> inspection_buckets_{};
  Counter inspection_sum_us_{0};
  Counter inspection_count_{0};
};

}  // namespace rustguard::proxy
