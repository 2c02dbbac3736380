#pragma once
// One player connection as the core sees it, sans I/O: bytes in, bytes out.
//
// The owner (the live proxy, or the replay tool) feeds what it read from each
// side; the session splits frames, learns each packet's id (inflating only the
// first bytes of a compressed frame), follows the connection's state, and asks
// the Hooks what to do with every packet they want to see. It then writes to
// Output the bytes to send on: each frame unchanged (re-prefixed with its
// length), minus the packets the hooks dropped, plus the packets the hooks
// asked to inject. Bodies are inflated and handed over only for packets that
// the connection tracker or the hooks want.
//
//   Output out;
//   session.feed(Direction::serverbound, bytes_from_client, hooks, out);
//   write(server, out.to_server); write(client, out.to_client);
//   if (out.close) { log(out.close->reason); close both; }
//
// Hooks (duck-typed, so the checks engine and the tests plug in directly):
//   bool wants(Direction, PacketKind) const;        // see the body?
//   PacketDisposition on_packet(const PacketView&);  // called for wanted packets
//   void on_tracker_update(const protocol::ConnectionTracker&, const protocol::TrackerUpdate&);
// and optionally (the packet-rate limit of the detection engine):
//   bool on_serverbound_frame();   // every client frame, zero-length ones too;
//                                  // false: close, reason hooks.kick_reason()
//
// What the client sends is held to what the server would accept, so that no
// client can make RustGuard stop reading its stream: an id the announced
// version does not have in the current state closes the connection (a
// client speaking another version than it announced, or a play packet sent
// during login), and every compressed frame from the client is inflated to
// check its claimed size before it is forwarded, inspected or not.
//
// Threading: a session belongs to one connection and is only touched by the
// thread that owns that connection (see docs/architecture.md).
//
// Memory: the zlib streams and the scratch buffers for whole packets live in
// a protocol::CompressionWorkspace, which holds nothing from one packet to
// the next. A session lent one (use_workspace) borrows it; the live proxy
// lends one per io thread, so a connection holds no zlib state at all.
// Without one, the session creates its own on first use. The verdicts and
// the bytes written are the same either way.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/limits.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/configuration/config_disconnect_s2c.hpp"
#include "rustguard/protocol/packets/login/login_disconnect_s2c.hpp"
#include "rustguard/protocol/packets/play/disconnect_s2c.hpp"
#include "rustguard/protocol/packets/play/ping_s2c.hpp"
#include "rustguard/protocol/packets/play/window_confirmation_s2c.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/session/frame_tap.hpp"
#include "rustguard/session/session_event.hpp"

namespace rustguard::session {

using protocol::Direction;
using protocol::PacketKind;

// What the hooks decided for one packet.
enum class PacketAction : std::uint8_t {
  forward,  // send it on
  drop,     // swallow it (a cancelled action, or the answer to our own ping)
  close,    // close the connection; `reason` says why
};

struct PacketDisposition {
  PacketAction action = PacketAction::forward;
  // Clientbound only: transactions (lag-compensation pings) to inject right
  // before / after this packet, by id. Sent as Ping (1.17+) or as a window
  // confirmation in window 0 (before 1.17).
  std::optional<std::int32_t> transaction_before;
  std::optional<std::int32_t> transaction_after;
  std::string reason;  // for close
  // The packet's body re-encoded, sent instead of the original (forward
  // only): a teleport id the proxy rewrote.
  std::optional<std::vector<std::uint8_t>> replacement;
  // A packet of our own for the client, written right after this one (a
  // setback teleport): its kind and body.
  std::optional<std::pair<PacketKind, std::vector<std::uint8_t>>> to_client_after;
};

// A packet the hooks asked to see.
struct PacketView {
  Direction direction;
  PacketKind kind;
  std::int32_t id;
  std::span<const std::uint8_t> body;  // after the id; valid during the call only
  std::size_t wire_size;               // bytes on the wire, length prefix included
};

// Why the session wants the connection closed.
enum class CloseCause : std::uint8_t {
  malformed,     // undecodable bytes or an impossible packet; counted per Errc
  hooks,         // the checks decided to kick
};

struct CloseRequest {
  CloseCause cause = CloseCause::malformed;
  Direction from = Direction::serverbound;  // whose bytes caused it
  protocol::Errc error = protocol::Errc::ok;  // for malformed
  std::string reason;
};

// What one call into the core produced, filled by feed(); the owner writes
// the bytes, acts on close, hands the events to its recorder, and clears it.
struct Output {
  std::vector<std::uint8_t> to_server;
  std::vector<std::uint8_t> to_client;
  std::optional<CloseRequest> close;
  std::vector<Event> events;  // in the order the core learned them (session_event.hpp)
  void clear() {
    to_server.clear();
    to_client.clear();
    close.reset();
    events.clear();
  }
};

struct DirectionCounters {
  std::uint64_t packets = 0;       // frames seen
  std::uint64_t bytes = 0;         // bytes fed
  std::uint64_t inflated_bytes = 0;  // bytes actually inflated (inspected packets)
  std::uint64_t dropped = 0;       // packets the hooks swallowed
  std::uint64_t injected = 0;      // packets the session wrote into this direction
  std::uint64_t rewritten = 0;     // packets forwarded re-encoded (a teleport id rewritten)
};

// Frame limits for one direction from the config's protocol limits. The
// client gets small caps until it reaches configuration: nothing it sends
// before needs more, and a slow client could otherwise make the proxy hold a
// 2 MiB frame for every connection it opens.
inline protocol::FrameLimits frame_limits(const ProtocolLimits& l, Direction d) noexcept {
  protocol::FrameLimits f = protocol::FrameLimits::for_direction(d);
  f.max_frame_length.fill(static_cast<std::int32_t>(l.max_frame_bytes));
  f.compression.max_claimed_size = static_cast<std::int32_t>(
      d == Direction::clientbound ? l.max_inflated_clientbound : l.max_inflated_serverbound);
  f.compression.max_ratio = static_cast<std::int32_t>(l.max_compression_ratio);
  f.compression.ratio_floor = static_cast<std::int32_t>(l.compression_ratio_floor);
  if (d == Direction::serverbound) {
    auto cap = [&](protocol::State s, std::uint32_t bytes) {
      f.max_frame_length[static_cast<std::size_t>(s)] =
          static_cast<std::int32_t>(std::min(bytes, l.max_frame_bytes));
    };
    cap(protocol::State::handshake, l.max_handshake_frame_bytes);
    cap(protocol::State::status, l.max_status_frame_bytes);
    cap(protocol::State::login, l.max_login_frame_bytes);
    f.compression.ratio_floor = static_cast<std::int32_t>(l.compression_ratio_floor_serverbound);
  }
  return f;
}

// Hooks that want nothing: the session then only splits, tracks and forwards.
struct ForwardOnlyHooks {
  bool wants(Direction, PacketKind) const noexcept { return false; }
  PacketDisposition on_packet(const PacketView&) { return {}; }
  void on_tracker_update(const protocol::ConnectionTracker&, const protocol::TrackerUpdate&) {}
};

class ConnectionSession {
 public:
  explicit ConnectionSession(const ProtocolLimits& limits = {})
      : c2s_{Direction::serverbound, frame_limits(limits, Direction::serverbound)},
        s2c_{Direction::clientbound, frame_limits(limits, Direction::clientbound)} {}

  // Borrows `workspace` from now on (it must outlive the session, and only
  // the thread feeding this session may use it meanwhile); a workspace the
  // session had made for itself is released.
  void use_workspace(protocol::CompressionWorkspace& workspace) noexcept {
    workspace_ = &workspace;
    own_workspace_.reset();
  }
  // Shows `tap` every frame of the client's leg from now on (frame_tap.hpp);
  // null stops. The tap must outlive the session or be unset first.
  void set_frame_tap(FrameTap* tap) noexcept { tap_ = tap; }

  // Held back bytes of unfinished frames, both directions: the only buffers
  // a session keeps between reads.
  std::size_t buffer_capacity() const noexcept {
    return c2s_.decoder.buffer_capacity() + s2c_.decoder.buffer_capacity();
  }
  // Whether the session made a workspace of its own (none was lent, and it
  // met a compressed packet or wrote one of its own after Set Compression).
  bool owns_workspace() const noexcept { return own_workspace_ != nullptr; }

  const protocol::ConnectionTracker& tracker() const noexcept { return tracker_; }
  // Velocity forwarding must be signed with `secret` (config.yml's
  // velocity.forwarding_secret); call before the first byte. Empty: read unverified.
  void require_velocity_secret(std::string secret) { tracker_.require_velocity_secret(std::move(secret)); }
  // Bytes pass through uninspected: encryption started, an unknown protocol
  // version, or a legacy server-list ping.
  bool opaque() const noexcept { return opaque_; }
  const DirectionCounters& counters(Direction d) const noexcept { return side(d).counters; }
  // What inflating every compressed frame would have produced: the bytes per
  // second limit counts this, since a bomb costs the receiver, not us.
  std::uint64_t claimed_inflated_bytes(Direction d) const noexcept {
    return side(d).decoder.claimed_inflated_bytes();
  }
  // The first bytes of a legacy (pre-1.7) server-list ping, if the client sent one.
  bool legacy_ping() const noexcept { return c2s_.decoder.saw_legacy_ping(); }

  // Feeds bytes that arrived from the client (serverbound) or the server
  // (clientbound). Appends what to send on to `out`; sets out.close when the
  // connection must end (what was appended before that is still to be sent).
  template <class Hooks>
  void feed(Direction from, std::span<const std::uint8_t> bytes, Hooks& hooks, Output& out) {
    Side& s = side(from);
    s.counters.bytes += bytes.size();
    std::vector<std::uint8_t>& dest = destination(from, out);
    while (!bytes.empty()) {
      if (opaque_) {
        dest.insert(dest.end(), bytes.begin(), bytes.end());
        return;
      }
      auto fed = s.decoder.feed(bytes, [&](const protocol::Frame& f) { return on_frame(from, f, hooks, out); });
      if (!fed) {
        if (!out.close) close_malformed(from, fed.error(), out);
        return;
      }
      if (out.close) return;
      if (from == Direction::serverbound && !count_zero_length_frames(hooks, out)) return;
      bytes = bytes.subspan(*fed);
    }
    // A rare huge packet (a big chunk, a modded registry) must not pin its
    // buffer for the rest of the connection (or the thread).
    if (workspace_ != nullptr) workspace_->trim();
  }

  // The state in which the client will read the next bytes we write to it.
  // The tracker moves on the client's acknowledgements (Login Acknowledged,
  // Finish Configuration, Configuration Acknowledged), which are what the
  // server waits for; but the client switches the state it reads in as soon
  // as it handles the server's packet that asks for the acknowledgement —
  // Login Success (to configuration from 1.20.2, to play before), Finish
  // Configuration (to play), Start Configuration (to configuration) — before
  // its acknowledgement reaches us. From 1.20.5 the game stops decoding right
  // after such a packet until it has switched; before, it switches Login
  // Success on the network thread, and the other two on the game thread, so
  // a packet right behind them is read in the new state as well unless the
  // game thread is late (the server itself sends nothing there). So what we
  // write after forwarding one of them is framed for the new state.
  protocol::State client_state() const noexcept { return client_reads_; }

  // Appends a Disconnect with `text` for the client, in whatever state it
  // reads in (client_state(): login, configuration or play). Nothing in
  // handshake/status, once encrypted, or after a legacy ping: the owner then
  // just closes. A client whose version has no table gets the login
  // Disconnect, which has kept its id and JSON reason in every version.
  void append_disconnect(std::string_view text, Output& out) {
    if (tracker_.encrypted() || legacy_ping()) return;
    const std::int32_t protocol = tracker_.protocol();
    switch (client_reads_) {
      case protocol::State::login:
        inject(Direction::clientbound, PacketKind::login_disconnect_s2c, out, [&](std::vector<std::uint8_t>& body) {
          protocol::packets::LoginDisconnectS2c::from_plain_text(text).encode(body, protocol);
        });
        break;
      case protocol::State::configuration:
        inject(Direction::clientbound, PacketKind::config_disconnect_s2c, out, [&](std::vector<std::uint8_t>& body) {
          protocol::packets::ConfigDisconnectS2c::from_plain_text(text, protocol).encode(body, protocol);
        });
        break;
      case protocol::State::play:
        inject(Direction::clientbound, PacketKind::disconnect_s2c, out, [&](std::vector<std::uint8_t>& body) {
          protocol::packets::DisconnectS2c::from_plain_text(text, protocol).encode(body, protocol);
        });
        break;
      default:
        return;
    }
  }

  // Writes a packet of our own toward `toward`: its id, then what
  // `encode_body` appends, framed (and compressed) as that stream is. Between
  // two feeds the owner may call it too (a staff alert, a setback): the
  // streams are always at a frame boundary there. False, and nothing
  // written, when the client's version has no such packet or reads in
  // another state than the packet's. Built in the workspace's scratch buffer, so a transaction costs no
  // allocation once the buffers have grown; deflated only when it reaches
  // the threshold (our packets rarely do).
  template <class EncodeBody>
  bool inject(Direction toward, PacketKind kind, Output& out, EncodeBody&& encode_body) {
    if (!write_packet(toward, kind, out, std::forward<EncodeBody>(encode_body))) return false;
    ++side(toward).counters.injected;
    return true;
  }

 private:
  // inject() without counting: also how a re-encoded packet goes out.
  template <class EncodeBody>
  bool write_packet(Direction toward, PacketKind kind, Output& out, EncodeBody&& encode_body) {
    const protocol::VersionInfo* version = tracker_.version();
    if (version == nullptr && kind == PacketKind::login_disconnect_s2c) version = &protocol::supported_versions().back();
    if (version == nullptr || !version->has(kind)) return false;
    // A packet of another state than the client reads in would be misread
    // (a play Ping right after Start Configuration, say): not sent.
    if (toward == Direction::clientbound && protocol::state_of(kind) != client_reads_) return false;
    protocol::CompressionWorkspace& ws = workspace();
    std::vector<std::uint8_t>& packet = ws.packet();
    packet.clear();
    protocol::Writer{packet}.varint(version->id_of(kind));
    encode_body(packet);
    // Packets toward the client travel in the clientbound stream, framed as it is.
    Side& stream = side(toward);
    std::vector<std::uint8_t>& dest = toward == Direction::serverbound ? out.to_server : out.to_client;
    const std::size_t start = dest.size();
    if (!protocol::encode_frame(dest, packet, stream.threshold, ws).ok()) return false;
    if (tap_ != nullptr && toward == Direction::clientbound) {
      const std::span<const std::uint8_t> framed{dest.data() + start, dest.size() - start};
      const auto prefix = protocol::read_varint_prefix(framed);
      tap_->on_frame(toward, kind, version->id_of(kind), framed.subspan(prefix.size), stream.threshold >= 0);
    }
    return true;
  }

  struct Side {
    Side(Direction d, const protocol::FrameLimits& limits) : decoder(d, limits) {}
    protocol::FrameDecoder decoder;
    std::int32_t threshold = -1;  // the framing of the packets we write into this stream
    DirectionCounters counters;
  };

  // zlib streams and whole-packet buffers: borrowed, or made on first use.
  protocol::CompressionWorkspace& workspace() {
    if (workspace_ == nullptr) {
      own_workspace_ = std::make_unique<protocol::CompressionWorkspace>();
      workspace_ = own_workspace_.get();
    }
    return *workspace_;
  }

  Side& side(Direction d) noexcept { return d == Direction::serverbound ? c2s_ : s2c_; }
  const Side& side(Direction d) const noexcept { return d == Direction::serverbound ? c2s_ : s2c_; }
  static std::vector<std::uint8_t>& destination(Direction from, Output& out) noexcept {
    return from == Direction::serverbound ? out.to_server : out.to_client;
  }

  // Zero-length frames are skipped by the decoder (the game does the same),
  // but each still costs a read and a loop turn: they count as packets for
  // the hooks' rate limit, so a flood of them ends like any other flood.
  template <class Hooks>
  bool count_zero_length_frames(Hooks& hooks, Output& out) {
    const std::uint64_t total = c2s_.decoder.zero_length_frames();
    if constexpr (requires { hooks.on_serverbound_frame(); }) {
      for (; zero_length_counted_ < total; ++zero_length_counted_) {
        if (!hooks.on_serverbound_frame()) {
          zero_length_counted_ = total;
          close_by_hooks(hooks, Direction::serverbound, out);
          return false;
        }
      }
    }
    zero_length_counted_ = total;
    return true;
  }

  template <class Hooks>
  void close_by_hooks(Hooks& hooks, Direction from, Output& out) {
    std::string reason = "kicked";
    if constexpr (requires { hooks.kick_reason(); }) {
      if (auto r = hooks.kick_reason()) reason = *r;
    }
    out.close = CloseRequest{CloseCause::hooks, from, protocol::Errc::ok, std::move(reason)};
  }

  void close_malformed(Direction from, const protocol::Error& e, Output& out) {
    out.close = CloseRequest{CloseCause::malformed, from, e.code,
                             std::string(protocol::to_string(from)) + " " + e.message()};
  }

  template <class Hooks>
  protocol::FrameAction on_frame(Direction from, const protocol::Frame& f, Hooks& hooks, Output& out) {
    Side& s = side(from);
    std::vector<std::uint8_t>& dest = destination(from, out);
    ++s.counters.packets;
    if (f.kind == protocol::FrameKind::legacy_ping) {
      // Pre-1.7 clients: nothing to inspect; pass the ping through as it came.
      opaque_ = true;
      dest.insert(dest.end(), f.payload.begin(), f.payload.end());
      return protocol::FrameAction::pause;
    }

    // The packet id, and the body if anyone wants it.
    std::int32_t id = 0;
    std::span<const std::uint8_t> packet = f.payload;  // id + fields, once inflated
    if (f.compressed()) {
      auto peeked = workspace().inflater().peek_packet_id(f.payload, f.data_length);
      if (!peeked) return fail(from, peeked.error(), out);
      id = *peeked;
    } else {
      const auto v = protocol::read_varint_prefix(f.payload);
      if (v.status != protocol::VarIntStatus::ok) {
        return fail(from, protocol::make_error(v.status == protocol::VarIntStatus::too_long
                                                   ? protocol::Errc::varint_too_long
                                                   : protocol::Errc::truncated,
                                               "packet id"),
                    out);
      }
      id = v.value;
    }
    // What the client sent, as read, whatever happens to it next.
    if (tap_ != nullptr && from == Direction::serverbound) {
      tap_->on_frame(from, tracker_.classify(from, id), id, f.contents, s.threshold >= 0);
    }
    if (from == Direction::serverbound) {
      if constexpr (requires { hooks.on_serverbound_frame(); }) {
        if (!hooks.on_serverbound_frame()) {
          close_by_hooks(hooks, from, out);
          return protocol::FrameAction::pause;
        }
      }
      if (!tracker_.id_exists(from, id)) return fail(from, unknown_id_error(from, id), out);
    }
    const PacketKind kind = tracker_.classify(from, id);
    const bool known = protocol::is_known(kind);
    const bool tracker_wants = known && protocol::ConnectionTracker::wants_body(kind);
    const bool hooks_want = known && hooks.wants(from, kind);

    std::span<const std::uint8_t> body;
    if (tracker_wants || hooks_want) {
      if (f.compressed()) {
        protocol::CompressionWorkspace& ws = workspace();
        auto inflated = ws.inflater().inflate(f.payload, f.data_length, ws.inflated());
        if (!inflated) return fail(from, inflated.error(), out);
        s.counters.inflated_bytes += inflated->size();
        packet = *inflated;
      }
      // The id as the peer encoded it: the game accepts non-minimal VarInts
      // ("80 00" for 0), so its length is read, not recomputed from the value.
      body = packet.subspan(protocol::read_varint_prefix(packet).size);
    } else if (f.compressed() && from == Direction::serverbound) {
      // Nobody reads it, but the backend will inflate it: make sure it is
      // what it claims to be (a decompression bomb otherwise reaches the
      // server), and count the work against the inflate budget.
      auto verified = workspace().inflater().verify(f.payload, f.data_length);
      if (!verified) return fail(from, verified.error(), out);
      s.counters.inflated_bytes += static_cast<std::uint64_t>(*verified);
    }

    PacketDisposition disposition;
    if (hooks_want) {
      const std::size_t wire_size = protocol::varint_size(static_cast<std::int32_t>(f.contents.size())) + f.contents.size();
      disposition = hooks.on_packet(PacketView{from, kind, id, body, wire_size});
      if (disposition.action == PacketAction::close) {
        out.close = CloseRequest{CloseCause::hooks, from, protocol::Errc::ok, std::move(disposition.reason)};
        return protocol::FrameAction::pause;
      }
    }

    if (disposition.transaction_before) inject_transaction(*disposition.transaction_before, out);
    const std::size_t before_packet = dest.size();
    if (disposition.action == PacketAction::drop) {
      ++s.counters.dropped;
    } else if (disposition.replacement && write_packet(from, kind, out, [&](std::vector<std::uint8_t>& packet_out) {
                 packet_out.insert(packet_out.end(), disposition.replacement->begin(), disposition.replacement->end());
               })) {
      ++s.counters.rewritten;
    } else {
      append_framed(dest, f.contents);
      if (tap_ != nullptr && from == Direction::clientbound) tap_->on_frame(from, kind, id, f.contents, s.threshold >= 0);
    }
    if (disposition.action != PacketAction::drop && from == Direction::clientbound) note_client_reads(kind);
    if (disposition.transaction_after) inject_transaction(*disposition.transaction_after, out);
    if (disposition.to_client_after) {
      inject(Direction::clientbound, disposition.to_client_after->first, out, [&](std::vector<std::uint8_t>& packet_out) {
        const auto& b = disposition.to_client_after->second;
        packet_out.insert(packet_out.end(), b.begin(), b.end());
      });
    }

    // State changes take effect after the packet that carries them.
    if (known) {
      auto update = tracker_.on_packet(from, kind, body);
      if (!update) {
        // A packet the tracker refuses (an acknowledgement nobody asked
        // for) must not reach the peer either: it would switch its state.
        if (from == Direction::serverbound) dest.resize(std::min(dest.size(), before_packet));
        return fail(from, update.error(), out);
      }
      return apply(*update, hooks);
    }
    return protocol::FrameAction::proceed;
  }

  template <class Hooks>
  protocol::FrameAction apply(const protocol::TrackerUpdate& u, Hooks& hooks) {
    if (u.compression_threshold) {
      for (Side* s : {&c2s_, &s2c_}) {
        s->decoder.set_compression_threshold(*u.compression_threshold);
        s->threshold = *u.compression_threshold;
      }
    }
    if (u.state_changed) {
      c2s_.decoder.set_state(tracker_.state(Direction::serverbound));
      s2c_.decoder.set_state(tracker_.state(Direction::clientbound));
      // The acknowledgements move the tracker to where the client already
      // reads; the handshake moves both.
      client_reads_ = tracker_.state(Direction::clientbound);
    }
    const bool unknown_login = u.state_changed && tracker_.version_unknown() &&
                               tracker_.state(Direction::serverbound) == protocol::State::login;
    hooks.on_tracker_update(tracker_, u);
    if (u.encryption_started || unknown_login) {
      // Everything after this frame is ciphertext, or ids we have no table
      // for (so we could not even see Set Compression): pass it through.
      opaque_ = true;
      return protocol::FrameAction::pause;
    }
    return protocol::FrameAction::proceed;
  }

  // A server packet the client switches its reading state on (client_state()).
  void note_client_reads(PacketKind kind) noexcept {
    switch (kind) {
      case PacketKind::login_success_s2c:
        client_reads_ = tracker_.protocol() >= protocol::v::v1_20_2 ? protocol::State::configuration
                                                                      : protocol::State::play;
        break;
      case PacketKind::finish_configuration_s2c:
        client_reads_ = protocol::State::play;
        break;
      case PacketKind::start_configuration_s2c:
        client_reads_ = protocol::State::configuration;
        break;
      default:
        break;
    }
  }

  // "unknown_packet_id: login packet id (limit 5) 29": the state in the
  // message tells an operator whether it was an early play packet.
  protocol::Error unknown_id_error(Direction from, std::int32_t id) const noexcept {
    const protocol::State state = tracker_.state(from);
    const char* context = "packet id";
    switch (state) {
      case protocol::State::handshake: context = "no such packet id in handshake"; break;
      case protocol::State::status: context = "no such packet id in status"; break;
      case protocol::State::login: context = "no such packet id in login"; break;
      case protocol::State::configuration: context = "no such packet id in configuration"; break;
      case protocol::State::play: context = "no such packet id in play"; break;
    }
    const protocol::VersionInfo* v = tracker_.version();
    const std::int32_t count = v != nullptr ? v->id_count(state, from)
                                            : protocol::supported_versions().back().id_count(state, from);
    return protocol::make_error(protocol::Errc::unknown_packet_id, context, id, count);
  }

  protocol::FrameAction fail(Direction from, const protocol::Error& e, Output& out) {
    close_malformed(from, e, out);
    return protocol::FrameAction::pause;
  }

  static void append_framed(std::vector<std::uint8_t>& dest, std::span<const std::uint8_t> contents) {
    std::uint8_t prefix[protocol::kMaxVarIntBytes];
    const auto n = protocol::write_varint(prefix, static_cast<std::int32_t>(contents.size()));
    dest.insert(dest.end(), prefix, prefix + n);
    dest.insert(dest.end(), contents.begin(), contents.end());
  }

  void inject_transaction(std::int32_t transaction_id, Output& out) {
    const std::int32_t protocol = tracker_.protocol();
    if (protocol::has_ping_pong(protocol)) {
      inject(Direction::clientbound, PacketKind::ping_s2c, out, [&](std::vector<std::uint8_t>& body) {
        protocol::packets::PingS2c{transaction_id}.encode(body, protocol);
      });
    } else {
      // Before 1.17 the round trip is a window confirmation the client must
      // answer: window 0, not accepted, with our id as the action number.
      inject(Direction::clientbound, PacketKind::window_confirmation_s2c, out, [&](std::vector<std::uint8_t>& body) {
        protocol::packets::WindowConfirmationS2c{0, static_cast<std::int16_t>(transaction_id), false}.encode(body,
                                                                                                          protocol);
      });
    }
  }

  Side c2s_;
  Side s2c_;
  protocol::CompressionWorkspace* workspace_ = nullptr;  // borrowed, or own_workspace_
  std::unique_ptr<protocol::CompressionWorkspace> own_workspace_;
  protocol::ConnectionTracker tracker_;
  protocol::State client_reads_ = protocol::State::handshake;  // client_state()
  std::uint64_t zero_length_counted_ = 0;  // client zero-length frames already shown to the hooks
  FrameTap* tap_ = nullptr;                // set_frame_tap
  bool opaque_ = false;
};

}  // namespace rustguard::session
