#pragma once
// Repeated violations of one player folded into few stored records, so a
// client that trips a check on every packet cannot turn each packet into a
// database row (a look flood once wrote 182 MB in 23 s).
//
// Per (check key, type): the first flag becomes a record at once, and so
// does the first flag at or above the check's alert VL after a record below
// it, so alerts stay immediate. Further flags of that key within
// `row_interval_ms` of its last record are folded into one pending record:
// their count, every outcome of theirs and the packets they cancelled, and
// the latest flag's VL, detail, numbers, ping and time. The
// first flag of the key after the interval releases the pending record (with
// its count) and then becomes a record of its own. On top of that, a player
// gets at most `max_rows_per_minute` records per minute (fixed minutes
// counted from its first flag); over that budget, flags that would have been
// records are folded as well. finish() releases every pending record when
// the connection ends. The one flag that kicks the player is stored at once
// whatever the interval and the budget (after its key's pending record), so
// the kick can refer to it; a connection has one kick.
//
// Records are made only when a flag arrives (or at finish), and depend only
// on the flags and their times, never on ticks or on when anyone drains
// them: a replay of a capture stores the records the live proxy stored. The
// counts of all records add up to the number of flags.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rustguard/violation.hpp"

namespace rustguard::engine {

struct FoldingLimits {
  std::int64_t row_interval_ms = 1'000;      // 0: every flag is a record
  std::uint32_t max_rows_per_minute = 120;  // 0: no budget
};

class ViolationFolder {
 public:
  static constexpr std::int64_t kBudgetWindowMs = 60'000;

  enum class Store : std::uint8_t {
    fold,     // below the check's alert VL: by the interval and the budget
    alert,    // at or above it: a record now if its key's last one was below (budget permitting)
    at_once,  // the kicking flag: a record now, whatever the interval and budget
  };

  explicit ViolationFolder(FoldingLimits limits = {}) noexcept : limits_(limits) {}

  // One flag (count 1): appended to `out` as a record, after the pending
  // record of its key when the interval is over, or folded into that pending
  // record.
  void add(Violation&& flag, std::vector<Violation>& out, Store store = Store::fold) {
    const std::int64_t t = flag.time_ms;
    roll_budget(t);
    Key& key = key_of(flag.check, flag.type);
    const bool forced = store == Store::at_once;
    const bool alert = store != Store::fold;
    const bool within_interval =
        key.has_record && limits_.row_interval_ms > 0 && t - key.record_ms < limits_.row_interval_ms;
    if (within_interval && !forced && !(alert && !key.alerted)) return fold(key, std::move(flag), alert);
    if (key.pending) {
      if (!budget_left() && !forced) return fold(key, std::move(flag), alert);
      emit(std::move(*key.pending), out);
      key.pending.reset();
      key.alerted = key.pending_alert;
    }
    if (!budget_left() && !forced) return fold(key, std::move(flag), alert);
    emit(std::move(flag), out);
    key.record_ms = t;
    key.has_record = true;
    key.alerted = alert;
  }

  // Appends every pending record, ordered by rank(check key) (the engine
  // passes the position in its chain), then by type. They are released
  // whatever the budget: at most one per key.
  template <class Rank>
  void finish(std::vector<Violation>& out, Rank&& rank) {
    std::vector<Key*> waiting;
    for (Key& k : keys_) {
      if (k.pending) waiting.push_back(&k);
    }
    std::sort(waiting.begin(), waiting.end(), [&](const Key* a, const Key* b) {
      const auto ra = rank(a->check), rb = rank(b->check);
      if (ra != rb) return ra < rb;
      if (a->check != b->check) return a->check < b->check;
      return a->type < b->type;
    });
    for (Key* k : waiting) {
      out.push_back(std::move(*k->pending));
      k->pending.reset();
    }
  }

  // Flags folded and not released yet.
  std::uint64_t pending_flags() const noexcept {
    std::uint64_t n = 0;
    for (const Key& k : keys_) n += k.pending ? k.pending->count : 0;
    return n;
  }

 private:
  struct Key {
    std::string check;
    std::string type;
    std::int64_t record_ms = 0;  // time of the key's last flag that became a record
    bool has_record = false;
    bool alerted = false;        // the key's last record is at or above the alert VL
    std::optional<Violation> pending;
    bool pending_alert = false;  // so is the pending record's latest flag
  };

  Key& key_of(const std::string& check, const std::string& type) {
    for (Key& k : keys_) {
      if (k.check == check && k.type == type) return k;
    }
    keys_.push_back(Key{check, type, 0, false, false, std::nullopt, false});
    return keys_.back();
  }

  static void fold(Key& key, Violation&& flag, bool alert) {
    key.pending_alert = alert;
    if (!key.pending) {
      key.pending = std::move(flag);
      return;
    }
    const std::uint32_t count = key.pending->count + flag.count;
    const std::uint32_t cancelled = key.pending->cancelled + flag.cancelled;
    const Outcome outcome = key.pending->outcome | flag.outcome;
    key.pending = std::move(flag);
    key.pending->count = count;
    key.pending->cancelled = cancelled;
    key.pending->outcome = outcome;
  }

  void emit(Violation&& record, std::vector<Violation>& out) {
    out.push_back(std::move(record));
    ++rows_in_window_;
  }

  // The budget counts records per fixed minute from the first flag.
  void roll_budget(std::int64_t t) noexcept {
    if (!budget_started_) {
      budget_started_ = true;
      window_start_ms_ = t;
    } else if (t - window_start_ms_ >= kBudgetWindowMs) {
      window_start_ms_ += (t - window_start_ms_) / kBudgetWindowMs * kBudgetWindowMs;
      rows_in_window_ = 0;
    }
  }
  bool budget_left() const noexcept {
    return limits_.max_rows_per_minute == 0 || rows_in_window_ < limits_.max_rows_per_minute;
  }

  FoldingLimits limits_;
  std::vector<Key> keys_;
  std::int64_t window_start_ms_ = 0;
  std::uint32_t rows_in_window_ = 0;
  bool budget_started_ = false;
};

}  // namespace rustguard::engine
