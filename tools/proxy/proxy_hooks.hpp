#pragma once
// The hooks the proxy feeds its sessions with: the inspector (the checks
// engine; ForwardOnlyHooks until it lands) wrapped with the few packets the
// proxy itself needs to see: status traffic (to cache the backend's answer
// and to answer alone when the backend is down) and the backend's own
// Disconnect (so a backend that kicks and closes is not reported as lost).
//
// Time: set_now() is called before every feed with microseconds since the
// epoch; it is passed on to an inspector that has set_now(std::int64_t) or
// set_now(Timestamp) (the detection engine's session::EngineHooks).
//
// With an inspector that says which check cancelled a packet (EngineHooks),
// the drops that reach the session are sorted here: a dropped packet is a
// check's cancel when the inspector names the check (tallied per check and
// kind for the metrics and the cancel actions); otherwise it is the answer
// to the engine's own transaction, swallowed by design. Violations are no
// guide: repeated flags are folded, so a cancel may add no record.
//
// The packet-rate limit of the inspector (on_serverbound_frame, kick_reason)
// is passed through to the session when the inspector has one.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/packets/status/status_ping_c2s.hpp"
#include "rustguard/protocol/packets/status/status_response_s2c.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/time.hpp"

namespace rustguard::proxy {

// Packets of one kind one check cancelled during the feeds since the
// connection last took the tallies.
struct CancelTally {
  std::string_view check;  // the check's key (static storage)
  session::PacketKind kind = session::PacketKind::count;
  std::uint64_t packets = 0;
};

// What the proxy learned from one feed; cleared by the connection after acting on it.
struct Observations {
  int status_requests = 0;
  std::optional<std::int64_t> status_ping;
  std::optional<std::string> status_response;
  bool backend_disconnect = false;
  bool encryption_started = false;
  bool logged_in = false;
  bool identity_changed = false;  // e.g. the client brand arrived
  std::vector<CancelTally> cancels;  // one entry per (check, kind), however long the flood
  std::uint32_t transactions_sent = 0;
  std::uint32_t transactions_answered = 0;
};

template <class Inspector>
class ProxyHooks {
 public:
  template <class... Args>
  explicit ProxyHooks(Args&&... args) : inspector_(std::forward<Args>(args)...) {}

  void set_now(std::int64_t now_us) {
    now_us_ = now_us;
    if constexpr (requires(Inspector& i) { i.set_now(now_us); }) {
      inspector_.set_now(now_us);
    } else if constexpr (requires(Inspector& i) { i.set_now(Timestamp{now_us}); }) {
      inspector_.set_now(Timestamp{now_us});
    }
  }
  std::int64_t now_us() const noexcept { return now_us_; }
  Inspector& inspector() noexcept { return inspector_; }
  Observations& seen() noexcept { return seen_; }

  bool wants(session::Direction d, session::PacketKind k) const { return observed(k) || inspector_.wants(d, k); }

  session::PacketDisposition on_packet(const session::PacketView& v) {
    using protocol::PacketKind;
    switch (v.kind) {
      case PacketKind::status_request_c2s:
        ++seen_.status_requests;
        break;
      case PacketKind::status_ping_c2s:
        if (auto p = protocol::packets::StatusPingC2s::decode(v.body, 0)) seen_.status_ping = p->payload;
        break;
      case PacketKind::status_response_s2c:
        if (auto p = protocol::packets::StatusResponseS2c::decode(v.body, 0)) seen_.status_response = std::move(p->json);
        break;
      case PacketKind::login_disconnect_s2c:
      case PacketKind::config_disconnect_s2c:
      case PacketKind::disconnect_s2c:
        seen_.backend_disconnect = true;
        break;
      default:
        break;
    }
    if (!inspector_.wants(v.direction, v.kind)) return {};
    if constexpr (requires(const Inspector& i) { i.cancelling_check(); }) {
      session::PacketDisposition d = inspector_.on_packet(v);
      if (v.direction == session::Direction::clientbound) {
        seen_.transactions_sent += (d.transaction_before ? 1U : 0U) + (d.transaction_after ? 1U : 0U);
      } else if (d.action == session::PacketAction::drop) {
        const std::string_view check = inspector_.cancelling_check();
        if (check.empty()) {
          ++seen_.transactions_answered;
        } else {
          tally_cancel(check, v.kind);
        }
      }
      return d;
    } else {
      return inspector_.on_packet(v);
    }
  }

  // The inspector's packet-rate limit, when it has one (the session checks
  // for this member): every client frame; false closes the connection.
  bool on_serverbound_frame()
    requires requires(Inspector& i) { { i.on_serverbound_frame() } -> std::same_as<bool>; }
  {
    return inspector_.on_serverbound_frame();
  }
  std::optional<std::string> kick_reason() const
    requires requires(const Inspector& i) { i.kick_reason(); }
  {
    return inspector_.kick_reason();
  }

  void on_tracker_update(const protocol::ConnectionTracker& t, const protocol::TrackerUpdate& u) {
    seen_.encryption_started = seen_.encryption_started || u.encryption_started;
    seen_.logged_in = seen_.logged_in || u.logged_in;
    seen_.identity_changed = seen_.identity_changed || u.identity_changed;
    inspector_.on_tracker_update(t, u);
  }

 private:
  void tally_cancel(std::string_view check, session::PacketKind kind) {
    for (CancelTally& t : seen_.cancels) {
      if (t.kind == kind && t.check == check) {
        ++t.packets;
        return;
      }
    }
    seen_.cancels.push_back({check, kind, 1});
  }

  static constexpr bool observed(session::PacketKind k) noexcept {
    using protocol::PacketKind;
    switch (k) {
      case PacketKind::status_request_c2s:
      case PacketKind::status_ping_c2s:
      case PacketKind::status_response_s2c:
      case PacketKind::login_disconnect_s2c:
      case PacketKind::config_disconnect_s2c:
      case PacketKind::disconnect_s2c:
        return true;
      default:
        return false;
    }
  }

  Inspector inspector_;
  Observations seen_;
  std::int64_t now_us_ = 0;
};

}  // namespace rustguard::proxy
