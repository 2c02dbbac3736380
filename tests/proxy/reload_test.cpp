// SIGHUP's reload (tools/proxy/reload.hpp) against real files: a bad file
// keeps the config in force, the start-only settings (database above all)
// keep their start values, and a good file is swapped in for new connections.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../../tools/proxy/reload.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace reload_test {

using namespace rustguard;

namespace {

// A config file in a fresh temporary directory, rewritten at will.
class ConfigFile {
 public:
  ConfigFile() {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("rustguard-reload-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
  }
  ~ConfigFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "config.yml").string(); }
  void write(const std::string& yaml) const { std::ofstream(path(), std::ios::trunc) << yaml; }

 private:
  std::filesystem::path dir_;
};

struct Logged {
  LogLevel level;
  std::string text;
};

struct Fixture {
  ConfigFile file;
  std::vector<Logged> log;

  proxy::LiveConfig live(const std::string& yaml) {
    file.write(yaml);
    Config initial = adapters::load_config(file.path());
    return proxy::LiveConfig(
        initial, file.path(), [path = file.path()] { return adapters::load_config(path); },
        [this](LogLevel level, std::string_view text) { log.push_back({level, std::string(text)}); });
  }
  bool logged(LogLevel level, std::string_view part) const {
    for (const auto& l : log) {
      if (l.level == level && l.text.find(part) != std::string::npos) return true;
    }
    return false;
  }
};

const std::string kStart =
    "backend: 127.0.0.1:25566\n"
    "database: start.db\n"
    "connections:\n"
    "  idle_timeout_ms: 30000\n";

}  // namespace

TEST_CASE("A reload with a broken file keeps the config in force and logs file:line:column", "[proxy][reload]") {
  Fixture f;
  auto live = f.live(kStart);
  const auto before = live.runtime();

  f.file.write(
      "backend: 127.0.0.1:25570\n"
      "connections:\n"
      "  idle_timeout_ms: soon\n");
  CHECK_FALSE(live.reload());
  CHECK(live.runtime() == before);  // new connections still get the old one
  CHECK(live.config().backend.port == 25566);
  CHECK(live.config().connections.idle_timeout_ms == 30000);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].level == LogLevel::error);
  CHECK(f.log[0].text.find("config reload rejected, keeping the previous config: " + f.file.path() +
                           ":3:20: connections.idle_timeout_ms: expected an integer") != std::string::npos);

  // Unparsable YAML and a missing file are rejected the same way.
  f.file.write("backend: [unclosed\n");
  CHECK_FALSE(live.reload());
  std::filesystem::remove(f.file.path());
  CHECK_FALSE(live.reload());
  CHECK(f.logged(LogLevel::error, f.file.path() + ": cannot open the file"));
  CHECK(live.runtime() == before);
}

TEST_CASE("A good reload is swapped in for new connections; open ones keep theirs", "[proxy][reload]") {
  Fixture f;
  auto live = f.live(kStart);
  const std::shared_ptr<const proxy::RuntimeConfig> held = live.runtime();  // an open connection's

  f.file.write(
      "backend: 127.0.0.1:25570\n"
      "database: start.db\n"
      "connections:\n"
      "  idle_timeout_ms: 5000\n"
      "checks:\n"
      "  engine:\n"
      "    max_cancels_per_second: 7\n");
  REQUIRE(live.reload());
  CHECK(live.runtime() != held);
  CHECK(live.config().backend.port == 25570);
  CHECK(live.runtime()->config.backend.port == 25570);
  CHECK(live.runtime()->config.connections.idle_timeout_ms == 5000);
  CHECK(*live.runtime()->engine == live.config().checks);
  CHECK(live.config().checks != held->config.checks);
  CHECK(held->config.backend.port == 25566);
  CHECK(held->config.connections.idle_timeout_ms == 30000);
  CHECK(f.logged(LogLevel::info, "config reloaded from " + f.file.path()));
  CHECK_FALSE(f.logged(LogLevel::warn, "next start"));
}

TEST_CASE("A reload cannot move the database; it says so and the rest applies", "[proxy][reload]") {
  Fixture f;
  auto live = f.live(kStart);

  f.file.write(
      "backend: 127.0.0.1:25570\n"
      "database: elsewhere.db\n");
  REQUIRE(live.reload());
  CHECK(live.config().database == "start.db");
  // What new connections are built from holds the database in force too.
  CHECK(live.runtime()->config.database == "start.db");
  CHECK(live.runtime()->config.backend.port == 25570);
  CHECK(f.logged(LogLevel::warn, "config reload: database elsewhere.db applies at the next start; still writing start.db"));

  // The next reload compares with the database in force, not with the file's last wish.
  f.log.clear();
  f.file.write("database: start.db\n");
  REQUIRE(live.reload());
  CHECK_FALSE(f.logged(LogLevel::warn, "database"));
}

TEST_CASE("Listen, admin, threads, io_uring and violation_log apply at the next start only", "[proxy][reload]") {
  Fixture f;
  auto live = f.live(kStart);
  const Config start = live.config();

  f.file.write(
      "listen: 0.0.0.0:25999\n"
      "admin: 127.0.0.1:9999\n"
      "threads: 3\n"
      "io_uring: false\n"
      "database: start.db\n"
      "violation_log:\n"
      "  flush_rows: 10\n"
      "log_level: debug\n");
  REQUIRE(live.reload());
  CHECK(live.config().listen == start.listen);
  CHECK(live.config().admin == start.admin);
  CHECK(live.config().threads == start.threads);
  CHECK(live.config().io_uring == start.io_uring);
  CHECK(live.config().violation_log == start.violation_log);
  CHECK(live.runtime()->config.listen == start.listen);
  CHECK(live.config().log_level == LogLevel::debug);  // this one applies
  CHECK(f.logged(LogLevel::warn, "config reload: listen 0.0.0.0:25999 applies at the next start; keeping 0.0.0.0:25565"));
  CHECK(f.logged(LogLevel::warn, "config reload: admin 127.0.0.1:9999 applies at the next start"));
  CHECK(f.logged(LogLevel::warn, "config reload: threads 3 applies at the next start; keeping 0"));
  CHECK(f.logged(LogLevel::warn, "config reload: io_uring false applies at the next start; keeping true"));
  CHECK(f.logged(LogLevel::warn, "config reload: violation_log"));
}

TEST_CASE("A model file that cannot be read on reload keeps the model in force; the log names the model",
          "[proxy][reload][model]") {
  Fixture f;
  const std::filesystem::path model_path = std::filesystem::path(f.file.path()).parent_path() / "combat-model.yml";
  const std::string shipped = (std::filesystem::path(RUSTGUARD_SOURCE_DIR) / "captures/model/combat-model.yml").string();
  const std::string with_model = kStart +
                                 "checks:\n"
                                 "  model:\n"
                                 "    combat:\n"
                                 "      model_file: combat-model.yml\n";
  using rustguard::checks::model::CombatCheck;
  auto model_of = [](const proxy::LiveConfig& l) { return l.config().checks.get<CombatCheck>().params.model; };

  // No file yet: the stage is off, and a reload says why.
  auto live = f.live(with_model);
  CHECK(model_of(live) == nullptr);
  REQUIRE(live.reload());
  CHECK(model_of(live) == nullptr);
  CHECK(f.logged(LogLevel::error, "model stage off: " + model_path.string() + ": cannot open the model file"));

  // The file appears: the next reload loads it and says which model.
  std::filesystem::copy_file(shipped, model_path);
  f.log.clear();
  REQUIRE(live.reload());
  const auto loaded = model_of(live);
  REQUIRE(loaded != nullptr);
  CHECK(f.logged(LogLevel::info, "model stage on: " + loaded->name + " v" + std::to_string(loaded->version) +
                                     " from combat-model.yml"));

  // A broken deploy (line 6 no longer a number): the reload applies the
  // rest, the model in force stays, the log says where the file is wrong.
  std::ofstream(model_path, std::ios::trunc) << "format: rustguard-combat-model/1\nname: combat\nversion: 3\n"
                                                "threshold: 0.5\nwindow_s: 10\nmin_attacks: many\n";
  f.file.write(kStart + "checks:\n  model:\n    combat:\n      model_file: combat-model.yml\n      gate: 2\n");
  f.log.clear();
  REQUIRE(live.reload());
  CHECK(model_of(live) == loaded);
  CHECK(live.config().checks.get<CombatCheck>().params.gate == 2);  // the rest of the file applies
  CHECK(live.config().model_error.empty());
  CHECK(f.logged(LogLevel::error, "config reload: model file unusable, keeping the model in force: " +
                                      model_path.string() + ":6"));
  CHECK(f.logged(LogLevel::info, "model stage on: " + loaded->name));
  CHECK(live.runtime()->config.checks.get<CombatCheck>().params.model == loaded);

  // Naming another file that does not exist keeps it too, under its own file's name.
  f.file.write(kStart + "checks:\n  model:\n    combat:\n      model_file: elsewhere.yml\n");
  REQUIRE(live.reload());
  CHECK(model_of(live) == loaded);
  CHECK(live.config().checks.get<CombatCheck>().params.model_file == "combat-model.yml");

  // No model_file at all switches the stage off on purpose.
  f.file.write(kStart);
  REQUIRE(live.reload());
  CHECK(model_of(live) == nullptr);
}

}  // namespace reload_test
