#pragma once
// The body of a Discord-compatible webhook message (an "execute webhook"
// POST: content and embeds) for one alert or for the alerts of one player
// gathered over an interval (webhook_sender.hpp). Pure: no I/O, no clock.
//
// Discord refuses a whole message when one part is over its limit (title 256,
// description 4096, 25 fields, field name 256 and value 1024, footer 2048,
// 6000 for the embed's text together), so every text is cut to its limit
// with an ellipsis instead. Lengths are counted in UTF-16 units, never fewer
// than code points, so the text fits however the receiver counts. Text that
// is not valid UTF-8 (a detail quoting a client's bytes) has its bad bytes
// replaced by U+FFFD, so the body is always valid JSON.
// allowed_mentions is empty: nothing an alert quotes can ping anyone.
//
// Player names and detail texts come from the client (a name is only
// [A-Za-z0-9_] on a vanilla server, but offline-mode and proxied servers take
// more; a detail may quote a chat line or a brand): they are escaped as
// Discord markdown (escape_markdown) so a name like __x__ is not underlined
// and a detail cannot make a link, a quote block or a heading, and every '@'
// is followed by a zero-width space so @everyone and @here do not even look
// like a mention (allowed_mentions already keeps them from pinging).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/adapters/utf8_repair.hpp"

namespace rustguard::proxy::webhook {

// One alert as the actions will hand it over (issue 13's placeholders).
struct Alert {
  std::string player;   // name
  std::string uuid;     // key for aggregation; the name when empty
  std::string address;  // "ip:port"; left out when include_addresses is off
  std::string check;    // "speed"
  std::string type;     // "A"
  double vl = 0;
  std::string detail;
  int ping_ms = -1;     // unknown when negative
  std::string version;  // "1.21.4"
  std::string server;   // the backend's name
  std::string clip;     // the evidence clip's file name (docs/recordings.md); empty: none
  std::chrono::system_clock::time_point at{};
};

struct MessageOptions {
  bool include_addresses = true;
  std::string username = "RustGuard";  // the name the message is posted under
  std::string content;                 // plain text above the embed (empty: none)
  std::chrono::milliseconds interval{0};  // shown in an aggregated title
};

inline constexpr std::size_t kTitleLimit = 256;
inline constexpr std::size_t kDescriptionLimit = 4096;
inline constexpr std::size_t kFieldLimit = 25;
inline constexpr std::size_t kFieldNameLimit = 256;
inline constexpr std::size_t kFieldValueLimit = 1024;
inline constexpr std::size_t kFooterLimit = 2048;
inline constexpr std::size_t kEmbedTotalLimit = 6000;
inline constexpr std::size_t kContentLimit = 2000;
inline constexpr std::size_t kUsernameLimit = 80;

struct Field {
  std::string name;
  std::string value;
  bool inline_ = true;
};

struct Embed {
  std::string title;
  std::string description;
  std::vector<Field> fields;
  std::string footer;
  std::string timestamp;  // ISO 8601, empty: none
  std::uint32_t color = 0xE67E22;
};

// ---- UTF-8 ---------------------------------------------------------------

// Valid UTF-8: bad bytes (stray continuation, overlong, surrogate, past
// U+10FFFF, cut short) each become U+FFFD.
inline std::string sanitize_utf8(std::string_view in) { return adapters::repair_utf8(in); }

// UTF-16 units of valid UTF-8: 2 for a 4-byte sequence, else 1.
inline std::size_t utf16_length(std::string_view valid) {
  std::size_t n = 0;
  for (const char ch : valid) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0u) != 0x80u) n += b >= 0xF0 ? 2 : 1;
  }
  return n;
}

// Valid UTF-8 cut to at most `limit` UTF-16 units, the last being "…" when cut.
inline std::string truncate_text(std::string_view valid, std::size_t limit) {
  if (utf16_length(valid) <= limit) return std::string(valid);
  if (limit == 0) return {};
  std::size_t units = 0;
  std::size_t end = 0;
  while (end < valid.size()) {
    const auto b = static_cast<unsigned char>(valid[end]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    const std::size_t w = len == 4 ? 2 : 1;
    if (units + w > limit - 1) break;  // one unit left for the ellipsis
    units += w;
    end += len;
  }
  return std::string(valid.substr(0, end)) + "\xE2\x80\xA6";
}

// ---- Discord markdown ------------------------------------------------------

// Text shown as it is in Discord: a backslash before each character that
// starts markdown anywhere (\ * _ ~ ` | > < [ ]: emphasis, code, spoilers,
// quotes, <@mentions> and <#channels>, [masked](links)) and before # and -
// at the start of a line (headings, lists; elsewhere they are plain, and a
// detail's "-0.5" stays readable); a zero-width space after every '@'
// (@everyone, @here). Discord shows an escaped character without its
// backslash. Bytes other than these pass through, so valid UTF-8 stays valid.
inline std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 4);
  bool line_start = true;
  for (const char ch : text) {
    switch (ch) {
      case '\\': case '*': case '_': case '~': case '`': case '|': case '>': case '<': case '[': case ']':
        out.push_back('\\');
        out.push_back(ch);
        break;
      case '#': case '-':
        if (line_start) out.push_back('\\');
        out.push_back(ch);
        break;
      case '@':
        out.append("@\xE2\x80\x8B");  // U+200B ZERO WIDTH SPACE
        break;
      default: out.push_back(ch);
    }
    // Indentation keeps a line's start: "  # x" is a heading too.
    if (ch == '\n') {
      line_start = true;
    } else if (ch != ' ' && ch != '\t') {
      line_start = false;
    }
  }
  return out;
}

// ---- JSON ----------------------------------------------------------------

// A JSON string literal of valid UTF-8: quotes, backslash and control
// characters escaped, everything else passed through as UTF-8.
inline void append_json_string(std::string& out, std::string_view valid) {
  out.push_back('"');
  for (const char ch : valid) {
    const auto b = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (b < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(b));
          out.append(buf);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, sanitize_utf8(text));
  return out;
}

// "2026-12-01T12:58:05.123Z"
inline std::string iso8601(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long long frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int the format could print
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

// A VL as people write it: "12.5", "3", at most two decimals.
inline std::string format_vl(double vl) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", vl);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

// The embed with every limit applied (see the top), as JSON.
inline std::string embed_json(const Embed& e) {
  std::string title = truncate_text(sanitize_utf8(e.title), kTitleLimit);
  std::string footer = truncate_text(sanitize_utf8(e.footer), kFooterLimit);
  std::vector<Field> fields;
  const std::size_t kept = std::min(e.fields.size(), kFieldLimit);
  for (std::size_t i = 0; i < kept; ++i) {
    Field f{truncate_text(sanitize_utf8(e.fields[i].name), kFieldNameLimit),
            truncate_text(sanitize_utf8(e.fields[i].value), kFieldValueLimit), e.fields[i].inline_};
    // Discord refuses an empty name or value.
    if (f.name.empty()) f.name = "-";
    if (f.value.empty()) f.value = "-";
    fields.push_back(std::move(f));
  }
  if (e.fields.size() > kFieldLimit) {
    // The last kept field says how many were left out, so nothing goes unmentioned.
    fields.back() = Field{"\xE2\x80\xA6", std::to_string(e.fields.size() - kFieldLimit + 1) + " more fields left out",
                          false};
  }
  // 6000 for the whole embed: title and footer first, then the fields in
  // order (a value cut to what is left; once not even a name and "…" fit,
  // the rest are left out), the description gets the remainder. Real
  // fields are short player facts, so the description keeps its room.
  std::size_t budget = kEmbedTotalLimit - std::min(kEmbedTotalLimit, utf16_length(title) + utf16_length(footer));
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t name = utf16_length(fields[i].name);
    if (name + 1 > budget) {
      fields.resize(i);
      break;
    }
    fields[i].value = truncate_text(fields[i].value, budget - name);
    budget -= name + utf16_length(fields[i].value);
  }
  std::string description = truncate_text(sanitize_utf8(e.description), std::min(kDescriptionLimit, budget));

  std::string out = "{";
  bool first = true;
  const auto key = [&](std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
  };
  if (!title.empty()) {
    key("title");
    append_json_string(out, title);
  }
  if (!description.empty()) {
    key("description");
    append_json_string(out, description);
  }
  key("color");
  out += std::to_string(e.color & 0xFFFFFFu);
  if (!e.timestamp.empty()) {
    key("timestamp");
    append_json_string(out, sanitize_utf8(e.timestamp));
  }
  if (!fields.empty()) {
    key("fields");
    out.push_back('[');
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"name\":";
      append_json_string(out, fields[i].name);
      out += ",\"value\":";
      append_json_string(out, fields[i].value);
      out += fields[i].inline_ ? ",\"inline\":true}" : ",\"inline\":false}";
    }
    out.push_back(']');
  }
  if (!footer.empty()) {
    key("footer");
    out += "{\"text\":";
    append_json_string(out, footer);
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

// The whole POST body around one embed.
inline std::string message_json(const Embed& e, const MessageOptions& options) {
  std::string out = "{";
  if (!options.username.empty()) {
    out += "\"username\":";
    append_json_string(out, truncate_text(sanitize_utf8(options.username), kUsernameLimit));
    out.push_back(',');
  }
  if (!options.content.empty()) {
    out += "\"content\":";
    append_json_string(out, truncate_text(sanitize_utf8(options.content), kContentLimit));
    out.push_back(',');
  }
  out += "\"allowed_mentions\":{\"parse\":[]},\"embeds\":[";
  out += embed_json(e);
  out += "]}";
  return out;
}

// ---- alerts ----------------------------------------------------------------

// "speed (A)", or "speed" without a type.
inline std::string check_label(const Alert& a) { return a.type.empty() ? a.check : a.check + " (" + a.type + ")"; }

// One check's alerts within a batch.
struct CheckTally {
  std::string check;
  std::string type;
  std::uint64_t count = 0;
  double max_vl = 0;
  std::string last_detail;
};

// The alerts of one player over an interval, gathered by check in order of
// first appearance; player facts (ping, server...) are the latest alert's.
struct PlayerBatch {
  Alert latest;
  std::uint64_t alerts = 0;
  std::vector<CheckTally> checks;

  void add(const Alert& a) {
    ++alerts;
    latest = a;
    for (CheckTally& t : checks) {
      if (t.check == a.check && t.type == a.type) {
        ++t.count;
        t.max_vl = std::max(t.max_vl, a.vl);
        t.last_detail = a.detail;
        return;
      }
    }
    checks.push_back(CheckTally{a.check, a.type, 1, a.vl, a.detail});
  }
};

inline void add_player_fields(Embed& e, const Alert& a, const MessageOptions& options) {
  e.fields.push_back({"Player", escape_markdown(a.player)});
  if (!a.uuid.empty()) e.fields.push_back({"UUID", a.uuid});
  if (options.include_addresses && !a.address.empty()) e.fields.push_back({"Address", a.address});
  if (a.ping_ms >= 0) e.fields.push_back({"Ping", std::to_string(a.ping_ms) + " ms"});
  if (!a.version.empty()) e.fields.push_back({"Version", a.version});
  if (!a.server.empty()) e.fields.push_back({"Server", a.server});
  if (!a.clip.empty()) e.fields.push_back({"Clip", escape_markdown(a.clip)});
}

// One alert: the check in the title, its detail as the description.
inline Embed alert_embed(const Alert& a, const MessageOptions& options) {
  Embed e;
  e.title = escape_markdown(a.player) + " failed " + check_label(a);
  e.description = escape_markdown(a.detail);
  e.fields.push_back({"Check", a.check});
  if (!a.type.empty()) e.fields.push_back({"Type", a.type});
  e.fields.push_back({"VL", format_vl(a.vl)});
  add_player_fields(e, a, options);
  e.footer = "RustGuard";
  e.timestamp = iso8601(a.at);
  return e;
}

// Several alerts of one player: one line per check with its count, highest
// VL and last detail; a single alert looks like alert_embed.
inline Embed batch_embed(const PlayerBatch& b, const MessageOptions& options) {
  if (b.alerts == 1) return alert_embed(b.latest, options);
  Embed e;
  e.title = escape_markdown(b.latest.player) + ": " + std::to_string(b.alerts) + " alerts";
  if (options.interval.count() > 0) {
    e.title += " in " + format_vl(static_cast<double>(options.interval.count()) / 1000.0) + " s";
  }
  for (const CheckTally& t : b.checks) {
    if (!e.description.empty()) e.description.push_back('\n');
    e.description += "**" + (t.type.empty() ? t.check : t.check + " (" + t.type + ")") + "** \xC3\x97" +
                     std::to_string(t.count) + ", VL " + format_vl(t.max_vl);
    if (!t.last_detail.empty()) e.description += " \xE2\x80\x94 " + escape_markdown(t.last_detail);
  }
  e.fields.push_back({"Alerts", std::to_string(b.alerts)});
  e.fields.push_back({"Checks", std::to_string(b.checks.size())});
  add_player_fields(e, b.latest, options);
  e.footer = "RustGuard";
  e.timestamp = iso8601(b.latest.at);
  return e;
}

inline std::string alert_message(const Alert& a, const MessageOptions& options) {
  return message_json(alert_embed(a, options), options);
}
inline std::string batch_message(const PlayerBatch& b, const MessageOptions& options) {
  return message_json(batch_embed(b, options), options);
}

}  // namespace rustguard::proxy::webhook
