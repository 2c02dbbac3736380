#pragma once
// Where actions go out of the proxy: the backend's RCON port (console
// commands) and a Discord-compatible webhook (alerts). `rcon:` and `webhook:`
// in config.yml (adapters/config_loader.hpp reads them, docs/configuration.md
// documents them); the proxy's clients take them as they are
// (tools/proxy/rcon_client.hpp, tools/proxy/webhook_sender.hpp). Plain values:
// no I/O, no engine, so the proxy's headers can include this one alone.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace rustguard {

struct RconSettings {
  // Off by default: `command` actions then fail (logged) instead of running.
  bool enabled = false;
  std::string host = "127.0.0.1";
  std::uint16_t port = 25575;
  std::string password;
  // Resolve, connect and log in.
  std::chrono::milliseconds connect_timeout{5000};
  // From sending a command to the end of its reply.
  std::chrono::milliseconds command_timeout{5000};
  // How long a command may wait in the queue for a connection.
  std::chrono::milliseconds queue_timeout{60000};
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  // Commands waiting to be sent (the one in flight not counted).
  std::size_t queue_capacity = 256;
  bool operator==(const RconSettings&) const = default;
};

struct WebhookSettings {
  // Off by default: alerts then go to the log and the in-game staff only.
  bool enabled = false;
  std::string url;                            // https://discord.com/api/webhooks/<id>/<token>
  std::chrono::milliseconds interval{10000};  // aggregation window per player
  std::chrono::milliseconds timeout{10000};   // one POST, connect included
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  int max_attempts = 4;               // POSTs per message, the first included
  std::size_t queue_capacity = 1000;  // alerts waiting (webhook_sender.hpp)
  bool include_addresses = true;
  std::string ca_file;  // PEM bundle to trust instead of the system's
  std::string username = "RustGuard";
  std::string content;  // text above each embed, e.g. a role mention
  // How long the destructor may spend posting what is still waiting.
  std::chrono::milliseconds stop_grace{2000};
  bool operator==(const WebhookSettings&) const = default;
};

}  // namespace rustguard
