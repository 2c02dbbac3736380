#pragma once
// Posts alerts to a Discord-compatible webhook (webhook_message.hpp) from a
// thread of its own, so a slow or hanging endpoint never holds up an io
// thread: submit() only takes a mutex and queues.
//
//   WebhookSender hooks(settings, log);
//   if (!hooks.submit(alert)) { /* refused: queue full or stopped (counted in dropped) */ }
//   ...
//   hooks.counters().sent ...
//   // the destructor stops the thread (stop())
//
// Aggregation: the first alert of a player opens a window of `interval`;
// every alert of that player until it closes goes into the same message
// (one line per check with its count), so a cheater flagged 50 times a
// second makes one message per interval rather than a flood that the
// endpoint would rate-limit anyway.
//
// Delivery: one POST at a time (an endpoint's rate limit is per webhook, so
// parallel posts would only meet it sooner). Network errors, timeouts and
// 5xx are retried after first_backoff doubling to max_backoff, up to
// max_attempts POSTs in all; then the message counts as failed and is
// logged. HTTP 429 means "not before Retry-After" (the header in seconds, or
// the JSON body's retry_after as Discord sends it): nothing goes to the URL
// until then, and the same message is sent again (the 429 counted as one of
// its attempts). Any other 4xx is the message's or the URL's fault: failed
// at once, no retry.
//
// Bound: queue_capacity alerts may be waiting (queued, in a window or in a
// message not yet delivered); past that, submit() refuses, counts the alert
// in `dropped` and returns false, so nothing is lost silently.
//
// TLS: libcurl verifies the certificate and the host name against the system
// store, or against ca_file when set (the tests' self-signed certificate).
// `log` is called from the sender's thread.

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "rustguard/adapters/action_settings.hpp"
#include "webhook_message.hpp"
#include "rustguard/adapters/thread_name.hpp"

namespace rustguard::proxy {

// The settings are config.yml's `webhook:` (adapters/action_settings.hpp).
using WebhookSettings = rustguard::WebhookSettings;

// Written by the sender's thread (dropped: by submit), readable from any thread.
struct WebhookCounters {
  std::atomic<std::uint64_t> sent{0};          // messages delivered (2xx)
  std::atomic<std::uint64_t> failed{0};        // messages given up on
  std::atomic<std::uint64_t> dropped{0};       // alerts refused by submit()
  std::atomic<std::uint64_t> retried{0};       // POSTs after a message's first
  std::atomic<std::uint64_t> rate_limited{0};  // 429 answers
  std::atomic<std::uint64_t> alerts_sent{0};   // alerts in delivered messages
  std::atomic<std::uint64_t> alerts_failed{0};  // alerts in failed messages
  std::atomic<std::uint64_t> waiting{0};       // alerts not yet delivered or failed
};

// What one POST came to.
struct WebhookPostResult {
  long status = 0;         // HTTP status, 0 when no answer
  std::string error;       // curl's message when no answer
  std::chrono::milliseconds retry_after{-1};  // from a 429, -1: not given
};

namespace webhook_detail {

// Seconds as Retry-After or retry_after give them ("1", "0.35"); -1 ms when unreadable.
inline std::chrono::milliseconds parse_seconds(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  const double secs = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !(secs >= 0) || secs > 24 * 3600) return std::chrono::milliseconds{-1};
  return std::chrono::milliseconds{static_cast<long long>(secs * 1000.0 + 0.999)};
}

// retry_after from a 429's JSON body, without a JSON parser: the number after the key.
inline std::chrono::milliseconds body_retry_after(std::string_view body) {
  const auto at = body.find("\"retry_after\"");
  if (at == std::string_view::npos) return std::chrono::milliseconds{-1};
  auto rest = body.substr(at + 13);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::chrono::milliseconds{-1};
  rest = rest.substr(colon + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  return parse_seconds(rest);
}

// curl_global_init once per process, before the first handle (libcurl
// >= 7.84 makes it thread-safe; the static makes it once).
inline void global_init() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

}  // namespace webhook_detail

class WebhookSender {
 public:
  using Log = std::function<void(std::string_view)>;
  using Clock = std::chrono::steady_clock;

  explicit WebhookSender(WebhookSettings settings, Log log = {})
      : settings_(std::move(settings)), log_(std::move(log)) {
    webhook_detail::global_init();
    settings_.max_attempts = std::max(settings_.max_attempts, 1);
    options_.include_addresses = settings_.include_addresses;
    options_.username = settings_.username;
    options_.content = settings_.content;
    options_.interval = settings_.interval;
    backoff_ = settings_.first_backoff;
    worker_ = std::thread([this] {
      adapters::name_this_thread("rg-webhooks");
      run();
    });
  }
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;
  ~WebhookSender() { stop(); }

  // Queues an alert; never blocks on the network. False when refused (queue
  // full or stopped): counted in `dropped`.
  bool submit(webhook::Alert alert) {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_ && waiting_ < settings_.queue_capacity) {
        incoming_.push_back(std::move(alert));
        ++waiting_;
        counters_.waiting.store(waiting_, std::memory_order_relaxed);
        wake_.notify_one();
        return true;
      }
    }
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  // Closes every window, posts what is waiting (one attempt each, within
  // stop_grace; the rest count as failed) and joins the thread.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        stopping_ = true;
        stop_deadline_.store((Clock::now() + settings_.stop_grace).time_since_epoch().count(),
                             std::memory_order_relaxed);
      }
    }
    wake_.notify_one();
    if (worker_.joinable()) worker_.join();
  }

  const WebhookCounters& counters() const noexcept { return counters_; }
  const WebhookSettings& settings() const noexcept { return settings_; }

 private:
  struct Window {
    webhook::PlayerBatch batch;
    Clock::time_point closes;
  };
  struct Message {
    std::string body;
    std::uint64_t alerts = 0;
    int attempts = 0;
  };

  void log(const std::string& line) const {
    if (log_) log_(line);
  }

  // The sender's thread: gathers alerts into windows, turns closed windows
  // into messages and posts them one at a time.
  void run() {
    CURL* curl = curl_easy_init();
    std::unique_lock lock(mutex_);
    for (;;) {
      take_incoming(Clock::now());
      close_windows(Clock::now(), false);
      if (stopping_) break;
      const Clock::time_point now = Clock::now();
      if (!outgoing_.empty() && now >= next_post_) {
        Message message = std::move(outgoing_.front());
        outgoing_.pop_front();
        lock.unlock();
        const bool requeue = deliver(curl, message, false);
        lock.lock();
        if (requeue) outgoing_.push_front(std::move(message));
        continue;
      }
      Clock::time_point wake_at = Clock::time_point::max();
      if (!outgoing_.empty()) wake_at = next_post_;
      for (const auto& [key, w] : windows_) wake_at = std::min(wake_at, w.closes);
      if (wake_at == Clock::time_point::max()) {
        wake_.wait(lock, [this] { return stopping_ || !incoming_.empty(); });
      } else {
        wake_.wait_until(lock, wake_at, [this] { return stopping_ || !incoming_.empty(); });
      }
    }
    // Stopping: every window closes now and each message gets one more try
    // within stop_grace (a 429's wait included).
    close_windows(Clock::now(), true);
    const Clock::time_point deadline = stop_deadline();
    while (!outgoing_.empty()) {
      Message message = std::move(outgoing_.front());
      outgoing_.pop_front();
      lock.unlock();
      bool posted = false;
      if (Clock::now() + std::chrono::milliseconds(1) < deadline) {
        if (next_post_ > Clock::now() && next_post_ < deadline) std::this_thread::sleep_until(next_post_);
        if (next_post_ < deadline) {
          deliver(curl, message, true);
          posted = true;
        }
      }
      if (!posted) give_up(message, "the sender stopped before it could be posted");
      lock.lock();
    }
    lock.unlock();
    curl_easy_cleanup(curl);
  }

  // With mutex_ held.
  void take_incoming(Clock::time_point now) {
    while (!incoming_.empty()) {
      webhook::Alert alert = std::move(incoming_.front());
      incoming_.pop_front();
      std::string key = alert.uuid.empty() ? alert.player : alert.uuid;
      auto [it, opened] = windows_.try_emplace(std::move(key));
      if (opened) it->second.closes = now + settings_.interval;
      it->second.batch.add(alert);
    }
  }

  // With mutex_ held: windows past their end (all when `all`) become messages.
  // Building a body under the lock costs a submit() a few microseconds at
  // most (a batch holds one line per check, not per alert).
  void close_windows(Clock::time_point now, bool all) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      if (all || it->second.closes <= now) {
        outgoing_.push_back(Message{webhook::batch_message(it->second.batch, options_), it->second.batch.alerts, 0});
        it = windows_.erase(it);
      } else {
        ++it;
      }
    }
  }

  Clock::time_point stop_deadline() const noexcept {
    return Clock::time_point(Clock::duration(stop_deadline_.load(std::memory_order_relaxed)));
  }

  // One POST of `message`, without mutex_. True when it should be posted
  // again (at next_post_); otherwise it was counted as sent or failed.
  // `last_try`: no retry whatever the answer (stopping).
  bool deliver(CURL* curl, Message& message, bool last_try) {
    if (message.attempts > 0) counters_.retried.fetch_add(1, std::memory_order_relaxed);
    ++message.attempts;
    const WebhookPostResult r = post(curl, message.body);
    const Clock::time_point now = Clock::now();
    if (r.status >= 200 && r.status < 300) {
      backoff_ = settings_.first_backoff;
      finish(message, true);
      return false;
    }
    std::string why;
    std::chrono::milliseconds wait = backoff_;
    if (r.status == 429) {
      counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
      why = "rate limited (429)";
      if (r.retry_after.count() >= 0) wait = r.retry_after;
    } else if (r.status >= 500 || r.status == 0) {
      why = r.status ? "HTTP " + std::to_string(r.status) : r.error;
      backoff_ = std::min(backoff_ * 2, settings_.max_backoff);
    } else {
      give_up(message, "HTTP " + std::to_string(r.status) + " (not retried)");
      return false;
    }
    next_post_ = now + wait;
    if (last_try) {
      give_up(message, why + " (the sender stopped)");
      return false;
    }
    if (message.attempts >= settings_.max_attempts) {
      give_up(message, why + " after " + std::to_string(message.attempts) + " attempts");
      return false;
    }
    return true;
  }

  void give_up(const Message& message, const std::string& why) {
    log("webhook: message with " + std::to_string(message.alerts) + " alert(s) not delivered: " + why);
    finish(message, false);
  }

  void finish(const Message& message, bool delivered) {
    if (delivered) {
      counters_.sent.fetch_add(1, std::memory_order_relaxed);
      counters_.alerts_sent.fetch_add(message.alerts, std::memory_order_relaxed);
    } else {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      counters_.alerts_failed.fetch_add(message.alerts, std::memory_order_relaxed);
    }
    std::lock_guard lock(mutex_);
    waiting_ -= std::min<std::uint64_t>(waiting_, message.alerts);
    counters_.waiting.store(waiting_, std::memory_order_relaxed);
  }

  struct Transfer {
    std::string response;  // the first 64 KiB of the body
    std::string retry_after_header;
    const WebhookSender* sender = nullptr;
  };

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t bytes = size * n;
    if (t->response.size() < 65536) t->response.append(data, std::min(bytes, 65536 - t->response.size()));
    return bytes;
  }
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t bytes = size * n;
    std::string_view line(data, bytes);
    constexpr std::string_view name = "retry-after:";
    if (line.size() > name.size()) {
      bool match = true;
      for (std::size_t i = 0; i < name.size() && match; ++i) {
        const char c = line[i] >= 'A' && line[i] <= 'Z' ? static_cast<char>(line[i] - 'A' + 'a') : line[i];
        match = c == name[i];
      }
      if (match) t->retry_after_header = std::string(line.substr(name.size()));
    }
    return bytes;
  }
  // Ends a transfer once the sender is stopping and stop_grace is over
  // (libcurl calls this at least about once a second).
  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* t = static_cast<const Transfer*>(user);
    return Clock::now() >= t->sender->stop_deadline() ? 1 : 0;
  }

  WebhookPostResult post(CURL* curl, const std::string& body) {
    WebhookPostResult result;
    if (!curl) {
      result.error = "curl_easy_init failed";
      return result;
    }
    Transfer t;
    t.sender = this;
    curl_easy_reset(curl);  // keeps the connection for the next POST
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    // No signals from a thread that is not the main one (timeouts, DNS).
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "RustGuard webhook");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      result.error = curl_easy_strerror(code);
      return result;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    if (result.status == 429) {
      result.retry_after = webhook_detail::parse_seconds(t.retry_after_header);
      if (result.retry_after.count() < 0) result.retry_after = webhook_detail::body_retry_after(t.response);
    }
    return result;
  }

  WebhookSettings settings_;
  webhook::MessageOptions options_;
  Log log_;
  WebhookCounters counters_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                 // mutex_
  std::uint64_t waiting_ = 0;             // mutex_
  std::deque<webhook::Alert> incoming_;   // mutex_
  std::map<std::string, Window> windows_;  // mutex_
  std::deque<Message> outgoing_;          // mutex_
  // Set by stop(): when a POST in progress is cut short and the rest fail.
  std::atomic<Clock::rep> stop_deadline_{Clock::time_point::max().time_since_epoch().count()};
  Clock::time_point next_post_{};         // the sender's thread only: not before (429 or backoff)
  std::chrono::milliseconds backoff_{0};  // the sender's thread only
  std::thread worker_;                    // last: starts after everything above
};

}  // namespace rustguard::proxy
