#pragma once
// Answers the server list when the backend cannot: the last Status Response
// the backend gave (per protocol version), or one built from the configured
// MOTD; and the pre-1.7 legacy ping in the 1.6 format.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/varint.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::proxy {

// Shared by every io thread; touched only on status pings, never per packet.
class StatusCache {
 public:
  // Only protocols RustGuard knows get a slot of their own, so the cache is
  // bounded by the version table: clients pick the number they announce, and
  // one slot per made-up number would let a ping loop grow it without end.
  void store(std::int32_t protocol, std::string json) {
    std::lock_guard lock(mutex_);
    if (protocol::find_version(protocol) != nullptr) by_protocol_[protocol] = json;
    latest_ = std::move(json);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return by_protocol_.size();
  }
  // The answer the backend gave this protocol; else its latest answer to anyone.
  std::optional<std::string> lookup(std::int32_t protocol) const {
    std::lock_guard lock(mutex_);
    if (auto it = by_protocol_.find(protocol); it != by_protocol_.end()) return it->second;
    return latest_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::int32_t, std::string> by_protocol_;
  std::optional<std::string> latest_;
};

namespace detail {

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// UTF-8 to UTF-16 code units; invalid sequences become U+FFFD.
inline std::u16string utf16(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0xFFFD;
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      n = 1;
    } else if (n == 1) {
      cp = c;
    } else {
      cp = c & (0x7F >> n);
      bool ok = true;
      for (std::size_t k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        ok = ok && (cc >> 6) == 0x2;
        cp = cp << 6 | (cc & 0x3F);
      }
      if (!ok) {
        cp = 0xFFFD;
        n = 1;
      }
    }
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp > 0x10FFFF ? 0xFFFD : cp);
    }
    i += n;
  }
  return out;
}

inline void append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet) {
  protocol::Writer{out}.varint(static_cast<std::int32_t>(packet.size())).bytes(packet);
}

}  // namespace detail

// A Status Response document naming only the MOTD (no players, no favicon).
inline std::string status_json_from_motd(std::string_view motd, std::int32_t protocol, std::string_view version_name) {
  std::string json = "{\"version\":{\"name\":";
  detail::append_json_string(json, version_name);
  json += ",\"protocol\":" + std::to_string(protocol) + "},\"players\":{\"max\":0,\"online\":0},\"description\":{\"text\":";
  detail::append_json_string(json, motd);
  json += "}}";
  return json;
}

// Status Response (id 0x00 in every version) as one uncompressed frame.
inline void append_status_response(std::vector<std::uint8_t>& out, std::string_view json) {
  std::vector<std::uint8_t> packet;
  protocol::Writer{packet}.varint(0x00).string(json);
  detail::append_frame(out, packet);
}

// Pong (id 0x01 in every version): the client's payload back.
inline void append_status_pong(std::vector<std::uint8_t>& out, std::int64_t payload) {
  std::vector<std::uint8_t> packet;
  protocol::Writer{packet}.varint(0x01).i64(payload);
  detail::append_frame(out, packet);
}

// The reply to a legacy (0xFE) ping in the 1.6 format, which 1.4-1.6 clients
// and every later client's fallback read: a Kick packet (0xFF) with a UTF-16BE
// string "§1\0protocol\0version\0motd\0online\0max".
inline std::vector<std::uint8_t> legacy_ping_reply(std::string_view motd, std::int32_t protocol,
                                                   std::string_view version_name, int online, int max) {
  std::string text = "\xC2\xA7" "1";
  text += '\0';
  text += std::to_string(protocol);
  text += '\0';
  text += version_name;
  text += '\0';
  text += motd;
  text += '\0';
  text += std::to_string(online);
  text += '\0';
  text += std::to_string(max);
  const std::u16string units = detail::utf16(text);
  std::vector<std::uint8_t> out{0xFF};
  const std::size_t n = units.size() > 0xFFFF ? 0xFFFF : units.size();
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n & 0xFF));
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<std::uint8_t>(units[i] >> 8));
    out.push_back(static_cast<std::uint8_t>(units[i] & 0xFF));
  }
  return out;
}

}  // namespace rustguard::proxy
