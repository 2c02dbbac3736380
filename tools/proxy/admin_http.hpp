#pragma once
// What the admin endpoint answers to one HTTP request head: the metrics for
// GET /metrics, the players online for GET /players (GET /players?name=X for
// one), 404 for anything else. No sockets here (admin_server.hpp).

#include <string>
#include <string_view>

#include "metrics.hpp"
#include "player_directory.hpp"

namespace rustguard::proxy {

// The response to one request head ("GET /metrics HTTP/1.1\r\n...").
inline std::string admin_response(std::string_view request_head, const Metrics& metrics,
                                  const PlayerDirectory& players) {
  const auto line_end = request_head.find("\r\n");
  const std::string_view line = request_head.substr(0, line_end);
  auto reply = [](std::string_view status, std::string_view type, const std::string& body) {
    return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(type) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  };
  if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
    return reply("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.render());
  }
  if (line.rfind("GET /players", 0) == 0) {
    const auto target_end = line.find(' ', 4);
    const std::string_view target = line.substr(4, target_end == std::string_view::npos ? line.npos : target_end - 4);
    std::string_view name;
    if (const auto q = target.find("?name="); q != std::string_view::npos) name = target.substr(q + 6);
    if (target == "/players" || target.rfind("/players?", 0) == 0) {
      return reply("200 OK", "application/json", players.render_json(name));
    }
  }
  return reply("404 Not Found", "text/plain; charset=utf-8", "not found; try GET /metrics or GET /players\n");
}

}  // namespace rustguard::proxy
