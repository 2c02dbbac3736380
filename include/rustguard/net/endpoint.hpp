#pragma once
// A transport endpoint: an IP address and a port. (config.hpp's Endpoint is a
// different thing: a host *name* and port that the proxy resolves.)

#include <compare>
#include <cstdint>
#include <string>

#include "rustguard/net/ip_address.hpp"

namespace rustguard::net {

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;

  // "203.0.113.7:25565", or "[2001:db8::1]:25565" (RFC 5952 section 6).
  std::string to_string() const {
    const std::string host = address.to_string();
    return (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }

  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace rustguard::net
