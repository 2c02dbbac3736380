#pragma once
// An observer of one connection's client leg, frame by frame: every frame the
// client sent, as it was read, and every frame written toward the client, as
// it went out (the server's, forwarded or re-encoded, and the proxy's own:
// transactions, setbacks, staff lines, the goodbye). What the player did and
// saw, in order: the evidence clips' ring buffer (adapters/clip_ring.hpp)
// is one.
//
// ConnectionSession calls it when one is set (set_frame_tap); unset, a frame
// costs one test. The tap must not call back into the session, and sees each
// frame's bytes only during the call.

#include <cstdint>
#include <span>

#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/state.hpp"

namespace rustguard::session {

class FrameTap {
 public:
  // `contents`: the frame after its length prefix, exactly as on the wire
  // (with compression on: the data-length field, then the packet, deflated
  // or not). `compressed_framing`: Set Compression is in force on this
  // stream, so a frame of the tap's own making must use that format.
  virtual void on_frame(protocol::Direction direction, protocol::PacketKind kind, std::int32_t id,
                        std::span<const std::uint8_t> contents, bool compressed_framing) = 0;

 protected:
  FrameTap() = default;
  FrameTap(const FrameTap&) = default;
  FrameTap& operator=(const FrameTap&) = default;
  ~FrameTap() = default;
};

}  // namespace rustguard::session
