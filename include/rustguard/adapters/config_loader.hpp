#pragma once
// Loads config.yml into rustguard::Config (adapters/config.hpp). Shared by
// the proxy and the replay tool; the pure core never includes this header
// (it pulls in yaml-cpp).
//
// Every mistake is reported as "file:line:column: key: what is wrong" and
// nothing is applied: load_config() either returns a complete Config or throws
// ConfigError, so a reload with a broken file keeps the old config in force.
// Unknown keys are errors too, because a typo that silently falls back to a
// default is the worst kind of config bug.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rustguard/adapters/checks_config_loader.hpp"
#include "rustguard/adapters/clips_config_loader.hpp"
#include "rustguard/adapters/combat_model_file.hpp"
#include "rustguard/adapters/config.hpp"
#include "rustguard/adapters/punishments_config_loader.hpp"
#include "rustguard/adapters/recordings_config_loader.hpp"
#include "rustguard/adapters/staff_alerts_config_loader.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"

namespace rustguard::adapters {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, const std::string& message)
      : std::runtime_error(format(file, line, column, message)),
        file_(std::move(file)),
        line_(line),
        column_(column) {}
  const std::string& file() const noexcept { return file_; }
  int line() const noexcept { return line_; }      // 1-based; 0 when not tied to a line
  int column() const noexcept { return column_; }  // 1-based; 0 when not tied to a column

 private:
  static std::string format(const std::string& file, int line, int column, const std::string& message) {
    if (line <= 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  }
  std::string file_;
  int line_;
  int column_;
};

namespace detail {

class ConfigReader {
 public:
  ConfigReader(std::string source, std::vector<std::string> overridden_keys)
      : source_(std::move(source)), overridden_(std::move(overridden_keys)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& what) const {
    // A value that came from the command line has no place in the file.
    for (const auto& k : overridden_) {
      if (k == key) throw ConfigError("command line", 0, 0, key + ": " + what);
    }
    const YAML::Mark m = at.Mark();
    const bool has_mark = m.line >= 0 && !m.is_null();
    throw ConfigError(source_, has_mark ? m.line + 1 : 0, has_mark ? m.column + 1 : 0, key + ": " + what);
  }

  // Rejects keys of `map` that are not in `known`.
  void only_keys(const YAML::Node& map, const std::string& prefix, std::initializer_list<std::string_view> known) const {
    if (!map.IsMap()) fail(map, prefix.empty() ? "(top level)" : prefix, "expected a mapping");
    std::vector<std::string> seen;
    for (const auto& kv : map) {
      const auto name = kv.first.as<std::string>();
      bool found = false;
      for (auto k : known) found = found || k == name;
      if (!found) fail(kv.first, join(prefix, name), "unknown key");
      // yaml-cpp keeps the first of two equal keys; the second is a mistake the user cannot see.
      for (const auto& s : seen) {
        if (s == name) fail(kv.first, join(prefix, name), "duplicate key");
      }
      seen.push_back(name);
    }
  }

  static std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }

  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a string");
    return n.Scalar();
  }

  template <class Int>
  Int integer(const YAML::Node& n, const std::string& key, Int min, Int max) const {
    if (!n.IsScalar()) fail(n, key, "expected an integer");
    const std::string& s = n.Scalar();
    long long v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) fail(n, key, "expected an integer, got '" + s + "'");
    if (v < static_cast<long long>(min) || v > static_cast<long long>(max)) {
      fail(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + s);
    }
    return static_cast<Int>(v);
  }

  double number(const YAML::Node& n, const std::string& key, double min, double max) const {
    if (!n.IsScalar()) fail(n, key, "expected a number");
    const std::string& s = n.Scalar();
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
      fail(n, key, "expected a number, got '" + s + "'");
    }
    if (v < min || v > max) {
      std::ostringstream os;
      os << "must be between " << min << " and " << max << ", got " << s;
      fail(n, key, os.str());
    }
    return v;
  }

  // "host:port", "[v6]:port" or ":port" (all interfaces).
  Endpoint endpoint(const YAML::Node& n, const std::string& key) const {
    const std::string s = text(n, key);
    auto parsed = parse_endpoint(s);
    if (!parsed) fail(n, key, "expected HOST:PORT, got '" + s + "'");
    return *parsed;
  }

  static std::optional<Endpoint> parse_endpoint(std::string_view s) {
    Endpoint e;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
      const auto close = s.find(']');
      if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
      e.host = std::string(s.substr(1, close - 1));
      port = s.substr(close + 2);
    } else {
      const auto colon = s.rfind(':');
      if (colon == std::string_view::npos) return std::nullopt;
      e.host = std::string(s.substr(0, colon));
      port = s.substr(colon + 1);
    }
    if (e.host.empty()) e.host = "0.0.0.0";
    unsigned p = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || p == 0 || p > 65535) return std::nullopt;
    e.port = static_cast<std::uint16_t>(p);
    return e;
  }

  bool boolean(const YAML::Node& n, const std::string& key) const {
    const std::string s = text(n, key);
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(n, key, "expected true or false, got '" + s + "'");
  }

  // A list of CIDRs; each is checked, so a typo is reported where it is.
  std::vector<std::string> cidrs(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence()) fail(n, key, "expected a list of CIDRs such as [10.0.0.0/8, '::1/128']");
    std::vector<std::string> out;
    for (const auto& item : n) {
      const std::string s = text(item, key);
      if (!protocol::parse_cidr(s)) fail(item, key, "expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got '" + s + "'");
      out.push_back(s);
    }
    return out;
  }

  template <class Enum, std::size_t N>
  Enum choice(const YAML::Node& n, const std::string& key, const std::pair<std::string_view, Enum> (&options)[N]) const {
    const std::string s = text(n, key);
    std::string names;
    for (const auto& [name, value] : options) {
      if (name == s) return value;
      names += names.empty() ? "" : ", ";
      names += name;
    }
    fail(n, key, "expected one of " + names + ", got '" + s + "'");
  }

 private:
  std::string source_;
  std::vector<std::string> overridden_;
};

inline void read_limits(const ConfigReader& r, const YAML::Node& n, ProtocolLimits& out) {
  r.only_keys(n, "limits", {"max_frame_bytes", "max_inflated_clientbound", "max_inflated_serverbound",
                            "max_compression_ratio", "compression_ratio_floor", "compression_ratio_floor_serverbound",
                            "max_handshake_frame_bytes", "max_status_frame_bytes", "max_login_frame_bytes"});
  if (auto v = n["max_frame_bytes"]) out.max_frame_bytes = r.integer<std::uint32_t>(v, "limits.max_frame_bytes", 1024, 2'097'151);
  if (auto v = n["max_inflated_clientbound"]) {
    out.max_inflated_clientbound = r.integer<std::uint32_t>(v, "limits.max_inflated_clientbound", 1024, 64u << 20);
  }
  if (auto v = n["max_inflated_serverbound"]) {
    out.max_inflated_serverbound = r.integer<std::uint32_t>(v, "limits.max_inflated_serverbound", 1024, 64u << 20);
  }
  if (auto v = n["max_compression_ratio"]) {
    out.max_compression_ratio = r.integer<std::uint32_t>(v, "limits.max_compression_ratio", 2, 1100);
  }
  if (auto v = n["compression_ratio_floor"]) {
    out.compression_ratio_floor = r.integer<std::uint32_t>(v, "limits.compression_ratio_floor", 0, 64u << 20);
  }
  if (auto v = n["compression_ratio_floor_serverbound"]) {
    out.compression_ratio_floor_serverbound =
        r.integer<std::uint32_t>(v, "limits.compression_ratio_floor_serverbound", 0, 64u << 20);
  }
  if (auto v = n["max_handshake_frame_bytes"]) {
    out.max_handshake_frame_bytes = r.integer<std::uint32_t>(v, "limits.max_handshake_frame_bytes", 300, 2'097'151);
  }
  if (auto v = n["max_status_frame_bytes"]) {
    out.max_status_frame_bytes = r.integer<std::uint32_t>(v, "limits.max_status_frame_bytes", 16, 2'097'151);
  }
  if (auto v = n["max_login_frame_bytes"]) {
    out.max_login_frame_bytes = r.integer<std::uint32_t>(v, "limits.max_login_frame_bytes", 1024, 2'097'151);
  }
}

inline void read_connections(const ConfigReader& r, const YAML::Node& n, ConnectionLimits& out) {
  r.only_keys(n, "connections", {"login_timeout_ms", "configuration_timeout_ms", "idle_timeout_ms", "connect_timeout_ms", "max_connections",
                                 "per_ip_rate", "per_ip_burst", "max_inflated_bytes_per_second",
                                 "max_pending_bytes", "shutdown_flush_ms", "refuse_logins_lag_ms"});
  auto ms = [&](const char* name, std::uint32_t& field) {
    if (auto v = n[name]) field = r.integer<std::uint32_t>(v, std::string("connections.") + name, 100, 3'600'000);
  };
  ms("login_timeout_ms", out.login_timeout_ms);
  ms("configuration_timeout_ms", out.configuration_timeout_ms);
  ms("idle_timeout_ms", out.idle_timeout_ms);
  ms("connect_timeout_ms", out.connect_timeout_ms);
  if (auto v = n["shutdown_flush_ms"]) out.shutdown_flush_ms = r.integer<std::uint32_t>(v, "connections.shutdown_flush_ms", 0, 60'000);
  if (auto v = n["refuse_logins_lag_ms"]) {
    out.refuse_logins_lag_ms = r.integer<std::uint32_t>(v, "connections.refuse_logins_lag_ms", 0, 60'000);
  }
  if (auto v = n["max_connections"]) out.max_connections = r.integer<std::uint32_t>(v, "connections.max_connections", 1, 1'000'000);
  if (auto v = n["per_ip_rate"]) out.per_ip_rate = r.number(v, "connections.per_ip_rate", 0.001, 1e6);
  if (auto v = n["per_ip_burst"]) out.per_ip_burst = r.integer<std::uint32_t>(v, "connections.per_ip_burst", 1, 1'000'000);
  if (auto v = n["max_inflated_bytes_per_second"]) {
    out.max_inflated_bytes_per_second =
        r.integer<std::uint32_t>(v, "connections.max_inflated_bytes_per_second", 64 * 1024, 1u << 30);
  }
  if (auto v = n["max_pending_bytes"]) {
    out.max_pending_bytes = r.integer<std::uint32_t>(v, "connections.max_pending_bytes", 16 * 1024, 256u << 20);
  }
}

inline void read_violation_log(const ConfigReader& r, const YAML::Node& n, ViolationLogSettings& out) {
  r.only_keys(n, "violation_log", {"flush_interval_ms", "flush_rows", "retry_max_ms", "spill_after_ms",
                                   "spill_after_rows", "max_spill_bytes", "instance_id", "spill_path"});
  auto read = [&](const char* key, std::uint32_t& field, std::uint32_t min, std::uint32_t max) {
    if (auto v = n[key]) field = r.integer<std::uint32_t>(v, std::string("violation_log.") + key, min, max);
  };
  read("flush_interval_ms", out.flush_interval_ms, 1, 60'000);
  read("flush_rows", out.flush_rows, 1, 1'000'000);
  read("retry_max_ms", out.retry_max_ms, 10, 600'000);
  read("spill_after_ms", out.spill_after_ms, 0, 3'600'000);
  read("spill_after_rows", out.spill_after_rows, 1, 100'000'000);
  if (auto v = n["max_spill_bytes"]) {
    out.max_spill_bytes = r.integer<std::uint64_t>(v, "violation_log.max_spill_bytes", 64 * 1024, std::uint64_t{1} << 40);
  }
  read("instance_id", out.instance_id, 0, 1023);
  if (auto v = n["spill_path"]) out.spill_path = r.text(v, "violation_log.spill_path");
}

inline void read_messages(const ConfigReader& r, const YAML::Node& n, Messages& out) {
  r.only_keys(n, "messages", {"backend_unavailable", "backend_lost", "shutdown", "protocol_error", "timeout", "kick", "motd", "overloaded"});
  auto message = [&](const char* name, std::string& field) {
    if (auto v = n[name]) {
      field = r.text(v, std::string("messages.") + name);
      if (field.size() > 4096) r.fail(v, std::string("messages.") + name, "longer than 4096 bytes");
    }
  };
  message("backend_unavailable", out.backend_unavailable);
  message("backend_lost", out.backend_lost);
  message("shutdown", out.shutdown);
  message("protocol_error", out.protocol_error);
  message("timeout", out.timeout);
  message("kick", out.kick);
  message("motd", out.motd);
  message("overloaded", out.overloaded);
}

inline void read_proxy_protocol(const ConfigReader& r, const YAML::Node& n, ProxyProtocolConfig& out) {
  r.only_keys(n, "proxy_protocol", {"trusted", "to_backend"});
  if (auto v = n["trusted"]) out.trusted = r.cidrs(v, "proxy_protocol.trusted");
  if (auto v = n["to_backend"]) out.to_backend = r.boolean(v, "proxy_protocol.to_backend");
}

inline void read_rcon(const ConfigReader& r, const YAML::Node& n, RconSettings& out) {
  r.only_keys(n, "rcon", {"enabled", "host", "port", "password", "connect_timeout", "command_timeout", "queue_timeout",
                          "queue_capacity"});
  if (auto v = n["enabled"]) out.enabled = r.boolean(v, "rcon.enabled");
  if (auto v = n["host"]) {
    out.host = r.text(v, "rcon.host");
    if (out.host.empty()) r.fail(v, "rcon.host", "empty host");
  }
  if (auto v = n["port"]) out.port = r.integer<std::uint16_t>(v, "rcon.port", 1, 65535);
  if (auto v = n["password"]) out.password = r.text(v, "rcon.password");
  auto timeout = [&](const char* name, std::chrono::milliseconds& field, std::int64_t min_ms, std::int64_t max_ms) {
    if (auto v = n[name]) {
      field = std::chrono::milliseconds(read_duration_ms(r, v, std::string("rcon.") + name, min_ms, max_ms));
    }
  };
  timeout("connect_timeout", out.connect_timeout, 100, 600'000);
  timeout("command_timeout", out.command_timeout, 100, 600'000);
  timeout("queue_timeout", out.queue_timeout, 1'000, 86'400'000);
  if (auto v = n["queue_capacity"]) out.queue_capacity = r.integer<std::size_t>(v, "rcon.queue_capacity", 1, 1'000'000);
  // The server refuses RCON logins without a password (and does not even open the port).
  if (out.enabled && out.password.empty()) {
    r.fail(n["password"] ? n["password"] : n["enabled"], "rcon.password", "required when rcon is enabled");
  }
}

// An https:// URL, or http:// to this machine only (a local relay): the URL
// holds the webhook's token and the alerts hold player names and addresses.
inline std::optional<std::string> webhook_url_problem(std::string_view url) {
  const auto host_of = [](std::string_view rest) {
    return rest.substr(0, std::min(rest.find_first_of(":/?#"), rest.size()));
  };
  if (url.rfind("https://", 0) == 0) {
    if (host_of(url.substr(8)).empty()) return "no host in '" + std::string(url) + "'";
    return std::nullopt;
  }
  if (url.rfind("http://", 0) == 0) {
    const auto host = host_of(url.substr(7));
    if (host == "127.0.0.1" || host == "localhost") return std::nullopt;
    return "http:// is allowed only to 127.0.0.1 or localhost (the URL holds the webhook's token): use https://, "
           "got '" + std::string(url) + "'";
  }
  return "expected an https:// URL, got '" + std::string(url) + "'";
}

// velocity: the forwarding secret, inline or in a file (Velocity's own
// `forwarding.secret`, relative to the config file's folder). Read here, at
// load and on every reload, so a connection never waits on a file.
inline void read_velocity(const ConfigReader& r, const YAML::Node& n, VelocitySettings& out,
                          const std::filesystem::path& config_dir) {
  r.only_keys(n, "velocity", {"forwarding_secret", "forwarding_secret_file"});
  const auto inline_secret = n["forwarding_secret"];
  const auto file = n["forwarding_secret_file"];
  if (inline_secret && file) {
    r.fail(file, "velocity.forwarding_secret_file", "set forwarding_secret or forwarding_secret_file, not both");
  }
  if (inline_secret) {
    out.forwarding_secret = r.text(inline_secret, "velocity.forwarding_secret");
    if (out.forwarding_secret.empty()) r.fail(inline_secret, "velocity.forwarding_secret", "is empty");
  }
  if (file) {
    const std::string named = r.text(file, "velocity.forwarding_secret_file");
    if (named.empty()) r.fail(file, "velocity.forwarding_secret_file", "is empty");
    const std::filesystem::path path =
        std::filesystem::path(named).is_absolute() || config_dir.empty() ? std::filesystem::path(named) : config_dir / named;
    std::ifstream in(path, std::ios::binary);
    if (!in) r.fail(file, "velocity.forwarding_secret_file", "cannot read '" + path.string() + "'");
    std::string secret;
    // Velocity joins the file's lines: the line breaks are not part of the secret.
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      secret += line;
    }
    if (secret.empty()) r.fail(file, "velocity.forwarding_secret_file", "'" + path.string() + "' is empty");
    out.forwarding_secret = std::move(secret);
    out.forwarding_secret_file = path.string();
  }
}

// A CA bundle libcurl can read: checked here because libcurl would only say
// so at the first POST, as an undelivered message minutes into a run. A
// relative path is relative to the working directory, as libcurl opens it.
inline std::optional<std::string> ca_file_problem(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return "no such file '" + path + "'";
  if (std::filesystem::is_directory(status)) return "'" + path + "' is a directory, expected a PEM file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read '" + path + "'";
  // libcurl takes PEM only; a DER file or a key would fail every POST.
  std::string head(1 << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return "'" + path + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  }
  return std::nullopt;
}

inline void read_webhook(const ConfigReader& r, const YAML::Node& n, WebhookSettings& out) {
  r.only_keys(n, "webhook", {"enabled", "url", "interval", "timeout", "max_attempts", "queue_capacity",
                             "include_addresses", "ca_file", "username", "content"});
  if (auto v = n["enabled"]) out.enabled = r.boolean(v, "webhook.enabled");
  if (auto v = n["url"]) {
    out.url = r.text(v, "webhook.url");
    if (!out.url.empty()) {
      if (auto problem = webhook_url_problem(out.url)) r.fail(v, "webhook.url", *problem);
    }
  }
  if (auto v = n["interval"]) {
    out.interval = std::chrono::milliseconds(read_duration_ms(r, v, "webhook.interval", 0, 3'600'000));
  }
  if (auto v = n["timeout"]) {
    out.timeout = std::chrono::milliseconds(read_duration_ms(r, v, "webhook.timeout", 100, 600'000));
  }
  if (auto v = n["max_attempts"]) out.max_attempts = r.integer<int>(v, "webhook.max_attempts", 1, 100);
  if (auto v = n["queue_capacity"]) {
    out.queue_capacity = r.integer<std::size_t>(v, "webhook.queue_capacity", 1, 1'000'000);
  }
  if (auto v = n["include_addresses"]) out.include_addresses = r.boolean(v, "webhook.include_addresses");
  if (auto v = n["ca_file"]) {
    out.ca_file = r.text(v, "webhook.ca_file");
    if (!out.ca_file.empty()) {
      if (auto problem = ca_file_problem(out.ca_file)) r.fail(v, "webhook.ca_file", *problem);
    }
  }
  if (auto v = n["username"]) out.username = r.text(v, "webhook.username");
  if (auto v = n["content"]) {
    out.content = r.text(v, "webhook.content");
    if (out.content.size() > 2000) r.fail(v, "webhook.content", "longer than 2000 bytes (Discord's limit)");
  }
  if (out.enabled && out.url.empty()) {
    r.fail(n["url"] ? n["url"] : n["enabled"], "webhook.url", "required when the webhook is enabled");
  }
}

// checks.model.combat.model_file: a model that cannot be read leaves the
// model stage off (Config::model_error says why) instead of refusing the
// whole config, so a bad model file never keeps the proxy from starting.
inline void load_combat_model(Config& c, const std::filesystem::path& config_dir) {
  auto& params = c.checks.get<checks::model::CombatCheck>().params;
  params.model.reset();
  c.model_error.clear();
  if (params.model_file.empty()) return;
  // Relative to the config file's folder, so the model can sit next to it.
  const std::filesystem::path file = std::filesystem::path(params.model_file).is_absolute()
                                         ? std::filesystem::path(params.model_file)
                                         : config_dir / params.model_file;
  try {
    params.model = std::make_shared<const checks::model::CombatModel>(read_combat_model(file.string()));
  } catch (const std::exception& e) {
    c.model_error = std::string("model stage off: ") + e.what();
  }
}

inline Config read_config(const ConfigReader& r, const YAML::Node& root, const std::filesystem::path& config_dir) {
  Config c;
  if (!root || root.IsNull()) return c;  // an empty file means every default
  r.only_keys(root, "", {"listen", "backend", "admin", "database", "threads", "io_uring", "log_level", "unknown_versions", "limits",
                      "connections", "messages", "proxy_protocol", "velocity", "checks", "violation_log",
                      "punishments", "rcon", "webhook", "staff_alerts", "recordings", "clips"});
  if (auto v = root["listen"]) c.listen = r.endpoint(v, "listen");
  if (auto v = root["backend"]) c.backend = r.endpoint(v, "backend");
  if (auto v = root["admin"]) c.admin = r.endpoint(v, "admin");
  if (auto v = root["database"]) c.database = r.text(v, "database");
  if (auto v = root["threads"]) c.threads = r.integer<unsigned>(v, "threads", 0, 256);
  if (auto v = root["io_uring"]) c.io_uring = r.boolean(v, "io_uring");
  if (auto v = root["log_level"]) {
    static constexpr std::pair<std::string_view, rustguard::LogLevel> kLevels[] = {
        {"trace", rustguard::LogLevel::trace}, {"debug", rustguard::LogLevel::debug}, {"info", rustguard::LogLevel::info},
        {"warn", rustguard::LogLevel::warn},   {"error", rustguard::LogLevel::error}, {"off", rustguard::LogLevel::off}};
    c.log_level = r.choice(v, "log_level", kLevels);
  }
  if (auto v = root["unknown_versions"]) {
    static constexpr std::pair<std::string_view, UnknownVersionPolicy> kPolicies[] = {
        {"forward", UnknownVersionPolicy::forward}, {"refuse", UnknownVersionPolicy::refuse}};
    c.unknown_versions = r.choice(v, "unknown_versions", kPolicies);
  }
  if (auto v = root["limits"]) read_limits(r, v, c.limits);
  if (auto v = root["connections"]) read_connections(r, v, c.connections);
  if (auto v = root["messages"]) read_messages(r, v, c.messages);
  if (auto v = root["proxy_protocol"]) read_proxy_protocol(r, v, c.proxy_protocol);
  if (auto v = root["velocity"]) read_velocity(r, v, c.velocity, config_dir);
  if (auto v = root["checks"]) read_checks(r, v, c.checks);
  if (auto v = root["violation_log"]) read_violation_log(r, v, c.violation_log);
  if (auto v = root["punishments"]) read_punishments(r, v, c.checks);
  if (auto v = root["rcon"]) read_rcon(r, v, c.rcon);
  if (auto v = root["webhook"]) read_webhook(r, v, c.webhook);
  if (auto v = root["staff_alerts"]) read_staff_alerts(r, v, c.staff_alerts);
  if (auto v = root["recordings"]) read_recordings(r, v, c.recordings);
  if (auto v = root["clips"]) read_clips(r, v, c.clips);
  load_combat_model(c, config_dir);
  // The spill file, like the model, sits next to the config file unless its
  // path is absolute; a server database has no file to put it next to.
  std::string& spill = c.violation_log.spill_path;
  if (spill.empty() && is_database_url(c.database)) spill = kUrlSpillFile;
  if (!spill.empty() && std::filesystem::path(spill).is_relative() && !config_dir.empty()) {
    spill = (config_dir / spill).string();
  }
  return c;
}

// Sets `dotted.key` = value in the YAML tree, creating maps on the way, so a
// command-line override passes through exactly the same validation as the file.
inline void set_path(YAML::Node root, const std::string& dotted, const std::string& value) {
  YAML::Node node = root;
  std::size_t start = 0;
  std::vector<YAML::Node> chain;  // keeps the parents alive while we descend
  while (true) {
    const auto dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      node[part] = YAML::Load(value);
      return;
    }
    chain.push_back(node);
    YAML::Node child = node[part];
    if (!child.IsDefined() || child.IsNull()) {
      node[part] = YAML::Node(YAML::NodeType::Map);
    }
    node.reset(node[part]);
    start = dot + 1;
  }
}

}  // namespace detail

// One command-line override, "dotted.key=value" (e.g. from --set, or --listen).
struct ConfigOverride {
  std::string key;
  std::string value;
};

// Parses YAML text (`source` names it in errors) and applies overrides.
inline Config parse_config(const std::string& yaml_text, const std::string& source,
                           const std::vector<ConfigOverride>& overrides = {}) {
  std::vector<std::string> overridden;
  for (const auto& o : overrides) overridden.push_back(o.key);
  detail::ConfigReader reader(source, std::move(overridden));
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  if (!overrides.empty()) {
    if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    for (const auto& o : overrides) {
      try {
        detail::set_path(root, o.key, o.value);
      } catch (const YAML::Exception& e) {
        throw ConfigError("command line", 0, 0, o.key + "=" + o.value + ": " + e.msg);
      }
    }
  }
  try {
    // Paths in the file (the model) are relative to its folder; without a
    // file (defaults, tests), to the working directory.
    std::error_code ec;
    const std::filesystem::path dir =
        std::filesystem::is_regular_file(source, ec) ? std::filesystem::path(source).parent_path() : std::filesystem::path();
    return detail::read_config(reader, root, dir);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
}

// Reads and parses a config file. Throws ConfigError on any problem.
inline Config load_config(const std::string& path, const std::vector<ConfigOverride>& overrides = {}) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, 0, 0, "cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_config(buffer.str(), path, overrides);
}

}  // namespace rustguard::adapters
