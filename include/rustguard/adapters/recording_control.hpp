#pragma once
// RustGuard's notes inside a session recording: what the live core was told
// besides the bytes, so that a replay of the recording calls the core exactly
// as the proxy did (docs/recordings.md).
//
// A session recording is a pcapng file (adapters/pcapng_writer.hpp) of one
// connection as the core read it: the TCP stream from the client carries the
// bytes the proxy read from the player, the stream back carries the bytes it
// read from the backend, each stamped with the time the core was given. Next to
// the stream, on the same addresses and ports, travel UDP datagrams with one
// note each, stamped with the time the proxy made the call:
//
//   RUSTGUARD/1 core-input                  first, before any byte: the streams
//                                           are the core's input, replay as live
//   RUSTGUARD/1 host-late <delay_us>        PlayerSession::host_late(t, delay)
//   RUSTGUARD/1 prior-strike <at_us> <group>  PlayerSession::add_prior_strike
//   RUSTGUARD/1 advance                     PlayerSession::advance(t): the proxy's
//                                           timer ran the core's due ticks at t
//   RUSTGUARD/1 context <base64>            evidence clips only: the player's
//                                           context where the clip's middle part
//                                           starts (context/context_snapshot.hpp);
//                                           PlayerSession::restore_context
//
// The proxy's timer calls advance() between reads; a tick runs at its own
// instant whoever calls it, so the next read's feed would run it the same
// way, except when a host-late report came between the two: the engine holds
// timing flags from that report on. So the proxy writes an advance note only
// right before a host-late note that follows a timer advance (the one call
// that could reorder), and the replay makes the same advance call there.
//
// Plain ASCII lines, so tshark shows them as they are; a newline ends each.
// A reader ignores datagrams that do not start with the magic, and counts
// (never trusts) ones that do but do not parse: a capture is input from
// anyone.

#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rustguard/time.hpp"

namespace rustguard::adapters::recording {

inline constexpr std::string_view kMagic = "RUSTGUARD/1 ";
// Longest note a reader accepts (a group name is a config key: short), and
// longest context note (a snapshot with many tracked entities; one UDP
// datagram carries at most 65,507 bytes).
inline constexpr std::size_t kMaxNoteBytes = 512;
inline constexpr std::size_t kMaxContextNoteBytes = 60 * 1024;

enum class NoteKind : std::uint8_t {
  core_input,    // the recording holds what the core read: replay in live mode
  host_late,     // delay: how late the proxy read (engine::on_host_late)
  prior_strike,  // at + group: a strike from an earlier session, given at login
  advance,       // the core's due ticks ran at the note's time (PlayerSession::advance)
  context,       // a context snapshot (clips): restore it here
};

struct Note {
  NoteKind kind = NoteKind::core_input;
  Micros delay{0};    // host_late
  Timestamp at{};     // prior_strike
  std::string group;  // prior_strike
  std::vector<std::uint8_t> context{};  // context: the snapshot's bytes
};

namespace detail {
inline constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

inline std::string base64(std::span<const std::uint8_t> in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64[(v >> shift) & 63];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (two ? std::uint32_t{in[i + 1]} << 8 : 0);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += two ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Strict: padded, no whitespace, no bits left over.
inline std::optional<std::vector<std::uint8_t>> unbase64(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    std::uint32_t v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      const auto at = kBase64.find(c);
      if (at == std::string_view::npos || pad > 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(at);
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(v));
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) return std::nullopt;
  }
  return out;
}
}  // namespace detail

inline std::string encode(const Note& n) {
  std::string s{kMagic};
  switch (n.kind) {
    case NoteKind::core_input:
      s += "core-input";
      break;
    case NoteKind::host_late:
      s += "host-late " + std::to_string(n.delay.count());
      break;
    case NoteKind::prior_strike:
      s += "prior-strike " + std::to_string(n.at.micros) + " " + n.group;
      break;
    case NoteKind::advance:
      s += "advance";
      break;
    case NoteKind::context:
      s += "context " + detail::base64(n.context);
      break;
  }
  s += '\n';
  return s;
}

// True when `payload` starts with the magic: a note, valid or not.
inline bool is_note(std::span<const std::uint8_t> payload) noexcept {
  const std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
  return text.starts_with(kMagic);
}

// The note in `payload`, or nothing when it is not a well-formed note.
inline std::optional<Note> parse(std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxContextNoteBytes || !is_note(payload)) return std::nullopt;
  std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
  if (!text.ends_with('\n')) return std::nullopt;
  text.remove_prefix(kMagic.size());
  text.remove_suffix(1);
  const auto verb_end = text.find(' ');
  const std::string_view verb = text.substr(0, verb_end);
  std::string_view rest = verb_end == std::string_view::npos ? std::string_view{} : text.substr(verb_end + 1);
  Note n;
  if (verb == "context") {
    auto bytes = detail::unbase64(rest);
    if (!bytes || bytes->empty()) return std::nullopt;
    n.kind = NoteKind::context;
    n.context = std::move(*bytes);
    return n;
  }
  if (payload.size() > kMaxNoteBytes) return std::nullopt;
  auto number = [&rest](std::int64_t& out) {
    const auto end = rest.find(' ');
    const std::string_view digits = rest.substr(0, end);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty()) return false;
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return true;
  };
  if (verb == "core-input" && verb_end == std::string_view::npos) {
    n.kind = NoteKind::core_input;
    return n;
  }
  if (verb == "advance" && verb_end == std::string_view::npos) {
    n.kind = NoteKind::advance;
    return n;
  }
  if (verb == "host-late") {
    std::int64_t delay = 0;
    if (!number(delay) || !rest.empty() || delay < 0) return std::nullopt;
    n.kind = NoteKind::host_late;
    n.delay = Micros{delay};
    return n;
  }
  if (verb == "prior-strike") {
    std::int64_t at = 0;
    if (!number(at) || rest.empty()) return std::nullopt;
    // The group's name is the rest of the line, as the config spells it
    // (spaces and UTF-8 included); no control characters.
    for (const char c : rest) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    }
    n.kind = NoteKind::prior_strike;
    n.at = Timestamp{at};
    n.group = std::string(rest);
    return n;
  }
  return std::nullopt;
}

}  // namespace rustguard::adapters::recording
