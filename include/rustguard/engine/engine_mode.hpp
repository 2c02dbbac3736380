#pragma once
// Whether the engine speaks on the wire. The live proxy originates its
// lag-compensation transactions; a replay observes: nothing it would inject
// reaches anyone, so it recognises the transactions a live RustGuard put into
// the captured stream and otherwise relies on the client's answers to the
// server's keep-alives and pings (see lag_compensation.hpp).

#include <cstdint>

namespace rustguard::engine {

enum class EngineMode : std::uint8_t {
  originate,  // ask the session to inject transactions; swallow their answers
  observe,    // inject nothing, change nothing on the wire; read transactions from the stream
};

}  // namespace rustguard::engine
