// mineflayer bots for one run: they connect (to the proxy), spawn, walk,
// jump, look around, right-click the floor (once, then through a jump),
// chat, swing and attack each other, then end the session with the goodbye
// agreement of lib/protocol.mjs.
// Every packet each bot sends and receives is recorded. Started by run.mjs with fork():
//   node bots.mjs --version 1.20.4 --host 127.0.0.1 --port 25565 \
//     --names e2e_a,e2e_b --record bots.json [--play-ms 4000]
// IPC: sends {type:'done', ok}; the recording is written before that.

import { parseArgs, send, writeJson, log } from './lib/child.mjs';
import { recordClient } from './lib/recorder.mjs';
import { GOODBYE, isChatPacket, writeUseItemOn } from './lib/protocol.mjs';
import { requireDep as require } from './lib/deps.mjs';

const mineflayer = require('mineflayer');

const args = parseArgs();
const version = args.version;
const names = String(args.names ?? 'e2e_a,e2e_b').split(',');
const playMs = Number(args['play-ms'] ?? 4000);
const timeoutMs = Number(args['timeout-ms'] ?? 40000);
const tag = `bots ${version}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function makeBot(username) {
  const bot = mineflayer.createBot({
    host: args.host ?? '127.0.0.1', port: Number(args.port), username, version, auth: 'offline',
    hideErrors: true, logErrors: false, respawn: true,
  });
  const state = {
    username, bot, spawned: false, kicked: null, end: null, errors: [], actions: [],
    suppressed: [], saidGoodbye: false,
  };
  state.rec = recordClient(bot._client, { isServer: false });

  // Once the goodbye chat packet is written, the bot goes silent: later
  // writes (movement ticks, keep-alive answers) never reach the wire. They
  // are listed in the recording as "suppressed".
  const write = bot._client.write.bind(bot._client);
  bot._client.write = (name, params) => {
    if (state.saidGoodbye) {
      state.suppressed.push(name);
      return;
    }
    write(name, params);
    if (isChatPacket(name) && params?.message === GOODBYE) state.saidGoodbye = true;
  };

  state.spawnedP = new Promise((resolve, reject) => {
    bot.once('spawn', () => { state.spawned = true; resolve(); });
    bot.once('end', (reason) => reject(new Error(`${username} ended before spawning: ${reason}`)));
  });
  state.endedP = new Promise((resolve) => bot.once('end', (reason) => { state.end = String(reason); resolve(); }));
  state.spawnedP.catch(() => {});
  bot.on('kicked', (reason) => { state.kicked = typeof reason === 'string' ? reason : JSON.stringify(reason); });
  bot.on('error', (e) => state.errors.push(String(e?.message ?? e)));
  return state;
}

// Towering's clicks: a jump straight up, still looking down, the button
// held: a click on the top of the floor block under the eye in every tick
// of the jump, written before that tick's movement packet (mineflayer's
// physicsTick comes between its physics step and the packet, as a vanilla
// client clicks before its player ticks). Nothing is in hand, so nothing is
// placed: the clicks and the moves around them are a builder's, from a real
// client's physics. Over when the bot lands, after 20 ticks, or after 2 s
// without them (a bot that was disconnected meanwhile ticks no more).
function towerClicks(bot, under) {
  return new Promise((resolve) => {
    let ticks = 0;
    let airborne = false;
    let timer = null;
    const finish = () => {
      clearTimeout(timer);
      bot.removeListener('physicsTick', onTick);
      bot.setControlState('jump', false);
      resolve();
    };
    const onTick = () => {
      // The block straight below the eye, wherever the bot has drifted to
      // (the ray of a look straight down), at the floor's height.
      const p = bot.entity.position;
      const below = { x: Math.floor(p.x), y: under.y, z: Math.floor(p.z) };
      writeUseItemOn(bot, (name, params) => bot._client.write(name, params), below, 1,
        [p.x - below.x, 1, p.z - below.z]);
      airborne = airborne || !bot.entity.onGround;
      if ((airborne && bot.entity.onGround) || ++ticks >= 20) finish();
    };
    timer = setTimeout(finish, 2000);
    bot.setControlState('jump', true);
    bot.on('physicsTick', onTick);
  });
}

async function play(me, other) {
  const { bot } = me;
  const act = (what) => me.actions.push(what);
  // The other bot (by name; some servers spawn players as entity types
  // mineflayer does not label 'player', so fall back to the nearest entity).
  const target = () => bot.players[other.username]?.entity ?? bot.nearestEntity();

  for (let i = 0; i < 40 && !target(); i++) await sleep(100);

  const step = playMs / 8;
  bot.chat(`hello from ${me.username}`); act('chat');
  bot.setControlState('forward', true); act('walk');
  await sleep(step);
  bot.setControlState('jump', true); act('jump');
  await sleep(step);
  bot.setControlState('jump', false);
  bot.setControlState('forward', false);
  await bot.look(Math.PI / 2, -0.3, true); act('look');
  bot.swingArm('right'); act('swing');
  // A right click on the block underfoot (Use Item On, nothing in hand),
  // looking straight down: its up face, the hit point on that face, as a
  // vanilla client sends it. Not mineflayer's activateBlock: its lookAt
  // sends the yaw a whole turn off the last one (aim.yaw_wrap notices).
  await bot.look(bot.entity.yaw, -Math.PI / 2, true);
  await bot.waitForTicks(1);
  const feet = bot.entity.position;
  const under = { x: Math.floor(feet.x), y: Math.floor(feet.y - 0.5), z: Math.floor(feet.z) };
  writeUseItemOn(bot, (name, params) => bot._client.write(name, params), under, 1,
    [feet.x - under.x, 1, feet.z - under.z]);
  act('click-block');
  await towerClicks(bot, under);
  act('tower-clicks');
  await sleep(step);
  // Attack from within reach: walk up to the target first.
  for (let i = 0; i < 3; i++) {
    const t = target();
    if (!t) { act('no-target'); await sleep(step / 2); continue; }
    await bot.lookAt(t.position.offset(0, 1.2, 0), true);
    for (let k = 0; k < 30 && bot.entity.position.distanceTo(t.position) > 2.5; k++) {
      bot.setControlState('forward', true);
      await sleep(100);
      await bot.lookAt(t.position.offset(0, 1.2, 0), true);
    }
    bot.setControlState('forward', false);
    // As a vanilla client: hit only what the crosshair is on, within reach.
    // Face the target and let that look go out with a movement packet first
    // (mineflayer sends it on the next tick; twice, as the target may be
    // moving), and attack only from within
    // 2.9 blocks; farther, the click is a swing at the air.
    for (let k = 0; k < 2; k++) {
      await bot.lookAt(t.position.offset(0, 1.2, 0), true);
      await bot.waitForTicks(1);
    }
    if (bot.entity.position.distanceTo(t.position) <= 2.9) {
      bot.attack(t); act(`attack:${t.username ?? t.name ?? t.id}`);
    } else {
      bot.swingArm('right'); act(`swing:out-of-reach:${bot.entity.position.distanceTo(t.position).toFixed(1)}`);
    }
    await sleep(step / 2);
  }
  bot.setControlState('back', true); act('walk-back');
  bot.setControlState('jump', true);
  await sleep(step);
  bot.clearControlStates();
  bot.chat(`${me.username} done`); act('chat');
  await sleep(step);
}

// One login at a time: flying-squid can show a player to another that logs
// in at the same moment before its position is loaded, at (0, 0, 0); the
// moves that follow are then relative to the real position, and the other
// bot sees a ghost ~20 blocks off for the whole session (e2e 1.21.4, about
// one run in six: both bots walked after ghosts and never attacked). The
// bots stand still until all have spawned, so no move races a login.
const bots = [];
let ok = true;
try {
  for (const name of names) {
    bots.push(makeBot(name));
    await withTimeout(bots[bots.length - 1].spawnedP, timeoutMs / 2, `${name} spawning`);
  }
  log(tag, 'all spawned');
  await Promise.all(bots.map((b, i) => play(b, bots[(i + 1) % bots.length])));
  for (const b of bots) b.bot.chat(GOODBYE);
  await withTimeout(Promise.all(bots.map((b) => b.endedP)), 10000, 'server kick after goodbye');
} catch (e) {
  ok = false;
  log(tag, 'failed:', e.message);
}
for (const b of bots) if (!b.end) b.bot.quit();

writeJson(args.record, {
  role: 'bots', version,
  bots: bots.map((b) => ({
    username: b.username, spawned: b.spawned, saidGoodbye: b.saidGoodbye, kicked: b.kicked, end: b.end,
    actions: b.actions, suppressed: b.suppressed, errors: [...b.errors, ...b.rec.errors],
    serverbound: b.rec.serverbound, clientbound: b.rec.clientbound,
  })),
});
send({ type: 'done', ok });
setTimeout(() => process.exit(ok ? 0 : 1), 50);
