#!/usr/bin/env node
// A fleet end to end: three `rustguard` instances behind HAProxy (TCP mode,
// PROXY protocol v2, balance roundrobin) writing one PostgreSQL 15, in front
// of one flying-squid backend (1.21.4).
//
//   node tests/e2e/fleet.mjs --proxy build/me/tools/proxy/rustguard [--out DIR] [--keep] [--outage-s 12]
//
//   bots (mineflayer fh_*, raw clients fc_*, fs_striker)
//     -> HAProxy 127.0.0.1:H  (send-proxy-v2, roundrobin, health checks)
//        -> rustguard 1 / 2 / 3  (instance_id 1, 2, 3; own spill file each;
//                                  proxy_protocol.trusted 127.0.0.1/32)
//           -> flying-squid 1.21.4
//     rustguard 1..3 -> one PostgreSQL (initdb in a temp dir, Unix socket only)
//     rustguard 1..3 -> one RCON server (lib/rcon_server.mjs)
//
// Phases, each with its assertions (TAP-like lines, then PASS/FAIL):
//  A  spread: three raw clients that keep raising badpackets.held_item
//     (fc_*, slot 9, 10 a second) and three mineflayer players (fh_*) log in
//     one after the other; every instance serves some of them (its /players);
//     each /players address is the bot's own socket (PROXY v2 carried it; the
//     TCP peer is HAProxy with another port); the mineflayer players leave and
//     come back in another order and land on another instance.
//  B  strikes across instances: a pitch cheater (the only check of the
//     ladder's group) is kicked with a strike on one instance, reconnects
//     through HAProxy to the next, is kicked with a second strike there, and on
//     the third instance the `strikes: 3` step sends `ban` to RCON. Between
//     sessions the test waits until the strike row is in PostgreSQL and then
//     punishments.strike_sync and a margin, so the next instance has read it.
//  C  PostgreSQL stopped (pg_ctl stop -m fast) for --outage-s seconds while
//     everyone plays: nobody is disconnected, every instance spills, and after
//     the restart imports; then each instance's flag count in /metrics equals
//     its rows in PostgreSQL, none twice.
//  D  one instance SIGKILLed while its cheater flags: the rows it loses are at
//     most one flush interval's worth of its flag rate; its players reconnect
//     through HAProxy and land on the survivors; the survivors' players stay
//     connected and their rows are all there, once.
//
// The violation rows are unfolded (checks.engine.violation_row_interval_ms 0,
// max_violation_rows_per_minute 0): every flag is one row, so /metrics'
// rustguard_violations_total (summed over checks) counts the rows an instance
// handed to its log, and a lost or doubled row is a lost or doubled flag.
//
// Exit: 0 all passed, 1 a failure, 2 usage, 77 skipped (haproxy or the
// PostgreSQL 15 binaries missing: tools/dev/setup.sh --tests installs both).

import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled, requireDep as require } from './lib/deps.mjs';
import { rconServer } from './lib/rcon_server.mjs';
import { RawClient, lookBody } from './lib/raw_client.mjs';
import { startPostgres, postgresBinariesPresent, postgresBinDir } from './lib/postgres.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, killAll, httpGet,
} from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const VERSION = '1.21.4';
const PASSWORD = 'rg-fleet-secret';
const FLUSH_MS = 500;        // violation_log.flush_interval_ms: what a SIGKILL may lose
const STRIKE_SYNC_MS = 1000; // punishments.strike_sync (the default is 2s; 1s keeps the test short)
const CHEAT_EVERY_MS = 100;  // fc_* raise one held_item flag per packet

const args = parseArgs();
const usage = (m) => { process.stderr.write(`fleet.mjs: ${m}\nusage: node tests/e2e/fleet.mjs --proxy PATH [--out DIR] [--keep] [--outage-s N]\n`); process.exit(2); };
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
// Longer than violation_log.spill_after_ms (5 s) with room to spill several
// seconds' worth of every instance's flags.
const outageMs = Number(args['outage-s'] ?? 12) * 1000;

const haproxyBin = ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'].find((p) => existsSync(p));
if (!haproxyBin) {
  console.log('SKIPPED: haproxy not found (tools/dev/setup.sh --tests installs it)');
  process.exit(77);
}
if (!postgresBinariesPresent()) {
  console.log(`SKIPPED: PostgreSQL 15 binaries not found in ${postgresBinDir()} (tools/dev/setup.sh --tests installs postgresql-15)`);
  process.exit(77);
}
installCleanup();

const mineflayer = require('mineflayer');
const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-fleet-'));
mkdirSync(outRoot, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
let failures = 0;
let asserts = 0;
const check = (ok, message, detail = '') => {
  asserts++;
  console.log(`${ok ? 'ok' : 'not ok'} ${asserts} - ${message}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
  return ok;
};
const note = (m) => console.log(`# ${m}`);
const measured = {};

async function waitUntil(predicate, timeoutMs, stepMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) return v;
    await sleep(stepMs);
  }
}

// ---------------------------------------------------------------- PostgreSQL
const pg = startPostgres();
if (args.keep || args.out) pg.keep = true;
pg.createDatabase('rustguard');
const DB = 'rustguard';
const dbUrl = pg.url(DB);
const q = (sqlText) => pg.query(DB, sqlText);
const one = (sqlText) => Number(q(sqlText)[0]?.[0] ?? 0);
// Per instance (id >> 40 is violation_log.instance_id): violation rows and flags.
function pgViolationsByInstance() {
  const out = {};
  for (const [inst, rows, flags] of q('SELECT id >> 40, count(*), sum(count) FROM violations GROUP BY 1 ORDER BY 1')) {
    out[Number(inst)] = { rows: Number(rows), flags: Number(flags) };
  }
  return out;
}
// Logical duplicates: the same flag written under two ids.
const duplicateViolations = () => one(`SELECT count(*) FROM (SELECT 1 FROM violations
  GROUP BY session_id, time_ms, check_name, type, vl, detail HAVING count(*) > 1) d`);
const duplicateActions = () => one(`SELECT count(*) FROM (SELECT 1 FROM actions
  GROUP BY session_id, violation_id, time_ms, action, detail HAVING count(*) > 1) d`);

// ---------------------------------------------------------------- processes
const rcon = await rconServer(PASSWORD);
const backend = forkNode(join(here, 'backend_squid.mjs'), ['--version', VERSION, '--port', '0', '--max-players', '40',
  '--record', join(outRoot, 'server.json')],  // it removes its world folder after writing this
  join(outRoot, 'backend.log'), 'backend');
const { port: backendPort } = await waitMessage(backend, 'ready', 30000);

function proxyConfig(dir, n, { port, adminPort }) {
  const lines = [
    `listen: '127.0.0.1:${port}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '127.0.0.1:${adminPort}'`,
    // The fleet's one database; the socket directory is a URL parameter.
    `database: '${dbUrl}'`, 'threads: 2', 'log_level: info',
    // HAProxy's address may put a PROXY header in front: the players' own
    // addresses reach the logs, /players and the sessions table.
    'proxy_protocol:', "  trusted: ['127.0.0.1/32']",
    'connections:', '  per_ip_rate: 100', '  per_ip_burst: 100',
    'violation_log:', `  instance_id: ${n}`, `  flush_interval_ms: ${FLUSH_MS}`,
    // Each instance its own spill file (its writer-lock refuses a second log on one file).
    `  spill_path: '${join(dir, 'violations.spill')}'`,
    // Clips cost CPU on a 2-core machine and are not what this test is about.
    'clips:', '  enabled: false',
    'rcon:', '  enabled: true', `  port: ${rcon.port}`, `  password: '${PASSWORD}'`, '  connect_timeout: 2s',
    'checks:', '  engine:', '    violation_row_interval_ms: 0', '    max_violation_rows_per_minute: 0',
    'punishments:', `  server_name: fleet-${n}`, '  strike_expiry: 1d',
    `  strike_sync: ${STRIKE_SYNC_MS}ms`,
    '  groups:', '    pitch:', "      checks: ['badpackets.pitch']", '      cooldown: 60s', '      steps:',
    '        - vl: 4.5', '          strike: true', '          do:', "            - kick: 'Strike for %player% on %server%'",
    '        - strikes: 3', '          do:', "            - command: 'ban %player% (%group%)'", '',
  ];
  const config = join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n'));
  return config;
}

const instances = [];
for (const n of [1, 2, 3]) {
  const dir = join(outRoot, `rustguard${n}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const adminPort = await freePort();
  const config = proxyConfig(dir, n, { port, adminPort });
  const log = join(dir, 'proxy.log');
  const proc = spawnBinary(proxyBin, ['--config', config], log, `rustguard ${n}`);
  instances.push({ n, dir, port, adminPort, config, log, proc });
}
for (const i of instances) await waitForPort(i.port, i.proc, 20000);

const haproxyPort = await freePort();
const haproxyCfg = join(outRoot, 'haproxy.cfg');
writeFileSync(haproxyCfg, [
  'global', '  maxconn 256', '  log stdout format raw local0 info',
  'defaults', '  mode tcp', '  log global', '  option tcplog',
  '  timeout connect 1s', '  timeout client 10m', '  timeout server 10m',
  // A connect that fails (the SIGKILLed instance, before the health check
  // marks it down) is retried on another server.
  '  retries 2', '  option redispatch',
  'frontend minecraft', `  bind 127.0.0.1:${haproxyPort}`, '  default_backend rustguard',
  'backend rustguard', '  balance roundrobin',
  ...instances.map((i) => `  server rg${i.n} 127.0.0.1:${i.port} send-proxy-v2 check inter 300ms fall 1 rise 2`), '',
].join('\n'));
const haproxy = spawnBinary(haproxyBin, ['-db', '-f', haproxyCfg], join(outRoot, 'haproxy.log'), 'haproxy');
await waitForPort(haproxyPort, haproxy, 10000);
note(`${elapsed()} PostgreSQL in ${pg.dir}, backend :${backendPort}, rustguard ${instances.map((i) => `${i.n}:${i.port}`).join(' ')}, HAProxy :${haproxyPort}; logs in ${outRoot}`);

// ---------------------------------------------------------------- admin endpoints
function parseMetrics(text) {
  const violations = [...text.matchAll(/^rustguard_violations_total\{check="[^"]*"\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
  const records = {};
  for (const m of text.matchAll(/^rustguard_violation_log_records_total\{outcome="(\w+)"\} (\d+)$/gm)) records[m[1]] = Number(m[2]);
  return { violations, records };
}
async function metrics(inst) {
  const r = await httpGet(`http://127.0.0.1:${inst.adminPort}/metrics`, 3000);
  if (r.status !== 200) throw new Error(`rustguard ${inst.n}: GET /metrics: ${r.status ?? r.error}`);
  return parseMetrics(r.body);
}
async function players(inst) {
  const r = await httpGet(`http://127.0.0.1:${inst.adminPort}/players`, 3000);
  return r.status === 200 ? JSON.parse(r.body) : [];
}
// Which instance lists `name` (with this local port, when given) in /players.
async function whereIs(name, localPort, timeoutMs = 10000) {
  return waitUntil(async () => {
    for (const inst of instances) {
      if (inst.proc.exitInfo) continue;
      const p = (await players(inst)).find((x) => x.name === name && (!localPort || x.address.endsWith(`:${localPort}`)));
      if (p) return { inst, player: p };
    }
    return null;
  }, timeoutMs, 100);
}

// ---------------------------------------------------------------- bots
// Every end of a bot's connection, planned or not: an unplanned one is a
// player RustGuard (or HAProxy) disconnected.
const ends = [];
const bots = new Map();  // name -> current state

// A mineflayer player that stands where it spawned (its physics still sends
// a movement packet every tick) until told to leave.
async function honest(name) {
  const bot = mineflayer.createBot({ host: '127.0.0.1', port: haproxyPort, username: name, version: VERSION, auth: 'offline',
    hideErrors: true, logErrors: false, respawn: true });
  const state = { name, kind: 'honest', bot, planned: false, localPort: null };
  bot._client.on('connect', () => { state.localPort = bot._client.socket?.localPort; });
  bot.on('kicked', (reason) => { state.kicked = typeof reason === 'string' ? reason : JSON.stringify(reason); });
  state.ended = new Promise((done) => bot.once('end', (reason) => {
    ends.push({ name, at: Date.now(), reason: String(reason), kicked: state.kicked, planned: state.planned, inst: state.inst?.n });
    done();
  }));
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${name}: no spawn within 20 s`)), 20000);
    bot.once('spawn', () => { clearTimeout(t); ok(); });
    bot.once('end', (r) => { clearTimeout(t); fail(new Error(`${name} ended before spawning: ${r}`)); });
  });
  bots.set(name, state);
  return state;
}
async function leave(state) {
  state.planned = true;
  if (state.kind === 'honest') state.bot.quit(); else state.client.end();
  await state.ended;
}

// A raw 1.21.4 client (lib/raw_client.mjs, answers keep-alives, pings and
// teleports) that sends Set Held Item with slot 9 every CHEAT_EVERY_MS while
// `cheating` is on: each one a badpackets.held_item flag (slot outside 0..8),
// which no ladder group names, so it is never kicked.
let cheating = true;
async function cheater(name) {
  const c = new RawClient({ port: haproxyPort, username: name, version: VERSION });
  await c.connect();
  await c.login();
  const state = { name, kind: 'cheater', client: c, planned: false, localPort: c.localPort, sent: 0 };
  state.timer = setInterval(() => {
    if (!cheating || c.isClosed) return;
    const slot = Buffer.alloc(2);
    slot.writeInt16BE(9);
    c.send(c.ids.play.held_item_slot, slot);
    state.sent++;
  }, CHEAT_EVERY_MS);
  state.ended = c.closed.then((info) => {
    clearInterval(state.timer);
    ends.push({ name, at: info.at, reason: info.by, kicked: info.reason, planned: state.planned, inst: state.inst?.n });
  });
  bots.set(name, state);
  return state;
}

// Where a bot's current connection is served; remembered on its state.
async function locate(state) {
  const found = await whereIs(state.name, state.localPort);
  state.inst = found?.inst;
  state.address = found?.player?.address;
  return state.inst;
}

// ---------------------------------------------------------------- the phases
const unplannedEnds = (from, to = Infinity) => ends.filter((e) => !e.planned && e.at >= from && e.at <= to);
// Waits until no flag can be in flight: cheating paused, one flush interval
// and a margin for the commit, then compares each live instance's flag
// count in /metrics with its rows in PostgreSQL.
async function compareCounts(label, live) {
  cheating = false;
  await sleep(FLUSH_MS + 700);
  const byInst = pgViolationsByInstance();
  const counts = {};
  for (const inst of live) {
    const m = await metrics(inst);
    const inPg = byInst[inst.n] ?? { rows: 0, flags: 0 };
    counts[inst.n] = { metrics: m.violations, pgRows: inPg.rows, pgFlags: inPg.flags };
    check(m.violations === inPg.rows && inPg.rows === inPg.flags && m.violations > 0,
      `${label}: rustguard ${inst.n}'s ${m.violations} flags are its ${inPg.rows} rows in PostgreSQL`, JSON.stringify(counts[inst.n]));
  }
  const foreign = Object.keys(byInst).map(Number).filter((n) => ![1, 2, 3].includes(n));
  check(foreign.length === 0, `${label}: every row has the id of instance 1, 2 or 3`, foreign.join(','));
  check(duplicateViolations() === 0 && duplicateActions() === 0, `${label}: no violation or action written twice under two ids`);
  cheating = true;
  return counts;
}

try {
  // ------------------------------------------------------------ A: spread
  const phaseA = Date.now();
  const cheaters = [];
  for (const name of ['fc_1', 'fc_2', 'fc_3']) cheaters.push(await cheater(name));
  const honests = [];
  for (const name of ['fh_1', 'fh_2', 'fh_3']) honests.push(await honest(name));
  for (const b of [...cheaters, ...honests]) await locate(b);
  const placed = (list) => list.map((b) => `${b.name}@${b.inst?.n ?? '?'}`).join(' ');
  note(`${elapsed()} A: ${placed([...cheaters, ...honests])}`);
  check(cheaters.every((b) => b.inst) && new Set(cheaters.map((b) => b.inst.n)).size === 3,
    'A: the three cheaters, logged in one after the other, are on three different instances', placed(cheaters));
  check(honests.every((b) => b.inst) && new Set(honests.map((b) => b.inst.n)).size === 3,
    'A: so are the three mineflayer players', placed(honests));
  // PROXY v2: the instance knows the bot's own socket, not HAProxy's.
  const addrs = [...cheaters, ...honests].map((b) => `${b.name} ${b.address} (bot port ${b.localPort})`);
  check([...cheaters, ...honests].every((b) => b.address === `127.0.0.1:${b.localPort}`),
    'A: /players shows each bot\'s own address and port (from HAProxy\'s PROXY v2 header)', addrs.join(', '));
  // Leave and come back in another order: roundrobin puts each elsewhere.
  const before = new Map(honests.map((b) => [b.name, b.inst.n]));
  for (const b of honests) await leave(b);
  for (const name of ['fh_2', 'fh_3', 'fh_1']) await honest(name);
  const back = ['fh_1', 'fh_2', 'fh_3'].map((n) => bots.get(n));
  for (const b of back) await locate(b);
  note(`${elapsed()} A: back: ${placed(back)} (before: ${[...before].map(([n, i]) => `${n}@${i}`).join(' ')})`);
  check(back.every((b) => b.inst && b.inst.n !== before.get(b.name)),
    'A: each mineflayer player came back through HAProxy to another instance', placed(back));
  await sleep(FLUSH_MS + 500);
  const sessions = q(`SELECT id >> 40, count(*), count(DISTINCT player_name) FROM sessions GROUP BY 1 ORDER BY 1`);
  measured.sessionsA = sessions.map((r) => `instance ${r[0]}: ${r[1]} sessions of ${r[2]} players`).join('; ');
  note(`A: ${measured.sessionsA}`);
  check(sessions.length === 3 && sessions.every((r) => Number(r[2]) >= 2),
    'A: in PostgreSQL each instance has sessions of at least two players');
  // The sessions rows carry the player's own address too, each from the instance that served it.
  const rowsOf = new Set(q('SELECT id >> 40, address FROM sessions').map(([i, a]) => `${i} ${a}`));
  const missing = [...cheaters, ...back].filter((b) => !rowsOf.has(`${b.inst?.n} 127.0.0.1:${b.localPort}`)).map((b) => b.name);
  check(missing.length === 0, 'A: each session row has the bot\'s own address, under the id of the instance that served it', missing.join(','));
  check(unplannedEnds(phaseA).length === 0, 'A: nobody was disconnected', JSON.stringify(unplannedEnds(phaseA)));

  // ------------------------------------------------------------ B: strikes
  const strikes = [];
  const rowsOfStrikes = () => one(`SELECT count(*) FROM actions a JOIN sessions s ON s.id = a.session_id
    WHERE s.player_name = 'fs_striker' AND a.action = 'strike'`);
  for (let round = 1; round <= 3; round++) {
    const c = new RawClient({ port: haproxyPort, username: 'fs_striker', version: VERSION });
    await c.connect();
    await c.login();
    // Pitch 150 every 50 ms until the ladder's kick (the check cancels each
    // look; the 5th flag takes the group's VL to 4.5).
    for (let i = 0; i < 100 && !c.isClosed; i++) {
      c.send(c.ids.play.look, lookBody(0, 150));
      await sleep(50);
    }
    const end = await Promise.race([c.closed, sleep(5000).then(() => null)]);
    c.end();
    const on = /on fleet-(\d)/.exec(end?.reason ?? '')?.[1];
    strikes.push({ round, kick: end?.reason, inst: Number(on) });
    check(/Strike for fs_striker on fleet-\d/.test(end?.reason ?? ''), `B: session ${round}: kicked by the ladder's strike step`, end?.reason);
    if (round === 3) break;
    // The strike row reaches PostgreSQL within a flush; every instance reads
    // the others' strikes every strike_sync: wait for both, and a margin.
    const landed = await waitUntil(() => rowsOfStrikes() >= round, 5000);
    check(landed, `B: strike ${round} is in PostgreSQL`);
    check(!rcon.seen.commands.some((x) => x.startsWith('ban')), `B: no ban after ${round} strike(s)`, JSON.stringify(rcon.seen.commands));
    await sleep(STRIKE_SYNC_MS + 1000);
  }
  note(`${elapsed()} B: ${strikes.map((s) => `strike ${s.round} on instance ${s.inst}`).join(', ')}`);
  check(new Set(strikes.map((s) => s.inst)).size === 3, 'B: the three strikes were given by three different instances',
    strikes.map((s) => s.inst).join(','));
  const banned = await waitUntil(() => rcon.seen.commands.includes('ban fs_striker (pitch)'), 3000);
  check(banned && rcon.seen.commands.filter((x) => x.startsWith('ban')).length === 1,
    'B: at the third strike, on the third instance, the strikes: 3 step sent `ban fs_striker (pitch)` to RCON once',
    JSON.stringify(rcon.seen.commands));
  await sleep(FLUSH_MS + 500);
  // (The result holds RCON's multi-line reply: only whether it says "sent".)
  const banRow = q(`SELECT a.session_id >> 40, a.result LIKE 'sent%' FROM actions a WHERE a.action = 'command' AND a.detail = 'ban fs_striker (pitch)'`);
  check(banRow.length === 1 && Number(banRow[0][0]) === strikes[2].inst && banRow[0][1] === 't',
    'B: one command row for the ban, written by the instance of the third strike', JSON.stringify(banRow));
  // Staff ask an instance the player is not on about him: the answer has
  // his newest violations from the store, newest first — his three sessions
  // flag far fewer than the page's 50, so every instance's are there.
  const other = instances.find((i) => i.n !== strikes[2].inst);
  const asked = await httpGet(`http://127.0.0.1:${other.adminPort}/players?name=FS_STRIKER`, 6000);
  let answer = null;
  try { answer = JSON.parse(asked.body); } catch { /* checked below */ }
  const past = answer?.history?.violations ?? [];
  check(asked.status === 200 && answer.history.store === 'postgresql' && answer.history.error === null &&
    past.length > 0 && past.length <= 50 && past.every((v) => v.name === 'fs_striker') &&
    new Set(past.map((v) => v.instance)).size === 3 &&
    past.every((v, i) => i === 0 || past[i - 1].time_ms >= v.time_ms),
    `B: GET /players?name=FS_STRIKER on instance ${other.n} lists the player's violations written by all three instances`,
    `${past.length} rows from instances ${[...new Set(past.map((v) => v.instance))].join(',')}: ${asked.body?.slice(0, 300)}`);

  // ------------------------------------------------------------ C: database outage
  await compareCounts('C before the outage', instances);
  const phaseC = Date.now();
  const before0 = Object.fromEntries(await Promise.all(instances.map(async (i) => [i.n, (await metrics(i)).records])));
  pg.stop();
  const stoppedAt = Date.now();
  note(`${elapsed()} C: PostgreSQL stopped (pg_ctl stop -m fast) for ${outageMs / 1000} s`);
  await sleep(outageMs);
  pg.start();
  const restartedAt = Date.now();
  note(`${elapsed()} C: PostgreSQL started again`);
  // Each instance imports its spill once its writer reconnects: the log
  // says "imported N records from <spill file>".
  const importedAt = {};
  await waitUntil(() => {
    for (const i of instances) {
      if (importedAt[i.n]) continue;
      const text = existsSync(i.log) ? readFileSync(i.log, 'utf8') : '';
      if (/imported \d+ records from .*violations\.spill/.test(text)) importedAt[i.n] = Date.now();
    }
    return Object.keys(importedAt).length === 3;
  }, 30000, 100);
  measured.importAfterRestartMs = Object.fromEntries(Object.entries(importedAt).map(([n, t]) => [n, t - restartedAt]));
  note(`${elapsed()} C: imported after the restart (ms): ${JSON.stringify(measured.importAfterRestartMs)}`);
  check(Object.keys(importedAt).length === 3, 'C: every instance logged the import of its spill file within 30 s of the restart');
  const after0 = Object.fromEntries(await Promise.all(instances.map(async (i) => [i.n, (await metrics(i)).records])));
  measured.spill = Object.fromEntries(instances.map((i) => [i.n, {
    spilled: after0[i.n].spilled - before0[i.n].spilled, imported: after0[i.n].imported - before0[i.n].imported,
    dropped: after0[i.n].dropped - before0[i.n].dropped,
  }]));
  note(`C: records spilled/imported per instance: ${JSON.stringify(measured.spill)}`);
  check(instances.every((i) => measured.spill[i.n].spilled > 0 && measured.spill[i.n].imported === measured.spill[i.n].spilled
    && measured.spill[i.n].dropped === 0), 'C: every instance spilled records during the outage and imported all of them, none dropped');
  check(unplannedEnds(phaseC).length === 0, 'C: no player was kicked or disconnected during or after the outage',
    JSON.stringify(unplannedEnds(phaseC)));
  const onlineC = await Promise.all(instances.map(async (i) => (await players(i)).length));
  check(onlineC.reduce((a, b) => a + b, 0) === 6, 'C: the six players are still online', onlineC.join('+'));
  measured.countsAfterOutage = await compareCounts('C after the import', instances);

  // ------------------------------------------------------------ D: SIGKILL
  const victim = cheaters[1].inst;  // the instance of fc_2
  const survivors = instances.filter((i) => i !== victim);
  const onVictim = [...bots.values()].filter((b) => b.inst === victim && !b.planned);
  const elsewhere = [...bots.values()].filter((b) => b.inst !== victim && !b.planned && b.name !== 'fs_striker');
  await sleep(2000);  // the cheaters flag again (compareCounts paused them)
  const m0 = await metrics(victim);
  const t0 = Date.now();
  await sleep(1500);
  // Mid-batch: scrape until the log holds records it accepted and has not
  // written yet (/metrics: accepted - written - spilled), then kill at once.
  const pending = (m) => m.records.accepted - m.records.written - m.records.spilled;
  let m1;
  let t1;
  for (let tries = 0; tries < 200; tries++) {
    m1 = await metrics(victim);
    t1 = Date.now();
    if (pending(m1) >= 3) break;
    await sleep(15);
  }
  const phaseD = Date.now();
  victim.proc.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.proc.exitedP;
  const rate = (m1.violations - m0.violations) / ((t1 - t0) / 1000);
  note(`${elapsed()} D: SIGKILL rustguard ${victim.n} (${onVictim.map((b) => b.name).join(', ')} on it); it had counted ${m1.violations} flags, ` +
    `${rate.toFixed(1)} a second; records accepted but not yet written at the last scrape: ${pending(m1)}`);
  check(pending(m1) >= 3, 'D: killed mid-batch (records accepted and not yet written at the last scrape)', String(pending(m1)));
  // Its players reconnect through HAProxy: the health check (300 ms) takes
  // the dead server out; a connect that races it is redispatched.
  for (const b of onVictim) await b.ended;
  for (const b of onVictim) {
    const again = b.kind === 'honest' ? await honest(b.name) : await cheater(b.name);
    await locate(again);
  }
  const moved = onVictim.map((b) => bots.get(b.name));
  note(`${elapsed()} D: reconnected: ${moved.map((b) => `${b.name}@${b.inst?.n ?? '?'}`).join(' ')}`);
  check(moved.length >= 2 && moved.every((b) => b.inst && b.inst !== victim),
    `D: the killed instance's players reconnected through HAProxy to the survivors`, moved.map((b) => `${b.name}@${b.inst?.n}`).join(' '));
  const unexpected = unplannedEnds(phaseD).filter((e) => !onVictim.some((b) => b.name === e.name && e.inst === victim.n));
  check(unexpected.length === 0, `D: no player of the survivors was disconnected`, JSON.stringify(unexpected));
  check(elsewhere.every((b) => !b.client?.isClosed), 'D: the survivors\' players stayed on their connections');
  await sleep(1500);
  measured.countsAtEnd = await compareCounts('D survivors', survivors);
  const inPg = pgViolationsByInstance()[victim.n]?.rows ?? 0;
  const lost = m1.violations - inPg;
  // At most the records of one flush interval wait in memory, plus the one
  // batch being committed (a local commit: ~tens of ms) and the flags raised
  // between the last scrape and the kill.
  const gapMs = killedAt - t1;
  const bound = Math.ceil(rate * (FLUSH_MS + 100 + gapMs) / 1000);
  measured.sigkill = { instance: victim.n, pendingRecordsAtKill: pending(m1), countedBeforeKill: m1.violations, inPostgres: inPg, lost, flagsPerSecond: Number(rate.toFixed(1)),
    flushIntervalMs: FLUSH_MS, oneIntervalWorth: Math.ceil(rate * FLUSH_MS / 1000), bound, scrapeToKillMs: gapMs };
  note(`D: ${JSON.stringify(measured.sigkill)}`);
  check(lost <= bound && lost >= -Math.ceil(rate * gapMs / 1000) - 1,
    `D: the SIGKILL lost ${lost} rows of rustguard ${victim.n}: at most one flush interval's worth (${bound})`);
  // The killed instance's sessions stay open until it starts again; then it
  // ends them as 'crashed', and only its own: the survivors' players are
  // still online and their sessions must stay open.
  const openOf = (n) => one(`SELECT count(*) FROM sessions WHERE id >> 40 = ${n} AND end_ms IS NULL AND end_reason IS NULL`);
  const leftOpen = openOf(victim.n);
  const survivorsOpen = survivors.map((i) => openOf(i.n)).reduce((a, b) => a + b, 0);
  const crashedBefore = one(`SELECT count(*) FROM sessions WHERE id >> 40 = ${victim.n} AND end_reason = 'crashed'`);
  victim.proc = spawnBinary(proxyBin, ['--config', victim.config], join(victim.dir, 'proxy-restarted.log'), `rustguard ${victim.n} again`);
  await waitForPort(victim.port, victim.proc, 20000);
  const crashed = await waitUntil(() => {
    const n = one(`SELECT count(*) FROM sessions WHERE id >> 40 = ${victim.n} AND end_reason = 'crashed'`) - crashedBefore;
    return n >= leftOpen ? n : 0;
  }, 10000);
  measured.sigkill.sessionsLeftOpen = leftOpen;
  note(`D: rustguard ${victim.n} started again: its ${leftOpen} open session(s) ended as crashed: ${crashed}; the survivors' open sessions: ${survivorsOpen} -> ${survivors.map((i) => openOf(i.n)).reduce((a, b) => a + b, 0)}`);
  check(leftOpen >= 2 && crashed === leftOpen && openOf(victim.n) === 0,
    `D: restarted, rustguard ${victim.n} ended the ${leftOpen} sessions its killed run left open as 'crashed'`, String(crashed));
  check(survivorsOpen >= 4 && survivors.map((i) => openOf(i.n)).reduce((a, b) => a + b, 0) === survivorsOpen,
    'D: and left the survivors\' open sessions alone', String(survivorsOpen));
  survivors.push(victim);  // stopped with SIGTERM below, like the others

  // ------------------------------------------------------------ the end
  cheating = false;
  for (const b of bots.values()) if (!b.planned) b.planned = true;
  for (const b of bots.values()) { try { if (b.kind === 'honest') b.bot.quit(); else b.client.end(); } catch {} }
  for (const i of survivors) {
    const exit = await stopProcess(i.proc, { graceMs: 10000 });
    check(exit.code === 0 && !exit.killed, `rustguard ${i.n} exited 0 on SIGTERM`, JSON.stringify(exit));
  }
  const final = pgViolationsByInstance();
  measured.rowsPerInstance = final;
  note(`rows per instance in PostgreSQL: ${JSON.stringify(final)}`);
  check(duplicateViolations() === 0 && duplicateActions() === 0, 'end: no violation or action written twice');
} catch (e) {
  check(false, `no exception: ${e.stack ?? e}`);
}

await stopProcess(haproxy, { graceMs: 3000 });
await stopProcess(backend, { graceMs: 3000 });
rcon.server.close();
if (failures) pg.keep = true;  // the database, to look at what failed
pg.cleanup();
console.log(`1..${asserts}`);
console.log(`# measured: ${JSON.stringify(measured)}`);
console.log(`${failures ? 'FAIL' : 'PASS'} fleet (${elapsed()}), ${asserts - failures}/${asserts} assertions${failures ? `; logs in ${outRoot}, PostgreSQL data in ${pg.dir}` : ''}`);
killAll('SIGKILL');
if (!failures && !args.out && !args.keep) rmSync(outRoot, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
