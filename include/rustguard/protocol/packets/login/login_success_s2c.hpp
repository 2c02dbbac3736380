#pragma once
// Login Success (clientbound, login "success"): the profile the server
// accepted. Before 1.20.2 the connection enters play right after it; from
// 1.20.2 the client answers with Login Acknowledged. The UUID is a dashed
// string before 1.16 and 16 bytes after; profile properties (skin) follow from
// 1.19, and 1.20.5-1.21.1 end with a "strict error handling" flag.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct ProfileProperty {
  std::string name;       // "textures"
  std::string value;      // base64
  std::string signature;  // base64; empty when unsigned
  bool signed_ = false;
};

struct LoginSuccessS2c {
  static constexpr PacketKind kind = PacketKind::login_success_s2c;
  static constexpr std::int32_t kMaxNameChars = 16;
  static constexpr std::int32_t kMaxProperties = 16;
  static constexpr std::int32_t kMaxPropertyNameChars = 64;
  static constexpr std::int32_t kMaxPropertySignatureChars = 1024;

  Uuid uuid{};
  std::string name;
  std::vector<ProfileProperty> properties;  // 1.19+
  bool strict_error_handling = false;       // 1.20.5-1.21.1 only

  static Result<LoginSuccessS2c> decode(std::span<const std::uint8_t> body,
                                        std::int32_t protocol) {
    Reader r{body};
    LoginSuccessS2c p;
    if (protocol < v::v1_16) {
      const std::string_view text = r.string_view(36);
      if (r.ok() && !parse_uuid(text, p.uuid)) {
        return make_error(Errc::invalid_value, "Login Success uuid text",
                          static_cast<std::int64_t>(text.size()), 36);
      }
    } else {
      p.uuid = r.uuid();
    }
    p.name = r.string(kMaxNameChars);
    if (protocol >= v::v1_19) {
      const std::int32_t count = r.length(kMaxProperties, "profile properties");
      for (std::int32_t i = 0; i < count && r.ok(); ++i) {
        ProfileProperty prop;
        prop.name = r.string(kMaxPropertyNameChars);
        prop.value = r.string(32767);
        prop.signed_ = r.boolean();
        if (prop.signed_) prop.signature = r.string(kMaxPropertySignatureChars);
        p.properties.push_back(std::move(prop));
      }
    }
    if (protocol >= v::v1_20_5 && protocol < v::v1_21_2) p.strict_error_handling = r.boolean();
    if (auto done = r.finish("Login Success"); !done) return done.error();
    return p;
  }

  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" or the same 32 hex digits undashed.
  static bool parse_uuid(std::string_view text, Uuid& out) noexcept {
    const bool dashed = text.size() == 36;
    if (!dashed && text.size() != 32) return false;
    std::uint64_t words[2] = {0, 0};
    int digits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
        if (c != '-') return false;
        continue;
      }
      int v = -1;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      if (v < 0) return false;
      auto& w = words[digits / 16];
      w = (w << 4) | static_cast<std::uint64_t>(v);
      ++digits;
    }
    out.high = words[0];
    out.low = words[1];
    return digits == 32;
  }
};

}  // namespace rustguard::protocol::packets
