#pragma once
// The load backend: a fake Minecraft server with the traffic of a real one and
// none of its work. It logs players in (Set Compression, Login Success, the
// configuration phase from 1.20.2), spawns them (Login (play) and a Synchronize
// Player Position, which is what RustGuard's engine needs to follow a player)
// and then, per player: a Keep Alive every second, other entities moving
// around it (Entity Relative Move, and once a second per entity an absolute
// position: Teleport Entity, or Entity Position Sync from 1.21.2), and Chunk
// Data of realistic size. Chunk Data is real at its head (the chunk
// coordinates, all RustGuard's decoder reads) and filler after it: nobody here
// renders a world. The filler deflates about 4:1, like real chunk sections,
// and chunk frames are built once per thread, so sending them costs a copy.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/packet_stream.hpp"
#include "loadgen/packets.hpp"
#include "loadgen/player.hpp"
#include "loadgen/worker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"

namespace rustguard::loadgen {

struct BackendOptions {
  std::int32_t compression_threshold = 256;  // negative: no Set Compression
  std::int32_t entities = 8;                 // other entities moving around each player
  double entity_hz = 20;                     // moves per second per entity
  double chunks_per_second = 2;              // Chunk Data per player
  std::size_t chunk_bytes = 16 * 1024;       // uncompressed size of one Chunk Data
  std::int32_t spawn_chunk_radius = 1;       // chunks sent at spawn: (2r+1)^2
};

// Chunk Data frames for one protocol, built once per thread.
class ChunkFrames {
 public:
  static constexpr std::int32_t kRing = 5;  // a 5x5 ring of chunks, sent in turn

  const std::vector<std::uint8_t>& frame(Worker& worker, const BackendOptions& options,
                                         const protocol::VersionInfo& version, std::size_t n) {
    auto& frames = by_protocol_[version.protocol()];
    if (frames.empty()) build(worker, options, version, frames);
    return frames[n % frames.size()];
  }

 private:
  static void build(Worker& worker, const BackendOptions& options, const protocol::VersionInfo& version,
                    std::vector<std::vector<std::uint8_t>>& frames) {
    // Palette-like data: runs of a few values with one byte in eight random,
    // which deflates to about a quarter, as block and light data do.
    std::vector<std::uint8_t> filler(options.chunk_bytes);
    std::uint64_t x = 0x2545F4914F6CDD1DULL;
    for (std::size_t i = 0; i < filler.size(); ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      filler[i] = (x & 7) == 0 ? static_cast<std::uint8_t>(x >> 24) : static_cast<std::uint8_t>((i / 48) % 5);
    }
    std::vector<std::uint8_t> body;
    std::vector<std::uint8_t> packet;
    for (std::int32_t cx = 0; cx < kRing; ++cx) {
      for (std::int32_t cz = 0; cz < kRing; ++cz) {
        body.clear();
        packets::chunk_data(body, cx - kRing / 2, cz - kRing / 2, filler);
        packet.clear();
        protocol::Writer{packet}.varint(version.id_of(PacketKind::chunk_data_s2c)).bytes(body);
        std::vector<std::uint8_t> frame;
        append_packet_frame(worker, options.compression_threshold, packet, frame);
        frames.push_back(std::move(frame));
      }
    }
  }
  std::map<std::int32_t, std::vector<std::vector<std::uint8_t>>> by_protocol_;
};

// Per-thread backend state: the chunk frames.
struct BackendThreadState {
  ChunkFrames chunks;
};

class BackendConnection : public Tickable, public std::enable_shared_from_this<BackendConnection> {
 public:
  BackendConnection(Worker& worker, BackendThreadState& thread_state, const BackendOptions& options,
                    std::vector<std::unique_ptr<PlayerLatency>>& latencies, tcp::socket socket)
      : worker_(worker),
        thread_state_(thread_state),
        options_(options),
        latencies_(latencies),
        stream_(std::make_shared<PacketStream>(worker, std::move(socket), protocol::Direction::serverbound)) {
    const double hz = std::max(0.05, std::min(20.0, options.entity_hz));
    ticks_per_entity_move_ = static_cast<std::uint32_t>(std::lround(20.0 / hz));
    const double chunks = std::max(0.0, std::min(20.0, options.chunks_per_second));
    ticks_per_chunk_ = chunks > 0 ? static_cast<std::uint32_t>(std::lround(20.0 / chunks)) : 0;
  }

  void start() {
    ++worker_.stats.backend_connections;
    asio::error_code ignored;
    stream_->socket().set_option(tcp::no_delay(true), ignored);
    worker_.wheel.add(shared_from_this());
    asio::co_spawn(worker_.io, run(), asio::detached);
  }

  bool on_tick(Clock::time_point /*now*/) override {
    if (finished_) return false;
    if (worker_.clock.closing) {
      finish(false);
      return false;
    }
    if (!playing_ || worker_.clock.stop_sending) return true;
    ++ticks_;
    if (ticks_ % 20 == 0) send_keep_alive();
    if (options_.entities > 0 && ticks_ % ticks_per_entity_move_ == 0) move_entities();
    if (ticks_per_chunk_ != 0 && ticks_ % ticks_per_chunk_ == 0) send_chunk();
    stream_->flush();
    return true;
  }

  bool wants_body(PacketKind kind) const noexcept {
    switch (kind) {
      case PacketKind::intention_c2s:
      case PacketKind::status_ping_c2s:
      case PacketKind::login_start_c2s:
      case PacketKind::keep_alive_c2s: return true;
      default: return false;
    }
  }

  bool on_packet(PacketKind kind, std::span<const std::uint8_t> body, std::size_t wire_bytes) {
    auto& stats = worker_.stats;
    ++stats.serverbound.packets_received;
    stats.serverbound.bytes_received += wire_bytes;
    switch (kind) {
      case PacketKind::intention_c2s: {
        auto packet = pk::IntentionC2s::decode(body, 0);
        if (!packet) return error("bad handshake: " + packet.error().message());
        protocol_ = packet->protocol_version;
        stream_->set_version(protocol::find_version(protocol_));
        if (stream_->version() == nullptr) return error("unsupported protocol " + std::to_string(protocol_));
        stream_->set_state(packet->intent == pk::Intent::status ? State::status : State::login);
        return true;
      }
      case PacketKind::status_request_c2s:
        body_.clear();
        packets::status_response(body_, protocol_);
        send(PacketKind::status_response_s2c);
        stream_->flush();
        return true;
      case PacketKind::status_ping_c2s: {
        auto packet = pk::StatusPingC2s::decode(body, protocol_);
        if (!packet) return error("bad status ping");
        body_.clear();
        packets::status_pong(body_, packet->payload);
        send(PacketKind::status_pong_s2c);
        stream_->flush();
        return true;
      }
      case PacketKind::login_start_c2s: {
        auto packet = pk::LoginStartC2s::decode(body, protocol_);
        if (!packet) return error("bad Login Start: " + packet.error().message());
        login(packet->name, packet->uuid);
        return true;
      }
      case PacketKind::login_acknowledged_c2s:
        stream_->set_state(State::configuration);
        send_empty(PacketKind::finish_configuration_s2c);
        stream_->flush();
        return true;
      case PacketKind::finish_configuration_c2s:
        stream_->set_state(State::play);
        enter_play();
        return true;
      case PacketKind::keep_alive_c2s: {
        auto packet = pk::KeepAliveC2s::decode(body, protocol_);
        if (!packet || packet->keep_alive_id != keep_alive_id_) ++stats.backend_keep_alive_mismatches;
        return true;
      }
      case PacketKind::set_position_c2s:
      case PacketKind::set_position_rotation_c2s: measured_arrival(); return true;
      default: return true;
    }
  }

 private:
  asio::awaitable<void> run() {
    auto self = shared_from_this();
    const std::string ended = co_await stream_->read_all(*this);
    (void)ended;
    finish(false);
  }

  // `sent_uuid`: the one in Login Start (1.19.1+); before that the server
  // picks it, here the player's own (player_uuid), so that every player has
  // a UUID of its own on every version, as on a real server (a proxy keys
  // strikes and webhook alerts by it).
  void login(const std::string& name, const std::optional<protocol::Uuid>& sent_uuid) {
    // lg00001 -> player 0: the FIFOs of the player this process simulates.
    if (name.size() > 2 && name.starts_with("lg")) {
      std::uint32_t number = 0;
      const auto [end, ec] = std::from_chars(name.data() + 2, name.data() + name.size(), number);
      if (ec == std::errc{} && end == name.data() + name.size() && number >= 1 && number <= latencies_.size()) {
        index_ = number - 1;
        latency_ = latencies_[index_].get();
      }
    }
    const protocol::Uuid uuid = sent_uuid.value_or(packets::player_uuid(index_));
    if (options_.compression_threshold >= 0) {
      body_.clear();
      packets::set_compression(body_, options_.compression_threshold);
      send(PacketKind::set_compression_login_s2c);
      stream_->set_outbound_threshold(options_.compression_threshold);
      stream_->set_inbound_threshold(options_.compression_threshold);
    }
    body_.clear();
    packets::login_success(body_, protocol_, uuid, name);
    send(PacketKind::login_success_s2c);
    if (protocol::has_configuration_state(protocol_)) {
      stream_->flush();  // configuration starts at the client's Login Acknowledged
    } else {
      stream_->set_state(State::play);
      enter_play();
    }
  }

  void enter_play() {
    ++worker_.stats.backend_logins;
    home_ = {static_cast<double>(index_ % 64) * 48 + 0.5, packets::kGroundY,
             static_cast<double>(index_ / 64) * 48 + 0.5};
    body_.clear();
    packets::login_play(body_, protocol_, static_cast<std::int32_t>(index_) + 1);
    send(PacketKind::login_play_s2c);
    body_.clear();
    packets::sync_player_position(body_, protocol_, home_, 1);
    send(PacketKind::sync_player_position_s2c);
    const std::int32_t r = std::max(0, options_.spawn_chunk_radius);
    for (std::int32_t i = 0; i < (2 * r + 1) * (2 * r + 1); ++i) send_chunk();
    entity_positions_.assign(static_cast<std::size_t>(std::max(0, options_.entities)), home_);
    playing_ = true;
    stream_->flush();
  }

  void send_keep_alive() {
    keep_alive_id_ = ++keep_alives_;
    body_.clear();
    packets::keep_alive(body_, protocol_, keep_alive_id_);
    send(PacketKind::keep_alive_s2c);
  }

  // Each entity walks a circle of its own around the player at about walking speed.
  void move_entities() {
    // Stamped now, not at the tick wheel's phase time (player.hpp's measured_send).
    const auto now = Clock::now();
    ++entity_moves_;
    const std::size_t count = entity_positions_.size();
    for (std::size_t k = 0; k < count; ++k) {
      const double radius = 3.0 + static_cast<double>(k % 5);
      const double angle = static_cast<double>(entity_moves_) * 0.2 / radius + static_cast<double>(k);
      const protocol::Vec3 next{home_.x + radius * std::cos(angle), packets::kGroundY,
                                home_.z + radius * std::sin(angle)};
      const auto entity_id = kFirstOtherEntityId + static_cast<std::int32_t>(k);
      body_.clear();
      if ((entity_moves_ + k) % 20 == 0) {
        packets::entity_absolute(body_, protocol_, entity_id, next, true);
        measured_send(now);
        send(packets::entity_absolute_kind(protocol_));
      } else {
        const protocol::Vec3& before = entity_positions_[k];
        packets::entity_relative_move(body_, protocol_, entity_id,
                                      {next.x - before.x, next.y - before.y, next.z - before.z}, true);
        measured_send(now);
        send(PacketKind::entity_relative_move_s2c);
      }
      entity_positions_[k] = next;
    }
  }

  void send_chunk() {
    const auto& frame =
        thread_state_.chunks.frame(worker_, options_, *stream_->version(), static_cast<std::size_t>(chunks_sent_++));
    const std::size_t bytes = stream_->send_frame(frame);
    ++worker_.stats.clientbound.packets_sent;
    worker_.stats.clientbound.bytes_sent += bytes;
  }

  void send_empty(PacketKind kind) {
    body_.clear();
    send(kind);
  }
  void send(PacketKind kind) {
    const std::size_t bytes = stream_->send(kind, body_);
    if (bytes == 0) return;
    ++worker_.stats.clientbound.packets_sent;
    worker_.stats.clientbound.bytes_sent += bytes;
  }

  void measured_send(Clock::time_point now) {
    if (latency_ == nullptr) return;
    latency_->clientbound.push(now);
    ++worker_.stats.clientbound.measured_sent;
  }
  void measured_arrival() {
    if (latency_ == nullptr) return;
    auto& stats = worker_.stats.serverbound;
    const auto sent_at = latency_->serverbound.pop();
    if (!sent_at) {
      ++stats.mismatches;
      return;
    }
    ++stats.measured_received;
    if (*sent_at >= worker_.clock.measure_from) record_one_way(stats, *sent_at, stream_->arrived_at());
  }

  bool error(const std::string& what) {
    ++worker_.stats.backend_errors;
    if (worker_.stats.backend_errors <= 5) std::fprintf(stderr, "loadgen backend: %s\n", what.c_str());
    finish(true);
    return false;
  }
  void finish(bool) {
    if (finished_) return;
    finished_ = true;
    stream_->close();
  }

  Worker& worker_;
  BackendThreadState& thread_state_;
  const BackendOptions& options_;
  std::vector<std::unique_ptr<PlayerLatency>>& latencies_;
  std::shared_ptr<PacketStream> stream_;
  std::vector<std::uint8_t> body_;
  std::int32_t protocol_ = 0;
  std::uint32_t index_ = 0;
  PlayerLatency* latency_ = nullptr;
  bool playing_ = false;
  bool finished_ = false;
  std::uint64_t ticks_ = 0;
  std::uint32_t ticks_per_entity_move_ = 1;
  std::uint32_t ticks_per_chunk_ = 0;
  std::int64_t keep_alive_id_ = 0;
  std::int64_t keep_alives_ = 0;
  std::uint64_t entity_moves_ = 0;
  std::uint64_t chunks_sent_ = 0;
  protocol::Vec3 home_{};
  std::vector<protocol::Vec3> entity_positions_;
};

// Accepts connections on one thread and hands each to the next worker.
class LoadBackend {
 public:
  LoadBackend(std::vector<std::unique_ptr<Worker>>& workers, const BackendOptions& options,
              std::vector<std::unique_ptr<PlayerLatency>>& latencies, const tcp::endpoint& listen)
      : workers_(workers),
        options_(options),
        latencies_(latencies),
        thread_states_(workers.size()),
        acceptor_(workers.front()->io, listen),
        retry_timer_(workers.front()->io) {}

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void start() { asio::co_spawn(workers_.front()->io, accept_loop(), asio::detached); }
  // Call on the first worker's thread.
  void stop() {
    stopped_ = true;
    asio::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  }

 private:
  asio::awaitable<void> accept_loop() {
    std::size_t next = 0;
    while (!stopped_) {
      const std::size_t w = next++ % workers_.size();
      Worker& worker = *workers_[w];
      auto [error, socket] = co_await acceptor_.async_accept(worker.io, use_nothrow);
      if (stopped_) break;
      if (error) {
        // Out of file descriptors, say: back off instead of spinning.
        std::fprintf(stderr, "loadgen backend: accept failed: %s\n", error.message().c_str());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        co_await retry_timer_.async_wait(use_nothrow);
        continue;
      }
      asio::post(worker.io, [this, &worker, w, s = std::move(socket)]() mutable {
        std::make_shared<BackendConnection>(worker, thread_states_[w], options_, latencies_, std::move(s))->start();
      });
    }
  }

  std::vector<std::unique_ptr<Worker>>& workers_;
  const BackendOptions& options_;
  std::vector<std::unique_ptr<PlayerLatency>>& latencies_;
  std::vector<BackendThreadState> thread_states_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  bool stopped_ = false;
};

}  // namespace rustguard::loadgen
