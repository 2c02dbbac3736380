#!/usr/bin/env node
// Setbacks end to end (issue 13; engine/setbacks.hpp): a flying-squid backend
// that records every position and teleport confirmation it receives, a
// rustguard with its defaults (setbacks on), and mineflayer bots:
//   speed_c  walks, then moves 1.5x sprint speed on the ground;
//   fly_c    walks, then rises 0.4 blocks a tick;
//   both accept every teleport the way a cheat client does (confirm it, stand
//   at its target once, then cheat on from there);
//   climb_c  a blind speed cheat (ignores teleports, keeps going) that climbs
//   the punishment ladder on movement.speed: alert, setback, then kick and a
//   console command through RCON (an RCON server runs in the test);
//   honest   three players walking, sprinting and jumping, two of them
//   behind a lag relay adding 150 and 300 ms each way.
// Expected, per version:
//   - each cheater is set back (setback rows in the database), and the
//     positions the backend received never leave what a player could reach
//     legally: no more than one sprint step sideways, no more than one
//     jump up, from where the cheat started;
//   - no honest player is ever set back;
//   - every teleport confirmation the backend received carries an id it
//     sent (RustGuard rewrites ids both ways and keeps its own to itself),
//     and every teleport it sent an honest player was confirmed;
//   - the climber got an alert, setbacks, the kick with the ladder's text,
//     and the command reached the RCON server and is recorded with its reply.
//
//   node tests/e2e/setbacks.mjs --proxy build/tools/proxy/rustguard [--versions 1.8.8,1.21.4] [--out DIR]
// Exit code: 0 if every expectation held, 1 otherwise, 2 on a usage error.

import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled, requireDep as require } from './lib/deps.mjs';
import { sql, sqliteAvailable } from './lib/db_rows.mjs';
import { startLagRelay } from './lib/lag_relay.mjs';
import { GOODBYE } from './lib/protocol.mjs';
import { rconServer } from './lib/rcon_server.mjs';
import { installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort } from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = parseArgs();
const usage = (m) => { process.stderr.write(`setbacks.mjs: ${m}\nusage: node tests/e2e/setbacks.mjs --proxy PATH [--versions 1.8.8,1.21.4]\n`); process.exit(2); };
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
if (!sqliteAvailable()) usage('the sqlite3 command-line tool is missing (tools/dev/setup.sh --tests installs it)');
installCleanup();
const mineflayer = require('mineflayer');

const versions = String(args.versions ?? '1.8.8,1.21.4').split(',').map((v) => v.trim()).filter(Boolean);
const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-setbacks-'));
mkdirSync(outRoot, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); else console.log(`ok   ${message}`); return ok; };
const TICK_MS = 50;
const MOVEMENT = new Set(['position', 'position_look', 'look', 'flying']);
// A sprinting step is 0.28 blocks, a sprint-jump ~0.6, a jump rises 1.25:
// what the backend may see a player gain from where the cheat started.
const MAX_SIDEWAYS = 1.0;
const MAX_UP = 1.3;

function makeBot(port, username, version) {
  const bot = mineflayer.createBot({ host: '127.0.0.1', port, username, version, auth: 'offline', hideErrors: true, logErrors: false });
  const me = { username, bot, raw: false, silent: false, setbacks: 0, p: null };
  const write = bot._client.write.bind(bot._client);
  me.rawWrite = write;
  // While cheating, mineflayer's own movement packets are swallowed: the
  // only movement on the wire is the cheat's.
  bot._client.write = (name, params) => {
    if (me.silent) return;
    if (me.raw && MOVEMENT.has(name)) return;
    write(name, params);
    if ((name === 'chat' || name === 'chat_message') && params?.message === GOODBYE) me.silent = true;
  };
  // A cheat client that follows teleports: mineflayer has applied it and
  // confirmed it (1.9+); stand at its target once, as the game does, and
  // cheat on from there.
  bot._client.on('position', () => setImmediate(() => {
    if (!me.raw) return;
    ++me.setbacks;
    if (me.blind) return;
    me.p = bot.entity.position.clone();
    move(me, me.p, { onGround: false, look: true });
  }));
  me.spawned = new Promise((res, rej) => { bot.once('spawn', res); bot.once('end', (r) => rej(new Error(`${username} ended before spawning: ${r}`))); });
  me.ended = new Promise((res) => bot.once('end', res));
  bot.once('kicked', (reason) => { me.kicked = typeof reason === 'string' ? reason : JSON.stringify(reason); });
  me.spawned.catch(() => {});
  bot.on('error', () => {});
  return me;
}

function move(me, p, { onGround, look = false }) {
  const ground = { onGround, flags: { onGround, hasHorizontalCollision: false } };
  if (look) me.rawWrite('position_look', { x: p.x, y: p.y, z: p.z, yaw: 0, pitch: 0, ...ground });
  else me.rawWrite('position', { x: p.x, y: p.y, z: p.z, ...ground });
}

async function honestPlay(me, ms) {
  const { bot } = me;
  const until = Date.now() + ms;
  let turn = 0;
  while (Date.now() < until) {
    bot.setControlState('forward', true);
    bot.setControlState('sprint', turn % 2 === 0);
    bot.setControlState('jump', turn % 3 === 1);
    await bot.look((turn * Math.PI) / 3, 0, true);
    await sleep(700);
    ++turn;
  }
  bot.clearControlStates();
}

async function cheat(me, kind, ms, { blind = false } = {}) {
  await honestPlay(me, 800);
  await sleep(600);  // stand still: the cheat starts from rest
  me.p = me.bot.entity.position.clone();
  const start = { at: Date.now(), x: me.p.x, y: me.p.y, z: me.p.z };
  me.raw = true;
  me.blind = blind;
  const until = Date.now() + ms;
  while (Date.now() < until && !me.kicked) {
    if (kind === 'speed') { me.p.x += 0.42; move(me, me.p, { onGround: true }); }
    else { me.p.y += 0.4; move(me, me.p, { onGround: false }); }
    await sleep(TICK_MS);
  }
  const end = Date.now();
  await sleep(300);
  me.raw = false;
  return { ...start, end };
}

const RCON_PASSWORD = 'rg-setbacks';

// The repo's defaults (setbacks on) plus RCON and a ladder on Speed: an
// alert from VL 1, the kick and a console command at VL 12, which only a
// cheat that keeps going reaches (VL decays 1 a second).
function proxyConfig(dir, { port, backendPort, adminPort, db, rconPort }) {
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    `listen: '127.0.0.1:${port}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '127.0.0.1:${adminPort}'`,
    `database: '${db}'`, 'threads: 2', 'log_level: info', 'violation_log:', '  flush_interval_ms: 100',
    'rcon:', '  enabled: true', `  port: ${rconPort}`, `  password: '${RCON_PASSWORD}'`,
    'punishments:', '  server_name: e2e', '  groups:', '    movement:', "      checks: ['movement.speed']", '      steps:',
    '        - vl: 1', '          do:', "            - alert: '%player% moves too fast (VL %vl%)'",
    '        - vl: 12', '          do:', "            - kick: 'Too fast, %player%'", "            - command: 'tempban %player% 1h %check%'", '',
  ].join('\n'));
  return config;
}

async function runVersion(version) {
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  const backend = forkNode(join(here, 'backend_squid.mjs'), ['--version', version, '--port', '0', '--record', join(dir, 'server.json')],
    join(dir, 'backend.log'), `backend ${version}`);
  const relays = [];
  const closers = [];
  let proxy = null;
  try {
    const { port: backendPort } = await waitMessage(backend, 'ready', 30000);
    const port = await freePort();
    const adminPort = await freePort();
    const db = join(dir, 'rustguard.db');
    const rcon = await rconServer(RCON_PASSWORD);
    closers.push(() => rcon.server.close());
    proxy = spawnBinary(proxyBin, ['--config', proxyConfig(dir, { port, backendPort, adminPort, db, rconPort: rcon.port })],
      join(dir, 'proxy.log'), `proxy ${version}`);
    await waitForPort(port, proxy, 10000);
    for (const delayMs of [150, 300]) relays.push(await startLagRelay({ targetPort: port, delayMs }));

    const v = version.replaceAll('.', '');
    const honest = [
      makeBot(port, `honest0_${v}`, version),
      makeBot(relays[0].port, `honest150_${v}`, version),
      makeBot(relays[1].port, `honest300_${v}`, version),
    ];
    const speed = makeBot(port, `speed_c${v}`, version);
    const fly = makeBot(port, `fly_c${v}`, version);
    const climber = makeBot(port, `climb_c${v}`, version);
    const all = [...honest, speed, fly, climber];
    await Promise.all(all.map((b) => b.spawned));
    await sleep(1000);
    const [, speedRun, flyRun] = await Promise.all([
      Promise.all(honest.map((b) => honestPlay(b, 6000))),
      cheat(speed, 'speed', 3000),
      cheat(fly, 'fly', 3000),
      cheat(climber, 'speed', 3000, { blind: true }),
    ]);
    backend.send({ type: 'positions' });
    const { players } = await waitMessage(backend, 'positions', 5000);
    const online = all.filter((b) => !b.kicked);
    for (const b of online) b.bot.chat(GOODBYE);
    await Promise.race([Promise.all(online.map((b) => b.ended)), sleep(5000)]);
    for (const b of all) b.bot.quit();
    await sleep(300);
    const exit = await stopProcess(proxy, { graceMs: 8000 });
    proxy = null;
    check(exit.code === 0 && !exit.killed, `${version}: rustguard exited cleanly (${JSON.stringify(exit)})`);

    const actions = sql(db, `SELECT a.id, s.player_name AS player, a.action, a.detail, a.result, v.check_name FROM actions a
      JOIN sessions s ON s.id = a.session_id LEFT JOIN violations v ON v.id = a.violation_id ORDER BY a.id`);
    const rows = actions.filter((a) => a.action === 'setback');
    const setbacksOf = (name) => rows.filter((r) => r.player === name);
    writeFileSync(join(dir, 'positions.json'), JSON.stringify({ players, speedRun, flyRun, rows }, null, 1));

    const envelope = (me, run, kind) => {
      const seen = players[me.username];
      if (!check(seen && seen.positions.length > 0, `${version}: the backend recorded ${me.username}'s positions`)) return;
      const during = seen.positions.filter(([t]) => t >= run.at);
      let sideways = 0;
      let up = 0;
      for (const [, x, y, z] of during) {
        sideways = Math.max(sideways, Math.hypot(x - run.x, z - run.z));
        up = Math.max(up, y - run.y);
      }
      check(setbacksOf(me.username).length > 0 && me.setbacks > 0,
        `${version}: ${me.username} (${kind}) was set back (${setbacksOf(me.username).length} setback rows, ${me.setbacks} teleports seen by the bot)`);
      check(sideways <= MAX_SIDEWAYS, `${version}: ${me.username}: the backend saw it at most ${sideways.toFixed(2)} blocks sideways of where the cheat started (limit ${MAX_SIDEWAYS}; the cheat went ${kind === 'speed' ? (0.42 * 60).toFixed(1) : 0} blocks)`);
      check(up <= MAX_UP, `${version}: ${me.username}: the backend saw it at most ${up.toFixed(2)} blocks up (limit ${MAX_UP}; the cheat rose ${kind === 'fly' ? (0.4 * 60).toFixed(1) : 0})`);
    };
    envelope(speed, speedRun, 'speed');
    envelope(fly, flyRun, 'fly');

    // The ladder: alert, setback, then kick and the console command.
    const climbed = actions.filter((a) => a.player === climber.username);
    const first = (kind) => climbed.find((a) => a.action === kind);
    const [alert, setback, kick, command] = ['alert', 'setback', 'kick', 'command'].map(first);
    check(alert && setback && kick && command && alert.id < kick.id && setback.id < kick.id,
      `${version}: ${climber.username} climbed the ladder: alert, setback, kick, command (${climbed.map((a) => a.action).join(' ')})`);
    check(String(climber.kicked ?? '').includes(`Too fast, ${climber.username}`), `${version}: ${climber.username} saw the ladder's kick text (${climber.kicked})`);
    check(rcon.seen.commands.includes(`tempban ${climber.username} 1h movement.speed`), `${version}: the command reached RCON (${JSON.stringify(rcon.seen.commands)})`);
    check(command && command.result === 'sent: done: tempban', `${version}: the command row carries RCON's reply (${JSON.stringify(command)})`);
    check(rcon.seen.lostBytes === 0, `${version}: ${rcon.seen.lostBytes} RCON bytes sent in a read after a packet (the game drops them)`);

    for (const b of honest) {
      const seen = players[b.username];
      check(setbacksOf(b.username).length === 0 && b.setbacks === 0, `${version}: ${b.username} was never set back (${setbacksOf(b.username).length} rows)`);
      check(seen && seen.positions.length >= 40, `${version}: the backend received ${b.username}'s movement (${seen?.positions.length ?? 0} positions)`);
    }
    if (version !== '1.8.8') {
      for (const b of all) {
        const seen = players[b.username];
        if (!seen) continue;
        const sent = new Set(seen.teleportsSent);
        const foreign = seen.confirms.filter((id) => !sent.has(id));
        check(foreign.length === 0, `${version}: ${b.username}: every confirmation the backend received carries an id it sent (${seen.confirms.length} confirmations, ids sent ${JSON.stringify(seen.teleportsSent)}, foreign ${JSON.stringify(foreign)})`);
        if (honest.includes(b)) {
          check(seen.confirms.length === seen.teleportsSent.length,
            `${version}: ${b.username}: each of the ${seen.teleportsSent.length} server teleports confirmed once (${JSON.stringify(seen.confirms)})`);
        }
      }
    }
  } finally {
    if (proxy) await stopProcess(proxy, { graceMs: 3000 });
    for (const r of relays) await r.close();
    for (const close of closers) close();
    backend.send({ type: 'stop' });
    await stopProcess(backend, { graceMs: 5000 });
  }
}

console.log(`rustguard e2e setbacks through ${proxyBin}; logs in ${outRoot}`);
const started = Date.now();
for (const version of versions) {
  try {
    await runVersion(version);
  } catch (e) {
    problems.push(`${version}: ${e.stack ?? e}`);
  }
}
console.log(`${problems.length === 0 ? 'PASS' : 'FAIL'} setbacks (${versions.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const p of problems) console.log(`FAIL ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
