#pragma once
// Each limit a connection can break (docs/configuration.md, `connections` and
// `limits`): the label values of rustguard_limit_hits_total.

#include <cstdint>
#include <string_view>

namespace rustguard::proxy {

enum class Limit : std::uint8_t {
  login_timeout,
  idle_timeout,
  max_connections,
  per_ip_rate,
  max_frame_bytes,
  inflated_rate,
  untrusted_proxy_header,
  max_pending_bytes,
  refuse_logins_lag,
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
    case Limit::max_pending_bytes: return "max_pending_bytes";
    case Limit::refuse_logins_lag: return "refuse_logins_lag";
    case Limit::count: break;
  }
  return "?";
}

}  // namespace rustguard::proxy
