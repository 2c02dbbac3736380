#pragma once
// The mob effects that change what movement is legal, by their 0-based
// registry id (the decoders normalise every version to it), and the levels a
// player currently has.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rustguard::context {

enum class MovementEffect : std::uint8_t { speed, slowness, jump_boost, levitation, slow_falling, dolphins_grace, count };

inline constexpr std::size_t kMovementEffectCount = static_cast<std::size_t>(MovementEffect::count);

// 0-based registry ids: speed 0, slowness 1, jump_boost 7, levitation 24,
// slow_falling 27, dolphins_grace 29 (stable since each effect was added).
constexpr std::optional<MovementEffect> movement_effect(std::int32_t registry_id) noexcept {
  switch (registry_id) {
    case 0: return MovementEffect::speed;
    case 1: return MovementEffect::slowness;
    case 7: return MovementEffect::jump_boost;
    case 24: return MovementEffect::levitation;
    case 27: return MovementEffect::slow_falling;
    case 29: return MovementEffect::dolphins_grace;
    default: return std::nullopt;
  }
}

struct EffectLevels {
  // Level = amplifier + 1; 0 = absent.
  std::array<std::int32_t, kMovementEffectCount> levels{};

  std::int32_t level(MovementEffect e) const noexcept { return levels[static_cast<std::size_t>(e)]; }
  bool has(MovementEffect e) const noexcept { return level(e) > 0; }
  void set(MovementEffect e, std::int32_t amplifier) noexcept {
    // Amplifiers are a signed byte before 1.20.5: 128..255 arrive negative and
    // act as huge levels in the game; clamp rather than let them wrap.
    levels[static_cast<std::size_t>(e)] = amplifier < 0 ? 0 : (amplifier > 254 ? 255 : amplifier + 1);
  }
  void clear(MovementEffect e) noexcept { levels[static_cast<std::size_t>(e)] = 0; }
  void clear_all() noexcept { levels.fill(0); }
  friend bool operator==(const EffectLevels&, const EffectLevels&) = default;
};

}  // namespace rustguard::context
