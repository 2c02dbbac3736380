#pragma once
// An evidence clip from a ring's raw contents (ClipRing::cut): which frames go
// in, and the pcapng file they make (docs/recordings.md, "Evidence clips").
//
// A clip is
//   1. the prologue: the connection's frames up to the client's first
//      movement packet in play, so a replay starts as at a fresh login
//      (version, compression, player, entity id, first position);
//   2. when the ring no longer reaches back to the prologue: a
//      `RUSTGUARD/1 context <base64>` note with the oldest context snapshot
//      still in the ring (the replay restores it there; the checks start
//      afresh, their violation levels at 0), then the ring's frames after it;
//   3. else the ring's frames, all of them (the session so far, whole).
// Later snapshots are left out: each would restart the checks again.
//
// Runs on the clip writer's thread (the copy out of the ring was two
// memcpys on the packet path); the cut is this process's own bytes.

#include <zlib.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rustguard/adapters/clip_ring.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "rustguard/time.hpp"

namespace rustguard::adapters {

// A context snapshot as a clip carries it: zlib-deflated (a snapshot is
// ~0.5 KiB per tracked entity, mostly zeros and repeats: 10.6 KB with 20
// entities deflates to 1.3 KB). Level 1: taken on the packet path every
// clips.snapshot_interval.
inline std::vector<std::uint8_t> pack_snapshot(std::span<const std::uint8_t> snapshot) {
  uLongf size = compressBound(static_cast<uLong>(snapshot.size()));
  std::vector<std::uint8_t> out(size);
  if (compress2(out.data(), &size, snapshot.data(), static_cast<uLong>(snapshot.size()), 1) != Z_OK) return {};
  out.resize(size);
  return out;
}
// The snapshot inside a clip's context note; nothing when it does not
// inflate to at most `max_bytes` (a clip is input from anyone).
inline std::optional<std::vector<std::uint8_t>> unpack_snapshot(std::span<const std::uint8_t> packed,
                                                                std::size_t max_bytes = 4u << 20) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return std::nullopt;
  std::vector<std::uint8_t> out(std::min<std::size_t>(max_bytes, std::max<std::size_t>(packed.size() * 8, 4096)));
  z.next_in = const_cast<Bytef*>(packed.data());
  z.avail_in = static_cast<uInt>(packed.size());
  int rc = Z_OK;
  for (;;) {
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_FINISH);
    if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) break;
    if (z.avail_out != 0 || out.size() >= max_bytes) break;  // stuck, or over the cap
    out.resize(std::min(max_bytes, out.size() * 2));
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  out.resize(z.total_out);
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

struct ClipContents {
  std::vector<ClipFrame> frames;  // in order; a `context` entry is the note
  bool restores_context = false;  // starts mid-session from a snapshot
  std::size_t chat_left_out = 0;  // chat frames redacted (left out)
  std::string problem;            // non-empty: no clip can be made
};

// `redact_chat`: chat frames (the client's chat and commands, system chat to
// it) are left out of the clip. No check reads them; the replay's packet
// counts then differ from the live ones by that many.
inline ClipContents clip_contents(const ClipCut& cut, bool redact_chat) {
  ClipContents c;
  if (!cut.prologue_complete) {
    c.problem = "the connection's login did not fit its prologue (clips need the login to start from)";
    return c;
  }
  auto keep = [&](ClipFrame&& f) {
    if (redact_chat && f.chat) {
      ++c.chat_left_out;
      return;
    }
    c.frames.push_back(std::move(f));
  };
  ClipRing::Reader prologue{cut.prologue.data(), cut.prologue.size(), 0, cut.prologue.size(), cut.prologue_start};
  while (prologue.remaining() > 0) keep(prologue.next());
  ClipRing::Reader ring{cut.records.data(), cut.records.size(), 0, cut.records.size(), cut.head_time};
  bool first = true, started = cut.from_start;
  while (ring.remaining() > 0) {
    ClipFrame f = ring.next(first);
    first = false;
    if (f.context) {
      if (started) continue;  // the session is whole, or a snapshot is already in
      started = true;
      c.restores_context = true;
      c.frames.push_back(std::move(f));
      continue;
    }
    if (started) keep(std::move(f));
  }
  if (!started) c.problem = "the ring holds no context snapshot to start from";
  return c;
}

// Writes `contents` as a pcapng file at `path` (never replacing one): the
// frames as one TCP connection between `endpoints`, the snapshot as a note.
// Empty on success, else why not.
inline std::string write_clip(const std::string& path, const PcapngEndpoints& endpoints,
                              const ClipContents& contents, std::string comment) {
  if (contents.frames.empty()) return "the clip has no frames";
  PcapngOptions options;
  options.comment = std::move(comment);
  PcapngWriter w{path, endpoints, std::move(options)};
  Timestamp last = contents.frames.front().time;
  bool ok = w.handshake(last);
  for (const ClipFrame& f : contents.frames) {
    if (!ok) break;
    last = f.time;
    if (f.context) {
      recording::Note note;
      note.kind = recording::NoteKind::context;
      note.context = f.bytes;
      const std::string text = recording::encode(note);
      if (text.size() > recording::kMaxContextNoteBytes) return "the context snapshot is too large for a note";
      ok = w.datagram(protocol::Direction::serverbound,
                      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, f.time);
    } else {
      ok = w.write(f.direction, f.bytes, f.time);
    }
  }
  if (ok) ok = w.finish(last);
  return ok ? std::string{} : w.error();
}

}  // namespace rustguard::adapters
