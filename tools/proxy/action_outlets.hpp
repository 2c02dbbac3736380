#pragma once
// Where the punishment ladders' actions leave the proxy: the RCON client for
// console commands, the webhook sender for alerts, and the strike book the
// ladders read at login. Built once in main from config.yml (`rcon:`,
// `webhook:`; a reload does not restart them) and shared by every
// connection through ProxyState. Either client may be absent (disabled):
// commands are then recorded as failed, alerts stay log lines.
//
// Thread use: connections run on every io thread; the RCON client is
// single-threaded on its own executor (commands are posted to it), the
// webhook sender and the strike book lock for themselves.

#include <asio/post.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "rcon_client.hpp"
#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/adapters/strike_book.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "webhook_sender.hpp"

namespace rustguard::proxy {

// The actions row's result for an RCON command.
inline std::string rcon_result_text(const RconResult& r) {
  if (!r.sent()) return "failed: " + r.error;
  return r.reply.empty() ? std::string("sent") : "sent: " + r.reply;
}

struct ActionOutlets {
  std::unique_ptr<RconClient> rcon;        // null: rcon.enabled is false
  asio::any_io_executor rcon_executor;     // the RCON client's
  std::unique_ptr<WebhookSender> webhook;  // null: webhook.enabled is false
  adapters::StrikeBook strikes;
  std::string server_name;  // punishments.server_name, for the webhook's alerts

  // Runs a ladder's command and stores its actions row with the result once
  // the server answered (or the command failed). Any thread.
  void run_command(adapters::ActionRecord row, adapters::ViolationLog* log) {
    asio::post(rcon_executor, [this, row = std::move(row), log]() mutable {
      std::string command = row.detail;
      rcon->submit(std::move(command), [row = std::move(row), log](RconResult r) mutable {
        row.result = rcon_result_text(r);
        if (log != nullptr) log->log_action(std::move(row));
      });
    });
  }
};

}  // namespace rustguard::proxy
