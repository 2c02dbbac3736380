#pragma once
// The entry functions of the fuzz targets, shared by the libFuzzer binaries
// (tools/fuzz/fuzz_*.cpp) and by tests/corpus_test, which replays every file
// of tests/corpus/<target>/ through the same function without libFuzzer.
//
// Each entry takes arbitrary bytes and returns nullptr, or a description of a
// broken invariant (the fuzzer then aborts so the input is saved). Crashes,
// out-of-bounds reads, UB and runaway allocations are caught by the sanitizers
// and libFuzzer's -rss_limit_mb / -malloc_limit_mb, not here.
//
// Leading bytes of an input choose what the rest means (protocol version,
// direction, state, chunking); each entry's comment gives its layout.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "rustguard/protocol/velocity_forwarding.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/session/player_session.hpp"

namespace rustguard::fuzz {

using Bytes = std::span<const std::uint8_t>;
// nullptr: every invariant held.
using Failure = const char*;

// Every fuzz target by the name of its corpus folder (tests/corpus/<name>/).
inline constexpr std::array<const char*, 6> kTargetNames = {"frame_decoder", "packets",    "session",
                                                            "velocity",      "proxy_protocol", "inflater"};

namespace detail {

// Reads the leading control bytes; past the end it yields zeros.
struct Header {
  Bytes in;
  std::uint8_t take() noexcept {
    if (in.empty()) return 0;
    const std::uint8_t b = in.front();
    in = in.subspan(1);
    return b;
  }
};

inline const protocol::VersionInfo& version_at(std::uint8_t b) noexcept {
  const auto all = protocol::supported_versions();
  return all[b % all.size()];
}

// A deterministic chunk-size sequence from one seed byte (xorshift).
struct Chunker {
  std::uint32_t state;
  explicit Chunker(std::uint8_t seed) noexcept : state(0x9E3779B9u ^ (seed * 0x01000193u)) {}
  std::size_t next(std::size_t left) noexcept {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    const std::size_t pick = (state >> 8) % 16 == 0 ? (state >> 12) % 4096 : (state >> 12) % 24;
    return std::min(left, pick + 1);
  }
};

// Splits a forwarded stream (VarInt length + contents) into frames and counts
// them; nullopt when it ends inside a frame or holds a malformed length.
inline std::optional<std::uint64_t> count_whole_frames(Bytes out) noexcept {
  std::uint64_t frames = 0;
  while (!out.empty()) {
    const auto len = protocol::read_varint_prefix(out);
    if (len.status != protocol::VarIntStatus::ok || len.value < 0) return std::nullopt;
    out = out.subspan(len.size);
    if (static_cast<std::size_t>(len.value) > out.size()) return std::nullopt;
    out = out.subspan(static_cast<std::size_t>(len.value));
    ++frames;
  }
  return frames;
}
inline bool splits_into_whole_frames(Bytes out) noexcept { return count_whole_frames(out).has_value(); }

}  // namespace detail

// (1) FrameDecoder. Layout: [flags][state][threshold][chunk seed] stream...
//   flags bit0 direction (1 clientbound), bit1 compression on, bit2 handler
//   pauses after some frames. Inflates compressed frames as the session does.
// Invariants: chunking never changes the frames (nor whether the stream
// fails); every paused feed consumes at least one byte.
inline Failure frame_decoder(Bytes input) {
  detail::Header h{input};
  const std::uint8_t flags = h.take();
  const auto state = static_cast<protocol::State>(h.take() % protocol::kStateCount);
  const std::int32_t threshold = (flags & 2) != 0 ? static_cast<std::int32_t>(h.take()) * 4 : (h.take(), -1);
  detail::Chunker chunker{h.take()};
  const Bytes stream = h.in;
  const auto direction = (flags & 1) != 0 ? protocol::Direction::clientbound : protocol::Direction::serverbound;
  const bool pausing = (flags & 4) != 0;

  protocol::Inflater inflater;
  std::vector<std::uint8_t> inflated;
  struct Run {
    std::vector<std::vector<std::uint8_t>> frames;
    bool failed = false;
    bool legacy = false;
  };
  auto make_decoder = [&] {
    protocol::FrameDecoder d{direction};
    d.set_state(state);
    if (state == protocol::State::handshake && direction == protocol::Direction::serverbound) {
      d.watch_for_legacy_ping(true);
    }
    d.set_compression_threshold(threshold);
    return d;
  };
  auto on_frame = [&](Run& run, const protocol::Frame& f) {
    if (f.kind == protocol::FrameKind::legacy_ping) run.legacy = true;
    run.frames.emplace_back(f.contents.begin(), f.contents.end());
    if (f.compressed()) {
      (void)inflater.peek_packet_id(f.payload, f.data_length);
      (void)inflater.inflate(f.payload, f.data_length, inflated);
    }
  };

  Run whole;
  {
    auto d = make_decoder();
    auto fed = d.feed(stream, [&](const protocol::Frame& f) { on_frame(whole, f); });
    whole.failed = !fed;
  }
  Run chunked;
  {
    auto d = make_decoder();
    Bytes rest = stream;
    std::size_t frames_seen = 0;
    while (!rest.empty() && !chunked.failed) {
      Bytes chunk = rest.first(chunker.next(rest.size()));
      rest = rest.subspan(chunk.size());
      while (!chunk.empty()) {
        auto fed = d.feed(chunk, [&](const protocol::Frame& f) {
          on_frame(chunked, f);
          return pausing && ++frames_seen % 3 == 0 ? protocol::FrameAction::pause : protocol::FrameAction::proceed;
        });
        if (!fed) {
          chunked.failed = true;
          break;
        }
        if (*fed == 0) return "FrameDecoder::feed consumed nothing of a non-empty chunk (would spin)";
        if (*fed > chunk.size()) return "FrameDecoder::feed consumed more than the chunk";
        chunk = chunk.subspan(*fed);
      }
    }
  }
  // A legacy ping's reported bytes depend on how they arrived (by design).
  if (whole.legacy || chunked.legacy) return nullptr;
  if (whole.failed != chunked.failed) return "chunking changed whether the stream fails";
  if (whole.frames != chunked.frames) return "chunking changed the frames";
  return nullptr;
}

namespace detail {

namespace pk = protocol::packets;
using AllPackets = std::tuple<
    pk::IntentionC2s, pk::StatusRequestC2s, pk::StatusPingC2s, pk::StatusResponseS2c, pk::StatusPongS2c,
    pk::LoginStartC2s, pk::EncryptionResponseC2s, pk::LoginPluginResponseC2s, pk::LoginAcknowledgedC2s,
    pk::LoginCookieResponseC2s, pk::LoginDisconnectS2c, pk::EncryptionRequestS2c, pk::LoginSuccessS2c,
    pk::SetCompressionLoginS2c, pk::LoginPluginRequestS2c, pk::LoginCookieRequestS2c,
    pk::ConfigClientInformationC2s, pk::ConfigCustomPayloadC2s, pk::FinishConfigurationC2s,
    pk::ConfigKeepAliveC2s, pk::ConfigPongC2s, pk::ConfigCustomPayloadS2c, pk::ConfigDisconnectS2c,
    pk::FinishConfigurationS2c, pk::ConfigKeepAliveS2c, pk::ConfigPingS2c, pk::ConfirmTeleportC2s, pk::AttackC2s,
    pk::InteractC2s, pk::KeepAliveC2s, pk::PongC2s, pk::WindowConfirmationC2s, pk::SetPositionC2s,
    pk::SetPositionRotationC2s, pk::SetRotationC2s, pk::SetMovementFlagsC2s, pk::PlayerInputC2s,
    pk::ClientTickEndC2s, pk::SwingArmC2s, pk::PlayerActionC2s, pk::UseItemOnC2s, pk::UseItemC2s,
    pk::SetHeldItemC2s, pk::PlayerCommandC2s, pk::PlayerAbilitiesC2s, pk::ChatMessageC2s, pk::ChatCommandC2s,
    pk::ConfigurationAcknowledgedC2s, pk::CustomPayloadC2s, pk::VehicleMoveC2s, pk::ClientCommandC2s,
    pk::ClientInformationC2s, pk::LoginPlayS2c, pk::SyncPlayerPositionS2c, pk::PlayerRotationS2c,
    pk::EntityEffectS2c, pk::RemoveEntityEffectS2c, pk::UpdateAttributesS2c, pk::SetEntityVelocityS2c,
    pk::ExplosionS2c, pk::GameEventS2c, pk::PlayerAbilitiesS2c, pk::RespawnS2c, pk::KeepAliveS2c, pk::PingS2c,
    pk::WindowConfirmationS2c, pk::SpawnEntityS2c, pk::SpawnLivingEntityS2c, pk::SpawnPlayerS2c,
    pk::EntityRelativeMoveS2c, pk::EntityMoveRotationS2c, pk::EntityRotationS2c, pk::EntityTeleportS2c,
    pk::EntityPositionSyncS2c, pk::RemoveEntitiesS2c, pk::SetHealthS2c, pk::StartConfigurationS2c,
    pk::BundleDelimiterS2c, pk::DisconnectS2c, pk::SetCompressionPlayS2c, pk::ChunkDataS2c,
    pk::SetPassengersS2c, pk::EntityStatusS2c>;

// Decodes `body` as the packet struct whose kind is `kind`; false when no
// struct has that kind.
template <std::size_t I = 0>
bool decode_kind(protocol::PacketKind kind, Bytes body, std::int32_t protocol_number) {
  if constexpr (I == std::tuple_size_v<AllPackets>) {
    return false;
  } else {
    using P = std::tuple_element_t<I, AllPackets>;
    if (P::kind != kind) return decode_kind<I + 1>(kind, body, protocol_number);
    auto decoded = P::decode(body, protocol_number);
    if (!decoded) (void)decoded.error().message();  // formatting the error must be safe too
    return true;
  }
}

}  // namespace detail

// (2) Every packet decoder. Layout: [version][kind] body...
//   version >= 0xC0: [version][u16 protocol][kind] body, any protocol number
//   (the tracker decodes the handshake with 0 and status packets before it
//   knows the version).
// Decoders may reject anything; they must not crash, read out of bounds or
// allocate beyond what the body can justify.
inline Failure packets(Bytes input) {
  detail::Header h{input};
  const std::uint8_t v = h.take();
  std::int32_t protocol_number = detail::version_at(v).protocol();
  if (v >= 0xC0) protocol_number = static_cast<std::int32_t>(h.take()) << 8 | h.take();
  const auto kind = static_cast<protocol::PacketKind>(h.take() % protocol::kPacketKindCount);
  (void)detail::decode_kind(kind, h.in, protocol_number);
  return nullptr;
}

namespace detail {

inline std::shared_ptr<const engine::EngineConfig> engine_config() {
  static const auto config = std::make_shared<const engine::EngineConfig>();
  return config;
}

// A handshake (next state: login) for `version`, framed, so inputs reach the
// login state of every supported version without spelling its number.
inline std::vector<std::uint8_t> handshake_for(const protocol::VersionInfo& version) {
  std::vector<std::uint8_t> packet;
  protocol::Writer{packet}.varint(0).varint(version.protocol()).string("fuzz.local").u16(25565).varint(2);
  std::vector<std::uint8_t> framed;
  (void)protocol::append_frame(framed, packet);
  return framed;
}

// Hooks that inspect every known packet and check what the session hands
// them: the body must be exactly what follows the packet id as it was encoded
// (a peer may encode an id with a non-minimal VarInt; the server accepts it).
struct InspectAllHooks {
  bool compression = false;
  Failure failure = nullptr;
  bool wants(protocol::Direction, protocol::PacketKind) const noexcept { return true; }
  session::PacketDisposition on_packet(const session::PacketView& p) {
    if (!compression && failure == nullptr) {
      // Uncompressed, the wire holds varint(C) + C, C = the id as encoded + body,
      // and the body ends the frame, so the id's bytes sit right before it.
      std::size_t contents = 0;
      for (std::size_t prefix = 1; prefix <= 3 && prefix < p.wire_size; ++prefix) {
        if (protocol::varint_size(static_cast<std::int32_t>(p.wire_size - prefix)) == prefix) contents = p.wire_size - prefix;
      }
      const std::size_t id_bytes = contents - std::min(contents, p.body.size());
      bool aligned = contents > p.body.size() && id_bytes <= protocol::kMaxVarIntBytes;
      if (aligned) {
        const auto id = protocol::read_varint_prefix({p.body.data() - id_bytes, id_bytes});
        aligned = id.status == protocol::VarIntStatus::ok && id.value == p.id && id.size == id_bytes;
      }
      if (!aligned) failure = "the body handed to the hooks does not start right after the packet id";
    }
    return {};
  }
  void on_tracker_update(const protocol::ConnectionTracker& t, const protocol::TrackerUpdate&) {
    compression = t.compression_threshold() >= 0;
  }
};

// A ConnectionSession with test hooks, fed like a PlayerSession.
template <class Hooks>
struct HookedSession {
  session::ConnectionSession session;
  Hooks hooks;
  void feed(protocol::Direction d, Bytes bytes, Timestamp, session::Output& out) { session.feed(d, bytes, hooks, out); }
  const session::ConnectionSession& connection() const noexcept { return session; }
  Failure failure() const noexcept {
    if constexpr (requires { hooks.failure; }) return hooks.failure;
    return nullptr;
  }
};

// The whole core: the session and the detection engine.
struct EngineSession {
  session::PlayerSession player{ProtocolLimits{}, engine_config(), engine::EngineMode::originate};
  void feed(protocol::Direction d, Bytes bytes, Timestamp now, session::Output& out) {
    player.feed(d, bytes, now, out);
    if (!out.close) player.advance(now, out);
    // A kick's Disconnect, as the proxy appends it.
    if (out.close && out.close->cause == session::CloseCause::hooks) player.append_disconnect(out.close->reason, out);
  }
  const session::ConnectionSession& connection() const noexcept { return player.connection(); }
  Failure failure() const noexcept { return nullptr; }
};

template <class Session>
Failure run_session(Bytes records, Session& core, const protocol::VersionInfo* prelude) {
  const session::ConnectionSession& s = core.connection();
  session::Output out;
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  std::array<std::uint64_t, 2> forwarded{};  // frames written toward the server, the client
  auto feed = [&](protocol::Direction d, Bytes bytes) -> Failure {
    out.clear();
    core.feed(d, bytes, now, out);
    if (out.close && out.close->cause == session::CloseCause::hooks && !s.opaque() &&
        !detail::splits_into_whole_frames(out.to_client)) {
      return "a kick's Disconnect did not leave whole frames toward the client";
    }
    if (Failure f = core.failure()) return f;
    // Whatever was forwarded, the receiver must be able to split it, and it
    // is every frame that came in, minus the dropped, plus the injected.
    if (!out.close && !s.opaque()) {
      const auto to_server = detail::count_whole_frames(out.to_server);
      const auto to_client = detail::count_whole_frames(out.to_client);
      if (!to_server) return "forwarded serverbound bytes are not whole frames";
      if (!to_client) return "forwarded clientbound bytes are not whole frames";
      forwarded[0] += *to_server;
      forwarded[1] += *to_client;
      for (const auto dir : {protocol::Direction::serverbound, protocol::Direction::clientbound}) {
        const auto& c = s.counters(dir);
        if (forwarded[dir == protocol::Direction::serverbound ? 0 : 1] != c.packets - c.dropped + c.injected) {
          return "forwarded frames != frames in - dropped + injected";
        }
      }
    }
    return nullptr;
  };
  if (prelude != nullptr) {
    const auto hs = handshake_for(*prelude);
    if (Failure f = feed(protocol::Direction::serverbound, hs)) return f;
    if (out.close) return nullptr;
  }
  Header h{records};
  while (!h.in.empty()) {
    const std::uint8_t b = h.take();
    const auto d = (b & 0x80) != 0 ? protocol::Direction::clientbound : protocol::Direction::serverbound;
    std::size_t n = b & 0x7f;
    if (n == 0x7f) n = static_cast<std::size_t>(h.take()) << 8 | h.take();
    n = std::min(n, h.in.size());
    const Bytes bytes = h.in.first(n);
    h.in = h.in.subspan(n);
    now = now + millis(n % 7 == 0 ? 1000 : 25);
    if (Failure f = feed(d, bytes)) return f;
    if (out.close) break;
  }
  return nullptr;
}

}  // namespace detail

// (3) ConnectionSession, both directions. Layout: [mode][version] records...
//   mode bit0: PlayerSession (engine originates transactions) instead of
//   ForwardOnlyHooks; bit2: InspectAllHooks (every body checked); bit1: a handshake for [version] (next state login) is
//   fed first. Each record: [d|len] bytes, d = bit7 (1 clientbound),
//   len = low 7 bits, 127 meaning a big-endian u16 length follows.
// Invariants: after a feed that did not ask to close, each direction's output
// splits into whole frames (unless the stream went opaque); a body handed to
// hooks starts right after the packet id as encoded.
inline Failure session_stream(Bytes input) {
  detail::Header h{input};
  const std::uint8_t mode = h.take();
  const auto& version = detail::version_at(h.take());
  const protocol::VersionInfo* prelude = (mode & 2) != 0 ? &version : nullptr;
  if ((mode & 4) != 0) {
    detail::HookedSession<detail::InspectAllHooks> core;
    return detail::run_session(h.in, core, prelude);
  }
  if ((mode & 1) != 0) {
    detail::EngineSession core;
    return detail::run_session(h.in, core, prelude);
  }
  detail::HookedSession<session::ForwardOnlyHooks> core;
  return detail::run_session(h.in, core, prelude);
}

// (4) Velocity modern forwarding data (a Login Plugin Response's payload).
// Invariant: on success the signature and signed data partition the input.
inline Failure velocity(Bytes input) {
  auto parsed = protocol::parse_velocity_forwarding(input);
  if (!parsed) {
    (void)parsed.error().message();
    return nullptr;
  }
  if (parsed->signature.size() != protocol::kVelocitySignatureBytes) return "velocity signature is not 32 bytes";
  if (parsed->signature.data() != input.data() ||
      parsed->signed_data.data() != input.data() + protocol::kVelocitySignatureBytes ||
      parsed->signed_data.size() + parsed->signature.size() != input.size()) {
    return "velocity signature and signed data do not partition the input";
  }
  if (parsed->name.size() > 16 * 3 || parsed->client_address.size() > 255 * 3) return "velocity string over its cap";
  return nullptr;
}

// (5) PROXY protocol v1/v2, and the address and CIDR parsers.
// Invariants: a header parses the same from any read that holds all of it,
// any shorter read is `incomplete`; a v2 header rewritten by write_proxy_v2
// parses back to the same endpoints; an address prints and reparses to itself.
inline Failure proxy_protocol(Bytes input) {
  using protocol::ProxyHeaderStatus;
  auto full = protocol::parse_proxy_header(input);
  if (full && full->status == ProxyHeaderStatus::complete) {
    const auto& hdr = full->header;
    if (hdr.length == 0 || hdr.length > input.size()) return "PROXY header length outside the input";
    for (std::size_t k = 0; k <= input.size(); ++k) {
      auto part = protocol::parse_proxy_header(input.first(k));
      if (k < hdr.length) {
        if (!part || part->status != ProxyHeaderStatus::incomplete) return "a prefix of a PROXY header is not incomplete";
      } else if (!part || part->status != ProxyHeaderStatus::complete || !(part->header.source == hdr.source) ||
                 !(part->header.destination == hdr.destination) || part->header.length != hdr.length ||
                 part->header.local != hdr.local) {
        return "a PROXY header parses differently with more bytes after it";
      }
    }
    if (!hdr.local) {
      std::vector<std::uint8_t> again;
      protocol::write_proxy_v2(again, hdr.source, hdr.destination);
      auto back = protocol::parse_proxy_header(again);
      if (!back || back->status != ProxyHeaderStatus::complete) return "write_proxy_v2 output does not parse";
      if (!(back->header.source.address.unmapped() == hdr.source.address.unmapped()) ||
          back->header.source.port != hdr.source.port ||
          !(back->header.destination.address.unmapped() == hdr.destination.address.unmapped()) ||
          back->header.destination.port != hdr.destination.port) {
        return "write_proxy_v2 does not round-trip the endpoints";
      }
    }
  } else if (!full) {
    (void)full.error().message();
  }
  const std::string_view text(reinterpret_cast<const char*>(input.data()), std::min<std::size_t>(input.size(), 256));
  if (auto ip = net::parse_ip_address(text)) {
    auto again = net::parse_ip_address(ip->to_string());
    if (!again || !(*again == *ip)) return "an IP address does not reparse from its own text";
  }
  if (auto cidr = protocol::parse_cidr(text)) {
    auto again = protocol::parse_cidr(cidr->to_string());
    if (!again || !(*again == *cidr)) return "a CIDR does not reparse from its own text";
    if (!cidr->contains(cidr->network)) return "a CIDR does not contain its own network address";
  }
  return nullptr;
}

// (6) Inflater::peek / peek_packet_id / inflate / verify with a claimed size.
// Layout: [mode][claim: 3 bytes, top bit: allow > 128 KiB][peek size] data...
//   mode bit0: `data` is deflated first (valid streams, then damaged by
//   bit1: the last byte dropped); bit2: the claim is negative; bit3: the
//   claim is data's own size (honest when deflated).
// Invariants: inflate succeeds only with exactly the claimed size; peek
// returns min(peek size, claim) bytes, a prefix of what inflate produced.
inline Failure inflater(Bytes input) {
  detail::Header h{input};
  const std::uint8_t mode = h.take();
  const std::uint8_t claim_high = h.take();
  std::int32_t claim = static_cast<std::int32_t>(claim_high) << 16 | static_cast<std::int32_t>(h.take()) << 8 | h.take();
  // Up to 4 MiB when the claim's top bit says so (inflate fills the whole
  // claim, so big claims are slow to fuzz), else up to 128 KiB.
  claim &= (claim_high & 0x80) != 0 ? 0x3FFFFF : 0x1FFFF;
  const std::size_t peek_size = h.take() % 64;
  Bytes data = h.in;
  std::vector<std::uint8_t> deflated;
  if ((mode & 1) != 0) {
    protocol::Deflater{(mode >> 4) % 10}.deflate(data, deflated);
    if ((mode & 2) != 0 && !deflated.empty()) deflated.pop_back();
    if ((mode & 8) != 0) claim = static_cast<std::int32_t>(data.size());
    data = deflated;
  }
  if ((mode & 4) != 0) claim = -claim - 1;

  (void)protocol::check_compressed_header(claim, data.size(), 256, protocol::CompressionLimits{});
  protocol::Inflater inf;
  std::vector<std::uint8_t> out;
  auto whole = inf.inflate(data, claim, out);
  if (whole && (claim < 0 || whole->size() != static_cast<std::size_t>(claim))) {
    return "inflate succeeded with a size other than the claim";
  }
  if (whole && (mode & 1) != 0 && (mode & 8) != 0 && !std::equal(whole->begin(), whole->end(), h.in.begin(), h.in.end())) {
    return "inflate of a deflated input differs from the input";
  }
  std::array<std::uint8_t, 64> dest{};
  auto peeked = inf.peek(data, claim, std::span<std::uint8_t>(dest.data(), peek_size));
  if (peeked) {
    if (claim < 0 || peeked->size() != std::min(peek_size, static_cast<std::size_t>(claim))) {
      return "peek returned other than min(dest, claim) bytes";
    }
    if (whole && !std::equal(peeked->begin(), peeked->end(), whole->begin())) {
      return "peek is not a prefix of the inflated packet";
    }
  }
  auto id = inf.peek_packet_id(data, claim);
  if (whole && !whole->empty() && id) {
    const auto direct = protocol::read_varint_prefix(*whole);
    if (direct.status == protocol::VarIntStatus::ok && direct.value != *id) {
      return "peek_packet_id disagrees with the inflated packet's id";
    }
  }
  // verify() (inflating without keeping the output, for frames nobody
  // inspects) must accept exactly what inflate() accepts.
  auto verified = inf.verify(data, claim);
  if (static_cast<bool>(verified) != static_cast<bool>(whole)) {
    return "verify and inflate disagree on whether the frame is what it claims";
  }
  // Reusing the inflater must not depend on what it saw before.
  std::vector<std::uint8_t> out2;
  auto again = inf.inflate(data, claim, out2);
  if (static_cast<bool>(again) != static_cast<bool>(whole) || (again && out2 != out)) {
    return "a reused Inflater gives another result";
  }
  return nullptr;
}

// Runs the named target; nullptr for an unknown name too (callers check names).
inline Failure run_target(std::string_view name, Bytes input) {
  if (name == "frame_decoder") return frame_decoder(input);
  if (name == "packets") return packets(input);
  if (name == "session") return session_stream(input);
  if (name == "velocity") return velocity(input);
  if (name == "proxy_protocol") return proxy_protocol(input);
  if (name == "inflater") return inflater(input);
  return "unknown fuzz target";
}

}  // namespace rustguard::fuzz
