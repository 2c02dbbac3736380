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
// The model corpus's roles (captures/model/record_corpus.mjs; issue 15). Each
// draws its session's parameters from --seed (reported in fighter-done as
// `params`, with `hitDistances`: the eye-to-box distances it attacked from,
// and `targetHits`: attacks per target),
// strafes around its spot (--angle) and jumps now and then, and clicks on an
// absolute schedule handled at client ticks (at most two clicks a tick, as a
// vanilla client handles the clicks queued since its last tick). Unless said
// otherwise a click attacks only when the eye ray hits the target's box
// within 3.0 blocks (from the position reported last), else it swings at the
// air; swing and attack in the version's vanilla order.
//
//   honest_novice   5-8 CPS (intervals N(mean, 22 %)), lazy aim: a point
//                   +-9-14 degrees (yaw, +-5-9 pitch) off the chest, each tick turning a
//                   quarter to a half of the way, at most 3.5-5 degrees, in
//                   0.15-degree mouse steps, +-3 steps of hand noise; 2.0-2.9
//                   blocks from the target (centre); misses often.
//   honest_average  like honest: 8-12 CPS (N(mean, 22 ms)), turns at most 5-8
//                   degrees a tick in mouse steps, 2.4-2.9 blocks.
//   honest_skilled  10-14 CPS from a skewed (log-normal) interval law with
//                   occasional 200-600 ms pauses, turns up to 11-15 degrees a
//                   tick in mouse steps, tighter aim, strafes faster and wider,
//                   2.6-2.95 blocks.
//   cps_random      honest aim and movement, 13-16 CPS: a new target CPS every
//                   second, each interval with gaussian jitter (sd 15-25 ms),
//                   never more than 15 clicks in 20 ticks (under
//                   autoclicker.cps's 16), so ~14 CPS in effect.
//   reach_var       honest aim and 8-12 CPS, but has a per-session reach R of
//                   3.1-3.5 blocks eye to box: stands (strafing) R - 0.15 from
//                   the box and attacks when its ray hits the box within
//                   R + 0.05.
//   smooth_aim      aim assist: every tick a fixed share (55-85 %) of the way
//                   onto the chest with computed angles (no mouse step), a
//                   small steady bias and ~0.1-0.2 degree noise; 9-12 CPS.
//   multi           multi-target aura without two hits in a tick: 10-13 CPS,
//                   switches target every 1-3 attacks (needs two targets),
//                   snapping its look onto the one it attacks in one tick (in
//                   whole mouse steps), with swings, attacking whether or not
//                   the ray hits; stands 2.1-2.5 blocks from the targets' middle.
//   closet          cps_random's clicks and reach_var's movement at reach 3.2
//                   (eye to box), honest-looking aim.
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
// The model corpus's roles (captures/model/record_corpus.mjs): per-session
// parameters drawn from --seed, clicks on an absolute schedule handled at
// client ticks (tickNew below).
const MODEL_ROLES = new Set(['honest_novice', 'honest_average', 'honest_skilled', 'cps_random', 'reach_var', 'smooth_aim', 'multi', 'closet']);
const ROLES = new Set(['honest', 'killaura', 'autoclick', 'autoclick_random', 'reach', 'reach31', 'aimbot', 'behind', ...MODEL_ROLES]);
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

// The model corpus's roles: one session's parameters, drawn from the seeded
// PRNG (so --seed reproduces them). `clicks` picks the interval law:
// normal (mean, sd), skewed (log-normal with occasional pauses), random
// (a per-second target CPS in [lo, hi] plus gaussian jitter).
function lognormal(mean, sigma) {
  return Math.exp(normal(Math.log(mean) - sigma * sigma / 2, sigma));
}
const r3 = (x) => Number(x.toFixed(3));
function modelParams(role) {
  const P = { role };
  const honestAim = () => ({ aimYaw: r3(uniform(1.6, 2.4)), aimPitch: r3(uniform(1.2, 1.8)), aimEvery: 8, maxTurn: r3(uniform(5, 8)), track: 1, noise: 2 });
  const normalClicks = (lo, hi, sd) => { const cps = uniform(lo, hi); return { clicks: 'normal', cps: r3(cps), mean: r3(1000 / cps), sd, min: 45, max: 300 }; };
  const randomClicks = () => ({ clicks: 'random', cpsLo: 13, cpsHi: 16, jitter: r3(uniform(15, 25)), cap: 15 });
  Object.assign(P, { strafeSpeed: r3(uniform(0.04, 0.07)), strafeSwing: r3(uniform(0.2, 0.35)), dist: [2.4, 2.9], jump: [1000, 2500], phase: r3(uniform(0, 6.28)) });
  switch (role) {
    case 'honest_novice': {
      const cps = uniform(5, 8);
      Object.assign(P, { strafeSpeed: r3(uniform(0.025, 0.05)), dist: [2.0, 2.9], jump: [1500, 4000],
        aimYaw: r3(uniform(9, 14)), aimPitch: r3(uniform(5, 9)), aimEvery: 12, maxTurn: r3(uniform(3.5, 5)), track: r3(uniform(0.25, 0.5)), noise: 3,
        clicks: 'normal', cps: r3(cps), mean: r3(1000 / cps), sd: r3(0.22 * 1000 / cps), min: 60, max: 400 });
      break;
    }
    case 'honest_average': Object.assign(P, honestAim(), normalClicks(8, 12, 22)); break;
    case 'honest_skilled': {
      const cps = uniform(10, 14);
      Object.assign(P, { strafeSpeed: r3(uniform(0.08, 0.12)), strafeSwing: r3(uniform(0.4, 0.6)), dist: [2.6, 2.95], jump: [700, 1800],
        aimYaw: r3(uniform(1.2, 2.0)), aimPitch: r3(uniform(1.0, 1.5)), aimEvery: 6, maxTurn: r3(uniform(11, 15)), track: 1, noise: 2,
        clicks: 'skewed', cps: r3(cps), mean: r3(1000 / cps), sigma: r3(uniform(0.25, 0.35)), pause: r3(uniform(0.02, 0.05)), min: 40 });
      break;
    }
    case 'cps_random': Object.assign(P, honestAim(), randomClicks()); break;
    case 'reach_var': Object.assign(P, honestAim(), normalClicks(8, 12, 22), { reach: r3(uniform(3.1, 3.5)) }); break;
    case 'closet': Object.assign(P, honestAim(), randomClicks(), { reach: 3.2 }); break;
    case 'smooth_aim':
      Object.assign(P, normalClicks(9, 12, 20), { smoothK: r3(uniform(0.55, 0.85)), biasYaw: r3(uniform(-0.6, 0.6)), biasPitch: r3(uniform(-0.5, 0.5)), aimSd: r3(uniform(0.08, 0.2)) });
      break;
    case 'multi': Object.assign(P, honestAim(), normalClicks(10, 13, 18), { dist: [2.1, 2.5], switchLo: 1, switchHi: 3 }); break;
    default:
  }
  return P;
}
function summarise(xs) {
  if (!xs?.length) return { n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, min: r3(s[0]), median: r3(s[s.length >> 1]), max: r3(s[s.length - 1]), over3: s.filter((x) => x > 3.0).length };
}

// One tick of a model-corpus role (see modelParams): movement around the
// target (multi: around the middle of both targets; reach_var, closet: at
// their reach from the box), the look, and the clicks due by now on an
// absolute schedule, at most two in a tick (one for multi), as a vanilla
// client handles the clicks queued since its last tick.
function makeModelTick({ me, bot, role, P, state, angleDeg, start, click, turnTo, markStart, primary, secondary }) {
  const range = P.reach ? P.reach + 0.05 : 3.0;
  let due = null;
  let cpsNow = 0; let cpsUntil = 0;
  let mTarget = primary; let mLeft = 0;
  const clickTicks = []; // the ticks of the last clicks (P.cap)
  me.hitDistances = [];
  me.targetHits = {};
  state.jumpAt = Date.now() + uniform(P.jump[0], P.jump[1]);
  const eyeFeet = () => me.sent ?? bot.entity.position;
  const nextInterval = (now) => {
    if (P.clicks === 'normal') return Math.max(P.min, Math.min(P.max, normal(P.mean, P.sd)));
    if (P.clicks === 'skewed') return Math.max(P.min, lognormal(P.mean, P.sigma)) + (random() < P.pause ? uniform(200, 600) : 0);
    if (now >= cpsUntil) { cpsNow = uniform(P.cpsLo, P.cpsHi); cpsUntil = now + 1000; }
    return Math.max(30, 1000 / cpsNow + normal(0, P.jitter));
  };
  const hit = (e, opts) => {
    const before = me.attacks;
    const d = boxDistanceFrom(eyeFeet(), e.position);
    click(e, opts);
    if (me.attacks > before) {
      me.hitDistances.push(d);
      const who = e.username ?? e.id;
      me.targetHits[who] = (me.targetHits[who] ?? 0) + 1;
    }
  };
  return (now, tgt) => {
    const tp = tgt.position;
    const second = secondary ? entityOf(bot, secondary) : null;
    state.strafe += P.strafeSpeed;
    const a = (angleDeg * Math.PI) / 180 + P.strafeSwing * Math.sin(state.strafe);
    const c = role === 'multi' && second ? { x: (tp.x + second.position.x) / 2, z: (tp.z + second.position.z) / 2 } : tp;
    const mid = (P.dist[0] + P.dist[1]) / 2; const amp = (P.dist[1] - P.dist[0]) / 2;
    const want = P.reach ? centreDistanceFor(P.reach - 0.15, a) : mid + amp * Math.sin(state.strafe * 0.7 + P.phase);
    const goal = { x: c.x + want * Math.cos(a), z: c.z + want * Math.sin(a) };
    const p = bot.entity.position;
    const d = { x: goal.x - p.x, z: goal.z - p.z };
    const yawR = bot.entity.yaw;
    const fwd = d.x * -Math.sin(yawR) + d.z * -Math.cos(yawR);
    const side = d.x * Math.cos(yawR) + d.z * -Math.sin(yawR);
    const dead = P.reach ? 0.08 : 0.15;
    bot.setControlState('forward', fwd > dead);
    bot.setControlState('back', fwd < -dead);
    bot.setControlState('right', side > dead);
    bot.setControlState('left', side < -dead);
    if (now >= state.jumpAt) {
      bot.setControlState('jump', true);
      setTimeout(() => bot.setControlState('jump', false), 100);
      state.jumpAt = now + uniform(P.jump[0], P.jump[1]);
    }
    const inPlace = Math.abs(Math.hypot(c.x - p.x, c.z - p.z) - want) < 0.3;

    // The look.
    const aimEnt = role === 'multi' && mTarget === secondary && second ? second : tgt;
    const onT = aimAt(bot, aimEnt.position.offset(0, 1.2, 0));
    const cur = toDeg(bot);
    if (role === 'smooth_aim') {
      // Computed, not whole mouse steps: a fixed share of the way onto the
      // target every tick, with a small steady bias and a little noise.
      const wy = onT.yaw + P.biasYaw + normal(0, P.aimSd); const wp = onT.pitch + P.biasPitch + normal(0, P.aimSd);
      setDeg(bot, cur.yaw + wrap(wy - cur.yaw) * P.smoothK, cur.pitch + (wp - cur.pitch) * P.smoothK);
    } else {
      if (state.tick % P.aimEvery === 0) state.aimOff = { yaw: uniform(-P.aimYaw, P.aimYaw), pitch: uniform(-P.aimPitch, P.aimPitch) };
      const ey = wrap(onT.yaw + state.aimOff.yaw - cur.yaw); const ep = onT.pitch + state.aimOff.pitch - cur.pitch;
      turnTo({ yaw: cur.yaw + ey * P.track, pitch: cur.pitch + ep * P.track }, uniform(P.maxTurn * 0.5, P.maxTurn));
      const noise = () => STEP * Math.round(uniform(-P.noise, P.noise));
      const c2 = toDeg(bot);
      setDeg(bot, c2.yaw + noise(), c2.pitch + noise());
    }

    if (!state.started && !inPlace && now - start < 4000) return null;
    if (state.fightStart && now - state.fightStart >= fightMs) return 'done';
    if (due === null) { markStart(); due = now; }
    let n = 0;
    const perTick = role === 'multi' ? 1 : 2;
    while (due <= now && n < perTick) {
      if (P.cap) {
        // Never more than P.cap clicks in 20 ticks (autoclicker.cps flags
        // more than 16): the click waits for the next tick.
        while (clickTicks.length && clickTicks[0] <= state.tick - 20) clickTicks.shift();
        if (clickTicks.length >= P.cap) break;
        clickTicks.push(state.tick);
      }
      n++;
      if (role === 'multi') {
        if (mLeft <= 0) { if (second) mTarget = mTarget === primary ? secondary : primary; mLeft = P.switchLo + Math.floor(random() * (P.switchHi - P.switchLo + 1)); }
        const from = eyeFeet();
        let e = mTarget === secondary ? second : tgt;
        const other = e === tgt ? second : tgt;
        if (!e || boxDistanceFrom(from, e.position) > 3.0) e = other && boxDistanceFrom(from, other.position) <= 3.0 ? other : null;
        if (e) {
          // Snap the look onto it in one tick and attack (with the swing).
          // The snap is rounded to whole mouse steps (aim.sensitivity sees
          // a mouse's deltas).
          const ex = aimAt(bot, e.position.offset(0, uniform(0.9, 1.4), 0));
          const c3 = toDeg(bot);
          const q = (x) => STEP * Math.round(x / STEP);
          setDeg(bot, c3.yaw + q(wrap(ex.yaw - c3.yaw)), c3.pitch + q(ex.pitch - c3.pitch));
          hit(e, { requireAim: false });
        } else { me.clicks++; bot.swingArm('right'); }
        mLeft--;
      } else {
        hit(tgt, { range });
      }
      due += nextInterval(due);
    }
    if (due < now - 250) due = now; // a stalled event loop: drop the backlog
    return null;
  };
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
  const click = (targetEnt, { requireAim = true, range = 2.9 } = {}) => {
    const t = targetEnt.position;
    const from = eyeFeet();
    me.clicks++;
    if (!requireAim || (boxDistanceFrom(from, t) <= range && rayHits(bot, t, range, from))) bot.attack(targetEnt);
    else { bot.swingArm('right'); me.misses.push(`${boxDistanceFrom(from, t).toFixed(2)}${rayHits(bot, t, range, from) ? '' : 'r'}`); }
  };
  const P = MODEL_ROLES.has(role) ? modelParams(role) : null;
  if (P) {
    me.params = P;
    // mineflayer turns the look it sends by at most 8.6 degrees a tick
    // (physics.yawSpeed); these roles turn by their own rules.
    bot.physics.yawSpeed = 1000;
    bot.physics.pitchSpeed = 1000;
  }
  const tickNew = MODEL_ROLES.has(role) ? makeModelTick({ me, bot, role, P, state, angleDeg, start, click, turnTo, markStart, primary, secondary }) : null;

  await new Promise((resolve) => {
    // Kicked (or disconnected) mid-fight: the fight is over.
    me.endedP.then(() => { state.done = true; bot.off('physicsTick', onTick); resolve(); });
    const onTick = () => {
      state.tick++;
      const now = Date.now();
      const tgt = entityOf(bot, primary);
      if (!tgt) return;
      const tp = tgt.position;
      if (tickNew) {
        if (tickNew(now, tgt) === 'done') { state.done = true; bot.off('physicsTick', onTick); resolve(); }
        return;
      }
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
    ...(me.params ? { params: me.params, hitDistances: summarise(me.hitDistances), targetHits: me.targetHits } : {}),
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
