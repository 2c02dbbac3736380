#pragma once
// The session recordings' writer thread (docs/recordings.md). Connections
// hand it what their core read (session_recording.hpp); it owns the files.
//
// Off the packet path: a connection's call copies the bytes into the queue
// under a short lock and returns; it never waits for the disk. The queue is
// bounded in bytes (recordings.queue_bytes, every recording together): a
// call that does not fit answers false, and the connection then cuts its
// recording there. A cut recording, or one whose file could not be written
// (disk full), is kept as NAME.pcapng.incomplete with a warning in the log:
// it shows what happened up to the cut but would not replay to the live
// rows. A finished one is renamed from NAME.pcapng.part to NAME.pcapng once
// it is flushed and synced, so a file with that name is always whole.
//
// Retention (recordings.max_age, recordings.max_total_bytes) runs on this
// thread at start and after each recording ends, over the files this writer
// names (DATE-TIME-PLAYER-cID.pcapng and .pcapng.incomplete) in the folder
// only: nothing else there is touched. Oldest first.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "file_retention.hpp"
#include "metrics.hpp"
#include "rustguard/adapters/log_level.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "rustguard/adapters/recording_settings.hpp"
#include "rustguard/adapters/thread_name.hpp"
#include "rustguard/protocol/state.hpp"
#include "rustguard/time.hpp"

namespace rustguard::proxy {


class RecordingWriter {
 public:
  using LogFn = std::function<void(LogLevel, std::string_view)>;

  // Creates the folder if needed and starts the thread (retention runs once
  // at start). A folder that cannot be created is reported by ok()/error().
  RecordingWriter(const RecordingSettings& settings, LogFn log)
      : folder_(settings.folder), limit_(settings.queue_bytes), max_age_(settings.max_age),
        max_total_(settings.max_total_bytes), log_(std::move(log)) {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec || !std::filesystem::is_directory(folder_, ec)) {
      error_ = "cannot create the recordings folder " + folder_.string() + ": " + (ec ? ec.message() : "not a folder");
      return;
    }
    thread_ = std::thread([this] {
      adapters::name_this_thread("rg-recordings");
      run();
    });
  }
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;
  ~RecordingWriter() { stop(); }

  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  const std::filesystem::path& folder() const noexcept { return folder_; }

  // Writes what is queued, closes the recordings still open (as incomplete:
  // their connections did not end), and ends the thread.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // A new recording; its id for the calls below. `stem` becomes the file
  // name (stem + ".pcapng"). Always queued: opening costs no budget.
  std::uint64_t open(std::string stem, const adapters::PcapngEndpoints& endpoints, std::string comment, Timestamp t) {
    const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    Item item{Op::open, id, protocol::Direction::serverbound, t, {}, std::move(stem), std::move(comment), endpoints};
    push(std::move(item), /*budgeted=*/false);
    return id;
  }
  // False: the queue is full; the caller cuts the recording (close(..., false)).
  bool bytes(std::uint64_t id, protocol::Direction from, std::span<const std::uint8_t> data, Timestamp t) {
    Item item{Op::bytes, id, from, t, {data.begin(), data.end()}, {}, {}, {}};
    return push(std::move(item), /*budgeted=*/true);
  }
  bool note(std::uint64_t id, const adapters::recording::Note& n, Timestamp t) {
    const std::string text = adapters::recording::encode(n);
    Item item{Op::note, id, protocol::Direction::serverbound, t, {text.begin(), text.end()}, {}, {}, {}};
    return push(std::move(item), /*budgeted=*/true);
  }
  // The connection ended at `t` (`closer` closed first); `whole`: nothing
  // was cut.
  void close(std::uint64_t id, Timestamp t, protocol::Direction closer, bool whole) {
    Item item{whole ? Op::close : Op::cut, id, closer, t, {}, {}, {}, {}};
    push(std::move(item), /*budgeted=*/false);
  }

  RecordingFigures figures() const {
    RecordingFigures f;
    f.started = started_.load(std::memory_order_relaxed);
    f.finished = finished_.load(std::memory_order_relaxed);
    f.incomplete = incomplete_.load(std::memory_order_relaxed);
    f.bytes = written_.load(std::memory_order_relaxed);
    f.removed = removed_.load(std::memory_order_relaxed);
    f.queued_bytes = queued_.load(std::memory_order_relaxed);
    return f;
  }

  // The file name (without extension) of a recording that starts at `t`
  // (epoch microseconds, shown as UTC): DATE-TIME-PLAYER-cCONNECTION. A
  // name a real client could not have (Login Start is the client's word) is
  // reduced to letters, digits and '_', so it cannot point elsewhere.
  static std::string stem_for(Timestamp t, std::string_view player, std::uint64_t connection) {
    const std::time_t seconds = static_cast<std::time_t>(t.micros / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char date[32];
    std::strftime(date, sizeof date, "%Y%m%d-%H%M%S", &utc);
    std::string name;
    for (const char c : player.substr(0, 16)) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      name += ok ? c : '_';
    }
    if (name.empty()) name = "_";
    return std::string(date) + "-" + name + "-c" + std::to_string(connection);
  }

  // Whether `name` is a file this writer makes (what retention may delete).
  static bool is_recording_file(std::string_view name) {
    static const std::regex pattern{R"(\d{8}-\d{6}-[A-Za-z0-9_]{1,16}-c\d+\.pcapng(\.incomplete)?)"};
    return std::regex_match(name.begin(), name.end(), pattern);
  }

 private:
  enum class Op : std::uint8_t { open, bytes, note, close, cut };
  struct Item {
    Op op;
    std::uint64_t id;
    protocol::Direction direction;
    Timestamp t;
    std::vector<std::uint8_t> data;
    std::string stem;
    std::string comment;
    adapters::PcapngEndpoints endpoints;
  };
  struct Open {
    std::unique_ptr<adapters::PcapngWriter> writer;
    std::filesystem::path part;   // NAME.pcapng.part while writing
    std::filesystem::path whole;  // NAME.pcapng when done
    bool failed = false;
  };

  bool push(Item item, bool budgeted) {
    const std::size_t size = item.data.size();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
      if (budgeted && queued_.load(std::memory_order_relaxed) + size > limit_) return false;
      queued_.fetch_add(size, std::memory_order_relaxed);
      queue_.push_back(std::move(item));
    }
    wake_.notify_one();
    return true;
  }

  void run() {
    enforce_retention();
    std::deque<Item> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        batch.swap(queue_);
        if (batch.empty() && stopping_) break;
      }
      for (Item& item : batch) {
        queued_.fetch_sub(item.data.size(), std::memory_order_relaxed);
        handle(item);
      }
      batch.clear();
    }
    // Connections still open at the stop (the proxy stops after every
    // connection ended, so normally none).
    for (auto& [id, rec] : open_) finish(rec, Timestamp{}, protocol::Direction::serverbound, false);
    open_.clear();
  }

  void handle(Item& item) {
    if (item.op == Op::open) {
      Open rec;
      rec.whole = folder_ / (item.stem + ".pcapng");
      rec.part = folder_ / (item.stem + ".pcapng.part");
      adapters::PcapngOptions options;
      options.comment = std::move(item.comment);
      rec.writer = std::make_unique<adapters::PcapngWriter>(rec.part.string(), item.endpoints, std::move(options));
      if (rec.writer->ok()) rec.writer->handshake(item.t);
      started_.fetch_add(1, std::memory_order_relaxed);
      if (!rec.writer->ok()) fail(rec);
      open_.emplace(item.id, std::move(rec));
      return;
    }
    const auto it = open_.find(item.id);
    if (it == open_.end()) return;
    Open& rec = it->second;
    switch (item.op) {
      case Op::bytes:
        if (!rec.failed && !rec.writer->write(item.direction, item.data, item.t)) fail(rec);
        if (!rec.failed) written_.fetch_add(item.data.size(), std::memory_order_relaxed);
        break;
      case Op::note:
        if (!rec.failed && !rec.writer->datagram(protocol::Direction::serverbound, item.data, item.t)) fail(rec);
        break;
      case Op::close:
      case Op::cut:
        finish(rec, item.t, item.direction, item.op == Op::close);
        open_.erase(it);
        enforce_retention();
        break;
      case Op::open:
        break;
    }
  }

  void fail(Open& rec) {
    rec.failed = true;
    log_(LogLevel::error, "recording " + rec.whole.string() + ": " + rec.writer->error() + "; kept as incomplete");
  }

  void finish(Open& rec, Timestamp t, protocol::Direction closer, bool whole) {
    bool complete = whole && !rec.failed;
    if (!rec.failed) complete = rec.writer->finish(t, closer) && complete;
    if (rec.writer->ok() == false && !rec.failed) fail(rec);
    rec.writer.reset();
    std::error_code ec;
    if (complete) {
      std::filesystem::rename(rec.part, rec.whole, ec);
      if (!ec) {
        finished_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      log_(LogLevel::error, "recording " + rec.whole.string() + ": rename failed: " + ec.message());
    } else if (!rec.failed) {
      log_(LogLevel::warn, "recording " + rec.whole.string() +
                               ": cut short (the writer's queue was full); kept as incomplete");
    }
    incomplete_.fetch_add(1, std::memory_order_relaxed);
    std::filesystem::path kept = rec.whole;
    kept += ".incomplete";
    std::filesystem::rename(rec.part, kept, ec);
  }

  void enforce_retention() {
    removed_.fetch_add(proxy::enforce_retention(folder_, max_age_, max_total_, is_recording_file),
                       std::memory_order_relaxed);
  }

  std::filesystem::path folder_;
  std::size_t limit_;
  std::chrono::milliseconds max_age_;
  std::uint64_t max_total_;
  LogFn log_;
  std::string error_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> started_{0}, finished_{0}, incomplete_{0}, written_{0}, removed_{0};
  std::unordered_map<std::uint64_t, Open> open_;  // writer thread only
};

}  // namespace rustguard::proxy
