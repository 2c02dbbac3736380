#pragma once
// Errors are values. Decoding untrusted bytes never throws and never crashes:
// every failure is an Error that names what went wrong and carries up to two
// numbers (the offending value and the limit it broke), so a log line can say
// "frame length 2097152 exceeds limit 2097151" without allocating on the
// packet path.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace rustguard::protocol {

enum class Errc : std::uint8_t {
  ok = 0,
  truncated,                  // a field runs past the end of its buffer
  varint_too_long,            // more than 5 bytes
  varlong_too_long,           // more than 10 bytes
  negative_length,            // a length prefix below zero
  string_too_long,            // more characters or bytes than the field allows
  array_too_long,             // an element count above the field's cap
  invalid_value,              // a field outside its legal domain (enum, bool, ...)
  leftover_bytes,             // the body is longer than the packet's fields
  frame_length_too_long,      // frame length VarInt wider than 3 bytes
  frame_too_large,            // frame length above the configured cap
  uncompressed_too_large,     // dataLength 0 but the payload is >= the threshold
  compressed_below_threshold, // a claimed size below the compression threshold
  compressed_too_large,       // a claimed size above the direction's cap
  compression_ratio,          // claimed size / compressed size above the ratio guard
  inflate_failed,             // zlib reported corrupt data
  inflated_size_mismatch,     // inflated size differs from the claimed size
  unknown_packet_id,          // the id is not known in this state and version
  unexpected_packet,          // a packet that is illegal in the current state
  unknown_protocol_version,   // no generated table for this protocol number
  invalid_handshake,          // handshake malformed or with an unknown intent
  encrypted,                  // the stream is encrypted; bytes are opaque
  forwarding_signature,       // Velocity forwarding not signed with the configured secret
};

constexpr std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::truncated: return "truncated";
    case Errc::varint_too_long: return "varint_too_long";
    case Errc::varlong_too_long: return "varlong_too_long";
    case Errc::negative_length: return "negative_length";
    case Errc::string_too_long: return "string_too_long";
    case Errc::array_too_long: return "array_too_long";
    case Errc::invalid_value: return "invalid_value";
    case Errc::leftover_bytes: return "leftover_bytes";
    case Errc::frame_length_too_long: return "frame_length_too_long";
    case Errc::frame_too_large: return "frame_too_large";
    case Errc::uncompressed_too_large: return "uncompressed_too_large";
    case Errc::compressed_below_threshold: return "compressed_below_threshold";
    case Errc::compressed_too_large: return "compressed_too_large";
    case Errc::compression_ratio: return "compression_ratio";
    case Errc::inflate_failed: return "inflate_failed";
    case Errc::inflated_size_mismatch: return "inflated_size_mismatch";
    case Errc::unknown_packet_id: return "unknown_packet_id";
    case Errc::unexpected_packet: return "unexpected_packet";
    case Errc::unknown_protocol_version: return "unknown_protocol_version";
    case Errc::invalid_handshake: return "invalid_handshake";
    case Errc::encrypted: return "encrypted";
    case Errc::forwarding_signature: return "forwarding_signature";
  }
  return "unknown";
}

// What went wrong, where, and the numbers involved. `context` is a static
// string naming the field or stage ("frame length", "Set Position x"); it must
// point at storage that outlives the error (a literal).
struct Error {
  Errc code = Errc::ok;
  const char* context = "";
  std::int64_t value = 0;  // the offending number, when there is one
  std::int64_t limit = 0;  // the bound it broke, when there is one

  // "frame_too_large: frame length 3000000 (limit 2097152)"
  std::string message() const {
    std::string out{to_string(code)};
    if (context && *context) {
      out += ": ";
      out += context;
    }
    if (value != 0 || limit != 0) {
      out += ' ';
      out += std::to_string(value);
      if (limit != 0) {
        out += " (limit ";
        out += std::to_string(limit);
        out += ')';
      }
    }
    return out;
  }
  friend bool operator==(const Error&, const Error&) = default;
};

// A value or an Error. Small and trivially movable; C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, error) {}         // NOLINT: implicit by design

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(error) {}  // NOLINT: implicit by design
  bool ok() const noexcept { return error_.code == Errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_{};
};

constexpr Error make_error(Errc code, const char* context, std::int64_t value = 0,
                           std::int64_t limit = 0) noexcept {
  return Error{code, context, value, limit};
}

}  // namespace rustguard::protocol
