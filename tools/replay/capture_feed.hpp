#pragma once
// Pumps one capture file through the frame decoder into a TcpReassembler and
// counts what it saw. Several files of one run (a folder, or tcpdump -C
// rotations) go through the same reassembler one after another so that
// connections continue across files; call TcpReassembler::finish() after the
// last one. UDP datagrams that carry a session recording's notes
// (adapters/recording_control.hpp) go to a NoteSink, at their place between
// the segments: the reassembler hands in-order bytes over as soon as their
// segment is added, so a note reaches the sink after every byte before it in
// the file and before every byte after it.

#include <cstdint>
#include <string>

#include "capture_reader.hpp"
#include "packet_headers.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "tcp_reassembly.hpp"

namespace rustguard::replay {

struct CaptureStats {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;            // captured frame bytes
  std::uint64_t tcp_segments = 0;
  std::uint64_t ip_fragments = 0;     // skipped: fragments are not reassembled
  std::uint64_t udp_datagrams = 0;    // a recording's notes among them
  std::uint64_t other_ip = 0;         // ICMP, ESP, ...
  std::uint64_t non_ip = 0;
  std::uint64_t truncated_frames = 0; // cut short (snap length, damaged file)
  std::uint64_t invalid_frames = 0;   // headers that contradict themselves
  protocol::Error first_bad_frame{};  // the first truncated or invalid frame's error
  std::uint64_t first_bad_frame_number = 0;  // 1-based, in this file

  CaptureStats& operator+=(const CaptureStats& o) noexcept {
    if (first_bad_frame.code == Errc::ok) {
      first_bad_frame = o.first_bad_frame;
      first_bad_frame_number = o.first_bad_frame_number;
    }
    frames += o.frames;
    bytes += o.bytes;
    tcp_segments += o.tcp_segments;
    ip_fragments += o.ip_fragments;
    udp_datagrams += o.udp_datagrams;
    other_ip += o.other_ip;
    non_ip += o.non_ip;
    truncated_frames += o.truncated_frames;
    invalid_frames += o.invalid_frames;
    return *this;
  }
};

// Receives the UDP datagrams that start with a note's magic (valid or not:
// the sink parses and counts), in capture order with the TCP data.
class NoteSink {
 public:
  virtual ~NoteSink() = default;
  // `datagram.payload` is only valid during the call.
  virtual void on_note(const UdpDatagram& datagram, std::int64_t time_ns) = 0;
};

// Decodes one frame and, when it is TCP, feeds it to `reassembler`; a UDP
// note goes to `notes` when there is one.
inline void feed_frame(int dlt, const CaptureFrame& frame, TcpReassembler& reassembler, CaptureStats& stats,
                       NoteSink* notes = nullptr) {
  ++stats.frames;
  stats.bytes += frame.bytes.size();
  auto decoded = decode_frame(dlt, frame.bytes);
  if (!decoded) {
    (decoded.error().code == Errc::truncated ? stats.truncated_frames : stats.invalid_frames) += 1;
    if (stats.first_bad_frame.code == Errc::ok) {
      stats.first_bad_frame = decoded.error();
      stats.first_bad_frame_number = stats.frames;
    }
    return;
  }
  switch (decoded->kind) {
    case FrameKind::tcp:
      ++stats.tcp_segments;
      reassembler.add(decoded->segment, frame.time_ns);
      break;
    case FrameKind::udp:
      ++stats.udp_datagrams;
      if (notes != nullptr && adapters::recording::is_note(decoded->datagram.payload)) {
        notes->on_note(decoded->datagram, frame.time_ns);
      }
      break;
    case FrameKind::ip_fragment: ++stats.ip_fragments; break;
    case FrameKind::other_ip: ++stats.other_ip; break;
    case FrameKind::non_ip: ++stats.non_ip; break;
  }
}

// Reads `reader` to its end. Returns an empty string when the whole file was
// read, else libpcap's message (the frames before the failure were fed).
inline std::string feed_capture(CaptureReader& reader, TcpReassembler& reassembler, CaptureStats& stats) {
  if (!reader.ok()) return reader.error();
  CaptureFrame frame;
  for (;;) {
    switch (reader.next(frame)) {
      case CaptureReader::Next::frame:
        feed_frame(reader.link_type(), frame, reassembler, stats);
        break;
      case CaptureReader::Next::end:
        return {};
      case CaptureReader::Next::error:
        return reader.error().empty() ? std::string{"read error"} : reader.error();
    }
  }
}

}  // namespace rustguard::replay
