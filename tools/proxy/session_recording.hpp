#pragma once
// One connection's session recording (docs/recordings.md): every call the
// proxy makes into its core that carries input — the bytes read from either
// side with the time the core got for them, a host-late report, a prior strike at login —
// also goes to the recording, in the same order, so that rustguard-replay
// can make the same calls and get the same rows.
//
// Whether a connection is recorded depends on the player, known only once
// Login Start names it; until then (recordings on, but not yet decided)
// what the core read is held here, at most kMaxHeldBytes, and handed to the
// writer when the connection is chosen. A connection never chosen frees it.
// With recordings off every call returns at its first test.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "recording_writer.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/time.hpp"

namespace rustguard::proxy {

class SessionRecording {
 public:
  // Login traffic is small (handshake, Login Start, a few server packets);
  // a connection that sends more before naming its player is not recorded.
  static constexpr std::size_t kMaxHeldBytes = 64 * 1024;

  // Recordings on for this connection's config: hold its input until decide().
  void arm(RecordingWriter* writer) {
    if (writer == nullptr) return;
    writer_ = writer;
    state_ = State::held;
  }

  bool undecided() const noexcept { return state_ == State::held; }
  bool recording() const noexcept { return state_ == State::on; }

  // The proxy's timer ran the core's due ticks at `t` (PlayerSession::advance).
  // Written only if a host-late report follows before the next read.
  void advanced(Timestamp t) noexcept {
    if (state_ == State::on || state_ == State::held) advanced_at_ = t;
  }

  void bytes(protocol::Direction from, std::span<const std::uint8_t> data, Timestamp t) {
    advanced_at_.reset();  // this read's feed runs the same ticks first
    if (state_ == State::on) {
      if (!writer_->bytes(id_, from, data, t)) cut();
    } else if (state_ == State::held) {
      hold(Held{from, t, {data.begin(), data.end()}, std::nullopt});
    }
  }

  void note(const adapters::recording::Note& n, Timestamp t) {
    // A host-late report after a timer advance: the advance first, so the
    // replay runs those ticks before the report too (recording_control.hpp).
    if (n.kind == adapters::recording::NoteKind::host_late && advanced_at_) {
      const Timestamp at = *advanced_at_;
      advanced_at_.reset();
      note({adapters::recording::NoteKind::advance, {}, {}, {}}, at);
    }
    if (state_ == State::on) {
      if (!writer_->note(id_, n, t)) cut();
    } else if (state_ == State::held) {
      hold(Held{protocol::Direction::serverbound, t, {}, n});
    }
  }

  // Records from the first byte held (`chosen`), or forgets them.
  void decide(bool chosen, std::string stem, const adapters::PcapngEndpoints& endpoints, std::string comment) {
    if (state_ != State::held) return;
    if (!chosen) {
      drop();
      return;
    }
    const Timestamp start = held_.empty() ? Timestamp{} : held_.front().t;
    id_ = writer_->open(std::move(stem), endpoints, std::move(comment), start);
    state_ = State::on;
    // The core-input note first: the streams are what the core read.
    note(adapters::recording::Note{adapters::recording::NoteKind::core_input, {}, {}, {}}, start);
    std::vector<Held> held = std::move(held_);
    held_ = std::vector<Held>();
    held_bytes_ = 0;
    // A timer advance after the last held item stays pending; the held
    // items already carry the advances that came before them.
    const std::optional<Timestamp> pending = advanced_at_;
    advanced_at_.reset();
    for (Held& h : held) {
      if (h.note) {
        note(*h.note, h.t);
      } else {
        bytes(h.from, h.data, h.t);
      }
    }
    advanced_at_ = pending;
  }

  // The connection ended (`closer` closed first).
  void close(Timestamp t, protocol::Direction closer) {
    if (state_ == State::on || state_ == State::cut) writer_->close(id_, t, closer, state_ == State::on);
    state_ = State::done;
    held_ = std::vector<Held>();
  }

 private:
  // off: recordings off; held: undecided, input kept; on: recording; cut:
  // the writer's queue was full, the rest is not recorded (the file is kept
  // as incomplete); done: ended, or not chosen.
  enum class State : std::uint8_t { off, held, on, cut, done };
  struct Held {
    protocol::Direction from;
    Timestamp t;
    std::vector<std::uint8_t> data;
    std::optional<adapters::recording::Note> note;
  };

  void hold(Held h) {
    held_bytes_ += h.data.size() + sizeof(Held);
    if (held_bytes_ > kMaxHeldBytes) {
      drop();
      return;
    }
    held_.push_back(std::move(h));
  }

  void cut() { state_ = State::cut; }

  void drop() {
    state_ = State::done;
    held_ = std::vector<Held>();
    held_bytes_ = 0;
  }

  RecordingWriter* writer_ = nullptr;
  State state_ = State::off;
  std::uint64_t id_ = 0;
  std::optional<Timestamp> advanced_at_;  // a timer advance since the last read
  std::vector<Held> held_;  // released with `= std::vector<Held>()`: `= {}` keeps the capacity
  std::size_t held_bytes_ = 0;
};

}  // namespace rustguard::proxy
