#pragma once
// The replay itself: captured frames -> TCP reassembly -> one
// ConnectionSession per Minecraft connection, fed with the capture's
// timestamps exactly as the live proxy feeds a session from its sockets.
//
// A flow is a Minecraft connection when one side's first bytes are a complete
// handshake; that side is the client, whichever side sent the SYN and on
// whatever port (captures of either leg of the proxy work the same way).
// Other flows are skipped and counted. Each player is a
// session::PlayerSession in observe mode, fed and advanced with capture
// time; its events go through the same SessionRecorder as live, to the
// ViolationLog when one is given (actions marked "not executed"), in capture
// order from this one thread, so a fresh database gets the same rows (ids
// included) every run.
//
// A session recording (adapters/recording_control.hpp) is replayed as the
// live proxy ran it: its core-input note, on the connection's endpoints
// before any byte, turns that connection's session into the live one
// (EngineMode::originate, fed from the first byte with no probing, the
// client being the side that sent the SYN, as the writer writes it), and its
// host-late and prior-strike notes make the calls the proxy made, at their
// place in the file. What the session would send is dropped, as in any
// replay; its events are the live ones.

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "replay/capture_feed.hpp"
#include "replay/capture_files.hpp"
#include "replay/capture_reader.hpp"
#include "replay/flow_table.hpp"
#include "replay/handshake_probe.hpp"
#include "replay/replay_report.hpp"
#include "replay/tcp_reassembly.hpp"
#include "rustguard/adapters/clip_cut.hpp"
#include "rustguard/adapters/config.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "rustguard/adapters/session_recorder.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/context/context_snapshot.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/session/player_session.hpp"

namespace rustguard::replay {

// What a replay hands every connection: the loaded config.
struct ReplaySettings {
  Config config;
};

class ReplayAnalyzer final : public StreamSink, public NoteSink {
 public:
  ReplayAnalyzer(const ReplaySettings& settings, adapters::ViolationLog* log)
      : settings_(settings), engine_config_(std::make_shared<const engine::EngineConfig>(settings.config.checks)),
        log_(log) {}

  // The capture file being read: connections that open now started in it.
  void set_current_file(std::string name) { current_file_ = std::move(name); }

  void on_open(const FlowInfo& info) override {
    auto state = std::make_unique<FlowState>(settings_, engine_config_, log_, engine::EngineMode::observe);
    state->info = info;
    state->report.flow = info.id;
    state->report.capture_file = current_file_;
    state->report.start_ns = info.start_ns;
    flows_[info.id] = std::move(state);
    open_by_endpoints_[FlowKey::of(info.client, info.server)] = info.id;
  }

  void on_data(const FlowInfo& info, Direction dir, std::span<const std::uint8_t> bytes,
               std::int64_t time_ns) override {
    const auto it = flows_.find(info.id);
    if (it == flows_.end()) return;
    FlowState& f = *it->second;
    if (!f.any_bytes) {
      f.any_bytes = true;
      if (f.report.session_recording) f.report.start_ns = time_ns;
    }
    if (f.phase == Phase::probing) {
      probe(info, f, dir, bytes, time_ns);
    } else if (f.phase == Phase::live) {
      feed(f, to_minecraft(f, dir), bytes, time_ns);
    }
  }

  void on_gap(const FlowInfo& info, Direction dir, std::uint64_t offset, std::int64_t) override {
    const auto it = flows_.find(info.id);
    if (it == flows_.end() || it->second->phase != Phase::live) return;
    FlowState& f = *it->second;
    ++totals_.gaps;
    if (f.report.stream_problem.empty()) {
      f.report.stream_problem = std::string(protocol::to_string(to_minecraft(f, dir))) + " bytes missing from offset " +
                                std::to_string(offset);
    }
    f.phase = Phase::done;  // a stream with a hole cannot be framed past it
  }

  void on_close(const FlowInfo& info, FlowEnd, std::int64_t time_ns) override {
    if (const auto open = open_by_endpoints_.find(FlowKey::of(info.client, info.server));
        open != open_by_endpoints_.end() && open->second == info.id) {
      open_by_endpoints_.erase(open);
    }
    const auto it = flows_.find(info.id);
    if (it == flows_.end()) return;
    FlowState& f = *it->second;
    if (f.phase == Phase::probing) ++totals_.skipped_flows;  // never sent a byte, or too few
    if (f.player) {
      // As the proxy does when a connection ends: the ticks due until then,
      // and the folded violation records still pending.
      const Timestamp now{time_ns / 1000};
      if (f.phase == Phase::live) f.session.advance(now, f.out);
      f.session.finish(f.out);
      take_events(f);
      f.out.clear();
      finish_player(f, time_ns);
    }
    flows_.erase(it);
  }

  // A session recording's note, between the same endpoints as its
  // connection (either way round), at its place among the TCP data.
  void on_note(const UdpDatagram& datagram, std::int64_t time_ns) override {
    const std::optional<adapters::recording::Note> note = adapters::recording::parse(datagram.payload);
    if (!note) {
      ++totals_.malformed_notes;
      return;
    }
    const auto open = open_by_endpoints_.find(FlowKey::of(datagram.source, datagram.destination));
    const auto it = open == open_by_endpoints_.end() ? flows_.end() : flows_.find(open->second);
    if (it == flows_.end()) {
      ++totals_.unmatched_notes;
      return;
    }
    const Timestamp now{time_ns / 1000};
    switch (note->kind) {
      case adapters::recording::NoteKind::core_input:
        if (!start_recording(it->second)) {
          ++totals_.refused_notes;
          return;
        }
        break;
      case adapters::recording::NoteKind::host_late:
        it->second->session.host_late(now, note->delay);
        break;
      case adapters::recording::NoteKind::prior_strike:
        it->second->session.add_prior_strike(note->group, note->at);
        break;
      case adapters::recording::NoteKind::advance:
        // The proxy's timer ran the due ticks here (before a host-late
        // report): so does the replay. Nothing to run once the core closed.
        if (it->second->phase == Phase::live) advance(*it->second, time_ns);
        break;
      case adapters::recording::NoteKind::context:
        if (!restore_context(*it->second, note->context)) {
          ++totals_.refused_notes;
          return;
        }
        break;
    }
    ++totals_.notes;
  }

  // Players of the connections closed so far, in flow order, and the counts.
  std::vector<PlayerReport> take_players() {
    std::sort(players_.begin(), players_.end(), [](const auto& a, const auto& b) { return a.flow < b.flow; });
    return std::move(players_);
  }
  const ReplayTotals& totals() const noexcept { return totals_; }

 private:
  enum class Phase : std::uint8_t { probing, live, done, skipped };

  struct FlowState {
    FlowState(const ReplaySettings& s, std::shared_ptr<const engine::EngineConfig> engine,
              adapters::ViolationLog* log, engine::EngineMode mode)
        : session(s.config.limits, std::move(engine), mode),
          recorder(log, adapters::RecorderOrigin{adapters::SessionSource::replay, {}, {}}) {
      session.count_kinds();
      // As live: a forwarding answer the live proxy refused is refused here too.
      session.require_velocity_secret(s.config.velocity.forwarding_secret);
    }
    FlowInfo info;
    bool any_bytes = false;  // the reassembler delivered a byte of either direction
    Phase phase = Phase::probing;
    Direction client_side = Direction::client_to_server;  // the reassembly direction that carries the client
    std::array<std::vector<std::uint8_t>, 2> probe;
    session::PlayerSession session;
    adapters::SessionRecorder recorder;
    session::Output out;
    PlayerReport report;
    bool player = false;  // a login connection (not a status ping)
  };

  // "1.8, 1.8.1, ..., 1.8.9" -> "1.8-1.8.9": every release that speaks the protocol.
  static std::string release_range(std::string_view names) {
    const auto first_end = names.find(", ");
    if (first_end == std::string_view::npos) return std::string(names);
    const auto last_start = names.rfind(", ") + 2;
    return std::string(names.substr(0, first_end)) + "-" + std::string(names.substr(last_start));
  }

  // core-input: the connection is a session recording, so its session
  // becomes the live proxy's, fed from the first byte. Refused (and said in
  // the report) once a byte came: the session, or the probe, already took
  // bytes the live core would have read in another mode.
  bool start_recording(std::unique_ptr<FlowState>& slot) {
    FlowState& old = *slot;
    if (old.any_bytes) {
      if (old.report.recording_problem.empty()) {
        old.report.recording_problem =
            "core-input note after the connection's first bytes: ignored, replayed in observe mode";
      }
      return false;
    }
    if (old.report.session_recording) return true;  // said twice: nothing changes
    auto fresh = std::make_unique<FlowState>(settings_, engine_config_, log_, engine::EngineMode::originate);
    FlowState& f = *fresh;
    f.info = old.info;
    f.report.flow = old.report.flow;
    f.report.capture_file = old.report.capture_file;
    f.report.start_ns = old.report.start_ns;
    f.report.session_recording = true;
    // The writer's client is the side that sent the SYN; no probe decides it.
    f.phase = Phase::live;
    f.client_side = Direction::client_to_server;
    f.report.address = f.info.client.to_string();
    f.recorder = adapters::SessionRecorder(
        log_, adapters::RecorderOrigin{adapters::SessionSource::replay, f.report.address, f.report.capture_file});
    ++totals_.minecraft_flows;
    slot = std::move(fresh);
    return true;
  }

  static protocol::Direction to_minecraft(const FlowState& f, Direction dir) noexcept {
    return dir == f.client_side ? protocol::Direction::serverbound : protocol::Direction::clientbound;
  }

  void probe(const FlowInfo& info, FlowState& f, Direction dir, std::span<const std::uint8_t> bytes,
             std::int64_t time_ns) {
    auto& buffered = f.probe[static_cast<std::size_t>(dir)];
    buffered.insert(buffered.end(), bytes.begin(), bytes.end());
    const HandshakeProbe verdict = probe_handshake(buffered);
    if (verdict == HandshakeProbe::need_more) return;
    if (verdict == HandshakeProbe::not_handshake) {
      f.phase = Phase::skipped;
      f.probe = {};
      ++totals_.skipped_flows;
      return;
    }
    f.phase = Phase::live;
    f.client_side = dir;
    f.report.address = (dir == Direction::client_to_server ? info.client : info.server).to_string();
    f.recorder = adapters::SessionRecorder(
        log_, adapters::RecorderOrigin{adapters::SessionSource::replay, f.report.address, f.report.capture_file});
    f.report.start_ns = time_ns;
    ++totals_.minecraft_flows;
    const auto client_bytes = std::move(buffered);
    const auto other = std::move(f.probe[1 - static_cast<std::size_t>(dir)]);
    f.probe = {};
    feed(f, protocol::Direction::serverbound, client_bytes, time_ns);
    if (!other.empty() && f.phase == Phase::live) feed(f, protocol::Direction::clientbound, other, time_ns);
  }

  void feed(FlowState& f, protocol::Direction from, std::span<const std::uint8_t> bytes, std::int64_t time_ns) {
    // The session runs the ticks due before these bytes at their own
    // instants, as the proxy's timer does between reads.
    f.session.feed(from, bytes, Timestamp{time_ns / 1000}, f.out);
    after_call(f);
  }

  // An evidence clip's context note (adapters/clip_cut.hpp): the player's
  // context where the clip's middle part starts. The session must be past
  // the clip's prologue (decoding, in play); the checks start over there.
  static bool restore_context(FlowState& f, std::span<const std::uint8_t> packed) {
    if (f.phase != Phase::live || !f.session.engine().context().in_play) {
      f.report.recording_problem = "a context note before the connection reached play: ignored";
      return false;
    }
    const auto raw = adapters::unpack_snapshot(packed);
    context::DecodedSnapshot decoded =
        raw ? context::decode_snapshot(*raw) : context::DecodedSnapshot{std::nullopt, "it does not inflate"};
    if (!decoded.context) {
      f.report.recording_problem = "a context note that does not decode: " + decoded.error;
      return false;
    }
    f.session.restore_context(std::move(*decoded.context));
    f.report.clip_context_restored = true;
    return true;
  }

  // A session recording's advance note: the ticks due by then.
  void advance(FlowState& f, std::int64_t time_ns) {
    f.session.advance(Timestamp{time_ns / 1000}, f.out);
    after_call(f);
  }

  // What the session's answer to a call means for the report and the rows.
  void after_call(FlowState& f) {
    const protocol::ConnectionTracker& tracker = f.session.tracker();
    if (!f.player && tracker.state(protocol::Direction::serverbound) != protocol::State::handshake) {
      if (tracker.intent() == protocol::packets::Intent::status) {
        ++totals_.status_flows;
        f.phase = Phase::done;  // nothing to judge in a server-list ping
      } else {
        f.player = true;
        f.report.protocol = tracker.protocol();
        f.report.release = release_range(protocol::release_names(tracker.protocol()));
      }
    }
    if (f.player) note_play(f);
    take_events(f);
    if (f.out.close) {
      f.report.closed_by_core = f.out.close->reason;
      f.phase = Phase::done;
    } else if (f.session.opaque() && f.report.stream_problem.empty()) {
      f.report.stream_problem = tracker.encrypted() ? "encrypted (online mode): not inspected after login"
                                                    : "not inspected (unknown protocol version or legacy ping)";
    }
    f.out.clear();
  }

  void note_play(FlowState& f) {
    const protocol::ConnectionTracker& tracker = f.session.tracker();
    // Login Start's name until Login Success (the PlayerLoggedIn event) confirms it.
    if (f.report.name.empty() && !tracker.identity().name.empty()) f.report.name = tracker.identity().name;
    if (tracker.state(protocol::Direction::clientbound) == protocol::State::play) f.report.reached_play = true;
  }

  // The core's events: into the report (a record may fold several flags,
  // so the report counts flags, and alerts as the proxy raises them, one
  // per record) and through the recorder into the database.
  void take_events(FlowState& f) {
    for (session::Event& e : f.out.events) {
      if (auto* in = std::get_if<session::PlayerLoggedIn>(&e)) {
        f.report.name = in->name;
        if (in->uuid) f.report.uuid = in->uuid->to_string();
      } else if (auto* b = std::get_if<session::ClientBrand>(&e)) {
        f.report.brand = b->brand;
      } else if (auto* found = std::get_if<session::ViolationFound>(&e)) {
        const Violation& v = found->violation;
        CheckTally& t = f.report.checks[v.check];
        t.count += v.count;
        t.max_vl = std::max(t.max_vl, v.vl);
        if (has(v.outcome, Outcome::alert)) ++t.alerts;
        totals_.violations += v.count;
      }
    }
    if (f.player) f.recorder.record(f.out.events);
    f.out.events.clear();
  }

  void finish_player(FlowState& f, std::int64_t time_ns) {
    PlayerReport& r = f.report;
    r.end_ns = time_ns;
    const auto& c2s = f.session.counters(protocol::Direction::serverbound);
    const auto& s2c = f.session.counters(protocol::Direction::clientbound);
    r.packets_serverbound = c2s.packets;
    r.packets_clientbound = s2c.packets;
    r.bytes_serverbound = c2s.bytes;
    r.bytes_clientbound = s2c.bytes;
    const auto& counts = *f.session.kind_counts();
    for (std::size_t d = 0; d < 2; ++d) {
      for (std::size_t k = 0; k < protocol::kPacketKindCount; ++k) {
        if (counts[d][k] != 0) r.kinds[std::string(protocol::name_of(static_cast<protocol::PacketKind>(k)))] += counts[d][k];
      }
    }
    // The model stage's windows, when the config keeps them (train / evaluate).
    r.feature_windows = f.session.engine().check<checks::model::CombatCheck>().collected();
    f.recorder.end(Timestamp{time_ns / 1000});
    players_.push_back(std::move(r));
  }

  const ReplaySettings& settings_;
  std::shared_ptr<const engine::EngineConfig> engine_config_;  // one for every connection, as live
  adapters::ViolationLog* log_;
  std::string current_file_;
  std::unordered_map<std::uint64_t, std::unique_ptr<FlowState>> flows_;
  FlowTable<std::uint64_t> open_by_endpoints_;  // open connection -> flow id, for the notes
  std::vector<PlayerReport> players_;
  ReplayTotals totals_;
};

struct ReplayOptions {
  adapters::ViolationLog* log = nullptr;  // null: nothing is stored
  // Called now and then with bytes read so far and the total size of the files.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Replays one CAPTURE argument: a file, or a folder whose capture files are
// read in name order as one run (rotated tcpdump files continue each other).
inline CaptureReport replay_capture(const std::filesystem::path& argument, const ReplaySettings& settings,
                             const ReplayOptions& options = {}) {
  CaptureReport report;
  report.capture = argument.filename().string();
  if (report.capture.empty()) report.capture = argument.parent_path().filename().string();
  std::error_code ec;
  const auto files = capture_files(argument, ec);
  if (ec) {
    report.totals.errors.push_back(argument.string() + ": " + ec.message());
    return report;
  }
  std::uint64_t total_bytes = 0, done_bytes = 0;
  for (const auto& file : files) total_bytes += std::filesystem::file_size(file, ec);

  ReplayAnalyzer analyzer(settings, options.log);
  TcpReassembler reassembler(analyzer);
  CaptureStats stats;
  std::int64_t last_ns = 0;
  for (const auto& file : files) {
    analyzer.set_current_file(file.filename().string());
    CaptureReader reader(file.string());
    if (!reader.ok()) {
      report.totals.errors.push_back(reader.error());
      continue;
    }
    CaptureFrame frame;
    std::uint64_t frames = 0;
    for (bool more = true; more;) {
      switch (reader.next(frame)) {
        case CaptureReader::Next::frame:
          feed_frame(reader.link_type(), frame, reassembler, stats, &analyzer);
          last_ns = std::max(last_ns, frame.time_ns);
          done_bytes += frame.bytes.size() + 16;  // the record header
          if (options.progress && (++frames & 0xFFF) == 0) options.progress(done_bytes, total_bytes);
          break;
        case CaptureReader::Next::end:
          more = false;
          break;
        case CaptureReader::Next::error:
          report.totals.errors.push_back(file.string() + ": " + reader.error());
          more = false;
          break;
      }
    }
  }
  reassembler.finish(last_ns);
  if (options.progress) options.progress(total_bytes, total_bytes);

  report.players = analyzer.take_players();
  report.totals += analyzer.totals();
  const ReassemblyStats& rs = reassembler.stats();
  report.totals.frames = stats.frames;
  report.totals.bytes = stats.bytes;
  report.totals.tcp_flows = rs.flows;
  report.totals.skipped_flows += rs.flows_without_handshake;
  for (const PlayerReport& p : report.players) report.totals.packets += p.packets_serverbound + p.packets_clientbound;
  return report;
}

}  // namespace rustguard::replay
