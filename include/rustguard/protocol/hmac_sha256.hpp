#pragma once
// HMAC-SHA256 (RFC 2104 over FIPS 180-4's SHA-256), for the one place the
// protocol core must check a signature: Velocity's modern forwarding
// (velocity_forwarding.hpp). Pure and deterministic, so the live proxy and
// the replay verify alike; written from the two standards, so the
// header-only core needs no crypto library. Not for bulk data:
// a forwarding payload is a few hundred bytes, once per login.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rustguard::protocol {

using Sha256Digest = std::array<std::uint8_t, 32>;

namespace detail {

class Sha256 {
 public:
  void update(std::span<const std::uint8_t> data) noexcept {
    for (const std::uint8_t byte : data) {
      block_[fill_++] = byte;
      if (fill_ == block_.size()) {
        compress();
        fill_ = 0;
      }
    }
    length_bytes_ += data.size();
  }

  Sha256Digest finish() noexcept {
    // Padding: 0x80, zeros up to 56 bytes into a block, then the length in
    // bits as a big-endian 64-bit number.
    const std::uint64_t bits = length_bytes_ * 8;
    block_[fill_++] = 0x80;
    if (fill_ > 56) {
      while (fill_ < block_.size()) block_[fill_++] = 0;
      compress();
      fill_ = 0;
    }
    while (fill_ < 56) block_[fill_++] = 0;
    for (int i = 7; i >= 0; --i) block_[fill_++] = static_cast<std::uint8_t>(bits >> (8 * i));
    compress();
    Sha256Digest out{};
    for (std::size_t i = 0; i < 8; ++i) {
      for (std::size_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * b));
    }
    return out;
  }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

  void compress() noexcept {
    // The first 32 bits of the fractional parts of the cube roots of the
    // first 64 primes (FIPS 180-4, 4.2.2).
    static constexpr std::array<std::uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) {
      w[t] = static_cast<std::uint32_t>(block_[4 * t]) << 24 | static_cast<std::uint32_t>(block_[4 * t + 1]) << 16 |
             static_cast<std::uint32_t>(block_[4 * t + 2]) << 8 | static_cast<std::uint32_t>(block_[4 * t + 3]);
    }
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (std::size_t t = 0; t < 64; ++t) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  // The initial hash value (FIPS 180-4, 5.3.3).
  std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, 64> block_{};
  std::size_t fill_ = 0;
  std::uint64_t length_bytes_ = 0;
};

inline std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace detail

inline Sha256Digest sha256(std::span<const std::uint8_t> data) noexcept {
  detail::Sha256 h;
  h.update(data);
  return h.finish();
}

// HMAC-SHA256(key, data): a key longer than SHA-256's 64-byte block is
// hashed first, a shorter one padded with zeros (RFC 2104, section 2).
inline Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) noexcept {
  std::array<std::uint8_t, 64> block{};
  if (key.size() > block.size()) {
    const Sha256Digest hashed = sha256(key);
    for (std::size_t i = 0; i < hashed.size(); ++i) block[i] = hashed[i];
  } else {
    for (std::size_t i = 0; i < key.size(); ++i) block[i] = key[i];
  }
  std::array<std::uint8_t, 64> pad{};
  detail::Sha256 inner;
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x36);
  inner.update(pad);
  inner.update(data);
  const Sha256Digest inner_digest = inner.finish();
  detail::Sha256 outer;
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x5c);
  outer.update(pad);
  outer.update(inner_digest);
  return outer.finish();
}

inline Sha256Digest hmac_sha256(std::string_view key, std::span<const std::uint8_t> data) noexcept {
  return hmac_sha256(detail::bytes_of(key), data);
}

// Compares a received MAC with the expected one in time that depends only on
// the length, so a client probing signatures learns nothing from timing.
inline bool digests_equal(std::span<const std::uint8_t> received, const Sha256Digest& expected) noexcept {
  if (received.size() != expected.size()) return false;
  std::uint8_t difference = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    difference = static_cast<std::uint8_t>(difference | (received[i] ^ expected[i]));
  }
  return difference == 0;
}

}  // namespace rustguard::protocol
