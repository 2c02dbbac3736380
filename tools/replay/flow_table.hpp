#pragma once
// A TCP connection's identity: its two endpoints (address and port each),
// stored in a canonical order so that both directions of a connection find
// the same table entry. Which endpoint is the client is a property of the
// flow (who sent the SYN), not of the key.

#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "packet_headers.hpp"

namespace rustguard::replay {

namespace detail {
inline bool same_words(const net::IpAddress& a, const net::IpAddress& b) noexcept {
  std::uint64_t x[2], y[2];
  std::memcpy(x, a.bytes.data(), 16);
  std::memcpy(y, b.bytes.data(), 16);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}
// Any consistent total order will do for picking which endpoint goes first;
// this one compares whole words instead of calling memcmp.
inline bool canonical_less(const net::Endpoint& a, const net::Endpoint& b) noexcept {
  std::uint64_t x[2], y[2];
  std::memcpy(x, a.address.bytes.data(), 16);
  std::memcpy(y, b.address.bytes.data(), 16);
  if (x[0] != y[0]) return x[0] < y[0];
  if (x[1] != y[1]) return x[1] < y[1];
  if (a.address.family != b.address.family) return a.address.family < b.address.family;
  return a.port < b.port;
}
}  // namespace detail

struct FlowKey {
  net::Endpoint low;   // the smaller endpoint in detail::canonical_less order
  net::Endpoint high;

  static FlowKey of(const net::Endpoint& a, const net::Endpoint& b) noexcept {
    return detail::canonical_less(a, b) ? FlowKey{a, b} : FlowKey{b, a};
  }
  // Word-wise rather than the defaulted member-wise comparison: this runs for
  // every captured segment, and memcmp calls on 16-byte arrays showed up in
  // the profile.
  friend bool operator==(const FlowKey& x, const FlowKey& y) noexcept {
    return x.low.port == y.low.port && x.high.port == y.high.port &&
           x.low.address.family == y.low.address.family && detail::same_words(x.low.address, y.low.address) &&
           detail::same_words(x.high.address, y.high.address);
  }
};

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const noexcept {
    // Mixes the address words and ports with a multiply-xorshift; the table
    // only needs a good spread, not resistance to crafted collisions (a
    // capture is data the operator chose to replay).
    std::uint64_t words[4];
    std::memcpy(&words[0], k.low.address.bytes.data(), 16);
    std::memcpy(&words[2], k.high.address.bytes.data(), 16);
    std::uint64_t h = (std::uint64_t{k.low.port} << 16) ^ k.high.port ^
                      (std::uint64_t{static_cast<std::uint8_t>(k.low.address.family)} << 40);
    for (std::uint64_t w : words) {
      h ^= w;
      h *= 0x9E3779B97F4A7C15ull;
      h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
  }
};

template <class Value>
using FlowTable = std::unordered_map<FlowKey, Value, FlowKeyHash>;

}  // namespace rustguard::replay
