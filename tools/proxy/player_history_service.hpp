#pragma once
// The store's side of GET /players?name=X: a player's recent violations
// (adapters/player_history.hpp) — on a fleet's PostgreSQL store, every
// instance's. A read runs on a thread of its own and the admin request
// awaits it, so a slow or stopped database delays that one answer (up to its
// answer timeout) and never the main executor's accepts, RCON or timers.

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rustguard/adapters/player_history.hpp"
#include "webhook_message.hpp"

namespace rustguard::proxy {

struct PlayerHistory {
  std::string store;  // "sqlite" or "postgresql"
  std::string error;  // why the store could not be read; "" when it was
  std::vector<adapters::PastViolation> violations;
};

class PlayerHistoryService {
 public:
  // Why 50: the newest page a member of staff reads; the store holds the rest.
  static constexpr int kRows = 50;

  explicit PlayerHistoryService(std::unique_ptr<adapters::PlayerHistorySource> source) : source_(std::move(source)) {}
  PlayerHistoryService(const PlayerHistoryService&) = delete;
  PlayerHistoryService& operator=(const PlayerHistoryService&) = delete;
  // A read in progress finishes first (bounded by its answer timeout).
  ~PlayerHistoryService() {
    thread_.stop();
    thread_.join();
  }

  // The player's newest violations, read on the service's thread; the
  // completion runs on the asker's executor (`co_await async_lookup(name,
  // asio::use_awaitable)`). One read at a time, in order of asking.
  template <class Token>
  auto async_lookup(std::string name, Token&& token) {
    return asio::async_initiate<Token, void(PlayerHistory)>(
        [this](auto handler, std::string player) {
          // Keeps the asker's context running until the answer is handed back.
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));
          asio::post(thread_, [this, player = std::move(player), handler = std::move(handler),
                               work = std::move(work)]() mutable {
            PlayerHistory h;
            h.store = source_->engine();
            h.error = source_->read(player, kRows, h.violations);
            auto to = work.get_executor();
            asio::post(to, [handler = std::move(handler), h = std::move(h), work = std::move(work)]() mutable {
              std::move(handler)(std::move(h));
            });
          });
        },
        token, std::move(name));
  }

 private:
  std::unique_ptr<adapters::PlayerHistorySource> source_;
  asio::thread_pool thread_{1};
};

// {"store":"postgresql","error":null,"violations":[{...}, ...]}, newest first.
inline std::string history_json(const PlayerHistory& h) {
  std::string out = "{\"store\":" + webhook::json_string(h.store) +
                    ",\"error\":" + (h.error.empty() ? std::string("null") : webhook::json_string(h.error)) +
                    ",\"violations\":[";
  bool first = true;
  for (const adapters::PastViolation& v : h.violations) {
    if (!first) out += ',';
    first = false;
    char vl[32];
    std::snprintf(vl, sizeof vl, "%.3f", v.vl);
    out += "{\"time_ms\":" + std::to_string(v.time_ms) + ",\"instance\":" + std::to_string(v.instance) +
           ",\"name\":" + webhook::json_string(v.player_name) + ",\"uuid\":" + webhook::json_string(v.player_uuid) +
           ",\"check\":" + webhook::json_string(v.check) + ",\"type\":" + webhook::json_string(v.type) +
           ",\"vl\":" + vl + ",\"count\":" + std::to_string(v.count) +
           ",\"detail\":" + webhook::json_string(v.detail) + ",\"id\":" + std::to_string(v.id) + "}";
  }
  return out + "]}";
}

}  // namespace rustguard::proxy
