#pragma once
// One frame of the Minecraft TCP stream, as the frame decoder hands it out,
// and the plain (uncompressed) framing used to build one.
//
// On the wire a frame is a VarInt length of at most 3 bytes followed by that
// many bytes. Once compression is on, those bytes start with a second VarInt
// (dataLength) and the rest is either the packet itself (dataLength 0) or a
// zlib stream that inflates to dataLength bytes. The frame decoder strips both
// prefixes, so a Frame's payload is always "packet id + fields" or "zlib
// stream of packet id + fields".

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::protocol {

// The vanilla game reads the frame length with a 3-byte VarInt, so no frame
// can be longer than 2^21 - 1 bytes whatever a peer claims.
inline constexpr std::size_t kMaxFrameLengthBytes = 3;
inline constexpr std::int32_t kMaxFrameLength = (1 << 21) - 1;  // 2,097,151

enum class FrameKind : std::uint8_t {
  packet,       // an ordinary frame
  legacy_ping,  // a pre-1.7 server-list ping (0xFE ...) opening the connection
};

struct Frame {
  FrameKind kind = FrameKind::packet;
  // packet: the packet (id + fields), or its zlib stream when compressed().
  // legacy_ping: the bytes from the 0xFE on that arrived with it (for logging
  // and to tell the 1.3 / 1.4-1.5 / 1.6 variants apart).
  // A view: valid only until the handler returns.
  std::span<const std::uint8_t> payload;
  // Everything after the frame's length prefix (the dataLength included once
  // compression is on). A length prefix plus these bytes is the frame as it
  // crossed the wire (with a minimal length VarInt), which is how a proxy
  // forwards a frame it does not change. A view, like payload.
  std::span<const std::uint8_t> contents;
  // The claimed inflated size of a compressed frame; 0 when the payload is the
  // packet itself (compression off, or dataLength 0).
  std::int32_t data_length = 0;

  bool compressed() const noexcept { return data_length != 0; }
};

// Appends an uncompressed frame (length + packet) to `out`. Use FrameEncoder
// (frame_encoder.hpp) once compression is on.
inline Result<void> append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet) {
  if (packet.size() > static_cast<std::size_t>(kMaxFrameLength)) {
    return make_error(Errc::frame_too_large, "frame length", static_cast<std::int64_t>(packet.size()),
                      kMaxFrameLength);
  }
  std::uint8_t prefix[kMaxVarIntBytes];
  const std::size_t n = write_varint(prefix, static_cast<std::int32_t>(packet.size()));
  out.insert(out.end(), prefix, prefix + n);
  out.insert(out.end(), packet.begin(), packet.end());
  return {};
}

}  // namespace rustguard::protocol
