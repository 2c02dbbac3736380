#pragma once
// What the admin endpoint answers to one HTTP request head: the metrics for
// GET /metrics, the players online for GET /players (GET /players?name=X for
// one, with that player's recent violations in the store, on every instance
// of a fleet sharing it: player_history_service.hpp), the session recordings asked for here (GET /recordings; POST or
// DELETE /recordings?player=NAME: record that player's next logins, or
// stop), an evidence clip of a player now for POST /clips?player=NAME, 404
// for anything else. No sockets here (admin_server.hpp).

#include <functional>
#include <string>
#include <string_view>

#include "metrics.hpp"
#include "player_directory.hpp"
#include "player_history_service.hpp"
#include "recording_requests.hpp"

namespace rustguard::proxy {

// The admin endpoint's hold on session recordings.
struct AdminRecordings {
  RecordingRequests& requests;
  // Makes sure the recordings' writer runs; "" when it does, else why not.
  std::function<std::string()> start_writer;
};

namespace detail {

inline std::string recordings_json(const RecordingRequests& requests) {
  std::string out = "{\"requested\":[";
  bool first = true;
  for (const std::string& n : requests.names()) {  // names are [A-Za-z0-9_]: nothing to escape
    out += first ? "\"" : ",\"";
    out += n + "\"";
    first = false;
  }
  return out + "]}\n";
}

}  // namespace detail

// X of "GET /players?name=X HTTP/1.1", when X is a player name (letters,
// digits, underscore; what the store can be asked about), else "".
inline std::string_view players_query_name(std::string_view request_head) {
  const std::string_view line = request_head.substr(0, request_head.find("\r\n"));
  const std::string_view prefix = "GET /players?name=";
  if (line.rfind(prefix, 0) != 0) return {};
  const auto end = line.find(' ', prefix.size());
  const std::string_view name = line.substr(prefix.size(), end == std::string_view::npos ? line.npos : end - prefix.size());
  return RecordingRequests::valid(name) ? name : std::string_view{};
}

// The response to one request head ("GET /metrics HTTP/1.1\r\n..."). For
// GET /players?name=X, `history` is what the store holds of X (null: the
// proxy has no store to ask).
inline std::string admin_response(std::string_view request_head, const Metrics& metrics,
                                  const PlayerDirectory& players, AdminRecordings* recordings = nullptr,
                                  const PlayerHistory* history = nullptr) {
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
      if (name.empty()) return reply("200 OK", "application/json", players.render_json());
      // One player: where he is online now, and his recent violations.
      std::string online = players.render_json(name);
      while (!online.empty() && online.back() == '\n') online.pop_back();
      return reply("200 OK", "application/json",
                   "{\"name\":" + webhook::json_string(name) + ",\"online\":" + online +
                       ",\"history\":" + (history != nullptr ? history_json(*history) : std::string("null")) + "}\n");
    }
  }
  {
    // POST /clips?player=NAME: an evidence clip of that player now (every
    // connection of the name), written into clips.folder.
    const std::string_view prefix = "POST /clips?player=";
    if (line.rfind(prefix, 0) == 0) {
      const auto end = line.find(' ', prefix.size());
      const std::string_view name = line.substr(prefix.size(), end == std::string_view::npos ? line.npos : end - prefix.size());
      if (!RecordingRequests::valid(name)) {
        return reply("400 Bad Request", "text/plain; charset=utf-8",
                     "expected a player name (1 to 16 letters, digits or _)\n");
      }
      const auto [found, asked] = players.request_clip(name);
      if (found == 0) return reply("404 Not Found", "text/plain; charset=utf-8", "that player is not online\n");
      if (asked == 0) {
        return reply("503 Service Unavailable", "text/plain; charset=utf-8",
                     "clips are off (clips.enabled at start)\n");
      }
      return reply("202 Accepted", "application/json",
                   "{\"player\":\"" + std::string(name) + "\",\"connections\":" + std::to_string(asked) + "}");
    }
  }
  if (recordings != nullptr) {
    const auto space = line.find(' ');
    const std::string_view method = line.substr(0, space);
    const auto target_end = space == std::string_view::npos ? line.npos : line.find(' ', space + 1);
    const std::string_view target =
        space == std::string_view::npos ? std::string_view{} : line.substr(space + 1, target_end - space - 1);
    if (method == "GET" && target == "/recordings") {
      return reply("200 OK", "application/json", detail::recordings_json(recordings->requests));
    }
    if ((method == "POST" || method == "DELETE") && target.rfind("/recordings?player=", 0) == 0) {
      const std::string_view name = target.substr(std::string_view("/recordings?player=").size());
      if (!RecordingRequests::valid(name)) {
        return reply("400 Bad Request", "text/plain; charset=utf-8",
                     "expected a player name (1 to 16 letters, digits or _)\n");
      }
      if (method == "DELETE") {
        if (!recordings->requests.remove(name)) {
          return reply("404 Not Found", "text/plain; charset=utf-8", "no recording was requested for that player\n");
        }
        return reply("200 OK", "application/json", detail::recordings_json(recordings->requests));
      }
      if (const std::string problem = recordings->start_writer(); !problem.empty()) {
        return reply("503 Service Unavailable", "text/plain; charset=utf-8", "recordings: " + problem + "\n");
      }
      if (!recordings->requests.add(name)) {
        return reply("503 Service Unavailable", "text/plain; charset=utf-8", "too many players requested\n");
      }
      return reply("200 OK", "application/json", detail::recordings_json(recordings->requests));
    }
  }
  return reply("404 Not Found", "text/plain; charset=utf-8",
               "not found; try GET /metrics, GET /players, GET /recordings or POST /clips?player=NAME\n");
}

}  // namespace rustguard::proxy
