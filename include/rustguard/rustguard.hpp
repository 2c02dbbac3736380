#pragma once
// RustGuard's pure core in one include: the protocol codec, the connection
// session, the player context and the detection engine with its checks.
// Deterministic and free of I/O: bytes and time in, verdicts and violations
// out. The adapters (config loading, the SQLite violation log) are separate
// on purpose: include rustguard/adapters/*.hpp where a tool needs them.
//
//   rustguard::session::ConnectionSession session{config.limits};
//   rustguard::session::EngineHooks hooks{engine_config};
//   hooks.set_now(now);
//   session.feed(rustguard::protocol::Direction::serverbound, bytes, hooks, out);

#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/limits.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/packets/serverbound.hpp"
#include "rustguard/protocol/proxy_protocol.hpp"
#include "rustguard/protocol/velocity_forwarding.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/session/player_session.hpp"
#include "rustguard/session/session_event.hpp"
#include "rustguard/time.hpp"
#include "rustguard/violation.hpp"
