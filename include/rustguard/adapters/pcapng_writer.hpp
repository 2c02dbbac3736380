#pragma once
// Writes one TCP connection's game traffic, both directions, as a pcapng file
// that Wireshark/tshark, libpcap and rustguard-replay read: the first building
// block of evidence clips and session recordings (issue 14).
//
// The file is one section: a Section Header Block (with an optional comment,
// the clip's metadata), one Interface Description Block (LINKTYPE_ETHERNET,
// snaplen 262144, if_tsresol 6 = microseconds, because rustguard::Timestamp
// is microseconds: the file holds the caller's times exactly, no rounding) and
// one Enhanced Packet Block per synthetic frame. Blocks are little-endian
// whatever the host (the byte-order magic says so to readers), so the same
// calls give the same bytes everywhere.
//
// Each frame is Ethernet (fixed, locally administered MACs: the real ones are
// not known and would identify nothing) / IPv4 or IPv6 / TCP, with the real
// addresses and ports the caller gives, correct IPv4 header and TCP checksums,
// and sequence and acknowledgement numbers that follow the bytes written, so
// a reader sees one proper stream: a three-way handshake first, each chunk of
// bytes as one or more segments (split at `max_segment_bytes`), every segment
// acknowledging everything the peer sent before it, and FINs at the end.
// Both SYNs carry window scaling (shift 14) so that a long one-sided burst
// (chunk data while the client is quiet) stays inside the advertised window
// and tools flag no "window full". No pure ACKs are invented between chunks.
// Beside the stream, datagram() writes UDP datagrams between the same
// addresses and ports (a session recording's notes, with a correct UDP
// checksum, mandatory over IPv6); they leave the TCP numbering alone.
//
// Time is the caller's (the proxy's arrival times, capture times): the writer never
// reads a clock. Nothing here is thread-safe; one writer per connection, used
// by one thread.
//
// Errors are reported, never dropped: every call answers false once the
// writer has failed, and error() says why ("write clip.pcapng: No space left
// on device"). Failure is sticky: after one, nothing more is written, since a
// file with a hole in the middle of a TCP stream would replay differently from
// what happened. The file keeps what was written before the failure; whether
// to delete it is the caller's call. Bytes go to a stdio stream (a file the
// writer opened, or one the caller owns through std::ostream); finish() or
// close() flushes and reports what the flush found.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/net/endpoint.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/time.hpp"

namespace rustguard::adapters {

// The connection as the proxy saw it: the player (or the address the PROXY
// protocol header gave) and the backend. An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, what dual-stack sockets report) is written as IPv4. Both
// ends must then be of one family.
struct PcapngEndpoints {
  net::Endpoint client;
  net::Endpoint server;
};

struct PcapngOptions {
  // The SHB's comment (opt_comment): what the file is, e.g. "RustGuard clip:
  // player Steve, check movement.speed". At most 65,535 bytes (an option's
  // length is 16 bits); longer is an error, not a cut.
  std::string comment;
  // TCP payload bytes per segment. 65,495 is the most an IPv4 packet holds
  // (65,535 - 20 - 20); smaller values make more, smaller segments.
  std::uint32_t max_segment_bytes = 65'495;
  // Initial sequence numbers. Fixed by default so the same calls give the
  // same file; nothing reading it depends on their values.
  std::uint32_t client_isn = 0x52470000;
  std::uint32_t server_isn = 0x47520000;
  // A file that already exists is an error unless this is set: a clip's name
  // clashing with an older one must not destroy the older evidence.
  bool replace_existing = false;
};

class PcapngWriter {
 public:
  static constexpr std::uint32_t kSnapLength = 262'144;
  static constexpr std::uint32_t kMaxSegmentBytes = 65'495;
  // Fixed MACs, locally administered (bit 1 of the first byte) and unicast.
  static constexpr std::array<std::uint8_t, 6> kClientMac{0x02, 0x52, 0x47, 0x00, 0x00, 0x01};
  static constexpr std::array<std::uint8_t, 6> kServerMac{0x02, 0x52, 0x47, 0x00, 0x00, 0x02};
  static constexpr std::uint8_t kWindowShift = 14;
  // UDP payload per datagram: what an IPv4 packet holds (65,535 - 20 - 8).
  static constexpr std::size_t kMaxDatagramBytes = 65'507;

  // Creates `path` (replaces it only with `replace_existing`) and writes the
  // file's header blocks. On failure ok() is false and error() says why.
  PcapngWriter(std::string path, const PcapngEndpoints& endpoints, PcapngOptions options = {})
      : name_(std::move(path)), options_(std::move(options)) {
    if (!configure(endpoints)) return;
    // "x": glibc's O_EXCL, so two writers racing for one name cannot both win.
    file_ = std::fopen(name_.c_str(), options_.replace_existing ? "wb" : "wbx");
    if (file_ == nullptr) {
      fail_errno("open");
      return;
    }
    write_header_blocks();
  }

  // Writes to a stream the caller owns (and keeps alive while the writer
  // lives); `name` only labels error messages.
  PcapngWriter(std::ostream& out, const PcapngEndpoints& endpoints, PcapngOptions options = {},
               std::string name = "stream")
      : name_(std::move(name)), options_(std::move(options)), stream_(&out) {
    if (!configure(endpoints)) return;
    write_header_blocks();
  }

  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;
  // Closes without FINs: whoever drops a writer mid-connection gets a file
  // that ends like a capture cut short, which readers accept. Unsynced, and
  // a failing last write goes unreported here: call finish() or close() to
  // know.
  ~PcapngWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }

  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  // Frames written so far (handshake, FINs and datagrams included).
  std::uint64_t frames() const noexcept { return frames_; }

  // SYN, SYN-ACK, ACK at `t`. write() does it first if the caller did not.
  bool handshake(Timestamp t) {
    if (!writable()) return false;
    if (stage_ != Stage::fresh) return fail("handshake: the connection is already open");
    // MSS (kind 2), NOP, window scale (kind 3): 8 bytes, a multiple of 4.
    const auto mss = static_cast<std::uint16_t>(options_.max_segment_bytes);
    const std::array<std::uint8_t, 8> syn_options{
        2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss), 1, 3, 3, kWindowShift};
    if (!segment(kClient, options_.client_isn, 0, kSyn, {}, syn_options, t)) return false;
    if (!segment(kServer, options_.server_isn, options_.client_isn + 1, kSyn | kAck, {}, syn_options, t)) return false;
    next_seq_[kClient] = options_.client_isn + 1;
    next_seq_[kServer] = options_.server_isn + 1;
    if (!segment(kClient, next_seq_[kClient], next_seq_[kServer], kAck, {}, {}, t)) return false;
    stage_ = Stage::open;
    return true;
  }

  // `bytes` as `direction` sent them (serverbound: client to server) at `t`:
  // one segment per `max_segment_bytes`, PSH on the last. Empty writes
  // nothing.
  bool write(protocol::Direction direction, std::span<const std::uint8_t> bytes, Timestamp t) {
    if (!writable()) return false;
    if (stage_ == Stage::finished) return fail("write: the connection was finished");
    if (stage_ == Stage::fresh && !handshake(t)) return false;
    const std::size_t from = direction == protocol::Direction::serverbound ? kClient : kServer;
    while (!bytes.empty()) {
      const std::size_t n = std::min<std::size_t>(bytes.size(), options_.max_segment_bytes);
      const std::uint8_t flags = n == bytes.size() ? kAck | kPsh : kAck;
      if (!segment(from, next_seq_[from], next_seq_[1 - from], flags, bytes.first(n), {}, t)) return false;
      next_seq_[from] += static_cast<std::uint32_t>(n);
      bytes = bytes.subspan(n);
    }
    return true;
  }

  // One UDP datagram carrying `payload` from `direction`'s sender to the
  // other end, on the connection's addresses and ports (a session
  // recording's notes, adapters/recording_control.hpp), at `t`. It belongs
  // to no TCP stream: sequence and acknowledgement numbers stay as they
  // were, and it may come before the handshake or between any two writes.
  // At most kMaxDatagramBytes of payload.
  bool datagram(protocol::Direction direction, std::span<const std::uint8_t> payload, Timestamp t) {
    if (!writable()) return false;
    if (stage_ == Stage::finished) return fail("datagram: the connection was finished");
    if (payload.size() > kMaxDatagramBytes) {
      return fail("datagram of " + std::to_string(payload.size()) + " bytes (at most " +
                  std::to_string(kMaxDatagramBytes) + ")");
    }
    const std::size_t from = direction == protocol::Direction::serverbound ? kClient : kServer;
    return frame(from, kUdp, payload, t, [&](std::vector<std::uint8_t>& f) {
      put16(f, ends_[from].port);
      put16(f, ends_[1 - from].port);
      put16(f, static_cast<std::uint16_t>(8 + payload.size()));
      put16(f, 0);  // checksum, filled in by frame()
    });
  }

  // Ends the connection at `t`: FIN-ACK from `closer` (the client by
  // default), FIN-ACK from the other side, the last ACK, then flushes and,
  // when the writer opened the file, closes it.
  bool finish(Timestamp t, protocol::Direction closer = protocol::Direction::serverbound) {
    if (!writable()) return false;
    if (stage_ == Stage::finished) return fail("finish: the connection was finished");
    if (stage_ == Stage::fresh && !handshake(t)) return false;
    const std::size_t a = closer == protocol::Direction::serverbound ? kClient : kServer;
    const std::size_t b = 1 - a;
    if (!segment(a, next_seq_[a], next_seq_[b], kFin | kAck, {}, {}, t)) return false;
    ++next_seq_[a];  // a FIN takes one sequence number
    if (!segment(b, next_seq_[b], next_seq_[a], kFin | kAck, {}, {}, t)) return false;
    ++next_seq_[b];
    if (!segment(a, next_seq_[a], next_seq_[b], kAck, {}, {}, t)) return false;
    stage_ = Stage::finished;
    return close();
  }

  // Flushes (and closes a file the writer opened) without FINs: a recording
  // cut where the connection still was open. Further calls then fail. A file
  // the writer opened is synced before it counts as written: a clip is
  // evidence, and the proxy may name it in an alert right after.
  bool close() {
    if (!writable()) return false;
    closed_ = true;
    if (stream_ != nullptr) {
      stream_->flush();
      if (!stream_->good()) return fail("flush " + name_ + ": the stream failed");
      return true;
    }
    if (file_ == nullptr) return true;
    std::FILE* f = std::exchange(file_, nullptr);
    if (std::fflush(f) != 0) {
      fail_errno("write");
      std::fclose(f);
      return false;
    }
    // Pipes and character devices cannot be synced (EINVAL): nothing is lost.
    if (::fsync(::fileno(f)) != 0 && errno != EINVAL && errno != EROFS) {
      fail_errno("fsync");
      std::fclose(f);
      return false;
    }
    if (std::fclose(f) != 0) return fail_errno("close");
    return true;
  }

 private:
  static constexpr std::size_t kClient = 0;
  static constexpr std::size_t kServer = 1;
  static constexpr std::uint8_t kFin = 0x01;
  static constexpr std::uint8_t kSyn = 0x02;
  static constexpr std::uint8_t kPsh = 0x08;
  static constexpr std::uint8_t kAck = 0x10;
  static constexpr std::uint8_t kTcp = 6;  // IP protocol numbers
  static constexpr std::uint8_t kUdp = 17;
  static constexpr std::uint32_t kShb = 0x0A0D0D0A;
  static constexpr std::uint32_t kIdb = 0x00000001;
  static constexpr std::uint32_t kEpb = 0x00000006;

  enum class Stage : std::uint8_t { fresh, open, finished };

  bool configure(const PcapngEndpoints& endpoints) {
    ends_[kClient] = endpoints.client;
    ends_[kServer] = endpoints.server;
    for (auto& e : ends_) e.address = e.address.unmapped();
    if (!ends_[kClient].address.is_v4() && !ends_[kClient].address.is_v6()) return fail("client address unspecified");
    if (ends_[kClient].address.family != ends_[kServer].address.family) {
      return fail("client " + ends_[kClient].to_string() + " and server " + ends_[kServer].to_string() +
                  " are not of one address family");
    }
    if (options_.max_segment_bytes == 0 || options_.max_segment_bytes > kMaxSegmentBytes) {
      return fail("max_segment_bytes " + std::to_string(options_.max_segment_bytes) + " is not within 1.." +
                  std::to_string(kMaxSegmentBytes));
    }
    if (options_.comment.size() > 0xFFFF) {
      return fail("comment of " + std::to_string(options_.comment.size()) + " bytes (at most 65535)");
    }
    return true;
  }

  bool writable() {
    if (!ok()) return false;
    if (closed_) return fail("the file " + name_ + " was closed");
    return true;
  }

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool fail_errno(const char* what) { return fail(std::string{what} + " " + name_ + ": " + std::strerror(errno)); }

  // --- pcapng blocks (little-endian) ---

  void le16(std::uint16_t v) {
    block_.push_back(static_cast<std::uint8_t>(v));
    block_.push_back(static_cast<std::uint8_t>(v >> 8));
  }
  void le32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) block_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void pad32() {
    while (block_.size() % 4 != 0) block_.push_back(0);
  }
  void option(std::uint16_t code, std::span<const std::uint8_t> value) {
    le16(code);
    le16(static_cast<std::uint16_t>(value.size()));
    block_.insert(block_.end(), value.begin(), value.end());
    pad32();
  }
  void option(std::uint16_t code, std::string_view value) {
    option(code, std::span{reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
  }
  void begin_block(std::uint32_t type) {
    block_.clear();
    le32(type);
    le32(0);  // total length, filled in by end_block
  }
  // Writes the trailing length, patches the leading one and emits the block.
  bool end_block() {
    const auto total = static_cast<std::uint32_t>(block_.size() + 4);
    le32(total);
    for (int i = 0; i < 4; ++i) block_[4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(total >> (8 * i));
    return emit(block_);
  }

  bool emit(std::span<const std::uint8_t> bytes) {
    if (stream_ != nullptr) {
      stream_->write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      if (!stream_->good()) return fail("write " + name_ + ": the stream failed");
      return true;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) return fail_errno("write");
    return true;
  }

  bool write_header_blocks() {
    begin_block(kShb);
    le32(0x1A2B3C4D);  // byte-order magic
    le16(1);           // version 1.0
    le16(0);
    le32(0xFFFFFFFF);  // section length: not given (-1), so nothing to patch later
    le32(0xFFFFFFFF);
    if (!options_.comment.empty()) option(1, options_.comment);  // opt_comment
    option(4, std::string_view{"RustGuard"});                    // shb_userappl
    le32(0);                                                     // opt_endofopt
    if (!end_block()) return false;

    begin_block(kIdb);
    le16(1);  // LINKTYPE_ETHERNET
    le16(0);  // reserved
    le32(kSnapLength);
    option(2, std::string_view{"rustguard"});                           // if_name
    option(9, std::span<const std::uint8_t>{kMicroseconds.data(), 1});  // if_tsresol: 10^-6 s
    le32(0);                                                            // opt_endofopt
    return end_block();
  }

  static constexpr std::array<std::uint8_t, 1> kMicroseconds{6};

  // --- frames ---

  static void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  }
  static void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  static void store16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
  }

  // The Internet checksum's running sum (RFC 1071): 16-bit big-endian words,
  // an odd last byte as the high half of a word. Folded by `fold`.
  static std::uint64_t sum16(std::span<const std::uint8_t> bytes, std::uint64_t sum = 0) noexcept {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint64_t>((bytes[i] << 8) | bytes[i + 1]);
    if (i < bytes.size()) sum += static_cast<std::uint64_t>(bytes[i]) << 8;
    return sum;
  }
  static std::uint16_t fold(std::uint64_t sum) noexcept {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xFFFF);
  }

  // One Ethernet/IP/TCP frame from `from` to the other end.
  bool segment(std::size_t from, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
               std::span<const std::uint8_t> payload, std::span<const std::uint8_t> tcp_options, Timestamp t) {
    return frame(from, kTcp, payload, t, [&](std::vector<std::uint8_t>& f) {
      put16(f, ends_[from].port);
      put16(f, ends_[1 - from].port);
      put32(f, seq);
      put32(f, (flags & kAck) != 0 ? ack : 0);
      f.push_back(static_cast<std::uint8_t>(((20 + tcp_options.size()) / 4) << 4));
      f.push_back(flags);
      put16(f, 0xFFFF);  // window; scaled by 2^14 after the SYNs
      put16(f, 0);       // checksum, filled in by frame()
      put16(f, 0);       // urgent pointer
      f.insert(f.end(), tcp_options.begin(), tcp_options.end());
    });
  }

  // One Ethernet/IP frame from `from` to the other end, in one EPB: the IP
  // header, then the transport header `put_header` appends (its checksum
  // field zero), then `payload`. The transport checksum covers the
  // pseudo-header (addresses, protocol, length: RFC 768 and 793 for IPv4,
  // RFC 8200 section 8.1 for IPv6, where the length is 32 bits), header and
  // payload; TCP's sits at offset 16, UDP's at 6.
  template <class PutHeader>
  bool frame(std::size_t from, std::uint8_t protocol, std::span<const std::uint8_t> payload, Timestamp t,
             PutHeader&& put_header) {
    if (t.micros < 0) return fail("timestamp " + std::to_string(t.micros) + " us is before 1970");
    const net::Endpoint& src = ends_[from];
    const net::Endpoint& dst = ends_[1 - from];
    const bool v4 = src.address.is_v4();

    frame_.clear();
    const auto& src_mac = from == kClient ? kClientMac : kServerMac;
    const auto& dst_mac = from == kClient ? kServerMac : kClientMac;
    frame_.insert(frame_.end(), dst_mac.begin(), dst_mac.end());
    frame_.insert(frame_.end(), src_mac.begin(), src_mac.end());
    put16(frame_, v4 ? 0x0800 : 0x86DD);

    const std::size_t ip_at = frame_.size();
    const auto addr_len = static_cast<std::ptrdiff_t>(src.address.size());
    if (v4) {
      frame_.push_back(0x45);  // version 4, 20-byte header
      frame_.push_back(0);     // DSCP/ECN
      put16(frame_, 0);        // total length, below
      put16(frame_, ip_id_[from]++);
      put16(frame_, 0x4000);  // don't fragment
      frame_.push_back(64);   // TTL
      frame_.push_back(protocol);
      put16(frame_, 0);  // header checksum, below
    } else {
      put32(frame_, 0x60000000);  // version 6, no traffic class, no flow label
      put16(frame_, 0);           // payload length, below
      frame_.push_back(protocol);  // next header
      frame_.push_back(64);        // hop limit
    }
    frame_.insert(frame_.end(), src.address.bytes.begin(), src.address.bytes.begin() + addr_len);
    frame_.insert(frame_.end(), dst.address.bytes.begin(), dst.address.bytes.begin() + addr_len);

    const std::size_t transport_at = frame_.size();
    put_header(frame_);
    const std::size_t checksum_at = transport_at + (protocol == kTcp ? 16 : 6);
    frame_.insert(frame_.end(), payload.begin(), payload.end());
    const std::size_t transport_len = frame_.size() - transport_at;
    if (v4) {
      store16(frame_, ip_at + 2, static_cast<std::uint16_t>(20 + transport_len));
      store16(frame_, ip_at + 10, fold(sum16(std::span{frame_}.subspan(ip_at, 20))));
    } else {
      store16(frame_, ip_at + 4, static_cast<std::uint16_t>(transport_len));
    }

    std::uint64_t sum = sum16(std::span{src.address.bytes}.first(src.address.size()));
    sum = sum16(std::span{dst.address.bytes}.first(dst.address.size()), sum);
    sum += protocol;
    sum += transport_len & 0xFFFF;
    sum += transport_len >> 16;
    sum = sum16(std::span{frame_}.subspan(transport_at), sum);
    std::uint16_t checksum = fold(sum);
    // A UDP checksum of zero means "none" (and IPv6 forbids none), so a sum
    // that comes out zero is sent as its other form, all ones (RFC 768).
    if (protocol == kUdp && checksum == 0) checksum = 0xFFFF;
    store16(frame_, checksum_at, checksum);

    begin_block(kEpb);
    le32(0);  // interface 0
    const auto units = static_cast<std::uint64_t>(t.micros);
    le32(static_cast<std::uint32_t>(units >> 32));
    le32(static_cast<std::uint32_t>(units));
    le32(static_cast<std::uint32_t>(frame_.size()));  // captured
    le32(static_cast<std::uint32_t>(frame_.size()));  // on the wire
    block_.insert(block_.end(), frame_.begin(), frame_.end());
    pad32();
    if (!end_block()) return false;
    ++frames_;
    return true;
  }

  std::string name_;
  PcapngOptions options_;
  std::ostream* stream_ = nullptr;
  std::FILE* file_ = nullptr;
  bool closed_ = false;
  std::string error_;
  std::array<net::Endpoint, 2> ends_{};
  std::array<std::uint32_t, 2> next_seq_{};
  std::array<std::uint16_t, 2> ip_id_{};
  Stage stage_ = Stage::fresh;
  std::uint64_t frames_ = 0;
  std::vector<std::uint8_t> block_;
  std::vector<std::uint8_t> frame_;
};

}  // namespace rustguard::adapters
