#pragma once
// The evidence clips' writer thread (docs/recordings.md, "Evidence clips").
// A connection hands it a ring's raw copy (adapters/ClipRing::cut, two
// memcpys on the packet path); here the copy becomes frames and a pcapng
// file (adapters/clip_cut.hpp), so the packet path never decodes a ring nor
// waits for the disk.
//
// The queue is bounded in bytes (clips.queue_bytes): a clip that does not fit
// is not written (a warning, rustguard_clips_total{outcome="dropped"}). A
// clip is written as NAME.pcapng.part and renamed to NAME.pcapng once it is
// flushed and synced: a file with the final name is always whole. Retention
// (clips.max_age, clips.max_folder_bytes) runs at start and after each clip
// over this writer's own file names in the folder.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <regex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "file_retention.hpp"
#include "metrics.hpp"
#include "recording_writer.hpp"
#include "rustguard/adapters/clip_cut.hpp"
#include "rustguard/adapters/clip_settings.hpp"
#include "rustguard/adapters/log_level.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "rustguard/adapters/thread_name.hpp"

namespace rustguard::proxy {

// One clip to write: the ring's copy and where it came from.
struct ClipJob {
  std::string stem;  // the file name without ".pcapng" (ClipWriter::stem_for)
  adapters::PcapngEndpoints endpoints;
  adapters::ClipCut cut;
  std::string comment;  // the file's SHB comment: player, action, what the replay does
  std::size_t bytes() const noexcept { return cut.prologue.size() + cut.records.size(); }
};

class ClipWriter {
 public:
  using LogFn = std::function<void(LogLevel, std::string_view)>;

  ClipWriter(const ClipSettings& settings, LogFn log)
      : folder_(settings.folder), limit_(settings.queue_bytes), max_age_(settings.max_age),
        max_total_(settings.max_folder_bytes), redact_chat_(settings.redact_chat), log_(std::move(log)) {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec || !std::filesystem::is_directory(folder_, ec)) {
      error_ = "cannot create the clips folder " + folder_.string() + ": " + (ec ? ec.message() : "not a folder");
      return;
    }
    thread_ = std::thread([this] {
      adapters::name_this_thread("rg-clips");
      run();
    });
  }
  ClipWriter(const ClipWriter&) = delete;
  ClipWriter& operator=(const ClipWriter&) = delete;
  ~ClipWriter() { stop(); }

  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  const std::filesystem::path& folder() const noexcept { return folder_; }

  // Writes what is queued, then ends the thread.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // False: the queue is full (or the writer stopped); the clip is not written.
  bool submit(ClipJob job) {
    const std::size_t size = job.bytes();
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || !ok() || queued_.load(std::memory_order_relaxed) + size > limit_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      queued_.fetch_add(size, std::memory_order_relaxed);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

  ClipFigures figures() const {
    ClipFigures f;
    f.written = written_.load(std::memory_order_relaxed);
    f.failed = failed_.load(std::memory_order_relaxed);
    f.dropped = dropped_.load(std::memory_order_relaxed);
    f.bytes = bytes_.load(std::memory_order_relaxed);
    f.removed = removed_.load(std::memory_order_relaxed);
    f.queued_bytes = queued_.load(std::memory_order_relaxed);
    return f;
  }

  // A clip's file name without extension: the recording name of its
  // connection (RecordingWriter::stem_for: time of the action, player,
  // connection) and the clip's number in that connection.
  static std::string stem_for(Timestamp t, std::string_view player, std::uint64_t connection, std::uint32_t number) {
    return RecordingWriter::stem_for(t, player, connection) + "-clip" + std::to_string(number);
  }
  // Whether `name` is a file this writer makes (what retention may delete).
  static bool is_clip_file(std::string_view name) {
    static const std::regex pattern{R"(\d{8}-\d{6}-[A-Za-z0-9_]{1,16}-c\d+-clip\d+\.pcapng)"};
    return std::regex_match(name.begin(), name.end(), pattern);
  }

 private:
  void run() {
    retain();
    std::deque<ClipJob> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        batch.swap(queue_);
        if (batch.empty() && stopping_) break;
      }
      for (ClipJob& job : batch) {
        write(job);
        queued_.fetch_sub(job.bytes(), std::memory_order_relaxed);
        retain();
      }
      batch.clear();
    }
  }

  void write(const ClipJob& job) {
    const adapters::ClipContents contents = adapters::clip_contents(job.cut, redact_chat_);
    const std::filesystem::path whole = folder_ / (job.stem + ".pcapng");
    if (!contents.problem.empty()) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      log_(LogLevel::warn, "clip " + whole.string() + " not written: " + contents.problem);
      return;
    }
    std::filesystem::path part = whole;
    part += ".part";
    std::string comment = job.comment;
    if (contents.restores_context) {
      comment += "; starts mid-session: the replay restores the player's context at the first RUSTGUARD/1 context "
                 "note and the checks start over there (violation levels from 0)";
    }
    if (contents.chat_left_out > 0) comment += "; " + std::to_string(contents.chat_left_out) + " chat frames left out";
    const std::string error = adapters::write_clip(part.string(), job.endpoints, contents, std::move(comment));
    std::error_code ec;
    if (error.empty()) std::filesystem::rename(part, whole, ec);
    if (!error.empty() || ec) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      std::filesystem::remove(part, ec);
      log_(LogLevel::error, "clip " + whole.string() + " not written: " + (error.empty() ? ec.message() : error));
      return;
    }
    written_.fetch_add(1, std::memory_order_relaxed);
    const auto size = std::filesystem::file_size(whole, ec);
    if (!ec) bytes_.fetch_add(size, std::memory_order_relaxed);
  }

  void retain() {
    removed_.fetch_add(enforce_retention(folder_, max_age_, max_total_, is_clip_file), std::memory_order_relaxed);
  }

  std::filesystem::path folder_;
  std::size_t limit_;
  std::chrono::milliseconds max_age_;
  std::uint64_t max_total_;
  bool redact_chat_;
  LogFn log_;
  std::string error_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ClipJob> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> written_{0}, failed_{0}, dropped_{0}, bytes_{0}, removed_{0};
};

}  // namespace rustguard::proxy
