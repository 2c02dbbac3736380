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

// Appends one frame carrying `packet` (id + fields) to `out`, in the framing
// of `threshold` (negative: compression off). Only a packet at or above the
// threshold is deflated, with the workspace's Deflater, which is therefore
// created only then.
inline Result<void> encode_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet,
                                 std::int32_t threshold, CompressionWorkspace& workspace) {
  if (threshold < 0) return append_frame(out, packet);
  if (packet.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return make_error(Errc::compressed_too_large, "packet to encode", static_cast<std::int64_t>(packet.size()));
  }
  const bool compress = static_cast<std::int64_t>(packet.size()) >= threshold;
  const auto data_length = compress ? static_cast<std::int32_t>(packet.size()) : 0;
  std::span<const std::uint8_t> body = packet;
  if (compress) {
    std::vector<std::uint8_t>& scratch = workspace.deflated();
    scratch.clear();
    workspace.deflater().deflate(packet, scratch);
    body = scratch;
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

// encode_frame with a threshold and a workspace of its own (test streams,
// tools that write a few frames).
class FrameEncoder {
 public:
  explicit FrameEncoder(int level = Z_DEFAULT_COMPRESSION) : workspace_(level) {}

  // Negative: compression off (the initial state).
  void set_compression_threshold(std::int32_t threshold) noexcept { threshold_ = threshold; }
  std::int32_t compression_threshold() const noexcept { return threshold_; }

  // Appends one frame carrying `packet` (id + fields) to `out`.
  Result<void> append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet) {
    return encode_frame(out, packet, threshold_, workspace_);
  }

 private:
  CompressionWorkspace workspace_;
  std::int32_t threshold_ = -1;
};

}  // namespace rustguard::protocol
