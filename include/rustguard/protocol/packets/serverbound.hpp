#pragma once
// Every serverbound typed packet decoder, plus the handshake, status, login
// and configuration packets of both directions (the ones the connection state
// machine follows).

#include "rustguard/protocol/packets/play/set_movement_flags_c2s.hpp"
#include "rustguard/protocol/packets/play/set_position_c2s.hpp"
#include "rustguard/protocol/packets/play/set_position_rotation_c2s.hpp"
#include "rustguard/protocol/packets/play/set_rotation_c2s.hpp"
