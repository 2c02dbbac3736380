#pragma once
// One simulated player: a client that logs in like the vanilla game for its
// protocol version and then plays honestly, so that an anti-cheat in front of
// the server has nothing to flag.
//
// Login: handshake, Login Start, compression when told, Login Acknowledged
// and the configuration phase (1.20.2+), the brand. Play: the spawn teleport
// is confirmed (1.9+) and answered with a position at its target; keep-alives
// are answered at once, the transactions a proxy injects (Ping -> Pong from
// 1.17, a rejected window-0 Window Confirmation -> its acceptance before) in
// order at the next tick, before its movement, as the vanilla game thread does.
//
// Movement follows vanilla physics on flat ground at y = 64 (on_ground true):
// at 20 Hz the player walks between waypoints near its spawn, velocity
// v' = 0.546 v + 0.098 towards the waypoint (ground friction 0.6 x 0.91,
// walking acceleration 0.1 x 0.98 input), which tops out at 0.216 blocks a
// tick (4.3 m/s) and is never more than movement.speed's envelope. Below
// 20 Hz (the idle lobby profile) it stands still and sends its position once
// every 20/Hz ticks, like vanilla's reminder when nothing changes (vanilla 1.8
// would also send an on-ground-only packet on every other tick; the idle
// profile leaves those out on every version, so it is one movement packet a
// second). From 1.21.2 every tick ends with Client Tick End, whatever the
// movement rate, as the vanilla client does (--no-tick-end: none, like
// mineflayer). Swing + attack on another entity and chat lines come
// at low rates (defaults: every 2 s and every 30 s), each player at its own
// phase.
//
// Cheaters (--cheaters N, the first N players): every cheat_every ticks the
// player's attack targets its own entity instead, which no vanilla client
// can do (badpackets.self_attack flags it at once and cancels it). It is the
// cheapest flag RustGuard raises that leaves everything measured alone: the
// attack is not a movement packet (timer, movement checks and the latency
// FIFOs see nothing of it) and the backend never needed it. Benchmarks use
// it to make the punishment ladders act (tools/bench/actions_bench.mjs).

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <string>

#include "loadgen/packet_stream.hpp"
#include "loadgen/packets.hpp"
#include "loadgen/worker.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"

namespace rustguard::loadgen {

namespace pk = protocol::packets;

struct PlayerOptions {
  std::int32_t protocol = 769;
  std::string host = "127.0.0.1";  // sent in the handshake
  std::uint16_t port = 25565;
  double move_hz = 20;
  std::uint32_t attack_every_ticks = 40;  // 0: never
  std::uint32_t chat_every_ticks = 600;   // 0: never
  std::uint32_t cheaters = 0;             // the first `cheaters` players also attack themselves
  std::uint32_t cheat_every_ticks = 20;   // how often a cheater does; 0: never
  std::int32_t other_entities = 8;        // entity ids the backend moves: attack targets
  std::chrono::milliseconds login_timeout{30'000};
  bool tick_end = true;  // 1.21.2+: Client Tick End every tick, as vanilla (mineflayer sends none)
  bool look_about = false;  // walkers turn their view a little on most ticks, as players do (walk_step)
};

// Entity ids the in-process backend gives the player itself and the other
// (moving) entities; the player attacks the latter.
inline constexpr std::int32_t kFirstOtherEntityId = 1'000'000;

// The player's name: lg00001, lg00002, ... (1-based), parsed back by the backend.
inline std::string player_name(std::uint32_t index) {
  std::string digits = std::to_string(index + 1);
  if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
  return "lg" + digits;
}

// Text of a disconnect reason: a JSON component's raw text, or a root NBT
// string's characters; other NBT is named by its size.
inline std::string reason_text(std::span<const std::uint8_t> reason, bool nbt) {
  if (!nbt) return std::string(reason.begin(), reason.end());
  if (reason.size() >= 3 && reason[0] == 8) {
    const std::size_t n = (std::size_t{reason[1]} << 8) | reason[2];
    if (reason.size() >= 3 + n) return std::string(reason.begin() + 3, reason.begin() + 3 + static_cast<long>(n));
  }
  return "(NBT reason, " + std::to_string(reason.size()) + " bytes)";
}

class SimulatedPlayer : public Tickable, public std::enable_shared_from_this<SimulatedPlayer> {
 public:
  SimulatedPlayer(Worker& worker, const PlayerOptions& options, std::uint32_t index, PlayerLatency* latency)
      : worker_(worker),
        options_(options),
        index_(index),
        name_(player_name(index)),
        latency_(latency),
        version_(protocol::find_version(options.protocol)),
        login_timer_(worker.io),
        rng_(0x9E3779B97F4A7C15ULL ^ (index + 1)) {
    const double hz = std::max(0.05, std::min(20.0, options.move_hz));
    ticks_per_move_ = static_cast<std::uint32_t>(std::lround(20.0 / hz));
    walking_ = ticks_per_move_ <= 1;
  }

  void start(const tcp::endpoint& target) {
    ++worker_.stats.players_started;
    worker_.wheel.add(shared_from_this());
    asio::co_spawn(worker_.io, run(target), asio::detached);
  }

  // Game tick (20 Hz): movement, actions, Client Tick End.
  bool on_tick(Clock::time_point /*now*/) override {
    if (finished_) return false;
    if (worker_.clock.closing) {
      end_of_run();
      return false;
    }
    answer_transactions();
    if (!spawned_ || worker_.clock.stop_sending) {
      if (stream_) stream_->flush();
      return true;
    }
    ++ticks_;
    const std::int32_t p = options_.protocol;
    // The vanilla client handles clicks before its player ticks, so an
    // attack comes before the tick's movement packet (after it is what
    // killaura.post looks for).
    if (options_.attack_every_ticks != 0 && (ticks_ + index_) % options_.attack_every_ticks == 0) attack();
    if (index_ < options_.cheaters && options_.cheat_every_ticks != 0 &&
        (ticks_ + index_) % options_.cheat_every_ticks == 0) {
      attack(true);
    }
    if (walking_) {
      walk_step();
    } else if (ticks_ % ticks_per_move_ == 0) {
      stand_still();
    }
    if (options_.chat_every_ticks != 0 && (ticks_ + index_ * 7) % options_.chat_every_ticks == 0) chat();
    if (options_.tick_end && protocol::has_client_tick_end(p)) {
      body_.clear();
      sent(PacketKind::client_tick_end_c2s);
    }
    stream_->flush();
    return true;
  }

  // Packet handler for PacketStream::read_all.
  bool wants_body(PacketKind kind) const noexcept {
    switch (kind) {
      case PacketKind::set_compression_login_s2c:
      case PacketKind::login_success_s2c:
      case PacketKind::login_disconnect_s2c:
      case PacketKind::login_plugin_request_s2c:
      case PacketKind::config_keep_alive_s2c:
      case PacketKind::config_ping_s2c:
      case PacketKind::config_disconnect_s2c:
      case PacketKind::login_play_s2c:
      case PacketKind::sync_player_position_s2c:
      case PacketKind::keep_alive_s2c:
      case PacketKind::ping_s2c:
      case PacketKind::window_confirmation_s2c:
      case PacketKind::disconnect_s2c: return true;
      default: return false;
    }
  }

  bool on_packet(PacketKind kind, std::span<const std::uint8_t> body, std::size_t wire_bytes) {
    auto& stats = worker_.stats;
    ++stats.clientbound.packets_received;
    stats.clientbound.bytes_received += wire_bytes;
    const std::int32_t p = options_.protocol;
    switch (kind) {
      // --- login
      case PacketKind::set_compression_login_s2c: {
        auto packet = pk::SetCompressionLoginS2c::decode(body, p);
        if (!packet) return fail_login("bad Set Compression: " + packet.error().message());
        stream_->set_inbound_threshold(packet->threshold);
        stream_->set_outbound_threshold(packet->threshold);
        return true;
      }
      case PacketKind::login_success_s2c: {
        if (auto packet = pk::LoginSuccessS2c::decode(body, p); !packet) {
          return fail_login("bad Login Success: " + packet.error().message());
        }
        if (protocol::has_configuration_state(p)) {
          send_empty(PacketKind::login_acknowledged_c2s);
          stream_->set_state(State::configuration);
          send_brand(PacketKind::config_custom_payload_c2s);
        } else {
          stream_->set_state(State::play);
        }
        stream_->flush();
        return true;
      }
      case PacketKind::login_disconnect_s2c: {
        auto packet = pk::LoginDisconnectS2c::decode(body, p);
        return fail_login("disconnected: " + (packet ? packet->reason_json : std::string{"(unreadable reason)"}));
      }
      case PacketKind::encryption_request_s2c:
        return fail_login("the server is in online mode (encryption is not simulated)");
      case PacketKind::login_plugin_request_s2c: {
        auto packet = pk::LoginPluginRequestS2c::decode(body, p);
        if (!packet) return fail_login("bad Login Plugin Request: " + packet.error().message());
        body_.clear();
        packets::login_plugin_not_understood(body_, packet->message_id);
        sent(PacketKind::login_plugin_response_c2s);
        stream_->flush();
        return true;
      }
      // --- configuration (1.20.2+)
      case PacketKind::finish_configuration_s2c:
        send_empty(PacketKind::finish_configuration_c2s);
        stream_->set_state(State::play);
        stream_->flush();
        return true;
      case PacketKind::config_keep_alive_s2c: {
        auto packet = pk::ConfigKeepAliveS2c::decode(body, p);
        if (!packet) return fail_login("bad configuration Keep Alive: " + packet.error().message());
        body_.clear();
        packets::config_keep_alive_answer(body_, packet->keep_alive_id);
        sent(PacketKind::config_keep_alive_c2s);
        stream_->flush();
        return true;
      }
      case PacketKind::config_ping_s2c: {
        auto packet = pk::ConfigPingS2c::decode(body, p);
        if (!packet) return fail_login("bad configuration Ping: " + packet.error().message());
        body_.clear();
        packets::config_pong(body_, packet->id);
        sent(PacketKind::config_pong_c2s);
        stream_->flush();
        return true;
      }
      case PacketKind::config_disconnect_s2c: {
        auto packet = pk::ConfigDisconnectS2c::decode(body, p);
        return fail_login("disconnected: " + (packet ? reason_text(packet->reason, packet->reason_is_nbt)
                                                     : std::string{"(unreadable reason)"}));
      }
      // --- play
      case PacketKind::login_play_s2c: {
        auto packet = pk::LoginPlayS2c::decode(body, p);
        if (!packet) return fail_login("bad Login (play): " + packet.error().message());
        entity_id_ = packet->entity_id;
        if (!protocol::has_configuration_state(p)) send_brand(PacketKind::custom_payload_c2s);
        stream_->flush();
        return true;
      }
      case PacketKind::sync_player_position_s2c: {
        auto packet = pk::SyncPlayerPositionS2c::decode(body, p);
        if (!packet) return end_with("bad Synchronize Player Position: " + packet.error().message());
        on_teleport(*packet);
        return true;
      }
      case PacketKind::start_configuration_s2c:
        // The server sends the player back to configuration (a server switch behind a proxy).
        send_empty(PacketKind::configuration_acknowledged_c2s);
        stream_->set_state(State::configuration);
        stream_->flush();
        return true;
      case PacketKind::keep_alive_s2c: {
        auto packet = pk::KeepAliveS2c::decode(body, p);
        if (!packet) return end_with("bad Keep Alive: " + packet.error().message());
        body_.clear();
        packets::keep_alive_answer(body_, p, packet->id);
        sent(PacketKind::keep_alive_c2s);
        ++stats.keep_alives_answered;
        stream_->flush();
        return true;
      }
      case PacketKind::ping_s2c: {
        auto packet = pk::PingS2c::decode(body, p);
        if (!packet) return end_with("bad Ping: " + packet.error().message());
        pending_transactions_.push_back(packet->id);
        return true;
      }
      case PacketKind::window_confirmation_s2c: {
        auto packet = pk::WindowConfirmationS2c::decode(body, p);
        if (!packet) return end_with("bad Window Confirmation: " + packet.error().message());
        if (packet->accepted || packet->window_id != 0) return true;  // only a rejected one asks for an answer
        pending_transactions_.push_back(packet->action);
        return true;
      }
      case PacketKind::disconnect_s2c: {
        auto packet = pk::DisconnectS2c::decode(body, p);
        const std::string reason =
            packet ? reason_text(packet->reason, packet->reason_is_nbt) : std::string{"(unreadable reason)"};
        return spawned_ ? end_with("kicked: " + reason) : fail_login("disconnected: " + reason);
      }
      case PacketKind::entity_relative_move_s2c:
      case PacketKind::entity_teleport_s2c:
      case PacketKind::entity_position_sync_s2c: measured_arrival(); return true;
      default: return true;
    }
  }

 private:
  asio::awaitable<void> run(tcp::endpoint target) {
    auto self = shared_from_this();  // alive until the coroutine ends
    login_timer_.expires_after(options_.login_timeout);
    login_timer_.async_wait([weak = weak_from_this()](const asio::error_code& error) {
      if (error) return;
      if (auto player = weak.lock(); player && !player->spawned_ && !player->finished_) {
        player->fail_login("timeout (not in play after " + std::to_string(player->options_.login_timeout.count()) +
                           " ms)");
      }
    });
    stream_ = std::make_shared<PacketStream>(worker_, tcp::socket(worker_.io), protocol::Direction::clientbound);
    stream_->set_version(version_);
    auto [error] = co_await stream_->socket().async_connect(target, use_nothrow);
    if (finished_) co_return;
    if (error) {
      fail_login(error == asio::error::connection_refused ? std::string{"refused"}
                                                          : "connect failed: " + error.message());
      co_return;
    }
    asio::error_code ignored;
    stream_->socket().set_option(tcp::no_delay(true), ignored);
    body_.clear();
    packets::intention(body_, options_.protocol, options_.host, options_.port);
    sent(PacketKind::intention_c2s);
    stream_->set_state(State::login);
    body_.clear();
    packets::login_start(body_, options_.protocol, name_, packets::player_uuid(index_));
    sent(PacketKind::login_start_c2s);
    stream_->flush();
    const std::string ended = co_await stream_->read_all(*this);
    if (!finished_) {
      if (spawned_) {
        end_with("closed: " + ended);
      } else {
        fail_login("closed: " + ended);
      }
    }
  }

  // The vanilla client handles Ping and Window Confirmation on its game
  // thread, at the start of a frame before that frame's ticks, so its answers
  // leave with (just before) the tick's movement, and stop when the game
  // thread stalls, as movement does. Answering them on arrival instead while
  // ticks stall would look like a client that withholds movement while alive
  // (blink) whenever this process falls behind.
  void answer_transactions() {
    if (pending_transactions_.empty() || !stream_) return;
    const std::int32_t p = options_.protocol;
    for (const std::int32_t id : pending_transactions_) {
      body_.clear();
      if (protocol::has_ping_pong(p)) {
        packets::pong(body_, id);
        sent(PacketKind::pong_c2s);
      } else {
        packets::window_confirmation_answer(body_, 0, static_cast<std::int16_t>(id));
        sent(PacketKind::window_confirmation_c2s);
      }
      ++worker_.stats.transactions_answered;
    }
    pending_transactions_.clear();
  }

  void on_teleport(const pk::SyncPlayerPositionS2c& t) {
    const std::int32_t p = options_.protocol;
    const protocol::Vec3 target{t.relative.x ? position_.x + t.position.x : t.position.x,
                                t.relative.y ? position_.y + t.position.y : t.position.y,
                                t.relative.z ? position_.z + t.position.z : t.position.z};
    const float yaw = t.relative.yaw ? yaw_ + t.yaw : t.yaw;
    const float pitch = t.relative.pitch ? pitch_ + t.pitch : t.pitch;
    if (protocol::has_teleport_confirm(p)) {
      body_.clear();
      packets::confirm_teleport(body_, t.teleport_id);
      sent(PacketKind::confirm_teleport_c2s);
      ++worker_.stats.teleports_confirmed;
    }
    // The vanilla answer: the new position and rotation, not on the ground.
    position_ = target;
    yaw_ = yaw;
    pitch_ = pitch;
    velocity_ = {};
    body_.clear();
    packets::set_position_rotation(body_, p, position_, yaw_, pitch_, false);
    measured_send();
    sent(PacketKind::set_position_rotation_c2s);
    stream_->flush();
    if (!spawned_) {
      spawned_ = true;
      home_ = position_;
      waypoint_ = position_;
      login_timer_.cancel();
      ++worker_.stats.players_logged_in;
    }
  }

  // One tick of walking towards the current waypoint (a new one, within 8
  // blocks of home, once within half a block of it).
  void walk_step() {
    const std::int32_t p = options_.protocol;
    double dx = waypoint_.x - position_.x;
    double dz = waypoint_.z - position_.z;
    bool new_waypoint = false;
    if (std::hypot(dx, dz) < 0.5) {
      waypoint_ = {home_.x + uniform(-8, 8), home_.y, home_.z + uniform(-8, 8)};
      dx = waypoint_.x - position_.x;
      dz = waypoint_.z - position_.z;
      new_waypoint = true;
    }
    const double distance = std::max(1e-9, std::hypot(dx, dz));
    constexpr double kGroundFriction = 0.6 * 0.91;
    constexpr double kWalkAcceleration = 0.1 * 0.98;
    velocity_.x = velocity_.x * kGroundFriction + kWalkAcceleration * dx / distance;
    velocity_.z = velocity_.z * kGroundFriction + kWalkAcceleration * dz / distance;
    position_.x += velocity_.x;
    position_.z += velocity_.z;
    position_.y = packets::kGroundY;
    body_.clear();
    // Minecraft's yaw: 0 faces +z, 90 faces -x. A vanilla client turns by
    // whole mouse counts times its sensitivity's step (here sensitivity
    // 0.5), in float as the client does, and never wraps its yaw: the aim
    // checks (aim.sensitivity, aim.yaw_wrap) read exactly that.
    if (new_waypoint) facing_ = std::atan2(-dx, dz) * 180.0 / std::numbers::pi;
    bool turned = false;
    if (new_waypoint || options_.look_about) {
      // Looking about: the view sways around the way walked, up to 15
      // degrees aside and 10 up or down over a few seconds (a turn of 0 to
      // about 10 counts a tick), each player in its own phase.
      double aside = 0;
      double up = 0;
      if (options_.look_about) {
        const double phase = static_cast<double>(ticks_) / 20.0 + static_cast<double>(index_ % 97);
        aside = 15.0 * std::sin(phase * 2.0 * std::numbers::pi / 3.1);
        up = 10.0 * std::sin(phase * 2.0 * std::numbers::pi / 4.3);
      }
      const double yaw_counts = mouse_counts(std::remainder(facing_ + aside - static_cast<double>(yaw_), 360.0));
      const double pitch_counts = options_.look_about ? mouse_counts(-up - static_cast<double>(pitch_)) : 0.0;
      yaw_ += static_cast<float>(yaw_counts * kMouseCountScale) * 0.15F;
      pitch_ += static_cast<float>(pitch_counts * kMouseCountScale) * 0.15F;
      turned = yaw_counts != 0 || pitch_counts != 0;  // vanilla sends its look only when it changed (aim.duplicate)
    }
    if (turned) {
      packets::set_position_rotation(body_, p, position_, yaw_, pitch_, true);
      measured_send();
      sent(PacketKind::set_position_rotation_c2s);
    } else {
      packets::set_position(body_, p, position_, true);
      measured_send();
      sent(PacketKind::set_position_c2s);
    }
  }

  // The mouse's step at sensitivity 0.5: f = 0.5 * 0.6 + 0.2, f^3 * 8 counts
  // of 0.15 degrees.
  static constexpr double kMouseFactor = 0.5 * 0.6 + 0.2;
  static constexpr double kMouseCountScale = kMouseFactor * kMouseFactor * kMouseFactor * 8.0;
  static double mouse_counts(double degrees) { return std::round(degrees / (kMouseCountScale * 0.15)); }

  void stand_still() {
    body_.clear();
    position_.y = packets::kGroundY;
    packets::set_position(body_, options_.protocol, position_, true);
    measured_send();
    sent(PacketKind::set_position_c2s);
  }

  // `self`: a cheater's attack on its own entity (see the top).
  void attack(bool self = false) {
    const std::int32_t p = options_.protocol;
    const auto others = static_cast<std::uint32_t>(std::max(1, options_.other_entities));
    std::int32_t target = kFirstOtherEntityId + static_cast<std::int32_t>(index_ % others);
    if (target == entity_id_) ++target;  // never ourselves (badpackets.self_attack) unless cheating
    if (self) {
      if (entity_id_ < 0) return;  // Login (play) not seen yet
      target = entity_id_;
      ++worker_.stats.self_attacks;
    }
    // 1.8 clients swing, then attack; later ones attack, then swing.
    const bool swing_first = p <= protocol::v::v1_8;
    if (swing_first) swing();
    body_.clear();
    packets::attack(body_, p, target);
    sent(packets::attack_kind(p));
    if (!swing_first) swing();
    ++worker_.stats.attacks;
  }

  void swing() {
    body_.clear();
    packets::swing_arm(body_, options_.protocol);
    sent(PacketKind::swing_arm_c2s);
  }

  void chat() {
    const std::int32_t p = options_.protocol;
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    body_.clear();
    packets::chat(body_, p, "hello from " + name_ + " #" + std::to_string(++chats_), now_ms.count(),
                  static_cast<std::int64_t>(next_random()));
    sent(PacketKind::chat_message_c2s);
    ++worker_.stats.chats;
  }

  void send_brand(PacketKind kind) {
    body_.clear();
    packets::brand(body_, options_.protocol, "vanilla");
    sent(kind);
  }
  void send_empty(PacketKind kind) {
    body_.clear();
    sent(kind);
  }
  // Queues body_ as a packet of `kind` and counts it.
  void sent(PacketKind kind) {
    const std::size_t bytes = stream_->send(kind, body_);
    if (bytes == 0) return;
    ++worker_.stats.serverbound.packets_sent;
    worker_.stats.serverbound.bytes_sent += bytes;
  }

  // Stamped when the packet is built, microseconds before the tick's flush
  // writes it, not at the tick wheel's phase time: a phase serves a tenth
  // of the players one after another.
  void measured_send() {
    const auto now = Clock::now();
    // How long this player went without a movement packet: more than
    // timer.negative's 1.5 s is this process's own stall, not the proxy's.
    if (last_move_sent_ != Clock::time_point{}) {
      const auto gap = std::chrono::duration_cast<std::chrono::microseconds>(now - last_move_sent_).count();
      worker_.stats.movement_gap.add(static_cast<std::uint64_t>(gap));
      if (gap > 1'500'000) ++worker_.stats.movement_gaps_over_1500ms;
    }
    last_move_sent_ = now;
    if (latency_ == nullptr) return;
    latency_->serverbound.push(now);
    ++worker_.stats.serverbound.measured_sent;
  }
  void measured_arrival() {
    if (latency_ == nullptr) return;
    auto& stats = worker_.stats.clientbound;
    const auto sent_at = latency_->clientbound.pop();
    if (!sent_at) {
      ++stats.mismatches;
      return;
    }
    ++stats.measured_received;
    if (*sent_at >= worker_.clock.measure_from) record_one_way(stats, *sent_at, stream_->arrived_at());
  }

  bool fail_login(const std::string& reason) {
    if (finished_) return false;
    finished_ = true;
    worker_.stats.add_reason(worker_.stats.login_failures, reason);
    shut();
    return false;
  }
  bool end_with(const std::string& reason) {
    if (finished_) return false;
    finished_ = true;
    if (worker_.clock.closing) {
      shut();
      return false;
    }
    if (spawned_) {
      worker_.stats.add_reason(worker_.stats.play_disconnects, reason);
    } else {
      worker_.stats.add_reason(worker_.stats.login_failures, reason);
    }
    shut();
    return false;
  }
  // The run is over: packets still queued in either direction were lost on
  // the way (the drain period gave them time to arrive).
  void end_of_run() {
    if (finished_) return;
    finished_ = true;
    if (!spawned_) worker_.stats.add_reason(worker_.stats.login_failures, "not in play when the run ended");
    if (spawned_ && latency_ != nullptr) {
      worker_.stats.serverbound.lost += latency_->serverbound.in_flight();
      worker_.stats.clientbound.lost += latency_->clientbound.in_flight();
    }
    shut();
  }
  void shut() {
    login_timer_.cancel();
    if (stream_) stream_->close();
  }

  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next_random() >> 11) / static_cast<double>(1ULL << 53);
  }
  std::uint64_t next_random() {  // xorshift64*: deterministic per player
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return rng_ * 0x2545F4914F6CDD1DULL;
  }

  Worker& worker_;
  PlayerOptions options_;
  std::uint32_t index_;
  std::string name_;
  PlayerLatency* latency_;
  const protocol::VersionInfo* version_;
  asio::steady_timer login_timer_;
  std::shared_ptr<PacketStream> stream_;
  std::vector<std::uint8_t> body_;
  std::vector<std::int32_t> pending_transactions_;  // Ping / window confirmation ids, answered at the next tick
  Clock::time_point last_move_sent_{};
  std::uint64_t rng_;
  std::uint32_t ticks_per_move_ = 1;
  bool walking_ = true;
  bool spawned_ = false;
  bool finished_ = false;
  std::uint64_t ticks_ = 0;
  std::uint64_t chats_ = 0;
  std::int32_t entity_id_ = -1;
  protocol::Vec3 position_{};
  protocol::Vec3 velocity_{};
  protocol::Vec3 home_{};
  protocol::Vec3 waypoint_{};
  float yaw_ = 0;
  float pitch_ = 0;
  double facing_ = 0;  // towards the current waypoint
};

}  // namespace rustguard::loadgen
