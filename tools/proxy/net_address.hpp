#pragma once
// Asio's addresses as RustGuard's own (rustguard::net), which the core, the
// PROXY protocol and the logs use. IPv4-mapped IPv6 addresses are unmapped,
// so a dual-stack listener names IPv4 players the way the logs and the
// per-IP limits expect.

#include <asio/ip/address.hpp>

#include <cstddef>

#include "rustguard/net/ip_address.hpp"

namespace rustguard::proxy {

inline net::IpAddress to_ip(const asio::ip::address& a) {
  net::IpAddress ip;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    ip = net::IpAddress::v4(b[0], b[1], b[2], b[3]);
  } else {
    const auto b = a.to_v6().to_bytes();
    ip.family = net::AddressFamily::ipv6;
    for (std::size_t i = 0; i < 16; ++i) ip.bytes[i] = b[i];
  }
  return ip.unmapped();
}

}  // namespace rustguard::proxy
