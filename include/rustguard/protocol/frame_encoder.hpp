#pragma once
// Builds frames in the current framing format of one direction: plain before
// Set Compression, dataLength-prefixed (and deflated at or above the
// threshold) after it. The proxy writes few packets of its own (Disconnect,
// its transaction Pings), so this favours simplicity over zero copies.

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

class FrameEncoder {
 public:
  explicit FrameEncoder(int level = Z_DEFAULT_COMPRESSION) : deflater_(level) {}

  // Negative: compression off (the initial state).
  void set_compression_threshold(std::int32_t threshold) noexcept { threshold_ = threshold; }
  std::int32_t compression_threshold() const noexcept { return threshold_; }

  // Appends one frame carrying `packet` (id + fields) to `out`.
  Result<void> append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet) {
    if (threshold_ < 0) return append_frame(out, packet);
    if (packet.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      return make_error(Errc::compressed_too_large, "packet to encode", static_cast<std::int64_t>(packet.size()));
    }
    const bool compress = static_cast<std::int64_t>(packet.size()) >= threshold_;
    const auto data_length = compress ? static_cast<std::int32_t>(packet.size()) : 0;
    std::span<const std::uint8_t> body = packet;
    if (compress) {
      scratch_.clear();
      deflater_.deflate(packet, scratch_);
      body = scratch_;
    }
    const std::size_t length = varint_size(data_length) + body.size();
    if (length > static_cast<std::size_t>(kMaxFrameLength)) {
      return make_error(Errc::frame_too_large, "frame length", static_cast<std::int64_t>(length), kMaxFrameLength);
    }
    std::uint8_t prefix[2 * kMaxVarIntBytes];
    std::size_t n = write_varint(prefix, static_cast<std::int32_t>(length));
    n += write_varint(prefix + n, data_length);
    out.insert(out.end(), prefix, prefix + n);
    out.insert(out.end(), body.begin(), body.end());
    return {};
  }

 private:
  Deflater deflater_;
  std::int32_t threshold_ = -1;
  std::vector<std::uint8_t> scratch_;
};

}  // namespace rustguard::protocol
