#pragma once
// The checks of the default engine, in chain order: adding a check is its
// header, one line here, and its test file. Order matters only in that every
// check of a packet runs (the packet's verdict is the worst of them), and
// protocol-level checks come first so their kicks are reported first. The
// engine (engine/detection_engine.hpp) includes this list; nothing here
// includes the engine.

#include "rustguard/checks/aim/duplicate.hpp"
#include "rustguard/checks/aim/impossible.hpp"
#include "rustguard/checks/aim/sensitivity.hpp"
#include "rustguard/checks/aim/snap.hpp"
#include "rustguard/checks/aim/yaw_wrap.hpp"
#include "rustguard/checks/api/check_list.hpp"
#include "rustguard/checks/autoclicker/cps.hpp"
#include "rustguard/checks/autoclicker/pattern.hpp"
#include "rustguard/checks/badpackets/duplicate_toggle.hpp"
#include "rustguard/checks/badpackets/fly_ability.hpp"
#include "rustguard/checks/badpackets/held_item.hpp"
#include "rustguard/checks/badpackets/invalid_position.hpp"
#include "rustguard/checks/badpackets/missing_position.hpp"
#include "rustguard/checks/badpackets/pitch.hpp"
#include "rustguard/checks/badpackets/self_attack.hpp"
#include "rustguard/checks/badpackets/sprint_food.hpp"
#include "rustguard/checks/badpackets/transaction.hpp"
#include "rustguard/checks/combat/hitbox.hpp"
#include "rustguard/checks/combat/reach.hpp"
#include "rustguard/checks/killaura/behind.hpp"
#include "rustguard/checks/killaura/multi_target.hpp"
#include "rustguard/checks/killaura/no_swing.hpp"
#include "rustguard/checks/killaura/post.hpp"
#include "rustguard/checks/model/combat.hpp"
#include "rustguard/checks/movement/fly.hpp"
#include "rustguard/checks/movement/nofall.hpp"
#include "rustguard/checks/movement/speed.hpp"
#include "rustguard/checks/movement/teleport.hpp"
#include "rustguard/checks/place/cursor.hpp"
#include "rustguard/checks/place/face.hpp"
#include "rustguard/checks/place/look.hpp"
#include "rustguard/checks/place/reach.hpp"
#include "rustguard/checks/timer/balance.hpp"
#include "rustguard/checks/timer/negative.hpp"

namespace rustguard::checks {

using DefaultChecks = engine::CheckList<
    badpackets::InvalidPositionCheck, badpackets::PitchCheck, badpackets::TransactionCheck,
    badpackets::HeldItemCheck, badpackets::SelfAttackCheck, badpackets::SprintFoodCheck,
    badpackets::FlyAbilityCheck, badpackets::DuplicateToggleCheck, badpackets::MissingPositionCheck,
    timer::BalanceCheck, timer::NegativeCheck, movement::TeleportCheck, movement::SpeedCheck,
    combat::ReachCheck, combat::HitboxCheck,
    movement::FlyCheck, movement::NoFallCheck, killaura::NoSwingCheck, killaura::MultiTargetCheck,
    killaura::PostCheck, autoclicker::CpsCheck, autoclicker::PatternCheck,
    aim::DuplicateCheck, aim::ImpossibleCheck, aim::YawWrapCheck, aim::SensitivityCheck,
    killaura::BehindCheck, aim::SnapCheck, place::CursorCheck, place::FaceCheck, place::ReachCheck, place::LookCheck,
    model::CombatCheck>;

}  // namespace rustguard::checks
