#!/usr/bin/env node
// End-to-end acceptance of the combat checks (issue 12) in the live proxy:
// real servers, mineflayer fighters (captures/combat_bots.mjs) attacking
// target players through rustguard and the lag relay, the violation log read
// back with the sqlite3 CLI after SIGTERM, and the attacks the backend
// received counted there.
//
//   node tests/e2e/combat.mjs --proxy build/tools/proxy/rustguard [--versions 1.8.8,1.21.4,26.1]
//
// Per version, one backend (flying-squid with --no-pvp-damage, or the small
// server on 26.1) and one rustguard with the checks' defaults:
//   targets   two players (ct_a, ct_b) connected straight to the proxy, standing
//             still next to each other (they join after the fighters);
//   fighters  one process per latency (each through its own lag relay,
//             lib/lag_relay.mjs in lag_relay_proc.mjs: 0, 150, 300 ms each way)
//             with an honest fighter and one bot per cheat (the timer-driven
//             clicker in a process and relay of its own), all around the same
//             targets, fighting at once for --fight-ms.
// Passes when: every fighter fought (attacks sent); no honest fighter or target
// has an alert or kick, or any violation of combat.reach or combat.hitbox
// (an honest hit judged impossible; other checks' flags below the alert are
// listed, as the issue asks for no alert); each cheater has
// an alert of every check it is meant for (EXPECT) within 5 s of its first
// attack (the arrival-time checks excepted where the proxy held timing flags
// because it read late: /metrics rustguard_timing_flags_held_total > 0, and
// autoclicker.pattern where the randomised clicker's own timer, as it really
// fired, was clearly flat (below 7.5 ms) in fewer than two of the check's
// windows, or where its lag
// clicker plays behind a lag relay, whose timers add the jitter the check
// measures: asserted at 0 ms only); the
// backend received every attack of a player whose attacks the proxy never
// cancelled, and fewer than sent where it did cancel (a cancelled hit never
// reaches the server; of the reach fighters, at most a quarter).
// reach31 (every attack from 3.1 blocks, eye to box, +- 0.05, by the bot's
// own reckoning from its last reported position and the target's position
// as it sees it; the harness checks the distances it reports): from 1.9
// (range 3.0 + leeway 0.03, no margin but the 0.0002 a client may move
// unreported) combat.reach must reach its alert VL within 20 of its hits,
// the hit counted as the flags up to the alert (the violation rows' counts)
// plus, as an upper bound on the unflagged hits before it, every hit the
// backend received (by default nothing else cancels an attack); on 1.8.8
// (boxes grown by 0.1 and 1/32, and 0.03 when the tick before is not known
// to have reported a position: 3.1 is within 3.03 + 0.13) it must raise no
// combat.reach violation at all.
// Options: --latencies 0,150,300  --roles honest,killaura,...  --fight-ms 5500
//   --sanitized (a sanitizer build: the arrival-time checks are not asserted)
//   --stall-proxy (while they fight, the proxy is stopped with SIGSTOP for
//   15-45 ms every 35-95 ms, its engine told to hold nothing for waits that
//   short: the arrival-time checks must then see what the players sent, not
//   when the stalled proxy read it; tools/proxy/arrival_time.hpp)
//   --out DIR  --keep.
// Exit code: 0 if every expectation held, 1 otherwise, 2 on a usage error.

import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openClips } from './lib/clips.mjs';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled } from './lib/deps.mjs';
import { sql } from './lib/db_rows.mjs';
import { timingFlagsHeld } from './lib/metrics.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, httpGet, killAll, proxyClockOffset, runVersionsAndExit } from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const combatScript = resolve(here, '../../captures/combat_bots.mjs');

// The checks each fighter must be flagged by (at or above the alert VL).
const EXPECT = {
  honest: [],
  killaura: ['killaura.multi_target', 'killaura.no_swing', 'killaura.post'],
  // One click every client tick: flat to the millisecond only as far as the
  // bot's tick timer is (mineflayer's physics interval catches up late ticks
  // in bursts on a loaded machine), so only the CPS cap is required of it.
  autoclick: ['autoclicker.cps'],
  autoclick_random: ['autoclicker.pattern'],
  reach: ['combat.reach'],
  aimbot: ['aim.sensitivity'],
  behind: ['killaura.behind', 'combat.hitbox'],
  // Last, so that the others keep their spots (the fighters of a process
  // stand 40 degrees apart in this order).
  reach31: ['combat.reach'],
};
// Roles whose every attack is impossible: at most this share of what they
// sent may reach the backend (combat.reach cancels each flagged hit; an
// attack at the edge of the margins may pass).
const MAX_DELIVERED = { reach: 0.25, reach31: 0.25 };
// Roles that must be flagged within so many of their hits (at or above the
// alert VL), and the versions where their hits are legal instead: there the
// role must raise no violation of the check at all.
const DETECT_WITHIN_HITS = { reach31: { check: 'combat.reach', hits: 20, legal: new Set(['1.8.8']) } };
// What reach31's every attack must have been sent from (eye to box).
const EDGE = { reach: 3.1, tolerance: 0.05 };
const legalFor = (role, version) => DETECT_WITHIN_HITS[role]?.legal.has(version) ?? false;
const expectFor = (role, version) => (legalFor(role, version) ? [] : EXPECT[role]);
// Checks that judge arrival times: the proxy holds their flags (does not
// raise them) while it reads late itself, an overloaded host rather than the
// player (rustguard_timing_flags_held_total). Where it held any, a missing or
// late alert of these is reported, not failed. killaura.multi_target is one
// of them from 1.9 on without Client Tick End: two attacks are one tick only
// if they arrive within same_tick_ms.
const TIMING_CHECKS = new Set(['killaura.post', 'killaura.multi_target', 'autoclicker.cps', 'autoclicker.pattern']);
const COMBAT_CHECK = /^(killaura|autoclicker|reach|hitbox|aim|combat)\./;
const IMPOSSIBLE_HIT = /^combat\.(reach|hitbox)$/;
const DETECT_WITHIN_MS = 5000;
// autoclicker.pattern's defaults (config.yml): windows of 20 intervals
// between 5 and 250 ms, flat below a 10 ms standard deviation.
const PATTERN = { samples: 20, minMs: 5, maxMs: 250, flatBelowMs: 10 };
// A window of the bot's own timer counts as the cheat the expectation is
// about when it is clearly flat: its arrivals at the proxy carry the send
// path's jitter too, so a window at 8.3 ms at the bot can read above 10 at
// the proxy (a clean-clone CI run of 2026-12-04: 8.3, 10.7 and 3.5 ms at the
// bot, one flagged window, no alert). Undisturbed, the bot's windows sit at
// 3-6 ms.
const CLEARLY_FLAT_BELOW_MS = 7.5;
// The check's windows over the times the bot's own timer fired (ms,
// performance.now()), those complete within `withinMs` of the first click:
// how many were flat, of how many, and each one's deviation.
function ownFlatWindows(times, withinMs) {
  const out = { flat: 0, clearlyFlat: 0, windows: 0, deviations: [] };
  let window = [];
  for (let i = 1; i < times.length && times[i] - times[0] <= withinMs; ++i) {
    const gap = times[i] - times[i - 1];
    if (gap < PATTERN.minMs || gap > PATTERN.maxMs) continue;
    window.push(gap);
    if (window.length < PATTERN.samples) continue;
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    const deviation = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
    out.windows++;
    out.deviations.push(deviation.toFixed(1));
    if (deviation < PATTERN.flatBelowMs) out.flat++;
    if (deviation < CLEARLY_FLAT_BELOW_MS) out.clearlyFlat++;
    window = [];
  }
  return out;
}
// The relay's own timing, printed for the relayed pattern clickers: its
// timers deliver the clicker's bytes late when the host is loaded, which
// spreads the arrival times autoclicker.pattern measures.
const deviationOf = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
};
const SOLO = new Set(['autoclick_random']);
const SMALL_BACKEND = new Set(['1.21.5', '1.21.11', '26.1']);

const usage = (m) => {
  process.stderr.write(`combat.mjs: ${m}\nusage: node tests/e2e/combat.mjs --proxy PATH [--replay PATH] [--versions 1.8.8,1.21.4,26.1]\n`);
  process.exit(2);
};
const args = parseArgs();
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
try { execFileSync('sqlite3', ['-version']); } catch { usage('the sqlite3 CLI is missing (tools/dev/setup.sh --tests installs it)'); }
const list = (v, d) => String(v ?? d).split(',').map((x) => x.trim()).filter(Boolean);
const versions = list(args.versions, '1.8.8,1.21.4,26.1');
const latencies = list(args.latencies, '0,150,300').map(Number);
const roles = list(args.roles, Object.keys(EXPECT).join(','));
for (const r of roles) if (!EXPECT[r]) usage(`unknown role ${r}; known: ${Object.keys(EXPECT).join(', ')}`);
if (!roles.includes('honest')) usage('--roles must include honest');
const fightMs = Number(args['fight-ms'] ?? 5500);
// Under ASan/UBSan or TSan the proxy reads several ms late and unevenly:
// arrival-time statistics are reported, not asserted (as held flags are).
const sanitized = Boolean(args.sanitized);
const stallProxy = Boolean(args['stall-proxy']);
const replayBin = args.replay ? resolve(String(args.replay)) : null;
installCleanup();

const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-combat-'));
mkdirSync(outRoot, { recursive: true });
const short = (v) => v.replaceAll('.', '');
const ABBR = { honest: 'hon', killaura: 'ka', autoclick: 'ac', autoclick_random: 'acr', reach: 'rch', reach31: 'r31', aimbot: 'aim', behind: 'bhd' };

// Stops (SIGSTOP) and continues `proc` until `done()`: each stop 15-45 ms,
// each run between two stops 20-50 ms. The bytes players send meanwhile wait
// in the kernel, as they do behind a busy io thread.
async function stallWhile(proc, done) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const begun = performance.now();
  let count = 0;
  let stoppedMs = 0;
  while (!done()) {
    const t0 = performance.now();
    process.kill(proc.pid, 'SIGSTOP');
    try {
      await sleep(15 + Math.random() * 30);
    } finally {
      process.kill(proc.pid, 'SIGCONT');
    }
    stoppedMs += performance.now() - t0;
    count++;
    await sleep(20 + Math.random() * 30);
  }
  return { count, stoppedMs, elapsedMs: performance.now() - begun };
}

async function runVersion(version) {
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const problems = [];
  const notes = [];
  const db = join(dir, 'rustguard.db');
  const v = short(version);
  const targetNames = [`ct${v}_a`, `ct${v}_b`];
  const fighters = []; // {role, username, latency, startMs, sent, phases}
  const procs = [];
  const relays = [];
  const marks = [];
  const mark = (what) => marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)}`);
  let backend; let proxy; let targets;
  try {
    const backendArgs = ['--version', version, '--port', '0', '--record', join(dir, 'server.json')];
    if (!SMALL_BACKEND.has(version)) backendArgs.push('--no-pvp-damage', '--max-players', '40');
    backend = forkNode(join(here, SMALL_BACKEND.has(version) ? 'backend_small.mjs' : 'backend_squid.mjs'),
      backendArgs, join(dir, 'backend.log'), `backend ${version}`);
    const { port: backendPort } = await waitMessage(backend, 'ready', 30000);
    const listenPort = await freePort();
    const admin = `127.0.0.1:${await freePort()}`;
    writeFileSync(join(dir, 'config.yml'), [
      '# written by tests/e2e/combat.mjs: the checks run with their defaults',
      `listen: '127.0.0.1:${listenPort}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '${admin}'`,
      `database: '${db}'`, 'threads: 2', 'log_level: info',
      '# 26 players log in from 127.0.0.1 within a few seconds; under a sanitizer',
      '# that burst makes the io threads run late, and a login refused then',
      '# (refuse_logins_lag_ms) is not what this test is about; nor is a login',
      '# timed out: on a loaded 2-core host flying-squid took over 10 s (the',
      '# default login_timeout_ms) to accept the last ones behind the 300 ms relay',
      'connections:', '  per_ip_rate: 100', '  per_ip_burst: 100', '  refuse_logins_lag_ms: 0', '  login_timeout_ms: 30000',
      // Evidence clips of every alert (with --replay: the reach fighters'
      // clips must flag combat.reach on their own, lib/clips.mjs).
      ...(replayBin ? ['clips:', '  enabled: true', `  folder: '${join(dir, 'clips')}'`, '  after: 1s'] : []),
      // Stalled on purpose: the stalls must not make the engine hold the
      // timing flags (that would excuse them); the arrival times must stand.
      ...(stallProxy ? ['checks:', '  engine:', '    host_late_threshold_ms: 1000'] : []), '',
    ].join('\n'));
    proxy = spawnBinary(proxyBin, ['--config', join(dir, 'config.yml')], join(dir, 'proxy.log'), `rustguard ${version}`);
    await waitForPort(listenPort, proxy, 10000);
    mark('proxy up');

    // One fighter process per latency, all at once; the timer-driven clicker
    // gets a process of its own, so that its clicks leave on time (the other
    // bots' packet parsing would delay them and blur its flat schedule).
    const runs = [];
    const spawnedPs = [];
    const groups = [roles.filter((r) => !SOLO.has(r)), ...roles.filter((r) => SOLO.has(r)).map((r) => [r])].filter((g) => g.length);
    latencies.forEach((lat, li) => groups.forEach((group, gi) => {
      let spawned;
      spawnedPs.push(new Promise((r) => { spawned = r; }));
      const label = `${lat}${gi ? `-${group[0]}` : ''}`;
      runs.push((async () => {
        const relay = forkNode(join(here, 'lag_relay_proc.mjs'), ['--target-port', String(listenPort), '--delay-ms', String(lat)],
          join(dir, `relay-${label}.log`), `relay ${label}`);
        relays.push(relay);
        relay.port = (await waitMessage(relay, 'ready', 10000)).port;
        const specs = group.map((r) => {
          const f = { role: r, username: `${ABBR[r]}${v}_${lat}`, latency: lat, startMs: null, sent: null, phases: null, relay };
          fighters.push(f);
          return `${r}:${f.username}`;
        });
        const proc = forkNode(combatScript, ['--version', version, '--port', String(relay.port), '--fighters', specs.join(','),
          '--target-names', targetNames.join(','), '--angle', String(li * 120 + gi * 60 + 10), '--fight-ms', String(fightMs),
          '--seed', String(1000 + lat + gi)], join(dir, `fighters-${label}.log`), `fighters ${version} ${label}`);
        procs.push(proc);
        waitMessage(proc, 'spawned', 40000).then(spawned, (e) => { problems.push(`fighters ${label}: ${e.message}`); spawned(); });
        proc.on('message', (m) => {
          const f = fighters.find((x) => x.username === m?.username);
          if (!f) return;
          if (m.type === 'cheat-start') { f.startMs = m.timeMs; f.offsetP = proxyClockOffset(admin); }
          if (m.type === 'goodbye') f.goodbye = m;
          if (m.type === 'fighter-done') { f.sent = m.attacks; f.phases = m.phases; f.clicks = m.clicks; f.edge = m.edge ?? null; f.clickTimes = m.clickTimes ?? null; }
        });
        try {
          const done = await waitMessage(proc, 'done', 90000);
          if (!done.ok) problems.push(`fighters ${label} did not complete (see fighters-${label}.log)`);
        } catch (e) {
          problems.push(`fighters ${label}: ${e.message}`);
        } finally {
          await stopProcess(proc, { graceMs: 2000 });
        }
      })());
    }));

    // The targets join once every fighter has spawned: flying-squid can lose
    // the spawn of a player that joins while another is still joining.
    await Promise.all(spawnedPs);
    mark('fighters spawned');
    targets = forkNode(combatScript, ['--version', version, '--port', String(listenPort), '--targets', targetNames.join(','),
      '--seed', '7'], join(dir, 'targets.log'), `targets ${version}`);
    await waitMessage(targets, 'spawned', 30000);
    mark('targets spawned');
    let fightsOver = false;
    const stalls = stallProxy ? stallWhile(proxy, () => fightsOver || proxy.exitCode !== null) : null;
    try {
      await Promise.all(runs);
    } finally {
      fightsOver = true;  // the stalls end with the fights, however they end
    }
    mark('fights over');
    if (stalls) {
      const { count, stoppedMs, elapsedMs } = await stalls;
      notes.push(`the proxy was stopped ${count} times while they fought, ${stoppedMs.toFixed(0)} of ${elapsedMs.toFixed(0)} ms`);
      if (count < 20) problems.push(`--stall-proxy: the proxy was stopped only ${count} times`);
    }

    // Every fighter has said goodbye and been kicked: the backend has read
    // all of their attacks.
    backend.send({ type: 'attack-counts' });
    const { counts } = await waitMessage(backend, 'attack-counts', 5000);
    targets.send({ type: 'leave' });
    try { await waitMessage(targets, 'done', 45000); } catch (e) { problems.push(`targets: ${e.message}`); }
    await stopProcess(targets, { graceMs: 2000 });

    const metrics = await httpGet(`http://${admin}/metrics`, 2000);
    if (metrics.status === 200) writeFileSync(join(dir, 'metrics.txt'), metrics.body);
    else problems.push(`GET /metrics: ${metrics.status ?? metrics.error}`);
    const held = timingFlagsHeld(metrics.body, problems) ?? 0;
    backend.send({ type: 'stop' });
    await stopProcess(backend, { graceMs: 5000 });
    const pExit = await stopProcess(proxy, { signal: 'SIGTERM', graceMs: 8000 });
    if (pExit.killed || pExit.code !== 0) problems.push(`rustguard did not exit cleanly after SIGTERM (${JSON.stringify(pExit)})`);

    // What rustguard stored.
    const violations = sql(db, `SELECT s.player_name AS player, v.check_name AS check_name, v.type, v.count, v.vl, v.time_ms, v.detail,
      EXISTS (SELECT 1 FROM actions a WHERE a.violation_id = v.id AND a.action = 'alert') AS alert
      FROM violations v JOIN sessions s ON s.id = v.session_id ORDER BY v.time_ms, v.id`);
    const actions = sql(db, `SELECT s.player_name AS player, a.action, a.detail FROM actions a JOIN sessions s ON s.id = a.session_id`);
    const sessions = sql(db, 'SELECT player_name AS player, end_ms FROM sessions');
    const unended = sessions.filter((s) => s.end_ms === null);
    if (unended.length) problems.push(`sessions without an end: ${unended.map((s) => s.player).join(', ')}`);
    for (const name of [...targetNames, ...fighters.map((f) => f.username)]) {
      if (!sessions.some((s) => s.player === name)) problems.push(`${name}: no session in the database`);
    }

    // Honest fighters and targets: no alert, no kick, no hit judged impossible.
    // A flag below the alert of another check is listed: mineflayer is not a
    // vanilla client (its look can break the mouse step under load, seen once
    // in aim.sensitivity at VL 1 of 2).
    const honest = new Set([...targetNames, ...fighters.filter((f) => f.role === 'honest').map((f) => f.username)]);
    for (const x of violations.filter((r) => honest.has(r.player))) {
      const line = `${x.player}: ${x.check_name} ${x.type} x${x.count} VL ${Number(x.vl).toFixed(2)}: ${x.detail}`;
      if (x.alert || IMPOSSIBLE_HIT.test(x.check_name)) problems.push(`honest player flagged: ${line}`);
      else notes.push(`below alert${COMBAT_CHECK.test(x.check_name) ? '' : ' (not combat)'}: ${line}`);
    }
    for (const k of actions.filter((a) => honest.has(a.player) && a.action === 'kick')) problems.push(`honest player kicked: ${k.player}: ${k.detail}`);

    // Attacks: sent by the bot against received by the backend.
    for (const t of targetNames) if (counts[t]) problems.push(`target ${t} attacked ${counts[t]} times`);
    const table = [];
    const order = Object.keys(EXPECT);
    fighters.sort((a, b) => a.latency - b.latency || order.indexOf(a.role) - order.indexOf(b.role));
    // How late each pattern clicker's relay delivered its bytes in the
    // check's first windows (a relay with no delay has no timer to be late).
    for (const f of fighters) {
      if (f.startMs === null || f.latency === 0 || !expectFor(f.role, version).includes('autoclicker.pattern')) continue;
      f.relay.send({ type: 'lateness', fromMs: f.startMs, toMs: f.startMs + DETECT_WITHIN_MS });
      const late = (await waitMessage(f.relay, 'lateness', 5000).catch(() => null))?.late;
      f.relayJitter = late?.length ? deviationOf(late) : null;
      f.relayLateMax = late?.length ? Math.max(...late) : null;
    }
    for (const f of fighters) {
      const got = counts[f.username] ?? 0;
      const cancels = actions.filter((a) => a.player === f.username && a.action === 'cancel').length;
      const kicked = actions.some((a) => a.player === f.username && a.action === 'kick');
      const mine = violations.filter((x) => x.player === f.username);
      const flagged = [...new Set(mine.map((x) => `${x.check_name}${x.alert ? '!' : ''}`))].sort();
      table.push(`${f.username.padEnd(14)} ${f.role.padEnd(16)} ${String(f.latency).padStart(3)} ms  clicks ${String(f.clicks ?? '?').padStart(3)} sent ${String(f.sent ?? '?').padStart(3)} `
        + `received ${String(got).padStart(3)}${f.phases && Object.keys(f.phases).length > 1 ? ` ${JSON.stringify(f.phases)}` : ''}  `
        + `cancel rows ${cancels}${kicked ? ' KICKED' : ''}  ${flagged.join(' ') || 'clean'}`);
      if (f.sent === null) { problems.push(`${f.username} (${f.role}, ${f.latency} ms) never finished its fight`); continue; }
      if (f.startMs === null) { problems.push(`${f.username} (${f.role}, ${f.latency} ms) never attacked`); continue; }
      // Unkicked, the backend may not have read all of its attacks yet.
      if (!f.goodbye?.answered) { problems.push(`${f.username}: the backend did not kick it within ${f.goodbye?.waitMs ?? '?'} ms of its goodbye (backend.log): its attack count is not final`); continue; }
      if (f.sent < 5) problems.push(`${f.username} (${f.role}) sent only ${f.sent} attacks`);
      if (got > f.sent) problems.push(`${f.username}: the backend received ${got} attacks, the bot sent ${f.sent}`);
      if (cancels === 0 && got !== f.sent && !kicked) problems.push(`${f.username}: nothing cancelled, yet the backend received ${got} of ${f.sent} attacks`);
      if (cancels > 0 && got >= f.sent) problems.push(`${f.username}: ${cancels} cancel rows, yet every attack (${got}) reached the backend`);
      if (MAX_DELIVERED[f.role] !== undefined && !legalFor(f.role, version) && got > Math.floor(f.sent * MAX_DELIVERED[f.role])) {
        problems.push(`${f.username} (${f.role}, ${f.latency} ms): ${got} of ${f.sent} impossible hits reached the backend`);
      }
      const afters = [];
      // The first attack on the proxy's clock, which the rows use.
      const start = f.startMs + ((await f.offsetP) ?? 0);
      for (const check of expectFor(f.role, version)) {
        const hit = mine.find((x) => x.check_name === check && x.alert && x.time_ms >= start - 100);
        // The clicker on its own timer: what its timer really did, in the
        // check's windows. A loaded host makes Node's timer late, and a
        // schedule that is no longer flat at the bot is not the cheat the
        // expectation is about.
        const own = check === 'autoclicker.pattern' && f.clickTimes ? ownFlatWindows(f.clickTimes, DETECT_WITHIN_MS) : null;
        const botLate = own !== null && own.clearlyFlat < 2;
        // Behind the user-space lag relay the arrival schedule carries the
        // relay's timer jitter, which is what autoclicker.pattern measures:
        // reported, asserted only without a relay (0 ms). Two clean-clone CI
        // runs on a quiet machine each lost one relayed clicker's alert (one
        // flagged window of two) with the relay's jitter under 4 ms.
        const relayLate = check === 'autoclicker.pattern' && f.latency > 0;
        const excused = ((held > 0 || sanitized) && TIMING_CHECKS.has(check)) || botLate || relayLate;
        const why = botLate
          ? `the bot's own timer was clearly flat (below ${CLEARLY_FLAT_BELOW_MS} ms) in only ${own.clearlyFlat} of its ${own.windows} windows in the first ${DETECT_WITHIN_MS} ms (deviations ${own.deviations.join(', ')} ms): the host made it late`
          : relayLate
            ? `behind the ${f.latency} ms lag relay, whose timers delivered its bytes with a lateness deviation of ${f.relayJitter?.toFixed(1) ?? '?'} ms and up to ${f.relayLateMax ?? '?'} ms late in the first ${DETECT_WITHIN_MS} ms: asserted at 0 ms only`
            : sanitized ? 'a sanitized proxy reads late' : `the proxy held ${held} timing flags: it read late`;
        const report = (m) => (excused ? notes.push(`not asserted (${why}): ${m}`) : problems.push(m));
        if (!hit) {
          report(`${f.username} (${f.role}, ${f.latency} ms) never reached the alert threshold of ${check} (flagged: ${flagged.join(' ') || 'nothing'})`);
          continue;
        }
        afters.push(`${check} ${hit.time_ms - start} ms`);
        if (hit.time_ms - start > DETECT_WITHIN_MS) report(`${f.username}: ${check} alert ${hit.time_ms - start} ms after its first attack (limit ${DETECT_WITHIN_MS})`);
      }
      if (afters.length) table.push(`${''.padEnd(14)} alert after its first attack: ${afters.join(', ')}`);
      if (f.clickTimes) {
        const own = ownFlatWindows(f.clickTimes, DETECT_WITHIN_MS);
        table.push(`${''.padEnd(14)} its own timer in the first ${DETECT_WITHIN_MS} ms: ${own.flat} of ${own.windows} windows flat (deviation ${own.deviations.join(', ')} ms)`
          + (f.relayJitter != null ? `; its relay's lateness: deviation ${f.relayJitter.toFixed(1)} ms, max ${f.relayLateMax} ms` : ''));
      }
      const within = DETECT_WITHIN_HITS[f.role];
      if (within) {
        const who = `${f.username} (${f.role}, ${f.latency} ms)`;
        // The premise: every attack from 3.1 +- 0.05.
        const edge = f.edge ?? [];
        if (edge.length !== f.sent) problems.push(`${who}: ${edge.length} attack distances reported for ${f.sent} attacks`);
        const ds = edge.map((e) => e.d);
        const off = ds.filter((d) => !(Math.abs(d - EDGE.reach) <= EDGE.tolerance));
        if (off.length) problems.push(`${who}: ${off.length} attacks not from ${EDGE.reach} +- ${EDGE.tolerance}: ${off.slice(0, 10).join(' ')}`);
        const span = ds.length ? `${Math.min(...ds).toFixed(3)}-${Math.max(...ds).toFixed(3)}` : 'none';
        const rows = mine.filter((x) => x.check_name === within.check);
        if (legalFor(f.role, version)) {
          table.push(`${''.padEnd(14)} ${edge.length} hits from ${span} (eye to box), legal on ${version}: ${rows.length ? `${within.check} FLAGGED` : `no ${within.check} violation`}`);
          for (const x of rows) problems.push(`${who}: ${within.check} on a legal hit (${version}) x${x.count} VL ${Number(x.vl).toFixed(2)}: ${x.detail}`);
        } else {
          const at = rows.findIndex((x) => x.alert);
          if (at < 0) {
            table.push(`${''.padEnd(14)} ${edge.length} hits from ${span} (eye to box): ${within.check} never at its alert VL`);
          } else {
            // Every flag up to and including the alert's is one hit; hits
            // the proxy did not flag reached the backend (by default nothing
            // else cancels an attack), so `got` bounds those that came before.
            const flagged = rows.slice(0, at + 1).reduce((n, x) => n + Number(x.count), 0);
            const hitAt = flagged + got;
            const proxyAt = /at ([0-9.]+) blocks/.exec(rows[at].detail)?.[1] ?? '?';
            table.push(`${''.padEnd(14)} ${edge.length} hits from ${span} (eye to box): ${within.check} alert at hit ${got ? `${flagged}-${hitAt}` : flagged} `
              + `(VL ${Number(rows[at].vl).toFixed(2)}, proxy measured ${proxyAt}; ${rows.reduce((n, x) => n + Number(x.count), 0)} of ${f.sent} hits flagged)`);
            if (hitAt > within.hits) problems.push(`${who}: ${within.check} alert at hit ${hitAt} (limit ${within.hits})`);
          }
        }
      }
    }
    if (replayBin) {
      // The impossible-hit fighters' clips, replayed alone: combat.reach with the same type.
      const clips = openClips({ dir, liveDb: db, replayBin, problems });
      const figures = [];
      for (const f of fighters.filter((x) => x.role === 'reach' && x.latency === 0)) {
        figures.push(...clips.checkCheater(f.username, 'combat.reach', f.username));
      }
      notes.push(`clips: ${clips.files.length} files; ${clips.rows.length} alert/kick rows, each naming one; reach clips replayed alone: ${figures.join(', ')}`);
    }
    notes.unshift(...table);
    mark('database read');
    notes.unshift(`${violations.length} violation rows, ${sessions.length} sessions (! = alert); timing flags held by the proxy: ${held}; timeline (s): ${marks.join(', ')}`);
  } catch (e) {
    problems.push(e.message);
  } finally {
    for (const p of [...procs, targets, backend, proxy]) if (p && !p.exitInfo) await stopProcess(p, { graceMs: 2000 });
    for (const r of relays) if (!r.exitInfo) await stopProcess(r, { graceMs: 2000 });
  }
  return { version, ok: problems.length === 0, problems, notes, ms: Date.now() - started, dir };
}

console.log(`rustguard e2e combat: ${versions.join(', ')}; latencies ${latencies.join('/')} ms; fighters ${roles.join(', ')}; output in ${outRoot}`);
await runVersionsAndExit(versions, runVersion, { outRoot, keep: Boolean(args.out || args.keep) });
