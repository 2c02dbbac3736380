#pragma once
// Owning wrappers over libpq's PGconn* and PGresult*, and the status value the
// PostgreSQL sink returns: the SQLSTATE and message of what failed, and
// whether the connection itself was lost, so a caller can tell "reconnect and
// retry" from "the server refused this statement". Nothing here throws:
// every libpq failure, including a connection that never opened or broke in
// the middle of a statement, comes back as a PgStatus. That is what lets the
// violation log's writer thread run these calls without a try block around
// each one (the sink still catches std::bad_alloc at its entry points).

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace rustguard::adapters {

struct PgStatus {
  bool failed = false;
  std::string sqlstate;  // five characters, e.g. "23505"; empty when libpq failed before the server answered
  std::string message;
  bool connection_lost = false;  // the connection is gone: close it and open a new one

  bool ok() const noexcept { return !failed; }
};

inline PgStatus pg_error(std::string message, bool connection_lost = false, std::string sqlstate = {}) {
  PgStatus s;
  s.failed = true;
  s.message = std::move(message);
  s.connection_lost = connection_lost;
  s.sqlstate = std::move(sqlstate);
  return s;
}

// libpq's messages end with a newline and may span lines; one log line each.
inline std::string pg_one_line(const char* text) {
  std::string out;
  for (const char* p = text != nullptr ? text : ""; *p != '\0'; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      out.push_back(*p);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct PgResultFree {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// One query parameter in text form, or SQL NULL (`null`). Text
// keeps the values readable in the server's log and needs no byte-order code;
// the sink declares each parameter's type (the OIDs below) so the server
// never has to guess one.
struct PgParam {
  std::string text;
  bool null = false;
};

inline constexpr Oid kPgInt8 = 20;
inline constexpr Oid kPgText = 25;
inline constexpr Oid kPgFloat8 = 701;

class PgConnection {
 public:
  PgConnection() = default;
  PgConnection(PgConnection&& o) noexcept : conn_(std::exchange(o.conn_, nullptr)) {}
  PgConnection& operator=(PgConnection&& o) noexcept {
    if (this != &o) {
      close();
      conn_ = std::exchange(o.conn_, nullptr);
    }
    return *this;
  }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() { close(); }

  // `conninfo` is a libpq connection string or a postgresql:// URL. The
  // defaults come first and the caller's string after, so the string
  // overrides them (libpq keeps the last value of a repeated keyword):
  // connect_timeout 5 s (a server that does not answer must not stall the
  // writer for ever) and application_name "rustguard" (pg_stat_activity).
  // client_encoding comes last and is always UTF8: the sink sends UTF-8.
  PgStatus open(const std::string& conninfo, int connect_timeout_s = 5) {
    close();
    const std::string timeout = std::to_string(connect_timeout_s);
    const char* const keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
    const char* const values[] = {timeout.c_str(), "rustguard", conninfo.c_str(), "UTF8", nullptr};
    conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn_ == nullptr) return pg_error("connect: libpq could not allocate a connection", true);
    if (PQstatus(conn_) != CONNECTION_OK) {
      PgStatus s = pg_error("connect: " + pg_one_line(PQerrorMessage(conn_)), true);
      close();
      return s;
    }
    // libpq prints the server's notices ("relation ... already exists,
    // skipping") on stderr by default; the proxy's stderr is its log, and
    // nothing a notice says changes what the sink does.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    // Non-blocking: every wait for the server is a poll() with a deadline
    // (set_answer_timeout), never a libpq call that can block for ever.
    if (PQsetnonblocking(conn_, 1) != 0) {
      PgStatus s = pg_error("connect: " + pg_one_line(PQerrorMessage(conn_)), true);
      close();
      return s;
    }
    return {};
  }

  void close() noexcept {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  bool is_open() const noexcept { return conn_ != nullptr; }
  PGconn* get() const noexcept { return conn_; }

  // One statement (or several separated by semicolons, without parameters).
  PgStatus exec(const char* sql, std::string_view what, PgResult* out = nullptr) {
    if (conn_ == nullptr) return pg_error(std::string{what} + ": not connected", true);
    const Deadline deadline = start_clock();
    if (PQsendQuery(conn_, sql) != 1) return lost(what);
    return await(what, deadline, out);
  }

  // One statement with parameters; `types` holds one OID per parameter.
  // `out` receives the result when the statement succeeded.
  PgStatus exec_params(const std::string& sql, const std::vector<PgParam>& params, const std::vector<Oid>& types,
                       std::string_view what, PgResult* out = nullptr) {
    if (conn_ == nullptr) return pg_error(std::string{what} + ": not connected", true);
    if (params.size() != types.size() || params.size() > 65535) {
      return pg_error(std::string{what} + ": " + std::to_string(params.size()) + " parameters (at most 65535)");
    }
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) values[i] = params[i].null ? nullptr : params[i].text.c_str();
    const Deadline deadline = start_clock();
    if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), types.data(), values.data(),
                          /*paramLengths=*/nullptr, /*paramFormats=*/nullptr, /*resultFormat=*/0) != 1) {
      return lost(what);
    }
    return await(what, deadline, out);
  }

  // COPY ... FROM STDIN with `data` (COPY's text format, built by the
  // caller) as the rows. The connection is back to idle afterwards, failed
  // or not, unless it was lost.
  PgStatus copy_in(const std::string& sql, std::string_view data, std::string_view what) {
    if (conn_ == nullptr) return pg_error(std::string{what} + ": not connected", true);
    const Deadline deadline = start_clock();
    if (PQsendQuery(conn_, sql.c_str()) != 1) return lost(what);
    bool copying = false;
    if (auto s = await(what, deadline, nullptr, &copying); !s.ok() || !copying) {
      return s.ok() ? pg_error(std::string{what} + ": the server did not start the COPY") : s;
    }
    // PQputCopyData takes an int length: chunks of at most 1 MiB (COPY's
    // data need not be cut at rows). 0 means libpq's buffer is full: send
    // some of it, then try again.
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    for (std::size_t at = 0; at < data.size();) {
      const std::size_t n = std::min(kChunk, data.size() - at);
      const int rc = PQputCopyData(conn_, data.data() + at, static_cast<int>(n));
      if (rc < 0) return lost(what);
      if (rc == 0) {
        if (auto s = flush(what, deadline); !s.ok()) return s;
        continue;
      }
      at += n;
    }
    for (;;) {
      const int rc = PQputCopyEnd(conn_, nullptr);
      if (rc < 0) return lost(what);
      if (rc == 1) break;
      if (auto s = flush(what, deadline); !s.ok()) return s;
    }
    return await(what, deadline, nullptr);
  }

  // The first column of the first row as an integer; `null_value` when the
  // query returned no row or NULL.
  PgStatus query_int(const std::string& sql, std::int64_t& value, std::string_view what, std::int64_t null_value = 0) {
    PgResult r;
    if (auto s = exec_params(sql, {}, {}, what, &r); !s.ok()) return s;
    value = null_value;
    if (PQntuples(r.get()) == 0 || PQnfields(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return {};
    const char* text = PQgetvalue(r.get(), 0, 0);
    const std::string_view v{text};
    if (std::from_chars(v.data(), v.data() + v.size(), value).ec != std::errc{}) {
      return pg_error(std::string{what} + ": not an integer: " + std::string{v});
    }
    return {};
  }

  // Where the connection stands: idle, in a transaction, in a failed one.
  PGTransactionStatusType transaction_status() const noexcept {
    return conn_ != nullptr ? PQtransactionStatus(conn_) : PQTRANS_UNKNOWN;
  }

  // Ends whatever transaction a failed statement left open, so the next
  // attempt starts clean. Nothing to report: a lost connection is the
  // caller's to close, and a server that does not answer gets closed here.
  void roll_back_if_open() noexcept {
    if (conn_ == nullptr) return;
    const PGTransactionStatusType t = PQtransactionStatus(conn_);
    if (t != PQTRANS_INTRANS && t != PQTRANS_INERROR) return;
    try {
      exec("ROLLBACK", "rollback");
    } catch (...) {
      close();  // out of memory for a message: the server rolls back when the connection goes
    }
  }

  // How long a statement may wait for the server before the connection is
  // given up (closed and reported lost). The blocking calls of libpq would
  // wait for ever on a server that stopped answering without closing the
  // connection (stopped, partitioned away); the sink runs on the writer
  // thread, which has to retry and spill instead.
  void set_answer_timeout(std::chrono::milliseconds timeout) noexcept { answer_timeout_ = timeout; }

 private:
  using Deadline = std::chrono::steady_clock::time_point;

  Deadline start_clock() const { return std::chrono::steady_clock::now() + answer_timeout_; }

  PgStatus lost(std::string_view what) {
    PgStatus s = pg_error(std::string{what} + ": " + pg_one_line(PQerrorMessage(conn_)), true);
    if (s.message.size() == what.size() + 2) s.message += "connection lost";
    return s;
  }

  // The server took longer than the answer timeout: the connection is in
  // the middle of a conversation nobody will finish, so it is closed.
  PgStatus timed_out(std::string_view what) {
    close();
    return pg_error(std::string{what} + ": no answer from the server within " +
                        std::to_string(answer_timeout_.count()) + " ms; connection closed",
                    true);
  }

  // Waits until the socket is ready for `events`; false when the deadline
  // passed first.
  bool wait_socket(short events, Deadline deadline) const {
    for (;;) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd fd{PQsocket(conn_), events, 0};
      const int rc = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left, 60'000)));
      if (rc > 0) return true;
      if (rc < 0 && errno != EINTR) return true;  // let libpq find and report the error
    }
  }

  // Sends everything libpq has buffered (the connection is non-blocking).
  PgStatus flush(std::string_view what, Deadline deadline) {
    for (;;) {
      const int rc = PQflush(conn_);
      if (rc == 0) return {};
      if (rc < 0) return lost(what);
      // The server may be waiting for us to read before it reads more.
      if (!wait_socket(POLLOUT | POLLIN, deadline)) return timed_out(what);
      if (PQconsumeInput(conn_) == 0) return lost(what);
    }
  }

  // Collects the results of what was sent: the first error wins, `out`
  // gets the last result. When the server answers a COPY FROM STDIN it
  // waits for the rows: `copying` (if given) is set and the call returns.
  PgStatus await(std::string_view what, Deadline deadline, PgResult* out, bool* copying = nullptr) {
    if (auto s = flush(what, deadline); !s.ok()) return s;
    PgStatus status;
    PgResult last;
    for (;;) {
      while (PQisBusy(conn_) != 0) {
        if (!wait_socket(POLLIN, deadline)) return timed_out(what);
        if (PQconsumeInput(conn_) == 0) return lost(what);
      }
      PgResult r{PQgetResult(conn_)};
      if (r == nullptr) break;
      const ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_COPY_IN && copying != nullptr) {
        *copying = true;
        return {};
      }
      if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        // Not asked for: the connection cannot go on from here.
        PgStatus s = pg_error(std::string{what} + ": unexpected COPY state", true);
        close();
        return s;
      }
      if (status.ok()) status = check(r, what);
      last = std::move(r);
    }
    if (status.ok() && out != nullptr) *out = std::move(last);
    return status;
  }

  PgStatus check(const PgResult& r, std::string_view what) const {
    const bool lost = PQstatus(conn_) != CONNECTION_OK;
    if (r == nullptr) return pg_error(std::string{what} + ": " + pg_one_line(PQerrorMessage(conn_)), true);
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return {};
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    std::string message = pg_one_line(PQresultErrorMessage(r.get()));
    if (message.empty()) message = pg_one_line(PQerrorMessage(conn_));
    if (message.empty()) message = PQresStatus(st);
    // Class 08 is "connection exception"; 57P01..57P03 are the server
    // shutting down or not yet accepting connections.
    const std::string sqlstate = state != nullptr ? state : "";
    const bool gone = lost || sqlstate.starts_with("08") || sqlstate.starts_with("57P");
    return pg_error(std::string{what} + ": " + message, gone, sqlstate);
  }

  PGconn* conn_ = nullptr;
  std::chrono::milliseconds answer_timeout_{10'000};
};

}  // namespace rustguard::adapters
