#pragma once
// Text from the client's bytes made valid UTF-8 for the outlets that demand
// it (webhook JSON, PostgreSQL text): each byte that is not part of a valid
// sequence becomes U+FFFD, so one bad name never fails a message or a batch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rustguard::adapters {

// Valid UTF-8: bad bytes (stray continuation, overlong, surrogate, past
// U+10FFFF, cut short) each become U+FFFD; with `replace_nul`, NUL bytes too.
inline std::string repair_utf8(std::string_view in, bool replace_nul = false) {
  std::string out;
  out.reserve(in.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
  std::size_t i = 0;
  while (i < in.size()) {
    const unsigned char b = byte(i);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80 && (b != 0 || !replace_nul)) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07u;
    }
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const unsigned char c = byte(i + k);
      if ((c & 0xC0u) != 0x80u) ok = false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (ok) {
      const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace rustguard::adapters
