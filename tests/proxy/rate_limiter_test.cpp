#include <catch2/catch.hpp>

#include "../../tools/proxy/rate_limiter.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace rate_limiter_test {

using rustguard::net::IpAddress;
using rustguard::proxy::PerIpRateLimiter;

TEST_CASE("Each address gets a burst, then the refill rate", "[rate_limiter]") {
  PerIpRateLimiter limiter(2.0, 3);  // 2 per second, 3 at once
  const auto a = IpAddress::v4(192, 0, 2, 1);
  const auto b = IpAddress::v4(192, 0, 2, 2);
  std::int64_t t = 1'000'000;
  CHECK(limiter.allow(a, t));
  CHECK(limiter.allow(a, t));
  CHECK(limiter.allow(a, t));
  CHECK_FALSE(limiter.allow(a, t));
  CHECK(limiter.allow(b, t));  // another address has its own bucket
  t += 499'999;                // just under one token refilled
  CHECK_FALSE(limiter.allow(a, t));
  t += 1;
  CHECK(limiter.allow(a, t));
  CHECK_FALSE(limiter.allow(a, t));
  t += 10'000'000;  // the bucket never holds more than the burst
  CHECK(limiter.allow(a, t));
  CHECK(limiter.allow(a, t));
  CHECK(limiter.allow(a, t));
  CHECK_FALSE(limiter.allow(a, t));
}

TEST_CASE("An IPv4-mapped IPv6 peer shares its IPv4 bucket", "[rate_limiter]") {
  PerIpRateLimiter limiter(1.0, 1);
  IpAddress mapped;
  mapped.family = rustguard::net::AddressFamily::ipv6;
  mapped.bytes[10] = mapped.bytes[11] = 0xff;
  mapped.bytes[12] = 10;
  mapped.bytes[15] = 1;
  CHECK(limiter.allow(IpAddress::v4(10, 0, 0, 1), 0));
  CHECK_FALSE(limiter.allow(mapped, 0));
}

TEST_CASE("Pruning forgets only addresses whose bucket is full again", "[rate_limiter]") {
  PerIpRateLimiter limiter(1.0, 2);
  CHECK(limiter.allow(IpAddress::v4(1, 1, 1, 1), 0));
  CHECK(limiter.allow(IpAddress::v4(2, 2, 2, 2), 0));
  CHECK(limiter.allow(IpAddress::v4(2, 2, 2, 2), 900'000));
  CHECK(limiter.tracked() == 2);
  limiter.prune(1'000'000);  // 1.1.1.1 is full again; 2.2.2.2 holds one token
  CHECK(limiter.tracked() == 1);
  CHECK(limiter.allow(IpAddress::v4(2, 2, 2, 2), 1'000'000));
  CHECK_FALSE(limiter.allow(IpAddress::v4(2, 2, 2, 2), 1'000'000));
}

}  // namespace rate_limiter_test
