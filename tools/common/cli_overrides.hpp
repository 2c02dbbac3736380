#pragma once
// Command-line flags shared by the proxy and the replay tool. Each flag becomes
// a config override, so flags and config.yml go through one validator and a
// flag always wins over the file.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "rustguard/adapters/config_loader.hpp"

namespace rustguard::tools {

struct CommonFlags {
  std::string config_path = "config.yml";
  std::optional<std::string> listen, backend, database, admin;
  std::vector<std::string> sets;  // key=value

  void add_to(CLI::App& app) {
    app.add_option("-c,--config", config_path, "config file (YAML)")->capture_default_str();
    app.add_option("--listen", listen, "HOST:PORT players connect to (overrides listen)");
    app.add_option("--backend", backend, "HOST:PORT of the Minecraft server (overrides backend)");
    app.add_option("--database", database, "SQLite file for violations (overrides database)");
    app.add_option("--admin", admin, "HOST:PORT for /metrics (overrides admin)");
    // One key=value per --set, so positional arguments after it stay positional.
    app.add_option("--set", sets, "override any config key: dotted.key=value (repeatable)")->allow_extra_args(false);
  }

  // Overrides in the order they must apply: --set first, dedicated flags last.
  std::vector<adapters::ConfigOverride> overrides() const {
    std::vector<adapters::ConfigOverride> out;
    for (const auto& s : sets) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw adapters::ConfigError("command line", 0, 0, "--set " + s + ": expected key=value");
      }
      out.push_back({s.substr(0, eq), s.substr(eq + 1)});
    }
    // Quoted so that a value such as [::1]:25565 stays one YAML string.
    auto quoted = [](const std::string& v) {
      std::string q = "'";
      for (char ch : v) q += ch == '\'' ? std::string("''") : std::string(1, ch);
      return q + "'";
    };
    if (listen) out.push_back({"listen", quoted(*listen)});
    if (backend) out.push_back({"backend", quoted(*backend)});
    if (database) out.push_back({"database", quoted(*database)});
    if (admin) out.push_back({"admin", quoted(*admin)});
    return out;
  }
};

}  // namespace rustguard::tools
