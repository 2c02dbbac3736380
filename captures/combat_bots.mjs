// Combat bots (issue 12): mineflayer players that fight target players on a
// real server, honestly or with one combat cheat each. Used by
// tests/e2e/combat.mjs (through rustguard and the lag relay) and by
// captures/record.mjs (the combat captures).
//
//   node captures/combat_bots.mjs --version 1.21.4 --port 25565 \
//     [--targets ct_a,ct_b] [--fighters honest:cb_h,killaura:cb_k,...] \
//     [--target-names ct_a,ct_b] [--angle 0] [--fight-ms 4000] [--seed 1]
//
// Targets (--targets) spawn and stand still, looking around a little; they
// leave (goodbye) on IPC {type:'leave'}, or, when this process also runs
// fighters, once every fighter is done. Fighters (--fighters ROLE:NAME,...)
// wait (up to 20 s) until they see the targets (--target-names, default
// --targets; flying-squid can lose a spawn sent while the other player is
// still joining, so run the targets after the fighters have spawned), walk
// to their spot around the first target (--angle: degrees, then +40 per
// fighter), fight for --fight-ms and say goodbye. Roles:
//
//   honest          8-12 clicks/s with human jitter (intervals ~N(100, 22) ms
//                   handled at the next client tick, as a vanilla client
//                   handles clicks), turns gradually (at most 8 deg a tick, in
//                   whole 0.15-degree mouse steps: sensitivity 100 %), strafes
//                   around the target at 2.4-2.9 blocks (centre distance) and
//                   jumps now and then; a click attacks only when the eye ray
//                   (from the position it reported last, as a vanilla client
//                   picks) hits the target's box within 2.9 blocks, else it is
//                   a swing at the air. Swing and attack in the vanilla order (1.8
//                   swings first, 1.9+ after), before the tick's movement packet.
//   killaura        every tick attacks both targets right after the tick's
//                   movement packet, without an arm swing (and strafes, so
//                   that a movement packet goes out every tick).
//   autoclick       one click every client tick (20 CPS, a flat 50 ms schedule).
//   autoclick_random 14 CPS on its own timer, 71 ms +- 4 ms uniform: randomised,
//                   but far too regular for a hand (deviation ~2.3 ms).
//   reach           aims honestly and clicks at 8 CPS from 3.8 blocks (centre;
//                   3.5 from the eye to the box) for half the fight, then from
//                   4.8 (4.5).
//   reach31         reach just past the edge: attacks only when the eye (its
//                   last reported position + 1.62) lies 3.1 +- 0.05 blocks
//                   from the target's box (0.6 x 1.8 at the position the bot
//                   sees it at), ~8 CPS with jitter (N(125, 20) ms), looking
//                   at the box's nearest point. It walks to its spot (20
//                   degrees past its --angle, between the other fighters' spots)
//                   and covers the last 0.4 block in steps of at most 0.05 a
//                   tick, so that it stands still on the spot when it attacks.
//                   3.1 is beyond 1.9+'s range (3.0) and within 1.8's (3.0
//                   from a box grown by 0.1).
//   aimbot          writes its look by code (angles computed, not whole mouse
//                   steps), from the target's -z side (yaw near 0): ~60
//                   degrees away from the target, and every
//                   400-600 ms exactly onto it in one tick, attacking (with
//                   swing) in the next.
//   behind          stands 2 blocks from the target facing away from it and
//                   attacks it at 8 CPS (with swing).
//
// IPC to the parent: {type:'spawned'} when all of this process's bots
// spawned; {type:'cheat-start', username, role, timeMs} at a fighter's first
// attack or click (Date.now()); {type:'fighter-done', username, role,
// attacks, phases, clicks, edge}; {type:'done', ok, fighters}. `attacks`
// counts the attack packets the bot wrote; `phases` splits them by phase
// (reach: r3.5, r4.5; reach31: r3.1); `edge` (reach31 only) lists, per
// attack, the eye-to-box distance it was sent from and its time (Date.now()).

import { parseArgs, send, log } from '../tests/e2e/lib/child.mjs';
import { GOODBYE, isChatPacket } from '../tests/e2e/lib/protocol.mjs';
import { requireDep as require } from '../tests/e2e/lib/deps.mjs';

const mineflayer = require('mineflayer');

const args = parseArgs();
const version = String(args.version);
const list = (v) => String(v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const targetNames = list(args.targets);
const fighterSpecs = list(args.fighters).map((s) => { const [role, name] = s.split(':'); return { role, name }; });
const watchNames = args['target-names'] ? list(args['target-names']) : targetNames;
const fightMs = Number(args['fight-ms'] ?? 4000);
const angleBase = Number(args.angle ?? 0);
const tag = `combat ${version}`;
const ROLES = new Set(['honest', 'killaura', 'autoclick', 'autoclick_random', 'reach', 'reach31', 'aimbot', 'behind']);
for (const f of fighterSpecs) {
  if (!ROLES.has(f.role)) { log(tag, `unknown role ${f.role}; known: ${[...ROLES].join(', ')}`); process.exit(2); }
}

// A small seeded PRNG (mulberry32), so a run's jitter can be repeated.
let seed = Number(args.seed ?? Date.now()) >>> 0;
function random() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const uniform = (a, b) => a + (b - a) * random();
function normal(mean, sd) {
  const u = Math.max(1e-9, random());
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MOVEMENT = new Set(['position', 'position_look', 'look', 'flying']);
// Roles that strafe around the target (the others hold their spot).
const STRAFES = new Set(['honest', 'autoclick', 'autoclick_random', 'aimbot', 'killaura']);
const EYE = 1.62;
const STEP = 0.15; // degrees per mouse count at 100 % sensitivity
// reach31: the eye-to-box distance it attacks from, and how far off an attack may be.
const EDGE_REACH = 3.1;
const EDGE_TOLERANCE = 0.05;

// Rotations in the protocol's degrees (yaw 0 = +z, pitch + = down) against
// mineflayer's radians.
const toDeg = (bot) => ({ yaw: (Math.PI - bot.entity.yaw) * 180 / Math.PI, pitch: -bot.entity.pitch * 180 / Math.PI });
function setDeg(bot, yaw, pitch) {
  bot.entity.yaw = Math.PI - yaw * Math.PI / 180;
  bot.entity.pitch = -Math.max(-90, Math.min(90, pitch)) * Math.PI / 180;
}
const wrap = (a) => ((a % 360) + 540) % 360 - 180;
// The rotation that looks from the eye at point p.
function aimAt(bot, p) {
  const e = bot.entity.position;
  const dx = p.x - e.x; const dy = p.y - (e.y + EYE); const dz = p.z - e.z;
  return { yaw: Math.atan2(-dx, dz) * 180 / Math.PI, pitch: -Math.atan2(dy, Math.hypot(dx, dz)) * 180 / Math.PI };
}
// The point of a player's box (0.6 x 1.8 at its position t, shrunk by
// `inset` on every side) nearest to the eye of a player standing at `feet`.
function nearestBoxPoint(feet, t, inset = 0) {
  const e = { x: feet.x, y: feet.y + EYE, z: feet.z };
  const c = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  const h = 0.3 - inset;
  return { x: c(e.x, t.x - h, t.x + h), y: c(e.y, t.y + inset, t.y + 1.8 - inset), z: c(e.z, t.z - h, t.z + h) };
}
// Distance from the eye of a player standing at `feet` to a player's box.
function boxDistanceFrom(feet, t) {
  const q = nearestBoxPoint(feet, t);
  return Math.hypot(feet.x - q.x, feet.y + EYE - q.y, feet.z - q.z);
}
// The centre distance (horizontal) at which a player standing on the target's
// level, in direction `a` (radians) from it, has its eye `d` blocks from the
// target's box: the eye is within the box's height, so only x and z count.
function centreDistanceFor(d, a) {
  const cx = Math.abs(Math.cos(a)); const sz = Math.abs(Math.sin(a));
  let lo = 0.3; let hi = d + 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (Math.hypot(Math.max(0, mid * cx - 0.3), Math.max(0, mid * sz - 0.3)) < d) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}
// Does the eye ray (the bot's current rotation, from the eye of a player
// standing at `feet`) hit the target's box within `range`?
function rayHits(bot, t, range, feet = bot.entity.position) {
  const { yaw, pitch } = toDeg(bot);
  const r = (d) => d * Math.PI / 180;
  const dir = { x: -Math.sin(r(yaw)) * Math.cos(r(pitch)), y: -Math.sin(r(pitch)), z: Math.cos(r(yaw)) * Math.cos(r(pitch)) };
  const o = { x: feet.x, y: feet.y + EYE, z: feet.z };
  let near = 0; let far = range;
  for (const [k, lo, hi] of [['x', t.x - 0.3, t.x + 0.3], ['y', t.y, t.y + 1.8], ['z', t.z - 0.3, t.z + 0.3]]) {
    if (Math.abs(dir[k]) < 1e-9) { if (o[k] < lo || o[k] > hi) return false; continue; }
    let a = (lo - o[k]) / dir[k]; let b = (hi - o[k]) / dir[k];
    if (a > b) [a, b] = [b, a];
    near = Math.max(near, a); far = Math.min(far, b);
    if (near > far) return false;
  }
  return true;
}

function makeBot(username) {
  const bot = mineflayer.createBot({
    host: args.host ?? '127.0.0.1', port: Number(args.port), username, version, auth: 'offline',
    hideErrors: true, logErrors: false, respawn: true,
  });
  const me = {
    username, bot, silent: false, attacks: 0, clicks: 0, misses: [], phase: 'fight', phases: {}, afterMovement: [], sent: null, edge: [], clickTimes: [],
  };
  // After the goodbye chat the bot writes nothing (tests/e2e/bots.mjs).
  // Attack packets are counted; `afterMovement` holds writes due right after
  // the tick's movement packet (killaura's post attacks); `sent` is the last
  // position the bot reported (what the proxy measures from).
  const write = bot._client.write.bind(bot._client);
  me.rawWrite = write;
  bot._client.write = (name, params) => {
    if (me.silent) return;
    write(name, params);
    if ((name === 'position' || name === 'position_look') && Number.isFinite(params?.x)) me.sent = { x: params.x, y: params.y, z: params.z };
    if (name === 'attack' || (name === 'use_entity' && params?.mouse === 1)) {
      me.attacks++;
      me.phases[me.phase] = (me.phases[me.phase] ?? 0) + 1;
    }
    if (MOVEMENT.has(name) && me.afterMovement.length) for (const f of me.afterMovement.splice(0)) f();
    if (isChatPacket(name) && params?.message === GOODBYE) me.silent = true;
  };
  me.spawnedP = new Promise((resolve, reject) => {
    bot.once('spawn', resolve);
    bot.once('end', (reason) => reject(new Error(`${username} ended before spawning: ${reason}`)));
  });
  me.endedP = new Promise((resolve) => bot.once('end', resolve));
  me.spawnedP.catch(() => {});
  bot.on('error', () => {});
  return me;
}

// A player's entity: through the player list, or (servers that spawn
// players with a generic spawn packet mineflayer does not tie to the list)
// by the list entry's UUID.
function entityOf(bot, name) {
  const p = bot.players[name];
  if (!p) return null;
  if (p.entity) return p.entity;
  const uuid = String(p.uuid ?? '').replaceAll('-', '');
  return Object.values(bot.entities).find((e) => e.uuid && String(e.uuid).replaceAll('-', '') === uuid) ?? null;
}

// The server kicks on reading the goodbye: only then has it read every
// attack before it. A busy flying-squid (26 bots on 1.21.4 in CI) read the
// goodbyes of one run one a second, up to 7 s late; quitting after 5 s left
// attacks unread and the harness counted them as lost.
const GOODBYE_WAIT_MS = 30000;
async function goodbye(me) {
  me.bot.clearControlStates();
  me.bot.chat(GOODBYE);
  const answered = await Promise.race([me.endedP.then(() => true), sleep(GOODBYE_WAIT_MS).then(() => false)]);
  send({ type: 'goodbye', username: me.username, answered, waitMs: GOODBYE_WAIT_MS });
  me.bot.quit();
}

// A target: stands where it spawned, looks around a little (a look packet
// now and then, so 1.9+ clients' movement packets keep coming).
async function target(me, leaveP) {
  const { bot } = me;
  let t = 0;
  const onTick = () => {
    t++;
    const { yaw, pitch } = toDeg(bot);
    if (t % 10 === 0) setDeg(bot, yaw + STEP * Math.round(uniform(-20, 20)), Math.max(-30, Math.min(30, pitch + STEP * Math.round(uniform(-10, 10)))));
  };
  bot.on('physicsTick', onTick);
  await leaveP;
  bot.off('physicsTick', onTick);
  await goodbye(me);
}

// One fighter. Everything happens in mineflayer's physics tick, which runs
// before the tick's movement packet is written (physics.js: physicsTick, then
// updatePosition), so an attack made there precedes the movement packet as
// in a vanilla client.
async function fight(me, role, angleDeg) {
  const { bot } = me;
  const primary = watchNames[0];
  const secondary = watchNames[1];
  const allSeen = () => watchNames.every((n) => entityOf(bot, n));
  for (let i = 0; i < 200 && !allSeen(); i++) await sleep(100);
  const tEnt = entityOf(bot, primary);
  if (!allSeen()) {
    const seen = Object.values(bot.entities).filter((e) => e !== bot.entity).map((e) => `${e.id}:${e.type}/${e.name}/${e.username ?? ''}/${e.uuid ?? ''}`);
    log(tag, `${me.username} does not see all of ${watchNames.join(', ')} (players: ${Object.entries(bot.players).map(([n, p]) => `${n}=${p.uuid}`).join(' ')}; entities: ${seen.join(' ')})`);
  }
  if (!tEnt) {
    const seen = Object.values(bot.entities).filter((e) => e !== bot.entity).map((e) => `${e.type}/${e.name}/${e.username ?? ''}/${e.uuid ?? ''}`);
    throw new Error(`${me.username} never saw ${primary} (players: ${Object.keys(bot.players).join(' ')}; entities: ${seen.join(' ')})`);
  }
  await sleep(300);

  const start = Date.now();
  const state = {
    started: false, tick: 0, nextClick: 0, strafe: uniform(0, Math.PI * 2), aimOff: { yaw: 0, pitch: 0 },
    away: uniform(50, 70) * (random() < 0.5 ? -1 : 1), snapAt: 0, snapped: false, done: false, jumpAt: Date.now() + uniform(600, 1500),
  };
  const distanceFor = () => {
    switch (role) {
      case 'reach': return me.phase === 'r4.5' ? 4.8 : 3.8;
      case 'behind': return 2.0;
      default: return 2.65 + 0.25 * Math.sin(state.strafe * 0.7);
    }
  };
  if (role === 'reach') me.phase = 'r3.5';
  if (role === 'reach31') me.phase = 'r3.1';
  const markStart = () => {
    if (state.started) return;
    state.started = true;
    state.fightStart = Date.now();
    send({ type: 'cheat-start', username: me.username, role, timeMs: Date.now() });
  };
  // Turns towards a rotation: at most maxStep degrees a tick, in whole mouse steps.
  const turnTo = (want, maxStep) => {
    const cur = toDeg(bot);
    const q = (d) => STEP * Math.round(Math.max(-maxStep, Math.min(maxStep, d)) / STEP);
    setDeg(bot, cur.yaw + q(wrap(want.yaw - cur.yaw)), cur.pitch + q(want.pitch - cur.pitch));
  };
  // A click picks from the eye where the bot was at the end of the previous
  // tick, the position it reported last (physicsTick runs after this tick's
  // physics, before its movement packet), as a vanilla client picks early in
  // its tick; the look is this tick's, sent after the attack.
  const eyeFeet = () => me.sent ?? bot.entity.position;
  const click = (targetEnt, { requireAim = true } = {}) => {
    const t = targetEnt.position;
    const from = eyeFeet();
    me.clicks++;
    if (!requireAim || (boxDistanceFrom(from, t) <= 2.9 && rayHits(bot, t, 2.9, from))) bot.attack(targetEnt);
    else { bot.swingArm('right'); me.misses.push(`${boxDistanceFrom(from, t).toFixed(2)}${rayHits(bot, t, 2.9, from) ? '' : 'r'}`); }
  };

  await new Promise((resolve) => {
    // Kicked (or disconnected) mid-fight: the fight is over.
    me.endedP.then(() => { state.done = true; bot.off('physicsTick', onTick); resolve(); });
    const onTick = () => {
      state.tick++;
      const now = Date.now();
      const tgt = entityOf(bot, primary);
      if (!tgt) return;
      const tp = tgt.position;
      // Where to stand: on a circle around the target; honest-like roles
      // drift around it (strafing), cheaters hold their spot.
      if (STRAFES.has(role)) state.strafe += 0.06;
      // The aimbot stands on the target's -z side, so that its look stays near
      // yaw 0: aim.sensitivity reads yaw deltas only where float32 resolves
      // them finely enough (|yaw| below ~128), pitch deltas always.
      // reach31 stands 20 degrees past its angle, between the others' spots.
      const base = role === 'aimbot' ? -90 + (angleDeg % 40) : angleDeg + (role === 'reach31' ? 20 : 0);
      const a = (base * Math.PI) / 180 + (STRAFES.has(role) ? 0.3 * Math.sin(state.strafe) : 0);
      const want = role === 'reach31' ? centreDistanceFor(EDGE_REACH, a) : distanceFor();
      const goal = { x: tp.x + want * Math.cos(a), z: tp.z + want * Math.sin(a) };
      const p = bot.entity.position;
      const d = { x: goal.x - p.x, z: goal.z - p.z };
      const off = Math.hypot(d.x, d.z);
      if (role === 'reach31' && off < 0.4) {
        // The last stretch without the walking controls (their momentum
        // overshoots by more than the tolerance): steps of at most 0.05
        // block a tick (slower than sneaking), then still on the spot.
        bot.clearControlStates();
        bot.entity.velocity.x = 0;
        bot.entity.velocity.z = 0;
        const k = Math.min(1, 0.05 / Math.max(off, 1e-9));
        if (off > 1e-9) { p.x += d.x * k; p.z += d.z * k; }
      } else {
        const yawR = bot.entity.yaw;
        const fwd = d.x * -Math.sin(yawR) + d.z * -Math.cos(yawR);
        const side = d.x * Math.cos(yawR) + d.z * -Math.sin(yawR);
        bot.setControlState('forward', fwd > 0.15);
        bot.setControlState('back', fwd < -0.15);
        bot.setControlState('right', side > 0.15);
        bot.setControlState('left', side < -0.15);
      }
      if (role === 'honest' && now >= state.jumpAt) {
        bot.setControlState('jump', true);
        setTimeout(() => bot.setControlState('jump', false), 100);
        state.jumpAt = now + uniform(1000, 2500);
      }
      const centre = Math.hypot(tp.x - p.x, tp.z - p.z);
      const inPlace = Math.abs(centre - want) < 0.3;

      // Aim: a point on the chest that wanders a little (a hand is not exact).
      if (state.tick % 8 === 0) state.aimOff = { yaw: uniform(-4, 4), pitch: uniform(-3, 3) };
      const onTarget = aimAt(bot, tp.offset(0, 1.2, 0));
      const noise = () => STEP * Math.round(uniform(-2, 2));
      if (role === 'reach31') {
        // At the box's nearest point (a hair inside it, so that a look
        // rounded to the mouse step still enters the box there).
        turnTo(aimAt(bot, nearestBoxPoint(bot.entity.position, tp, 0.02)), 8);
      } else if (role === 'behind') {
        turnTo({ yaw: onTarget.yaw + 180 + state.aimOff.yaw, pitch: 10 + state.aimOff.pitch }, 8);
      } else if (role === 'aimbot') {
        if (state.snapped) {
          // The tick after the snap: attack with the snapped rotation.
          state.snapped = false;
          click(tgt, { requireAim: false });
          state.snapAt = now + uniform(400, 600);
          return;
        }
        if (state.started || inPlace) {
          if (now >= state.snapAt) {
            markStart();
            // Straight onto the target in one tick, exactly (no mouse step).
            // bot.look(force) lifts mineflayer's turn limit for this tick;
            // setting the angle again afterwards undoes its rounding to the
            // mouse step, so the packet carries the computed angle.
            const cur = toDeg(bot);
            const exact = aimAt(bot, tp.offset(0, 1.0, 0));
            const yaw = cur.yaw + wrap(exact.yaw - cur.yaw);
            bot.look(Math.PI - yaw * Math.PI / 180, -exact.pitch * Math.PI / 180, true);
            setDeg(bot, yaw, exact.pitch);
            state.snapped = true;
            return;
          }
        }
        // Between snaps the aimbot writes its look too, computed, not moved
        // by a mouse: towards a point ~60 degrees off the target, at most 8
        // degrees a tick, with no mouse step.
        const cur = toDeg(bot);
        const wantYaw = onTarget.yaw + state.away + state.aimOff.yaw;
        const wantPitch = onTarget.pitch + state.aimOff.pitch;
        const clampStep = (d) => Math.max(-8, Math.min(8, d));
        setDeg(bot, cur.yaw + clampStep(wrap(wantYaw - cur.yaw)) + uniform(-0.4, 0.4), cur.pitch + clampStep(wantPitch - cur.pitch) + uniform(-0.4, 0.4));
      } else {
        turnTo({ yaw: onTarget.yaw + state.aimOff.yaw * 0.5, pitch: onTarget.pitch + state.aimOff.pitch * 0.5 }, uniform(3, 8));
        const cur = toDeg(bot);
        setDeg(bot, cur.yaw + noise(), cur.pitch + noise());
      }
      if (!state.started && !inPlace && now - start < 4000) return;
      if (state.fightStart && now - state.fightStart >= fightMs) { state.done = true; bot.off('physicsTick', onTick); resolve(); return; }
      if (role === 'reach' && state.fightStart && now - state.fightStart >= fightMs / 2) me.phase = 'r4.5';
      if (role === 'reach' && !inPlace) return; // attack only from the phase's distance
      if (role === 'reach31' && !state.started && now - start >= 15000) {
        // Never on its spot (it attacks only from there): no fight.
        log(tag, `${me.username} never reached ${EDGE_REACH} +- ${EDGE_TOLERANCE} from ${primary}'s box (last: ${me.sent ? boxDistanceFrom(me.sent, tp).toFixed(3) : 'no position'})`);
        state.done = true; bot.off('physicsTick', onTick); resolve(); return;
      }

      switch (role) {
        case 'honest':
          if (now >= state.nextClick) {
            markStart();
            click(tgt);
            state.nextClick = now + Math.max(65, Math.min(170, normal(100, 22)));
          }
          break;
        case 'autoclick':
          markStart();
          click(tgt);
          break;
        case 'autoclick_random':
          if (!state.started) {
            markStart();
            // Its own timer, on absolute deadlines: 71 ms +- 5 ms.
            let due = Date.now();
            const next = () => {
              if (state.done || me.silent) return;
              const t2 = entityOf(bot, primary);
              if (t2) {
                me.clickTimes.push(performance.now());  // when the timer really fired
                click(t2);
              }
              due += 71 + uniform(-4, 4);
              setTimeout(next, Math.max(0, due - Date.now()));
            };
            next();
          }
          break;
        case 'reach':
          if (now >= state.nextClick) {
            markStart();
            click(tgt, { requireAim: false });
            state.nextClick = now + 125;
          }
          break;
        case 'reach31':
          if (now >= state.nextClick) {
            // The attack goes out before this tick's movement packet, so the
            // proxy measures from the position reported last (me.sent); the
            // look is this tick's, which has to point at the box.
            const from = me.sent ? boxDistanceFrom(me.sent, tp) : NaN;
            if (!(Math.abs(from - EDGE_REACH) <= EDGE_TOLERANCE) || !rayHits(bot, tp, EDGE_REACH + 0.1, eyeFeet())) break;
            markStart();
            me.edge.push({ d: Number(from.toFixed(4)), t: Date.now() });
            click(tgt, { requireAim: false });
            state.nextClick = now + Math.max(90, Math.min(170, normal(125, 20)));
          }
          break;
        case 'behind':
          if (now >= state.nextClick) {
            markStart();
            click(tgt, { requireAim: false });
            state.nextClick = now + 125;
          }
          break;
        case 'killaura':
          {
            markStart();
            const second = secondary ? entityOf(bot, secondary) : null;
            // After the tick's movement packet, no swing, both targets.
            me.afterMovement.push(() => {
              for (const e of [tgt, second]) {
                if (!e) continue;
                if (bot.supportFeature('attackUsesOwnPacket')) bot._client.write('attack', { entityId: e.id });
                else bot._client.write('use_entity', { target: e.id, mouse: 1, sneaking: false, location: { x: 0, y: 0, z: 0 } });
              }
            });
          }
          break;
        default:
      }
    };
    bot.on('physicsTick', onTick);
  });
  me.afterMovement.length = 0;
  send({
    type: 'fighter-done', username: me.username, role, attacks: me.attacks, phases: me.phases, clicks: me.clicks,
    clickTimes: me.clickTimes.length ? me.clickTimes : undefined,
    ...(role === 'reach31' ? { edge: me.edge } : {}),
  });
  if (me.misses.length) log(tag, `${me.username}: ${me.clicks} clicks, ${me.misses.length} missed (eye-box distance, r = ray off the box): ${me.misses.slice(0, 30).join(' ')}`);
  await goodbye(me);
}

let ok = true;
// Fighters first, targets once they have spawned (flying-squid can lose the
// spawn of a player that joins while another one is joining).
const fighters = fighterSpecs.map((f) => ({ ...f, me: makeBot(f.name) }));
const targets = [];
const summary = [];
try {
  await Promise.all(fighters.map((f) => f.me.spawnedP));
  for (const name of targetNames) {
    const t = makeBot(name);
    targets.push(t);
    await t.spawnedP;
  }
  send({ type: 'spawned' });
  let leave;
  const leaveP = new Promise((resolve) => { leave = resolve; });
  process.on('message', (m) => { if (m?.type === 'leave') leave(); });
  const targetRuns = targets.map((t) => target(t, leaveP));
  await sleep(500);
  const results = await Promise.allSettled(fighters.map((f, i) => fight(f.me, f.role, angleBase + 40 * i)));
  results.forEach((r, i) => {
    const f = fighters[i];
    summary.push({ username: f.name, role: f.role, attacks: f.me.attacks, phases: f.me.phases, ok: r.status === 'fulfilled' });
    if (r.status === 'rejected') { ok = false; log(tag, `${f.name}: ${r.reason?.message ?? r.reason}`); }
  });
  if (fighters.length && targets.length) leave();
  await Promise.all(targetRuns);
} catch (e) {
  ok = false;
  log(tag, 'failed:', e.message);
}
for (const b of [...targets, ...fighters.map((f) => f.me)]) b.bot.quit();
send({ type: 'done', ok, fighters: summary });
setTimeout(() => process.exit(ok ? 0 : 1), 300);
