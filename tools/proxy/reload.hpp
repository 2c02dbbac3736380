#pragma once
// The config in force, and SIGHUP: read config.yml again (the same command-
// line overrides apply), validate it, and swap it in for new connections.
//
// A file with any error is rejected as a whole: the config in force stays
// and the error is logged as file:line:column: key: problem. A valid one
// applies to connections accepted from then on (checks.* included; an open
// connection keeps the config it was accepted with), except `staff_alerts`,
// which main hands to the PlayerDirectory at once, so a new staff list
// applies to players already online too. The settings that only
// apply at start (listen, admin, threads, database, violation_log) keep the
// values the proxy started with, before the new config is built, and a
// reload that changes one says so in the log.
//
// The model file (checks.model.combat.model_file) is read with the config.
// One that cannot be read does not reject the reload (the rest of the file
// is good), but it does not switch the model stage off either: the model in
// force stays, and the log says so, so a botched model deploy never leaves
// the server unprotected. Without a model in force the stage stays off
// until a reload reads one. Either way the log names the model in force.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/core.h>

#include "proxy_state.hpp"
#include "rustguard/adapters/config_loader.hpp"

namespace rustguard::proxy {

class LiveConfig {
 public:
  // Reads and validates the file (throws adapters::ConfigError).
  using Loader = std::function<Config()>;
  using LogSink = std::function<void(LogLevel, std::string_view)>;

  // `source` names the file in the log.
  LiveConfig(Config initial, std::string source, Loader load, LogSink log)
      : config_(std::move(initial)),
        runtime_(std::make_shared<const RuntimeConfig>(config_)),
        source_(std::move(source)),
        load_(std::move(load)),
        log_(std::move(log)) {}

  const Config& config() const noexcept { return config_; }
  // What a connection accepted now gets (it holds it for its whole life).
  const std::shared_ptr<const RuntimeConfig>& runtime() const noexcept { return runtime_; }

  // True when the file was valid and is now in force.
  bool reload() {
    Config fresh;
    try {
      fresh = load_();
    } catch (const adapters::ConfigError& e) {
      say(LogLevel::error, fmt::format("config reload rejected, keeping the previous config: {}", e.what()));
      return false;
    }
    keep_start_settings(fresh);
    const std::string model_kept_because = keep_model(fresh);
    config_ = std::move(fresh);
    runtime_ = std::make_shared<const RuntimeConfig>(config_);
    say(LogLevel::info, fmt::format("config reloaded from {} (applies to new connections; open ones keep their "
                                    "checks config)",
                                    source_));
    if (!model_kept_because.empty()) {
      say(LogLevel::error, fmt::format("config reload: model file unusable, keeping the model in force: {}",
                                       model_kept_because));
    }
    log_model_stage(config_, log_);
    return true;
  }

  // What the log says of the model stage once a config is in force: the
  // model it judges with, or why it is off.
  static void log_model_stage(const Config& c, const LogSink& log) {
    if (!log) return;
    const auto& params = c.checks.get<checks::model::CombatCheck>().params;
    if (params.model) {
      const checks::model::CombatModel& m = *params.model;
      const double threshold = params.threshold > 0 ? params.threshold : m.threshold;
      log(LogLevel::info, fmt::format("model stage on: {} v{} from {} (threshold {:.3f}, gate {})", m.name, m.version,
                                      params.model_file, threshold, params.gate));
    } else if (!c.model_error.empty()) {
      log(LogLevel::error, c.model_error);
    }
  }

 private:
  // A model file that could not be read keeps the model in force, and the
  // file it came from (see the top). Returns why, empty when nothing was kept.
  std::string keep_model(Config& fresh) const {
    if (fresh.model_error.empty()) return {};
    auto& params = fresh.checks.get<checks::model::CombatCheck>().params;
    const auto& current = config_.checks.get<checks::model::CombatCheck>().params;
    if (params.model || !current.model) return {};
    params.model = current.model;
    params.model_file = current.model_file;
    std::string why = std::move(fresh.model_error);
    fresh.model_error.clear();
    constexpr std::string_view kOff = "model stage off: ";
    if (why.starts_with(kOff)) why.erase(0, kOff.size());
    return why;
  }

  // The listeners, the io threads and the violation log were set up at
  // start; their settings keep the start's values.
  void keep_start_settings(Config& fresh) {
    if (fresh.database != config_.database) {
      say(LogLevel::warn, fmt::format("config reload: database {} applies at the next start; still writing {}",
                                      fresh.database, config_.database));
      fresh.database = config_.database;
    }
    keep(fresh.listen, config_.listen, "listen", fresh.listen.to_string(), config_.listen.to_string());
    keep(fresh.admin, config_.admin, "admin", fresh.admin.to_string(), config_.admin.to_string());
    keep(fresh.threads, config_.threads, "threads", std::to_string(fresh.threads), std::to_string(config_.threads));
    keep(fresh.io_uring, config_.io_uring, "io_uring", fresh.io_uring ? "true" : "false", config_.io_uring ? "true" : "false");
    keep(fresh.violation_log, config_.violation_log, "violation_log", "the new settings", "the previous ones");
  }

  template <class T>
  void keep(T& fresh, const T& current, std::string_view key, const std::string& wanted, const std::string& kept) {
    if (fresh == current) return;
    say(LogLevel::warn, fmt::format("config reload: {} {} applies at the next start; keeping {}", key, wanted, kept));
    fresh = current;
  }

  void say(LogLevel level, const std::string& text) const {
    if (log_) log_(level, text);
  }

  Config config_;
  std::shared_ptr<const RuntimeConfig> runtime_;
  std::string source_;
  Loader load_;
  LogSink log_;
};

}  // namespace rustguard::proxy
