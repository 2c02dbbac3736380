#pragma once
// The placeholders of punishment texts (kick messages, console commands,
// alert lines): %player% %uuid% %check% %type% %vl% %ping% %version%
// %detail% %server% %group%. Filled in by the core when a step fires, so the
// text in the actions table is exactly what was sent.

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

namespace rustguard::actions {

inline constexpr std::array<std::string_view, 10> kPlaceholders = {
    "player", "uuid", "check", "type", "vl", "ping", "version", "detail", "server", "group"};

struct PlaceholderValues {
  std::string_view player, uuid, check, type;
  double vl = 0;
  int ping_ms = 0;
  std::string_view version, detail, server, group;
};

// The first `%name%` in `text` that is not a known placeholder (for the
// config loader); empty when all are known. A lone `%` is text.
inline std::string_view unknown_placeholder(std::string_view text) {
  std::size_t at = 0;
  while ((at = text.find('%', at)) != std::string_view::npos) {
    const std::size_t end = text.find('%', at + 1);
    if (end == std::string_view::npos) return {};
    const std::string_view name = text.substr(at + 1, end - at - 1);
    bool known = false;
    for (std::string_view p : kPlaceholders) known = known || p == name;
    if (known) {
      at = end + 1;
      continue;
    }
    // "100% and 50%" is text, not a placeholder: only names made of letters count.
    bool word = !name.empty();
    for (char c : name) word = word && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_');
    if (word) return text.substr(at, end - at + 1);
    at = end;
  }
  return {};
}

// `text` with every known placeholder replaced; anything else is copied.
// Replacements are not scanned again, so a player named "%server%" stays that.
inline std::string expand(std::string_view text, const PlaceholderValues& v) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('%', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('%', open + 1);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    char number[32];
    if (name == "player") out += v.player;
    else if (name == "uuid") out += v.uuid;
    else if (name == "check") out += v.check;
    else if (name == "type") out += v.type;
    else if (name == "vl") out.append(number, static_cast<std::size_t>(std::snprintf(number, sizeof number, "%.1f", v.vl)));
    else if (name == "ping") out += std::to_string(v.ping_ms);
    else if (name == "version") out += v.version;
    else if (name == "detail") out += v.detail;
    else if (name == "server") out += v.server;
    else if (name == "group") out += v.group;
    else {
      // Not a placeholder: keep the first '%' and look again from the second.
      out += '%';
      at = open + 1;
      continue;
    }
    at = close + 1;
  }
  out.append(text.substr(std::min(at, text.size())));
  return out;
}

}  // namespace rustguard::actions
