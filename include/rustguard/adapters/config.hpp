#pragma once
// RustGuard's whole config.yml as plain values, shared by the proxy and the
// replay tool (both load the same file; adapters/config_loader.hpp fills it,
// docs/configuration.md documents every key; keep both in step).
//
// It lives with the adapters, not in the core: it holds the engine's
// settings (`checks`) next to the tools' own, so including it compiles the
// checks. The core takes only its part: the session ProtocolLimits
// (protocol/limits.hpp), the engine an EngineConfig.

#include <string>

#include "rustguard/adapters/action_settings.hpp"
#include "rustguard/adapters/log_level.hpp"
#include "rustguard/adapters/proxy_settings.hpp"
#include "rustguard/adapters/clip_settings.hpp"
#include "rustguard/adapters/recording_settings.hpp"
#include "rustguard/adapters/staff_alert_settings.hpp"
#include "rustguard/adapters/velocity_settings.hpp"
#include "rustguard/adapters/violation_log_settings.hpp"
#include "rustguard/engine/detection_engine.hpp"  // engine::EngineConfig (the default check list)
#include "rustguard/protocol/limits.hpp"

namespace rustguard {

struct Config {
  Endpoint listen{"0.0.0.0", 25565};
  Endpoint backend{"127.0.0.1", 25566};
  Endpoint admin{"127.0.0.1", 9464};  // Prometheus /metrics; keep it on loopback
  std::string database = "rustguard.db";
  ViolationLogSettings violation_log{};
  unsigned threads = 0;  // io threads; 0 = one per core
  // Players in play are read and written through an io_uring per io thread
  // (Linux 6.1+); false, or a kernel that refuses the ring: epoll.
  bool io_uring = true;
  LogLevel log_level = LogLevel::info;
  // Refused by default: an uninspected stream is a way to switch RustGuard off.
  UnknownVersionPolicy unknown_versions = UnknownVersionPolicy::refuse;
  ProtocolLimits limits{};
  ConnectionLimits connections{};
  Messages messages{};
  ProxyProtocolConfig proxy_protocol{};
  VelocitySettings velocity{};  // velocity.*: the forwarding secret, to verify forwarded identities
  engine::EngineConfig checks{};  // checks.* : the detection engine and every check
  // (and `punishments:`, the ladders the engine runs: checks.punishments)
  RconSettings rcon{};        // rcon.*: where `command` actions go
  WebhookSettings webhook{};  // webhook.*: where alerts are posted
  StaffAlertSettings staff_alerts{};  // staff_alerts.*: who gets alerts in game
  RecordingSettings recordings{};     // recordings.*: whose sessions are recorded, where
  ClipSettings clips{};               // clips.*: the per-player ring of the last seconds
  // Why checks.model.combat.model_file could not be loaded (the model stage
  // is off); empty when it loaded or none is named.
  std::string model_error;
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace rustguard
