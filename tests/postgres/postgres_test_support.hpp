#pragma once
// A throwaway PostgreSQL 15 server for the tests, from Debian's packages
// (postgresql-15, which tools/dev/setup.sh --tests installs): initdb into a
// temporary directory, pg_ctl start with the Unix socket in that directory
// and no TCP listener (listen_addresses empty, so no port can collide with
// another engineer's server or test), trust authentication, superuser
// "rustguard". No system service, no password, no root login: when the tests
// run as root (CI, the dev container), initdb and postgres refuse to, so
// both run as an unprivileged account through runuser(1): "postgres" (the
// package creates it) or else "nobody"; the directory is handed to that
// account, and the tests, still root, connect through the socket.
//
// One server per test process, started by the first test that asks and
// stopped (and its directory removed) when the process exits, or by a
// guardian child if the process dies without exiting (start_guardian).
// Each test case works in a database of its own. fsync is off: the
// server's data only has to outlive a restart, never a power cut.

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rustguard/adapters/postgres_connection.hpp"
#include "rustguard/adapters/postgres_log_database.hpp"

extern char** environ;

namespace rustguard::postgres_test {

// Debian's PostgreSQL 15; RUSTGUARD_POSTGRES_BIN names another directory
// of initdb, pg_ctl and postgres.
inline std::string postgres_bin_dir() {
  const char* dir = std::getenv("RUSTGUARD_POSTGRES_BIN");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/lib/postgresql/15/bin";
}

// The tests skip (and say so, for ctest's SKIP_REGULAR_EXPRESSION) only when
// these are missing.
inline bool postgres_binaries_present() {
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    const std::string path = postgres_bin_dir() + "/" + tool;
    if (::access(path.c_str(), X_OK) != 0) return false;
  }
  return true;
}
inline const std::string kSkipMessage = "SKIPPED: PostgreSQL 15 binaries not found in " + postgres_bin_dir() +
                                        " (tools/dev/setup.sh --tests installs postgresql-15)";

class PostgresServer {
 public:
  PostgresServer() = default;
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer() {
    std::string ignored;
    if (running_) stop(ignored);
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // initdb (first call only) and start. False with `error` set (the tools'
  // output included) when either fails.
  bool start(std::string& error) {
    if (running_) return true;
    if (dir_.empty()) {
      if (!initialise(error)) return false;
      start_guardian();
    }
    const std::string options = "-c listen_addresses='' -k " + dir_ + " -p 5432 -c fsync=off -c full_page_writes=off";
    if (!run({bin("pg_ctl"), "-D", data(), "-l", dir_ + "/server.log", "-w", "-t", "30", "-o", options, "start"},
             error)) {
      error += "\nserver.log:\n" + read_file(dir_ + "/server.log");
      return false;
    }
    running_ = true;
    return true;
  }

  // A fast shutdown: open connections are closed at once, as when an
  // operator restarts the database under a running proxy.
  bool stop(std::string& error) {
    if (!running_) return true;
    if (!run({bin("pg_ctl"), "-D", data(), "-w", "-t", "30", "-m", "fast", "stop"}, error)) return false;
    running_ = false;
    return true;
  }

  bool running() const { return running_; }

  // A libpq connection string for `database` on this server.
  std::string conninfo(const std::string& database) const {
    return "host=" + dir_ + " port=5432 user=rustguard dbname=" + database;
  }

  // The same as a postgresql:// URL (the form config.yml will take); the
  // socket directory is a query parameter. mkdtemp's names need no escaping.
  std::string url(const std::string& database) const {
    return "postgresql://rustguard@/" + database + "?host=" + dir_ + "&port=5432";
  }

  // Creates an empty database for one test case and returns its conninfo.
  std::string fresh_database() {
    const std::string name = "t" + std::to_string(++databases_);
    PGconn* admin = PQconnectdb(conninfo("postgres").c_str());
    INFO(PQerrorMessage(admin));
    REQUIRE(PQstatus(admin) == CONNECTION_OK);
    PGresult* r = PQexec(admin, ("CREATE DATABASE " + name).c_str());
    INFO(PQerrorMessage(admin));
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(admin);
    REQUIRE(ok);
    return conninfo(name);
  }

 private:
  std::string bin(const char* tool) const { return postgres_bin_dir() + "/" + tool; }
  std::string data() const { return dir_ + "/data"; }

  static std::string read_file(const std::string& path) {
    std::ifstream in{path};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  bool initialise(std::string& error) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rustguard-pg-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      error = "mkdtemp failed";
      return false;
    }
    dir_ = tmpl;
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) pw = ::getpwnam("nobody");
      if (pw == nullptr) {
        error = "running as root and neither a postgres nor a nobody account exists to run the server as";
        return false;
      }
      run_as_ = pw->pw_name;
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        error = "chown " + dir_ + " failed";
        return false;
      }
    }
    return run({bin("initdb"), "-D", data(), "-U", "rustguard", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
               error);
  }

  // Runs a PostgreSQL tool (as run_as_ when root) and waits for it; its
  // output goes to tools.log in the directory and into `error` on failure.
  bool run(std::vector<std::string> argv, std::string& error) {
    if (!run_as_.empty()) {
      const char* runuser = ::access("/usr/sbin/runuser", X_OK) == 0 ? "/usr/sbin/runuser" : "runuser";
      argv.insert(argv.begin(), {runuser, "-u", run_as_, "--"});
    }
    const std::string log = dir_ + "/tools.log";
    const auto log_size = [&log] {
      std::error_code ec;
      const auto n = std::filesystem::file_size(log, ec);
      return ec ? std::uintmax_t{0} : n;
    };
    const auto before = log_size();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // The tools run in the server's directory: the unprivileged account may
    // not be allowed into the test's working directory.
    posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    if (rc != 0) {
      error = command + ": cannot start (errno " + std::to_string(rc) + ")";
      return false;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    const std::string all = read_file(log);
    error = command + " failed (status " + std::to_string(status) + "):\n" +
            all.substr(std::min<std::size_t>(all.size(), static_cast<std::size_t>(before)));
    return false;
  }

  // A test process that dies without running destructors (a crash, ctest's
  // timeout) must not leave a server behind. A child in its own session
  // waits on a pipe that only this process holds open for writing; when
  // this process is gone, the read returns and the child stops the server
  // (immediate mode) and removes the directory. After a normal exit the
  // destructor has done both already and the child finds nothing to do.
  void start_guardian() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    std::string stop;
    if (!run_as_.empty()) stop = "runuser -u " + run_as_ + " -- ";
    stop += bin("pg_ctl") + " -D " + data() + " -m immediate stop >/dev/null 2>&1; rm -rf " + dir_;
    const std::string script = "[ -d " + dir_ + " ] && { " + stop + "; }";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      ::close(fds[1]);
      char byte = 0;
      while (::read(fds[0], &byte, 1) < 0 && errno == EINTR) {
      }
      ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    if (pid < 0) {
      ::close(fds[1]);
      return;
    }
    guardian_pipe_ = fds[1];  // closed by the kernel when this process ends, never by us
  }

  std::string dir_;
  std::string run_as_;
  int guardian_pipe_ = -1;
  bool running_ = false;
  int databases_ = 0;
};

// The process's server, started on first use; null when the binaries are
// missing (the caller skips). A server that cannot start fails the test.
inline PostgresServer* shared_server() {
  if (!postgres_binaries_present()) return nullptr;
  static PostgresServer server;
  std::string error;
  const bool started = server.start(error);
  if (!started) FAIL("cannot start PostgreSQL: " << error);
  return &server;
}

// Skips the test case (ctest reads the message: SKIP_REGULAR_EXPRESSION in
// tests/CMakeLists.txt) when the binaries are missing, and only then.
#define REQUIRE_POSTGRES(server_var)                                   \
  ::rustguard::postgres_test::PostgresServer* server_var =             \
      ::rustguard::postgres_test::shared_server();                     \
  if (server_var == nullptr) {                                         \
    WARN(::rustguard::postgres_test::kSkipMessage);                    \
    return;                                                            \
  }

// The first column of the first row of `sql`, which must succeed.
inline std::int64_t pg_int(adapters::PgConnection& db, const std::string& sql) {
  std::int64_t v = -1;
  const auto s = db.query_int(sql, v, "test query", -1);
  INFO(sql << ": " << s.message);
  REQUIRE(s.ok());
  return v;
}

inline adapters::PgConnection connect(const std::string& conninfo) {
  adapters::PgConnection db;
  const auto s = db.open(conninfo);
  INFO(s.message);
  REQUIRE(s.ok());
  return db;
}

// A violation log on `conninfo` as instance `instance`, with short delays,
// so a stopped server is noticed and spilled around at once.
inline adapters::ViolationLogOptions pg_options(const std::string& conninfo, const std::string& spill,
                                               std::uint32_t instance = 0) {
  adapters::ViolationLogOptions o;
  o.database_path = conninfo;
  o.spill_path = spill;
  o.ids.instance = instance;
  o.flush_interval = std::chrono::milliseconds{20};
  o.retry_initial = std::chrono::milliseconds{10};
  o.retry_max = std::chrono::milliseconds{100};
  o.spill_after = std::chrono::milliseconds{200};
  adapters::PostgresSinkOptions pg;
  pg.connect_timeout_s = 2;
  pg.answer_timeout = std::chrono::milliseconds{5'000};
  adapters::use_postgres(o, pg);
  return o;
}

inline std::unique_ptr<adapters::ViolationLog> start_log(adapters::ViolationLogOptions o) {
  std::string error;
  auto log = adapters::ViolationLog::start(std::move(o), error);
  INFO(error);
  REQUIRE(log);
  return log;
}

}  // namespace rustguard::postgres_test
