#!/usr/bin/env node
// Live–replay parity (tests/e2e/README.md, "Live–replay parity"): the live
// proxy and rustguard-replay, run on tcpdump captures of the same session,
// must reach the same verdicts.
//
//   node tests/e2e/parity.mjs --proxy build/tools/proxy/rustguard --replay build/tools/replay/rustguard-replay
//
// Per version: one flying-squid backend, one rustguard with the repo's
// config.yml (only listen, backend, admin and database overridden) writing
// its own SQLite file, and two tcpdump processes on lo: the client leg (the
// proxy's listen port: lag relay <-> proxy) and the backend leg (the
// backend's port: proxy <-> backend). Through the proxy play two honest pairs
// of bots.mjs, each behind a lag relay (50 and 150 ms each way by default),
// then captures/cheat_bots.mjs for speed, timer, nofall and pitch (pitch is
// the default checks' cancelling check, and speed is set back, so the
// backend leg misses packets).
// The proxy gets SIGTERM, tcpdump SIGINT; each capture is replayed with
// `rustguard-replay -c config.yml --database <fresh.db>`; the three databases
// are read with the sqlite3 CLI and compared (see the README section for
// every assertion and its tolerance).
//
// Options: --versions 1.21.4,1.8.8  --latencies 50,150  --cheats speed,timer,nofall,pitch
//          --parallel N (cheat scripts at once, default 2)  --config PATH (default: the repo's config.yml)
//          --dt-bound-ms N (default 25)  --out DIR  --keep
//          --replay-set KEY=VALUE[,...] (self-check: overrides for the replays only, the test must then fail)
// Output: TAP (ok / not ok lines, # notes and the per-player tables).
// Exit code: 0 every assertion held, 1 one failed, 2 usage error, 77 skipped
// (no tcpdump, or tcpdump may not capture on lo).

import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled } from './lib/deps.mjs';
import { startLagRelay } from './lib/lag_relay.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, httpGet, killAll, mapAtMost,
} from './lib/procs.mjs';
import { tcpdumpPath, startTcpdump } from './lib/tcpdump.mjs';
import { sqliteAvailable, readDatabase, actionSubject } from './lib/db_rows.mjs';
import { timingFlagsHeldOf } from './lib/proxy_log.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');
const cheatScript = resolve(repoRoot, 'captures/cheat_bots.mjs');

// The check each scripted cheat must be flagged by live (captures/README.md).
const CHEATS = {
  speed: 'movement.speed', fly: 'movement.fly', timer: 'timer.balance', nofall: 'movement.nofall',
  pitch: 'badpackets.pitch', teleport: 'movement.teleport',
};
// Checks that read the arrival time of packets or time out (docs/checks.md):
// only their flags may move with the time the proxy read the bytes. Every
// other check judges a packet by its contents and order: equal flags.
const TIME_CHECKS = new Set(['timer.balance', 'timer.negative', 'badpackets.transaction']);
const TIME_CHECK_FLAG_SLACK = 2;  // see the README: "Tolerances"
// A few ms at a threshold crossing move a time-dependent flag to the next or
// previous packet, and Timer restarts its clock at each flag, so the rest of
// the series keeps that shift: up to a client tick (50 ms) per crossing.
let TIME_CHECK_DT_MS = 100;  // at least 4 x --dt-bound-ms (set below)

const usage = (m) => {
  process.stderr.write(`parity.mjs: ${m}\nusage: node tests/e2e/parity.mjs --proxy PATH --replay PATH [--versions 1.21.4,1.8.8] [--out DIR] [--keep]\n`);
  process.exit(2);
};
const args = parseArgs();
const exe = (flag) => {
  if (!args[flag] || args[flag] === true) usage(`--${flag} PATH is required`);
  const p = resolve(String(args[flag]));
  try { accessSync(p, constants.X_OK); } catch { usage(`--${flag} ${p}: not an executable file`); }
  return p;
};
const proxyBin = exe('proxy');
const replayBin = exe('replay');
try { checkInstalled(); } catch (e) { usage(e.message); }
if (!sqliteAvailable()) usage('the sqlite3 CLI is missing (tools/dev/setup.sh --tests installs it)');
const list = (v, d) => String(v ?? d).split(',').map((x) => x.trim()).filter(Boolean);
const versions = list(args.versions, '1.21.4,1.8.8');
for (const v of versions) if (!['1.8.8', '1.12.2', '1.20.4', '1.21.4'].includes(v)) usage(`version ${v}: flying-squid serves 1.8.8, 1.12.2, 1.20.4 and 1.21.4`);
const latencies = list(args.latencies, '50,150').map(Number);
if (latencies.some((l) => !Number.isFinite(l) || l < 0)) usage('--latencies: milliseconds, e.g. 50,150');
const cheats = list(args.cheats, 'speed,timer,nofall,pitch');
for (const c of cheats) if (!CHEATS[c]) usage(`unknown cheat ${c}; known: ${Object.keys(CHEATS).join(', ')}`);
const parallel = Math.max(1, Number(args.parallel ?? 2));
const configPath = resolve(String(args.config ?? join(repoRoot, 'config.yml')));
if (!existsSync(configPath)) usage(`--config ${configPath}: no such file`);
// Harness self-check only: a config override given to the replays and not to
// the proxy must make the comparison fail (README, "Live–replay parity").
const replaySets = args['replay-set'] ? list(args['replay-set'], '') : [];
const dtBoundMs = Number(args['dt-bound-ms'] ?? 25);
if (!Number.isFinite(dtBoundMs) || dtBoundMs <= 0) usage('--dt-bound-ms: a positive number of milliseconds');
// A slower proxy (a sanitizer build) reads bytes later after tcpdump stamped them.
TIME_CHECK_DT_MS = Math.max(TIME_CHECK_DT_MS, 4 * dtBoundMs);

// TAP output.
let testNo = 0;
let failures = 0;
const note = (text) => { for (const line of String(text).split('\n')) console.log(`# ${line}`); };
function check(cond, desc, details = []) {
  testNo++;
  if (!cond) failures++;
  console.log(`${cond ? 'ok' : 'not ok'} ${testNo} - ${desc}`);
  for (const d of details.slice(0, 40)) console.log(`#   ${d}`);
  if (details.length > 40) console.log(`#   ... ${details.length - 40} more`);
  return cond;
}
console.log('TAP version 13');

const tcpdumpBin = tcpdumpPath();
if (!tcpdumpBin) {
  console.log('1..0 # SKIP tcpdump not found');
  process.exit(77);
}

installCleanup();
const keep = Boolean(args.out || args.keep);
const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-parity-'));
mkdirSync(outRoot, { recursive: true });
// tcpdump writes as its own user after dropping root: it must reach and write the folders.
chmodSync(outRoot, 0o777);
process.on('exit', () => {
  killAll('SIGKILL');
  if (!keep) { try { rmSync(outRoot, { recursive: true, force: true }); } catch {} }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const short = (v) => v.replaceAll('.', '');
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

class SkipError extends Error {}

// Polls GET /players until every name was listed at least once (they log in
// and out at different moments), or the deadline passes. Returns the names seen.
async function watchPlayers(admin, names, { timeoutMs, stopP }) {
  const seen = new Set();
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  stopP?.then(() => { stopped = true; }, () => { stopped = true; });
  while (Date.now() < deadline && seen.size < names.length) {
    const r = await httpGet(`http://${admin}/players`, 2000);
    try { for (const p of JSON.parse(r.body ?? '[]')) if (names.includes(p.name)) seen.add(p.name); } catch {}
    if (seen.size === names.length || stopped) break;
    await sleep(200);
  }
  return seen;
}

// Polls GET /players until none of `names` is listed any more.
async function waitPlayersGone(admin, names, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let left = names;
  while (Date.now() < deadline) {
    const r = await httpGet(`http://${admin}/players`, 2000);
    try {
      left = JSON.parse(r.body ?? '[]').map((p) => p.name).filter((n) => names.includes(n));
      if (!left.length) return [];
    } catch {}
    await sleep(250);
  }
  return left;
}

function replay(pcap, db, jsonPath) {
  const started = Date.now();
  const r = spawnSync(replayBin, ['-c', configPath, ...replaySets.flatMap((kv) => ['--set', kv]), '--database', db, '--json', pcap],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
  writeFileSync(jsonPath, r.stdout ?? '');
  let report = null;
  try { report = JSON.parse(r.stdout); } catch {}
  return { status: r.status, signal: r.signal, stderr: (r.stderr ?? '').trim(), report, ms: Date.now() - started };
}

// ---- comparison ---------------------------------------------------------

const vkey = (v) => `${v.player}\t${v.check}\t${v.type}`;
function groupViolations(rows) {
  const m = new Map();
  for (const v of rows) {
    const k = vkey(v);
    if (!m.has(k)) m.set(k, { player: v.player, check: v.check, type: v.type, flags: 0, rows: [], maxVl: 0 });
    const g = m.get(k);
    g.flags += Number(v.count ?? 1);
    g.rows.push(v);
    g.maxVl = Math.max(g.maxVl, Number(v.vl));
  }
  return m;
}
const akey = (a) => `${a.player}\t${a.kind}\t${actionSubject(a)}`;
function countActions(rows) {
  const m = new Map();
  for (const a of rows) m.set(akey(a), (m.get(akey(a)) ?? 0) + 1);
  return m;
}

// Pairs the rows of one (player, check, type) on both sides: by position when
// both have as many rows, else each live row with the nearest replay row.
function pairRows(liveRows, otherRows) {
  if (!liveRows.length || !otherRows.length) return [];
  if (liveRows.length === otherRows.length) return liveRows.map((l, i) => [l, otherRows[i]]);
  return liveRows.map((l) => [l, otherRows.reduce((best, o) => (Math.abs(o.time_ms - l.time_ms) < Math.abs(best.time_ms - l.time_ms) ? o : best))]);
}

const flagSlack = (check) => (TIME_CHECKS.has(check) ? TIME_CHECK_FLAG_SLACK : 0);

// One leg against live. `cancelled`: Map player -> Set of checks that had a
// cancel or setback action live (backend leg only; null for the client leg):
// the backend never saw the packets they dropped or held.
// `backendLeg`: the replay of the backend leg has none of RustGuard's
// lag-compensation transactions (the proxy answers them itself), so it judges
// with the keep-alive rule instead (docs/replay.md): the time-dependent checks
// may flag a few packets later or earlier there. Their rows' Δt is reported
// apart (dtEvidence) and not held to the capture-timing bound.
// `heldOf(player)`: how many timing flags the live proxy held for that player
// because it read late (its disconnect lines). A capture does not carry the
// proxy's lateness, so where live held any, that player's time-dependent
// keys may differ: reported in `excused`, not failed.
function compareLeg(live, other, { cancelled, backendLeg = false, heldOf = () => 0 }) {
  const L = groupViolations(live.violations);
  const O = groupViolations(other.violations);
  const isCancelled = (player, chk) => Boolean(cancelled?.get(player)?.has(chk));
  const keyProblems = [];
  const flagProblems = [];
  const excused = [];
  const vlDiffs = [];  // per row pair of a strict key
  const perKey = new Map();
  const dtAll = [];
  const dtStrict = [];  // rows of keys whose flags and row counts agree
  const dtEvidence = [];  // backend leg, time-dependent checks (not bounded)
  const dtTime = [];      // client leg, time-dependent checks
  const dtOver = [];      // strict pairs beyond --dt-bound-ms
  for (const k of new Set([...L.keys(), ...O.keys()])) {
    const l = L.get(k); const o = O.get(k);
    const g = l ?? o;
    const subset = isCancelled(g.player, g.check);
    const lf = l?.flags ?? 0; const of = o?.flags ?? 0;
    const entry = { live: l, other: o, subset, dts: [] };
    perKey.set(k, entry);
    const label = `${g.player} ${g.check}/${g.type}`;
    const held = TIME_CHECKS.has(g.check) ? heldOf(g.player) : 0;
    const keyList = held > 0 ? excused : keyProblems;
    const heldText = held > 0 ? ` (not failed: live held ${held} of ${g.player}'s timing flags because it read late)` : '';
    if (!l && !subset) keyList.push(`${label}: ${of} flags in the replay, none live${heldText}`);
    if (!l && subset) keyList.push(`${label}: ${of} flags in the replay, none live (a cancelled check's replay must be a subset of live)${heldText}`);
    if (!o && !subset) keyList.push(`${label}: ${lf} flags live, none in the replay${heldText}`);
    if (l && o) {
      const slack = flagSlack(g.check);
      if (subset ? of > lf + slack : Math.abs(lf - of) > slack) {
        (held > 0 ? excused : flagProblems).push(`${label}: ${lf} flags live, ${of} in the replay (allowed: ${subset ? `at most live + ${slack}` : `difference ${slack}`})${heldText}`);
      }
      const strict = lf === of && l.rows.length === o.rows.length;
      for (const [a, b] of pairRows(l.rows, o.rows)) {
        const dt = a.time_ms - b.time_ms;
        entry.dts.push(dt);
        dtAll.push(Math.abs(dt));
        // Rows of a key whose flags live held are not matched by timing.
        if (!strict || held > 0) continue;
        const over = (bound) => Math.abs(dt) > bound
          && dtOver.push(`${label}: row at ${b.time_ms} in the replay, ${dt > 0 ? '+' : ''}${dt} ms live (VL ${Number(a.vl).toFixed(3)} / ${Number(b.vl).toFixed(3)}; bound ${bound} ms)`);
        if (!TIME_CHECKS.has(g.check)) {
          dtStrict.push(Math.abs(dt));
          over(dtBoundMs);
        } else if (backendLeg) {
          dtEvidence.push(Math.abs(dt));
        } else {
          dtTime.push(Math.abs(dt));
          over(TIME_CHECK_DT_MS);
        }
        vlDiffs.push({ label, dt: Math.abs(dt), live: Number(a.vl), other: Number(b.vl), diff: Math.abs(Number(a.vl) - Number(b.vl)) });
      }
    }
  }
  // Actions: (player, kind, subject) as a multiset. An alert is written per
  // violation row at or above the alert VL and a cancel per row whose check
  // dropped packets; rows fold by time (checks.engine.violation_row_interval_ms),
  // so where one side folded a (player, check)'s flags into a different
  // number of rows, its alerts and cancels may differ by as much. Equal
  // rows (every run so far): equal actions.
  const rowsOf = (groups, player, chk) => [...groups.values()].filter((g) => g.player === player && g.check === chk).reduce((n, g) => n + g.rows.length, 0);
  const LA = countActions(live.actions);
  const OA = countActions(other.actions);
  const actionProblems = [];
  const perAction = new Map();
  for (const k of new Set([...LA.keys(), ...OA.keys()])) {
    const [player, kind, subject] = k.split('\t');
    const ln = LA.get(k) ?? 0; const on = OA.get(k) ?? 0;
    const subset = Boolean(cancelled) && (kind === 'cancel' || kind === 'setback' || isCancelled(player, subject));
    const slack = kind === 'alert' || kind === 'cancel' ? Math.abs(rowsOf(L, player, subject) - rowsOf(O, player, subject)) : 0;
    perAction.set(k, { player, kind, subject, live: ln, other: on, subset, slack });
    const bad = subset ? on > ln + slack : Math.abs(on - ln) > slack;
    const held = TIME_CHECKS.has(subject) ? heldOf(player) : 0;
    if (bad) {
      (held > 0 ? excused : actionProblems).push(`${player} ${kind} ${subject}: ${ln} live, ${on} in the replay${subset ? ' (may only be fewer)' : ''}${slack ? ` (rows differ by ${slack})` : ''}${
        held > 0 ? ` (not failed: live held ${held} of ${player}'s timing flags)` : ''}`);
    }
  }
  return { perKey, keyProblems, flagProblems, excused, vlDiffs, dtAll, dtStrict, dtEvidence, dtTime, dtOver, actionProblems, perAction };
}

// VL: a check's VL is the sum of its flags' weights minus decay_per_second x
// the time since its first flag (clamped at 0), so shifting every flag by at
// most D ms moves it by at most 2 x decay x D / 1000. The largest default
// decay is 1 VL/s (speed, fly); time_ms is whole milliseconds, hence D + 1;
// 0.001 covers float rounding in the engine and the database.
const MAX_DECAY_PER_SECOND = 1;
const vlBound = (maxDtMs) => 0.001 + (2 * MAX_DECAY_PER_SECOND * (maxDtMs + 1)) / 1000;
function checkVl(version, leg, cmp) {
  const maxDt = Math.max(0, ...cmp.dtStrict);
  const boundOf = (d) => vlBound(Math.max(maxDt, d.dt));
  const worst = cmp.vlDiffs.reduce((m, d) => Math.max(m, d.diff), 0);
  const bad = cmp.vlDiffs.filter((d) => d.diff > boundOf(d));
  check(bad.length === 0, `${version}: ${leg} leg: VL of matched rows within 0.001 + 2 x 1 VL/s x (max |Δt| + 1 ms) of live (bound ${vlBound(maxDt).toFixed(4)}; max |ΔVL| ${worst.toFixed(6)} over ${cmp.vlDiffs.length} rows)`,
    bad.map((d) => `${d.label}: VL ${d.live} live, ${d.other} in the replay (Δt ${d.dt} ms, bound ${boundOf(d).toFixed(4)})`));
}

function fmtDt(xs) {
  if (!xs.length) return 'no matched rows';
  return `${xs.length} matched rows, |Δt| median ${median(xs)} ms, p90 ${quantile(xs, 0.9)} ms, max ${Math.max(...xs)} ms`;
}

function printTables(version, live, client, backend, cmpC, cmpB) {
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const cell = (g) => (g ? `${g.flags}/${g.rows.length}` : '-');
  const dtCell = (e) => (e.dts.length ? `${Math.max(...e.dts.map(Math.abs))}` : '-');
  const players = [...new Set([...live.sessions, ...client.sessions, ...backend.sessions].map((s) => s.player))].sort();
  note(`${version}: violations per player (flags/rows; Δt = live time_ms - replay time_ms of matched rows, max |Δt| in ms; ! = outside the tolerance)`);
  note(`${pad('player', 17)}${pad('check/type', 30)}${lpad('live', 8)}${lpad('client', 8)}${lpad('backend', 8)}${lpad('|Δt|c', 7)}${lpad('|Δt|b', 7)}  note`);
  for (const p of players) {
    const keys = [...new Set([...cmpC.perKey.keys(), ...cmpB.perKey.keys()])].filter((k) => k.startsWith(`${p}\t`)).sort();
    if (!keys.length) { note(`${pad(p, 17)}${pad('(none)', 30)}${lpad('-', 8)}${lpad('-', 8)}${lpad('-', 8)}`); continue; }
    for (const k of keys) {
      const c = cmpC.perKey.get(k); const b = cmpB.perKey.get(k);
      const g = c?.live ?? c?.other ?? b?.other;
      const marks = [];
      const bad = (cmp, label) => cmp.keyProblems.concat(cmp.flagProblems).some((x) => x.startsWith(`${p} ${g.check}/${g.type}:`)) && marks.push(`! ${label}`);
      bad(cmpC, 'client'); bad(cmpB, 'backend');
      if (b?.subset) marks.push('cancelled live: backend ⊆ live');
      note(`${pad(p, 17)}${pad(`${g.check}/${g.type}`, 30)}${lpad(cell(c?.live ?? b?.live), 8)}${lpad(cell(c?.other), 8)}${lpad(cell(b?.other), 8)}` +
        `${lpad(c ? dtCell(c) : '-', 7)}${lpad(b ? dtCell(b) : '-', 7)}  ${marks.join('; ')}`);
    }
  }
  note(`${version}: actions per player (rows of (player, kind, check))`);
  note(`${pad('player', 17)}${pad('kind', 8)}${pad('check', 30)}${lpad('live', 6)}${lpad('client', 8)}${lpad('backend', 8)}  note`);
  const akeys = [...new Set([...cmpC.perAction.keys(), ...cmpB.perAction.keys()])].sort();
  if (!akeys.length) note('(no action rows on any side)');
  for (const k of akeys) {
    const c = cmpC.perAction.get(k); const b = cmpB.perAction.get(k);
    const a = c ?? b;
    const marks = [];
    if (c && Math.abs(c.live - c.other) > c.slack) marks.push('! client');
    if (b && (b.subset ? b.other > b.live + b.slack : Math.abs(b.other - b.live) > b.slack)) marks.push('! backend');
    if (c?.slack || b?.slack) marks.push(`rows differ: ±${c?.slack ?? 0} client, ±${b?.slack ?? 0} backend`);
    if (b?.subset) marks.push('backend ⊆ live');
    note(`${pad(a.player, 17)}${pad(a.kind, 8)}${pad(a.subject, 30)}${lpad(c?.live ?? b?.live ?? 0, 6)}${lpad(c?.other ?? 0, 8)}${lpad(b?.other ?? 0, 8)}  ${marks.join('; ')}`);
  }
  const results = (rows) => {
    const m = {};
    for (const a of rows) m[a.result] = (m[a.result] ?? 0) + 1;
    return JSON.stringify(m);
  };
  note(`action results: live ${results(live.actions)}, client replay ${results(client.actions)}, backend replay ${results(backend.actions)}`);
}

// ---- one version --------------------------------------------------------

async function runVersion(version) {
  const t0 = Date.now();
  const timings = {};
  const mark = (what) => { timings[what] = ((Date.now() - t0) / 1000).toFixed(1); };
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const f = {
    liveDb: join(dir, 'live.db'), clientPcap: join(dir, 'client-leg.pcap'), backendPcap: join(dir, 'backend-leg.pcap'),
    clientDb: join(dir, 'replay-client.db'), backendDb: join(dir, 'replay-backend.db'),
  };
  const honest = [];    // names
  const cheaters = [];  // {cheat, username, clean, timeMs, ok}
  let backend; let proxy; const dumps = {}; const relays = [];
  let admin;
  try {
    // flying-squid's world goes to a folder under os.tmpdir(), which the
    // backend removes when it is stopped; with TMPDIR pointing into our own
    // folder it goes with it even if the backend is killed (Ctrl-C, timeout).
    const worldTmp = join(dir, 'tmp');
    mkdirSync(worldTmp, { recursive: true });
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = worldTmp;
    try {
      backend = forkNode(join(here, 'backend_squid.mjs'), ['--version', version, '--port', '0', '--record', join(dir, 'server.json')],
        join(dir, 'backend.log'), `backend ${version}`);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    }
    const { port: backendPort } = await waitMessage(backend, 'ready', 45000);
    const listenPort = await freePort();
    admin = `127.0.0.1:${await freePort()}`;
    proxy = spawnBinary(proxyBin, ['--config', configPath, '--listen', `127.0.0.1:${listenPort}`,
      '--backend', `127.0.0.1:${backendPort}`, '--admin', admin, '--database', f.liveDb], join(dir, 'proxy.log'), `rustguard ${version}`);
    await waitForPort(listenPort, proxy, 15000);
    try {
      dumps.client = await startTcpdump({ bin: tcpdumpBin, file: f.clientPcap, port: listenPort, logPath: join(dir, 'tcpdump-client.log'), name: 'tcpdump client leg' });
      dumps.backend = await startTcpdump({ bin: tcpdumpBin, file: f.backendPcap, port: backendPort, logPath: join(dir, 'tcpdump-backend.log'), name: 'tcpdump backend leg' });
    } catch (e) {
      if (/permission|not permitted|Operation not permitted/i.test(e.message)) throw new SkipError(`tcpdump may not capture on lo: ${e.message}`);
      throw e;
    }
    check(true, `${version}: backend (port ${backendPort}), rustguard (port ${listenPort}) and tcpdump on both legs started`);
    mark('setup');

    // Honest pairs, one per latency, all at once.
    const honestRuns = await Promise.all(latencies.map(async (lat) => {
      const relay = await startLagRelay({ targetPort: listenPort, delayMs: lat });
      relays.push(relay);
      const names = [`p${short(version)}_${lat}_a`, `p${short(version)}_${lat}_b`];
      honest.push(...names);
      const bots = forkNode(join(here, 'bots.mjs'), ['--version', version, '--host', '127.0.0.1', '--port', String(relay.port),
        '--names', names.join(','), '--record', join(dir, `honest-${lat}.json`), '--play-ms', '4000'],
      join(dir, `honest-${lat}.log`), `honest ${version} ${lat} ms`);
      return { lat, names, bots, relay };
    }));
    const honestDone = Promise.all(honestRuns.map(async (h) => {
      try {
        const done = await waitMessage(h.bots, 'done', 90000);
        await h.bots.exitedP;
        return { lat: h.lat, ok: done.ok };
      } catch (e) {
        return { lat: h.lat, ok: false, error: e.message };
      } finally {
        await stopProcess(h.bots, { graceMs: 1000 });
      }
    }));
    const honestSeen = await watchPlayers(admin, honestRuns.flatMap((h) => h.names), { timeoutMs: 60000, stopP: honestDone });
    const honestResults = await honestDone;
    for (const r of relays.splice(0)) await r.close();
    check(honestResults.every((r) => r.ok), `${version}: honest bots completed their script at ${latencies.join(' and ')} ms each way`,
      honestResults.filter((r) => !r.ok).map((r) => `${r.lat} ms: ${r.error ?? 'script failed'} (see honest-${r.lat}.log)`));
    mark('honest');

    // The cheats, `parallel` scripts at a time.
    const seenCheat = new Set();
    const runCheat = async (cheat) => {
      const prefix = `${cheat.slice(0, 4)}${short(version)}`;
      const entry = { cheat, username: `${prefix}_cheat`, clean: `${prefix}_clean`, timeMs: null, ok: false };
      cheaters.push(entry);
      const proc = forkNode(cheatScript, ['--version', version, '--port', String(listenPort), '--prefix', prefix, '--cheat', cheat],
        join(dir, `cheat-${cheat}.log`), `cheat ${version} ${cheat}`);
      proc.on('message', (m) => { if (m?.type === 'cheat-start') entry.timeMs = m.timeMs; });
      const doneP = waitMessage(proc, 'done', 90000);
      doneP.catch(() => {});
      const watch = watchPlayers(admin, [entry.username, entry.clean], { timeoutMs: 60000, stopP: doneP });
      try {
        entry.ok = (await doneP).ok && entry.timeMs !== null;
      } catch (e) {
        entry.error = e.message;
      } finally {
        for (const n of await watch) seenCheat.add(n);
        await stopProcess(proc, { graceMs: 2000 });
      }
    };
    await mapAtMost(cheats, parallel, runCheat);
    check(cheaters.every((c) => c.ok), `${version}: cheat scripts ${cheats.join(', ')} completed and started cheating`,
      cheaters.filter((c) => !c.ok).map((c) => `${c.cheat}: ${c.error ?? (c.timeMs === null ? 'never started cheating' : 'script failed')} (see cheat-${c.cheat}.log)`));
    mark('cheats');

    const everyone = [...honest, ...cheaters.flatMap((c) => [c.username, c.clean])];
    const listed = new Set([...honestSeen, ...seenCheat]);
    check(everyone.every((n) => listed.has(n)), `${version}: GET /players listed all ${everyone.length} players while they played`,
      everyone.filter((n) => !listed.has(n)).map((n) => `${n} never listed`));
    const left = await waitPlayersGone(admin, everyone, 15000);
    check(left.length === 0, `${version}: every player's connection closed before the proxy is stopped`, left.map((n) => `${n} still listed`));

    // Stop: proxy (flushes its database), then tcpdump (the last FIN/ACKs are in), then the backend.
    await sleep(300);
    const pExit = await stopProcess(proxy, { signal: 'SIGTERM', graceMs: 10000 });
    check(!pExit.killed && pExit.code === 0, `${version}: rustguard exited 0 after SIGTERM`, [JSON.stringify(pExit)]);
    await sleep(200);
    for (const [leg, d] of Object.entries(dumps)) {
      const s = await d.stop();
      delete dumps[leg];
      check(s.complete, `${version}: tcpdump ${leg} leg wrote every packet it matched: ${s.captured} captured, ${s.received} received by the filter (each packet twice on lo), ${s.dropped} dropped by the kernel`,
        s.complete ? [] : [s.stderr.split('\n').slice(-4).join(' | ')]);
    }
    backend.send({ type: 'stop' });
    await stopProcess(backend, { graceMs: 5000 });
    mark('stopped');

    // Replays.
    const rc = replay(f.clientPcap, f.clientDb, join(dir, 'replay-client.json'));
    const rb = replay(f.backendPcap, f.backendDb, join(dir, 'replay-backend.json'));
    for (const [leg, r] of [['client', rc], ['backend', rb]]) {
      const t = r.report?.captures?.[0]?.totals;
      const players = r.report?.captures?.[0]?.players ?? [];
      const problems = players.filter((p) => p.stream_problem).map((p) => `${p.name}: ${p.stream_problem}`);
      check(r.status === 0 && t && t.gaps === 0 && t.errors.length === 0 && problems.length === 0,
        `${version}: rustguard-replay of the ${leg} leg exited ${r.status} in ${r.ms} ms (${t ? `${t.minecraft_flows} Minecraft flows, ${t.packets} packets, ${t.gaps} gaps` : 'no JSON report'})`,
        [...(r.stderr ? [r.stderr.split('\n').slice(-3).join(' | ')] : []), ...(t?.errors ?? []), ...problems]);
      // Each session's end is in the capture: the goodbye chat and the server's kick (lib/protocol.mjs).
      const kinds = (p) => Object.keys(p.kinds ?? {});
      const cut = players.filter((p) => !kinds(p).some((k) => /^chat.*_c2s$/.test(k)) || !kinds(p).some((k) => /^disconnect.*_s2c$/.test(k)));
      check(players.length > 0 && cut.length === 0, `${version}: the ${leg}-leg capture holds every session to its end (goodbye chat and kick for all ${players.length} players)`,
        cut.map((p) => `${p.name}: ${p.packets.serverbound} sb / ${p.packets.clientbound} cb, no ${kinds(p).some((k) => /^chat/.test(k)) ? '' : 'goodbye chat, no '}kick`));
    }
    mark('replayed');

    const live = readDatabase(f.liveDb);
    const client = readDatabase(f.clientDb);
    const backendRows = readDatabase(f.backendDb);

    // Sessions: the same players on the three sides, every one ended.
    const names = (rows) => [...new Set(rows.sessions.map((s) => s.player))].sort();
    const missing = everyone.filter((n) => !live.sessions.some((s) => s.player === n));
    check(missing.length === 0 && live.sessions.every((s) => s.end_ms !== null),
      `${version}: live database: a session with an end for each of the ${everyone.length} players`,
      [...missing.map((n) => `${n}: no session`), ...live.sessions.filter((s) => s.end_ms === null).map((s) => `${s.player}: session ${s.id} never ended`)]);
    for (const [leg, rows] of [['client', client], ['backend', backendRows]]) {
      const a = names(live).join(','); const b = names(rows).join(',');
      check(a === b && rows.sessions.length === live.sessions.length, `${version}: ${leg}-leg replay has the same ${live.sessions.length} sessions (by player) as live`,
        a === b ? [`${rows.sessions.length} sessions vs ${live.sessions.length}`] : [`live:   ${a}`, `replay: ${b}`]);
    }

    for (const [leg, rows] of [['client', client], ['backend', backendRows]]) {
      const dStart = []; const dEnd = [];
      for (const s of live.sessions) {
        const o = rows.sessions.find((x) => x.player === s.player);
        if (!o) continue;
        dStart.push(s.start_ms - o.start_ms);
        if (s.end_ms !== null && o.end_ms !== null) dEnd.push(s.end_ms - o.end_ms);
      }
      const span = (xs) => (xs.length ? `${Math.min(...xs)}..${Math.max(...xs)} ms (median ${median(xs)})` : '-');
      note(`${version}: ${leg} leg sessions, live - replay (not asserted): start_ms ${span(dStart)}, end_ms ${span(dEnd)}`);
    }

    // The timing flags live held per player because it read late (the
    // capture cannot show that lateness to the replay): where it held any,
    // that player's time-dependent checks are reported, not compared.
    const proxyLog = readFileSync(join(dir, 'proxy.log'), 'utf8');
    const heldBy = new Map(everyone.map((n) => [n, timingFlagsHeldOf(proxyLog, n) ?? 0]));
    const heldOf = (player) => heldBy.get(player) ?? 0;
    const heldText = [...heldBy].filter(([, n]) => n > 0).map(([p, n]) => `${p} ${n}`).join(', ');
    note(`${version}: timing flags held live because the proxy read late: ${heldText || 'none'}`);

    // The cheats were caught live (otherwise parity would hold trivially).
    const caught = cheaters.map((c) => ({ c, hit: live.violations.some((v) => v.player === c.username && v.check === CHEATS[c.cheat]) }));
    const excusedMiss = (x) => !x.hit && TIME_CHECKS.has(CHEATS[x.c.cheat]) && heldOf(x.c.username) > 0;
    for (const x of caught.filter(excusedMiss)) {
      note(`${x.c.username}: no ${CHEATS[x.c.cheat]} violation live; not failed: live held ${heldOf(x.c.username)} of its timing flags because it read late`);
    }
    check(caught.every((x) => x.hit || excusedMiss(x)), `${version}: live, each cheater is flagged by its check (${cheaters.map((c) => `${c.cheat} -> ${CHEATS[c.cheat]}`).join(', ')})`,
      caught.filter((x) => !x.hit && !excusedMiss(x)).map((x) => `${x.c.username}: no ${CHEATS[x.c.cheat]} violation`));

    // Live vs client leg.
    const cmpC = compareLeg(live, client, { cancelled: null, heldOf });
    for (const e of cmpC.excused) note(`client leg: ${e}`);
    check(cmpC.keyProblems.length === 0, `${version}: client leg: the same (player, check, type) violations live and in the replay (${cmpC.perKey.size} keys)`, cmpC.keyProblems);
    check(cmpC.flagProblems.length === 0, `${version}: client leg: equal flags (sum of count) per (player, check, type); ${[...TIME_CHECKS].join('/')} within ±${TIME_CHECK_FLAG_SLACK}`, cmpC.flagProblems);
    check(cmpC.actionProblems.length === 0, `${version}: client leg: the same action rows (player, kind, check) live (${live.actions.length}) and in the replay (${client.actions.length}); alerts/cancels ± the difference in rows`, cmpC.actionProblems);
    const resultsOf = (rows, want) => rows.filter((a) => a.result !== want).map((a) => `${a.player} ${a.kind} ${actionSubject(a)}: result '${a.result}'`);
    check(resultsOf(live.actions, 'ok').length === 0, `${version}: live action rows all have result 'ok' (${live.actions.length} rows)`, resultsOf(live.actions, 'ok'));
    check(resultsOf(client.actions, 'not executed').length === 0,
      `${version}: client leg: replay action rows all have result 'not executed' (${client.actions.length} rows)`, resultsOf(client.actions, 'not executed'));
    check(cmpC.dtOver.length === 0,
      `${version}: client leg: matched violation rows' time_ms within ${dtBoundMs} ms of live (${fmtDt(cmpC.dtStrict)}); ${[...TIME_CHECKS].join('/')} within ${TIME_CHECK_DT_MS} ms (${fmtDt(cmpC.dtTime)})`,
      [...cmpC.dtOver, `all pairs, including keys whose rows fold differently: ${fmtDt(cmpC.dtAll)}`]);
    checkVl(version, 'client', cmpC);

    // Live vs backend leg: checks with a cancel action live may only have less.
    const cancelled = new Map();
    // A setback holds the flagged move and the moves after it from the
    // backend (engine/setbacks.hpp), as a cancel drops its packet.
    for (const a of live.actions.filter((x) => x.kind === 'cancel' || x.kind === 'setback')) {
      if (!cancelled.has(a.player)) cancelled.set(a.player, new Set());
      cancelled.get(a.player).add(actionSubject(a));
    }
    const cmpB = compareLeg(live, backendRows, { cancelled, backendLeg: true, heldOf });
    for (const e of cmpB.excused) note(`backend leg: ${e}`);
    const cancelText = [...cancelled].map(([p, s]) => `${p}: ${[...s].join(',')}`).join('; ') || 'none';
    note(`${version}: checks with cancel or setback actions live (backend leg compared as a subset): ${cancelText}`);
    check(cmpB.keyProblems.length === 0, `${version}: backend leg: the same (player, check, type) violations as live, cancelled checks a subset (${cmpB.perKey.size} keys)`, cmpB.keyProblems);
    check(cmpB.flagProblems.length === 0, `${version}: backend leg: equal flags per (player, check, type) (${[...TIME_CHECKS].join('/')} ±${TIME_CHECK_FLAG_SLACK}; cancelled checks at most live)`, cmpB.flagProblems);
    check(cmpB.actionProblems.length === 0, `${version}: backend leg: the same action rows as live (${live.actions.length} vs ${backendRows.actions.length}), cancel actions and cancelled checks at most live`, cmpB.actionProblems);
    check(resultsOf(backendRows.actions, 'not executed').length === 0,
      `${version}: backend leg: replay action rows all have result 'not executed' (${backendRows.actions.length} rows)`, resultsOf(backendRows.actions, 'not executed'));
    check(cmpB.dtOver.length === 0,
      `${version}: backend leg: matched violation rows' time_ms within ${dtBoundMs} ms of live (${fmtDt(cmpB.dtStrict)})`,
      [...cmpB.dtOver, `${[...TIME_CHECKS].join('/')} rows (judged with keep-alives instead of RustGuard's transactions, not bounded): ${fmtDt(cmpB.dtEvidence)}`,
        `all pairs: ${fmtDt(cmpB.dtAll)}`]);
    checkVl(version, 'backend', cmpB);

    printTables(version, live, client, backendRows, cmpC, cmpB);
    // Packets per player on the two legs (the proxy's own transactions are on the client leg only).
    const legPackets = (r) => new Map((r.report?.captures?.[0]?.players ?? []).map((p) => [p.name, p.packets]));
    const pc = legPackets(rc); const pb = legPackets(rb);
    note(`${version}: packets per player, serverbound/clientbound, client leg | backend leg:`);
    for (const [n, p] of [...pc].sort()) note(`  ${n.padEnd(17)} ${p.serverbound}/${p.clientbound} | ${pb.get(n) ? `${pb.get(n).serverbound}/${pb.get(n).clientbound}` : '-'}`);
  } catch (e) {
    if (e instanceof SkipError) throw e;
    check(false, `${version}: the run completed`, [e.message]);
  } finally {
    for (const r of relays) await r.close().catch(() => {});
    for (const d of Object.values(dumps)) await d.stop().catch(() => {});
    for (const p of [proxy, backend]) if (p && !p.exitInfo) await stopProcess(p, { graceMs: 3000 });
  }
  mark('total');
  note(`${version}: timings (s from start): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

const runStarted = Date.now();
note(`rustguard live–replay parity: ${versions.join(', ')}; honest pairs at ${latencies.join('/')} ms each way; cheats ${cheats.join(', ')}; config ${configPath}${replaySets.length ? ` (replays only: --set ${replaySets.join(' --set ')})` : ''}; output in ${outRoot}${keep ? '' : ' (removed at exit; --keep keeps it)'}`);
try {
  for (const v of versions) await runVersion(v);
} catch (e) {
  if (e instanceof SkipError) {
    console.log(`1..${testNo} # SKIP ${e.message}`);
    process.exit(failures ? 1 : 77);
  }
  check(false, 'the harness ran', [e.stack ?? e.message]);
}
console.log(`1..${testNo}`);
note(`${testNo - failures} passed, ${failures} failed (${((Date.now() - runStarted) / 1000).toFixed(1)} s)`);
process.exit(failures === 0 ? 0 : 1);
