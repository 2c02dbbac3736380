#pragma once
// The players' punishment strikes (actions/punishment_config.hpp) that have
// not expired, for the ladders of their next session: loaded once from the
// violation log at start, then kept up to date by the strikes this process
// gives, so a login never waits for the database and a strike written a
// moment ago (still in the log's batch) already counts.
//
// Bounded: an account flood (fresh names that each earn a strike) must not
// grow the book without end. Expired strikes go as soon as the book sees
// them (at load, at a login's look-up, at every add for that player, and in
// a sweep of every player when the book is full), and at most `max_players`
// players are held: past that, the players whose newest strike is the
// oldest are dropped from memory (their strikes stay in the database and
// are read back at the next start). "Expired" is judged against the horizon
// the proxy last asked with (the `since_ms` of the latest load() or of()):
// strike_expiry before the latest login, so a reload that shortens
// strike_expiry takes effect at the next login and one that lengthens it
// brings back nothing already dropped (as docs/actions.md says of the start).
//
// A fleet (several proxies on one PostgreSQL store, docs/deployment.md)
// keeps two sets: the strikes this instance gave (its earlier runs' read at
// start, then add()), and the strikes the other instances gave, replaced as a
// whole at every read of the store (replace_shared, tools/proxy/
// strike_sync.hpp). A player's strikes are both sets together, and no strike
// is in both: each instance's rows carry ids from its own ranges
// (InstanceIds), which is what the store read sorts them by.
//
// Thread-safe: connections on every io thread read and add.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rustguard/adapters/sqlite_handle.hpp"

namespace rustguard::adapters {

struct Strike {
  std::string group;
  std::int64_t time_ms = 0;
  bool operator==(const Strike&) const = default;
};

class StrikeBook {
 public:
  // Why 100,000: a player held costs about 200 bytes (the UUID text, one
  // strike with its group name, the map's node), so the full book is ~20 MB,
  // small next to the proxy's per-connection buffers; and 100,000 distinct
  // players struck within strike_expiry is far beyond what one server's
  // cheaters earn, so only a flood of throw-away accounts reaches it, and
  // then the oldest are the ones worth forgetting: a strike counts against
  // a player who comes back, and a throw-away account does not.
  static constexpr std::size_t kDefaultMaxPlayers = 100'000;

  explicit StrikeBook(std::size_t max_players = kDefaultMaxPlayers) : max_players_(std::max<std::size_t>(1, max_players)) {}

  // Every strike at or after `since_ms` in the database at `path` (the
  // actions rows of kind 'strike', by the session's player). A missing file
  // is an empty book; an unreadable one an error for the caller to log.
  SqliteStatus load(const std::string& path, std::int64_t since_ms) {
    {
      std::lock_guard lock(mutex_);
      horizon_ = since_ms;
      // What an earlier load or add left that has expired since.
      sweep_expired();
    }
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    SqliteDatabase db;
    if (SqliteStatus s = db.open(path, SQLITE_OPEN_READONLY); !s.ok()) return s;
    SqliteStatement q;
    SqliteStatus s = db.prepare(
        "SELECT s.player_uuid, a.detail, a.time_ms FROM actions a JOIN sessions s ON s.id = a.session_id "
        "WHERE a.action = 'strike' AND a.time_ms >= ?1 AND s.player_uuid IS NOT NULL ORDER BY a.time_ms, a.id",
        q);
    if (!s.ok()) return s;
    q.bind(1, static_cast<std::int64_t>(since_ms));
    std::lock_guard lock(mutex_);
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      insert(text(q, 0), {text(q, 1), sqlite3_column_int64(q.get(), 2)});
      ++loaded_;
    }
    if (rc != SQLITE_DONE) return sqlite_status(db.get(), rc, "read strikes");
    return {};
  }

  // The player's strikes at or after `since_ms`, oldest first: this
  // instance's and the fleet's. `since_ms` becomes the book's horizon for
  // expiry (see the top).
  std::vector<Strike> of(const std::string& uuid, std::int64_t since_ms) {
    std::lock_guard lock(mutex_);
    horizon_ = since_ms;
    std::vector<Strike> out = live(strikes_, uuid);
    if (shared_.empty()) return out;
    std::vector<Strike> shared = live(shared_, uuid);
    if (shared.empty()) return out;
    out.insert(out.end(), std::make_move_iterator(shared.begin()), std::make_move_iterator(shared.end()));
    std::stable_sort(out.begin(), out.end(), [](const Strike& a, const Strike& b) { return a.time_ms < b.time_ms; });
    return out;
  }

  void add(const std::string& uuid, std::string group, std::int64_t time_ms) {
    std::lock_guard lock(mutex_);
    insert(uuid, {std::move(group), time_ms});
  }

  // A strike this instance gave in an earlier run, read from a store at
  // start (the SQLite file's are read by load()).
  void add_loaded(const std::string& uuid, Strike strike) {
    std::lock_guard lock(mutex_);
    insert(uuid, std::move(strike));
    ++loaded_;
  }

  // Every unexpired strike the fleet's other instances gave, by player, as
  // the store holds them now: what the previous call gave is forgotten (a
  // strike never leaves the store, so nothing is lost, and one the store
  // no longer returns has expired).
  void replace_shared(std::unordered_map<std::string, std::vector<Strike>> shared) {
    std::lock_guard lock(mutex_);
    shared_ = std::move(shared);
    for (auto it = shared_.begin(); it != shared_.end();) {
      it = prune(it->second) ? shared_.erase(it) : std::next(it);
    }
    if (shared_.size() > max_players_) evicted_ += drop_oldest(shared_);
  }
  // Players with strikes from other instances, held now.
  std::size_t shared_players() const {
    std::lock_guard lock(mutex_);
    return shared_.size();
  }

  std::size_t loaded() const noexcept { return loaded_; }
  // Players held now.
  std::size_t players() const {
    std::lock_guard lock(mutex_);
    return strikes_.size();
  }
  // Players dropped to stay within max_players since the start (not those
  // whose strikes all expired).
  std::size_t evicted() const {
    std::lock_guard lock(mutex_);
    return evicted_;
  }
  std::size_t max_players() const noexcept { return max_players_; }

 private:
  static std::string text(const SqliteStatement& q, int column) {
    const unsigned char* t = sqlite3_column_text(q.get(), column);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }

  // With mutex_ held. The player's unexpired strikes in `book`; a player
  // left with none goes.
  std::vector<Strike> live(std::unordered_map<std::string, std::vector<Strike>>& book, const std::string& uuid) {
    const auto it = book.find(uuid);
    if (it == book.end()) return {};
    if (prune(it->second)) {
      book.erase(it);
      return {};
    }
    return it->second;
  }

  // With mutex_ held. Drops a player's expired strikes; true when none is left.
  bool prune(std::vector<Strike>& strikes) const {
    std::erase_if(strikes, [&](const Strike& s) { return s.time_ms < horizon_; });
    return strikes.empty();
  }

  // With mutex_ held.
  void insert(const std::string& uuid, Strike strike) {
    if (strike.time_ms < horizon_) return;  // expired already (a clock stepped back, a stale row)
    auto [it, fresh] = strikes_.try_emplace(uuid);
    prune(it->second);
    it->second.push_back(std::move(strike));
    if (fresh && strikes_.size() > max_players_) make_room();
  }

  // With mutex_ held. Every player whose strikes all expired goes.
  void sweep_expired() {
    for (auto it = strikes_.begin(); it != strikes_.end();) {
      it = prune(it->second) ? strikes_.erase(it) : std::next(it);
    }
  }

  // With mutex_ held, the book one over max_players: expired strikes go,
  // then, if that was not enough, the players whose newest strike is the
  // oldest, down to 90 % of max_players, so a flood pays for this O(n)
  // sweep once per tenth of the book rather than at every add.
  void make_room() {
    sweep_expired();
    if (strikes_.size() <= max_players_) return;
    evicted_ += drop_oldest(strikes_);
  }

  // With mutex_ held: the players of `book` whose newest strike is the
  // oldest go, down to 90 % of max_players; returns how many went.
  std::size_t drop_oldest(std::unordered_map<std::string, std::vector<Strike>>& book) const {
    const std::size_t keep = max_players_ - max_players_ / 10;
    if (book.size() <= keep) return 0;
    std::vector<std::pair<std::int64_t, const std::string*>> newest;
    newest.reserve(book.size());
    for (const auto& [uuid, strikes] : book) {
      std::int64_t t = std::numeric_limits<std::int64_t>::min();
      for (const Strike& s : strikes) t = std::max(t, s.time_ms);
      newest.emplace_back(t, &uuid);
    }
    const std::size_t drop = book.size() - keep;
    std::nth_element(newest.begin(), newest.begin() + static_cast<std::ptrdiff_t>(drop), newest.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> gone;
    gone.reserve(drop);
    for (std::size_t i = 0; i < drop; ++i) gone.push_back(*newest[i].second);
    for (const std::string& uuid : gone) book.erase(uuid);
    return drop;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Strike>> strikes_;  // this instance's, by the player's UUID text
  std::unordered_map<std::string, std::vector<Strike>> shared_;   // the fleet's other instances'
  std::size_t max_players_;
  std::int64_t horizon_ = std::numeric_limits<std::int64_t>::min();  // strikes before it have expired
  std::size_t loaded_ = 0;
  std::size_t evicted_ = 0;
};

}  // namespace rustguard::adapters
