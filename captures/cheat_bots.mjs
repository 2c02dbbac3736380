// Two mineflayer bots for a cheat capture: `<prefix>_clean` plays honestly
// (walks, jumps, looks around) while `<prefix>_cheat` walks honestly for a
// moment, then stops mineflayer's own movement packets and writes raw ones
// through its client (bot._client.write) that break one rule of movement.
// Both end with the goodbye agreement of tests/e2e/lib/protocol.mjs, so the
// server kicks them and the capture holds complete sessions.
//
//   node captures/cheat_bots.mjs --version 1.8.8 --port 25565 --prefix sp8 \
//     --cheat speed|fly|timer|nofall|pitch|teleport|place
// IPC: sends {type:'cheat-start', username, cheat, timeMs} (Date.now()) right
// before the first cheating packet, then {type:'done', ok}.

import { parseArgs, send, log } from '../tests/e2e/lib/child.mjs';
import { GOODBYE, writeUseItemOn } from '../tests/e2e/lib/protocol.mjs';
import { requireDep as require } from '../tests/e2e/lib/deps.mjs';

const mineflayer = require('mineflayer');

const args = parseArgs();
const version = args.version;
const prefix = String(args.prefix ?? 'rg');
const cheat = String(args.cheat ?? 'speed');
// How much faster than the game the timer cheat ticks (--timer-speed; the
// committed timer captures were recorded at the default, 1.5).
const timerSpeed = Number(args['timer-speed'] ?? 1.5);
const tag = `cheat ${version} ${cheat}`;
const TICK_MS = 50;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// mineflayer 4.39 sends no Client Tick End (1.21.2+), so neither does the
// cheater: the cheat phase differs from the honest one only by the cheat.
const MOVEMENT = new Set(['position', 'position_look', 'look', 'flying']);

function makeBot(username) {
  const bot = mineflayer.createBot({
    host: args.host ?? '127.0.0.1', port: Number(args.port), username, version, auth: 'offline',
    hideErrors: true, logErrors: false, respawn: true,
  });
  const state = { username, bot, raw: false, silent: false };
  // While `raw` is set, mineflayer's own movement packets are swallowed so the
  // only movement on the wire is what the scenario writes. After the goodbye
  // chat the bot writes nothing at all (as in tests/e2e/bots.mjs).
  const write = bot._client.write.bind(bot._client);
  state.rawWrite = write;
  bot._client.write = (name, params) => {
    if (state.silent) return;
    if (state.raw && MOVEMENT.has(name)) return;
    write(name, params);
    if ((name === 'chat' || name === 'chat_message') && params?.message === GOODBYE) state.silent = true;
  };
  state.spawnedP = new Promise((resolve, reject) => {
    bot.once('spawn', resolve);
    bot.once('end', (reason) => reject(new Error(`${username} ended before spawning: ${reason}`)));
  });
  state.endedP = new Promise((resolve) => bot.once('end', resolve));
  state.spawnedP.catch(() => {});
  bot.on('error', () => {});
  return state;
}

// One movement packet in the version's layout (flags from 1.21.2, onGround before).
function move(me, pos, { onGround, yaw, pitch }) {
  const ground = { onGround, flags: { onGround, hasHorizontalCollision: false } };
  if (yaw === undefined) me.rawWrite('position', { x: pos.x, y: pos.y, z: pos.z, ...ground });
  else me.rawWrite('position_look', { x: pos.x, y: pos.y, z: pos.z, yaw, pitch, ...ground });
}

// The scenarios: each writes ~3 s of movement at 20 packets/s unless noted.
const SCENARIOS = {
  // Sprinting is 0.28 blocks/tick; this moves 1.5x that on the ground.
  speed: async (me, p) => {
    for (let i = 0; i < 60; i++) { p.x += 0.28 * 1.5; move(me, p, { onGround: true }); await sleep(TICK_MS); }
  },
  // Rises 0.4 blocks/tick for 1 s, then hovers in the air for 2 s.
  fly: async (me, p) => {
    for (let i = 0; i < 20; i++) { p.y += 0.4; move(me, p, { onGround: false }); await sleep(TICK_MS); }
    for (let i = 0; i < 40; i++) { p.x += 0.1; move(me, p, { onGround: false }); await sleep(TICK_MS); }
  },
  // Honest walking steps, sent 1.5x (--timer-speed) as often as the client
  // ticks, for 3 s.
  timer: async (me, p) => {
    const ticks = Math.round(60 * timerSpeed);
    for (let i = 0; i < ticks; i++) { p.x += 0.2; move(me, p, { onGround: true }); await sleep(TICK_MS / timerSpeed); }
  },
  // Jumps 3 blocks up claiming ground the whole way, hovers there on
  // "ground", then drops back claiming ground every tick (no fall damage).
  nofall: async (me, p) => {
    const floor = p.y;
    for (let i = 0; i < 10; i++) { p.y += 0.3; move(me, p, { onGround: true }); await sleep(TICK_MS); }
    for (let i = 0; i < 20; i++) { p.x += 0.1; move(me, p, { onGround: true }); await sleep(TICK_MS); }
    for (let v = 0; p.y > floor;) { v = Math.min(v + 0.08, 3.9); p.y = Math.max(floor, p.y - v); move(me, p, { onGround: true }); await sleep(TICK_MS); }
    for (let i = 0; i < 10; i++) { move(me, p, { onGround: true }); await sleep(TICK_MS); }
  },
  // Looks 150 degrees down (the game clamps pitch to +-90).
  pitch: async (me, p) => {
    for (let i = 0; i < 20; i++) { move(me, p, { onGround: true, yaw: i * 9, pitch: 150 }); await sleep(TICK_MS); }
    for (let i = 0; i < 10; i++) { move(me, p, { onGround: true, yaw: 0, pitch: 0 }); await sleep(TICK_MS); }
  },
  // Block clicks built by hand while standing still, one per tick, ten of
  // each: the underside of the block underfoot (a face no eye above it can
  // see), a block 7 blocks away at eye height (beyond the 4.5-block reach),
  // and the top of the block underfoot with the hit point 2 blocks up (no
  // block shape has it).
  place: async (me, p) => {
    const under = { x: Math.floor(p.x), y: Math.floor(p.y) - 1, z: Math.floor(p.z) };
    const far = { x: Math.floor(p.x) + 7, y: Math.floor(p.y) + 1, z: Math.floor(p.z) };
    const clicks = [
      ...Array(10).fill([under, 0, [0.5, 0, 0.5]]),
      ...Array(10).fill([far, 4, [0, 0.5, 0.5]]),
      ...Array(10).fill([under, 1, [0.5, 2, 0.5]]),
    ];
    for (const [at, face, cursor] of clicks) {
      writeUseItemOn(me.bot, me.rawWrite, at, face, cursor);
      move(me, p, { onGround: true });
      await sleep(TICK_MS);
    }
  },
  // Stands still, moves 10 blocks along x in one packet, then stands again.
  teleport: async (me, p) => {
    for (let i = 0; i < 10; i++) { move(me, p, { onGround: true }); await sleep(TICK_MS); }
    p.x += 10;
    for (let i = 0; i < 20; i++) { move(me, p, { onGround: true }); await sleep(TICK_MS); }
  },
};

async function honest(me, ms) {
  const { bot } = me;
  bot.setControlState('forward', true);
  await sleep(ms / 3);
  bot.setControlState('jump', true);
  await sleep(ms / 3);
  bot.clearControlStates();
  await bot.look(Math.PI / 3, -0.2, true);
  await sleep(ms / 3);
}

if (!SCENARIOS[cheat]) {
  log(tag, `unknown --cheat ${cheat}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}

const clean = makeBot(`${prefix}_clean`);
const cheater = makeBot(`${prefix}_cheat`);
let ok = true;
try {
  await Promise.all([clean.spawnedP, cheater.spawnedP]);
  // Let the spawn teleport settle, then a little honest walking by both.
  await sleep(500);
  await Promise.all([honest(clean, 1200), honest(cheater, 900)]);
  const p = cheater.bot.entity.position.clone();
  cheater.raw = true;
  send({ type: 'cheat-start', username: cheater.username, cheat, timeMs: Date.now() });
  await Promise.all([SCENARIOS[cheat](cheater, p), honest(clean, 2400)]);
  cheater.raw = false;
  for (const b of [clean, cheater]) b.bot.chat(GOODBYE);
  await Promise.race([Promise.all([clean.endedP, cheater.endedP]), sleep(5000)]);
} catch (e) {
  ok = false;
  log(tag, 'failed:', e.message);
}
for (const b of [clean, cheater]) b.bot.quit();

send({ type: 'done', ok });
setTimeout(() => process.exit(ok ? 0 : 1), 300);
