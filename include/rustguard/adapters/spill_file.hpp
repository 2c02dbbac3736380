#pragma once
// The append-only file the violation log falls back to while the database
// cannot be written. Each entry is framed so a reader can trust it or skip it:
//
//   "RGS1" | u32 payload length | u32 CRC-32 of the payload | payload
//
// (big-endian, payload encoded with protocol::Writer). A crash mid-append
// leaves a torn last entry; a reader detects it by length or checksum, logs
// how many bytes it skipped and resynchronises on the next "RGS1" whose
// checksum holds, so one bad entry never hides the good ones after it.
// Appends are fdatasync'ed: a batch counts as spilled only once it is on disk.
// The file is read with pread, never mapped (a fault on a mapping is SIGBUS).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::adapters {

namespace detail {

inline constexpr std::array<std::uint8_t, 4> kSpillMagic{'R', 'G', 'S', '1'};
inline constexpr std::size_t kSpillHeaderBytes = 12;
inline constexpr std::uint32_t kSpillMaxPayload = 64u << 20;
inline constexpr std::int32_t kSpillMaxStringChars = 8 << 20;

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).
inline constexpr std::array<std::uint32_t, 256> kCrcTable = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}();

inline std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

inline std::uint32_t load_u32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// A violation is written as `violation_counted` (the fields of `violation`
// plus the count); `violation` entries from earlier builds still read, with a
// count of 1. An action with an evidence clip is written as `action_clipped`
// (the fields of `action` plus the clip's file name); one without stays an
// `action` entry, which every build reads (clip ""), so a spill without clips
// still imports after a downgrade. Kinds are never renumbered: that is what
// keeps old files readable.
enum class SpillKind : std::uint8_t {
  session_start = 1,
  session_brand,
  session_end,
  violation,
  action,
  violation_counted,
  action_clipped,
};

inline void encode(protocol::Writer& w, const SessionStart& r) {
  w.u8(static_cast<std::uint8_t>(SpillKind::session_start)).u64(r.id).uuid(r.player_uuid);
  w.string(r.player_name).string(r.address).i32(r.protocol_version).i64(r.start_ms);
  w.u8(static_cast<std::uint8_t>(r.source)).string(r.capture_file);
}
inline void encode(protocol::Writer& w, const SessionBrand& r) {
  w.u8(static_cast<std::uint8_t>(SpillKind::session_brand)).u64(r.session_id).string(r.client_brand);
}
inline void encode(protocol::Writer& w, const SessionEnd& r) {
  w.u8(static_cast<std::uint8_t>(SpillKind::session_end)).u64(r.session_id).i64(r.end_ms);
}
inline void encode(protocol::Writer& w, const ViolationRecord& r) {
  const Violation& v = r.violation;
  w.u8(static_cast<std::uint8_t>(SpillKind::violation_counted)).u64(r.id).u64(v.session_id).i64(v.time_ms);
  w.string(v.player_name).uuid(v.player_uuid).string(v.check).string(v.type).f64(v.vl);
  w.string(v.detail).string(v.numbers_json).i32(v.protocol_version).i32(v.ping_ms);
  w.i32(static_cast<std::int32_t>(v.count));
}
inline void encode(protocol::Writer& w, const ActionRecord& r) {
  const SpillKind kind = r.clip.empty() ? SpillKind::action : SpillKind::action_clipped;
  w.u8(static_cast<std::uint8_t>(kind)).u64(r.id).u64(r.session_id).u64(r.violation_id);
  w.i64(r.time_ms).u8(static_cast<std::uint8_t>(r.kind)).string(r.detail).string(r.result);
  if (kind == SpillKind::action_clipped) w.string(r.clip);
}
inline void encode(protocol::Writer&, const std::monostate&) {}

// Parses one payload; nothing (monostate) when it is not a known record.
inline StorageRecord decode(std::span<const std::uint8_t> payload) {
  protocol::Reader r{payload};
  const auto str = [&r] { return r.string(kSpillMaxStringChars); };
  StorageRecord out;
  const auto spill_kind = static_cast<SpillKind>(r.u8());
  switch (spill_kind) {
    case SpillKind::session_start: {
      SessionStart s;
      s.id = r.u64();
      s.player_uuid = r.uuid();
      s.player_name = str();
      s.address = str();
      s.protocol_version = r.i32();
      s.start_ms = r.i64();
      const std::uint8_t source = r.u8();
      if (source > 1) r.fail(protocol::make_error(protocol::Errc::invalid_value, "spill session source", source));
      s.source = static_cast<SessionSource>(source);
      s.capture_file = str();
      out = std::move(s);
      break;
    }
    case SpillKind::session_brand: {
      SessionBrand s;
      s.session_id = r.u64();
      s.client_brand = str();
      out = std::move(s);
      break;
    }
    case SpillKind::session_end: {
      SessionEnd s;
      s.session_id = r.u64();
      s.end_ms = r.i64();
      out = s;
      break;
    }
    case SpillKind::violation:
    case SpillKind::violation_counted: {
      const bool counted = spill_kind == SpillKind::violation_counted;
      ViolationRecord rec;
      Violation& v = rec.violation;
      rec.id = r.u64();
      v.session_id = r.u64();
      v.time_ms = r.i64();
      v.player_name = str();
      v.player_uuid = r.uuid();
      v.check = str();
      v.type = str();
      v.vl = r.f64();
      v.detail = str();
      v.numbers_json = str();
      v.protocol_version = r.i32();
      v.ping_ms = r.i32();
      v.count = counted ? static_cast<std::uint32_t>(r.i32()) : 1;
      out = std::move(rec);
      break;
    }
    case SpillKind::action:
    case SpillKind::action_clipped: {
      ActionRecord a;
      a.id = r.u64();
      a.session_id = r.u64();
      a.violation_id = r.u64();
      a.time_ms = r.i64();
      const std::uint8_t kind = r.u8();
      if (kind > static_cast<std::uint8_t>(ActionKind::setback)) r.fail(protocol::make_error(protocol::Errc::invalid_value, "spill action kind", kind));
      a.kind = static_cast<ActionKind>(kind);
      a.detail = str();
      a.result = str();
      if (spill_kind == SpillKind::action_clipped) a.clip = str();
      out = std::move(a);
      break;
    }
    default:
      return {};
  }
  if (!r.finish("spill record")) return {};
  return out;
}

}  // namespace detail

// The largest id a record carries (sessions, violations, actions).
inline std::uint64_t record_id(const StorageRecord& r) noexcept {
  if (const auto* s = std::get_if<SessionStart>(&r)) return s->id;
  if (const auto* b = std::get_if<SessionBrand>(&r)) return b->session_id;
  if (const auto* e = std::get_if<SessionEnd>(&r)) return e->session_id;
  if (const auto* v = std::get_if<ViolationRecord>(&r)) return v->id;
  if (const auto* a = std::get_if<ActionRecord>(&r)) return a->id;
  return 0;
}

// Appends batches. One instance per file, used by one thread.
class SpillWriter {
 public:
  explicit SpillWriter(std::string path) : path_(std::move(path)) {}
  SpillWriter(const SpillWriter&) = delete;
  SpillWriter& operator=(const SpillWriter&) = delete;
  ~SpillWriter() { close(); }

  const std::string& path() const noexcept { return path_; }

  // Writes every record and syncs. On failure the file is cut back to its
  // previous length (best effort; a reader would skip a leftover torn entry)
  // and `error` says why; the caller still owns the batch.
  bool append(std::span<const StorageRecord> records, std::string& error) {
    std::size_t written = 0;
    return append(records, error, written, UINT64_MAX);
  }

  // The same under a size cap: writes the longest prefix of `records` that
  // keeps the file within `max_file_bytes` and reports its length in
  // `written` (records.size() when everything fitted). The rest is the
  // caller's to account for.
  bool append(std::span<const StorageRecord> records, std::string& error, std::size_t& written,
              std::uint64_t max_file_bytes) {
    written = 0;
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd_ < 0) return fail("open", error);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return fail("stat", error);
    const off_t before = st.st_size;
    const std::uint64_t room =
        max_file_bytes > static_cast<std::uint64_t>(before) ? max_file_bytes - static_cast<std::uint64_t>(before) : 0;
    buffer_.clear();
    protocol::Writer w{buffer_};
    for (const StorageRecord& r : records) {
      if (std::holds_alternative<std::monostate>(r)) {
        ++written;
        continue;
      }
      payload_.clear();
      protocol::Writer pw{payload_};
      std::visit([&pw](const auto& rec) { detail::encode(pw, rec); }, r);
      if (buffer_.size() + detail::kSpillHeaderBytes + payload_.size() > room) break;
      w.bytes(detail::kSpillMagic);
      w.i32(static_cast<std::int32_t>(payload_.size()));
      w.i32(static_cast<std::int32_t>(detail::crc32(payload_)));
      w.bytes(payload_);
      ++written;
    }
    if (buffer_.empty()) return true;
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        written = 0;
        const bool ok = fail("write", error);
        (void)!::ftruncate(fd_, before);
        return ok;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) {
      written = 0;
      const bool ok = fail("fdatasync", error);
      (void)!::ftruncate(fd_, before);
      return ok;
    }
    return true;
  }

  // Closes the descriptor (before an import reads and removes the file).
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool fail(const char* what, std::string& error) {
    error = std::string{what} + " " + path_ + ": " + std::strerror(errno);
    return false;
  }

  std::string path_;
  int fd_ = -1;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> payload_;
};

struct SpillReadStats {
  std::size_t records = 0;
  std::size_t skipped_bytes = 0;  // torn or corrupt entries
  std::uint64_t max_id = 0;
  bool exists = false;
};

namespace detail {

// A forward-moving window over a file read with pread. Never mmap: a page
// fault on a mapped file the disk cannot serve is SIGBUS, while read() just
// reports EIO.
class SpillWindow {
 public:
  SpillWindow(int fd, std::size_t size) : fd_(fd), size_(size) {}

  std::size_t size() const noexcept { return size_; }

  // The bytes [at, at + n) of the file, clipped at its end; empty at or past
  // the end. False when reading fails (read_errno() says why).
  bool view(std::size_t at, std::size_t n, std::span<const std::uint8_t>& out) {
    if (at >= size_) {
      out = {};
      return true;
    }
    n = std::min(n, size_ - at);
    if (at < start_ || at + n > start_ + bytes_.size()) {
      // Read ahead generously: resynchronising after damage asks for every
      // offset in turn, and entries are read one after the other.
      const std::size_t want = std::min(std::max(n, kReadAhead), size_ - at);
      bytes_.resize(want);
      std::size_t got = 0;
      while (got < want) {
        const ssize_t r = ::pread(fd_, bytes_.data() + got, want - got, static_cast<off_t>(at + got));
        if (r < 0) {
          if (errno == EINTR) continue;
          read_errno_ = errno;
          return false;
        }
        if (r == 0) break;  // the file shrank since it was measured
        got += static_cast<std::size_t>(r);
      }
      bytes_.resize(got);
      start_ = at;
      if (got < want) size_ = at + got;
      n = std::min(n, got);
    }
    out = std::span<const std::uint8_t>{bytes_}.subspan(at - start_, n);
    return true;
  }

  int read_errno() const noexcept { return read_errno_; }

 private:
  static constexpr std::size_t kReadAhead = 1 << 20;
  int fd_;
  std::size_t size_;
  std::size_t start_ = 0;
  std::vector<std::uint8_t> bytes_;
  int read_errno_ = 0;
};

// The payload at `at` if a whole, checksum-valid entry starts there. A read
// failure sets `io_error` (and answers false).
inline bool entry_at(SpillWindow& file, std::size_t at, std::vector<std::uint8_t>& payload, bool& io_error) {
  std::span<const std::uint8_t> header;
  if (!file.view(at, kSpillHeaderBytes, header)) {
    io_error = true;
    return false;
  }
  if (header.size() < kSpillHeaderBytes) return false;
  if (std::memcmp(header.data(), kSpillMagic.data(), kSpillMagic.size()) != 0) return false;
  const std::uint32_t len = load_u32(header.data() + 4);
  const std::uint32_t crc = load_u32(header.data() + 8);
  if (len == 0 || len > kSpillMaxPayload || len > file.size() - at - kSpillHeaderBytes) return false;
  std::span<const std::uint8_t> body;
  if (!file.view(at + kSpillHeaderBytes, len, body)) {
    io_error = true;
    return false;
  }
  if (body.size() < len || crc32(body) != crc) return false;
  payload.assign(body.begin(), body.end());
  return true;
}

}  // namespace detail

// Calls `on_record` for every valid entry in file order. `on_skip(offset,
// bytes)` reports each damaged stretch. Returns false (with `error`) only
// when the file exists but cannot be read; a missing file is an empty spill.
// `on_record` may return false to stop early (the caller failed to use it).
inline bool read_spill_file(const std::string& path, const std::function<bool(StorageRecord&&)>& on_record,
                            const std::function<void(std::size_t, std::size_t)>& on_skip, SpillReadStats& stats,
                            std::string& error) {
  stats = {};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;
    error = "open " + path + ": " + std::strerror(errno);
    return false;
  }
  stats.exists = true;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = "stat " + path + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  detail::SpillWindow file{fd, static_cast<std::size_t>(st.st_size)};
  std::vector<std::uint8_t> payload;
  bool io_error = false;
  std::size_t at = 0;
  bool keep_going = true;
  while (at < file.size() && keep_going && !io_error) {
    if (detail::entry_at(file, at, payload, io_error)) {
      StorageRecord rec = detail::decode(payload);
      if (!std::holds_alternative<std::monostate>(rec)) {
        const std::uint64_t id = record_id(rec);
        if (id > stats.max_id) stats.max_id = id;
        ++stats.records;
        keep_going = on_record(std::move(rec));
        at += detail::kSpillHeaderBytes + payload.size();
        continue;
      }
    }
    if (io_error) break;
    // Damaged here: skip to the next offset where a whole valid entry starts.
    std::size_t next = at + 1;
    while (next < file.size() && !detail::entry_at(file, next, payload, io_error) && !io_error) ++next;
    if (io_error) break;
    stats.skipped_bytes += next - at;
    if (on_skip) on_skip(at, next - at);
    at = next;
  }
  ::close(fd);
  if (io_error) {
    error = "read " + path + ": " + std::strerror(file.read_errno());
    return false;
  }
  return true;
}

}  // namespace rustguard::adapters
