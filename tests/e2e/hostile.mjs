#!/usr/bin/env node
// Hostile clients against the live rustguard binary: each case replays one
// attack in front of a real backend (flying-squid 1.21.4, compression
// threshold 256) while an honest mineflayer bot plays alongside, and checks
// what the backend received, what the proxy did about it, and what it cost.
//
//   node tests/e2e/hostile.mjs --proxy build/tools/proxy/rustguard [--only a,b] [--out DIR] [--keep] [--sanitized]
//
// Per case: backend_squid.mjs <- tap.mjs (lib/tap.mjs: records what the
// backend receives: packets by state and id, decompression bombs, looks with
// |pitch| > 90) <- rustguard <- the honest bot (hostile_bot.mjs, chatting
// every 250 ms and timing the server's echo) and the attackers
// (lib/raw_client.mjs, hand-built frames). The proxy's RSS is sampled every
// 100 ms, the database (+ -wal/-journal/.spill) and the log are measured
// before and after.
//
// Cases (README.md, "Hostile clients", has the details):
//   inspection       Login Acknowledged with Login Start; a lying protocol number; Configuration
//                    Acknowledged nobody asked for; a play packet in login; and a plain pitch cheater
//   handshake-flood  endless unknown-id frames in the handshake state (also with the backend down)
//   disk-fill        ~4.6 MB of pitch-150 looks as fast as possible
//   bombs            frames that inflate far beyond their claim, and honest 1 MiB zero runs
//   storage-fault    the database turns unwritable (chattr +i) while violations are raised
//   status-cache     8,000 status pings, each with another made-up protocol number
//   login-timeout    logins that never finish, trickling a byte every 2 s
//   weak-points      zero-length frames; 2 MiB handshake frames; SIGKILL and restart on the same database
// Exit code: 0 if every case passed, 1 otherwise, 2 on a usage error.

import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import zlib from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled } from './lib/deps.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, httpGet, killAll, mapAtMost,
} from './lib/procs.mjs';
import { RawClient, flood, frame, varint, lookBody, str } from './lib/raw_client.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const VERSION = '1.21.4';
const CASE_TIMEOUT_MS = 90000;
const MiB = 1024 * 1024;
const RSS_LIMIT_KB = 64 * 1024;
const BASELINE_MS = 2500;     // honest round trips measured before the attack
const POST_MS = 1000;         // and for this long after it,
const MIN_WINDOW_MS = 2500;   // at least this long from the attack's start
const SETTLE_MS = 1500;       // after an attacker's login, before its attack
const CLOSE_QUICKLY_MS = 2000;

const args = parseArgs();
// With --sanitized (ctest passes it for ASan and TSan builds) memory and
// latency figures are reported, not asserted: the sanitizers' shadow memory
// and ASan's quarantine of freed blocks (256 MiB) are not the proxy's, and a
// sanitized proxy is several times slower. They are asserted on the
// optimised build, the one that ships.
const SANITIZED = Boolean(args.sanitized);
const usage = (m) => {
  process.stderr.write(`hostile.mjs: ${m}\nusage: node tests/e2e/hostile.mjs --proxy PATH [--only a,b] [--parallel N] [--out DIR] [--keep] [--sanitized]\n`);
  process.exit(2);
};
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
try { execFileSync('sqlite3', ['-version']); } catch { usage('the sqlite3 CLI is missing (tools/dev/setup.sh --tests installs it)'); }
installCleanup();

// Memory and latency limits: asserted on the optimised build only.
function costProblem(ctx, text) {
  if (SANITIZED) ctx.notes.push(`${text} (sanitizer build: reported, not asserted)`);
  else ctx.problems.push(text);
}

const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-hostile-'));
mkdirSync(outRoot, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (ms) => (Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const mb = (bytes) => (Math.abs(bytes) < MiB ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / MiB).toFixed(2)} MB`);
const signed = (bytes) => (bytes < 0 ? `-${mb(-bytes)}` : `+${mb(bytes)}`);
const kbToMb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); })])
    .finally(() => clearTimeout(timer));
}

function sql(db, query) {
  const out = execFileSync('sqlite3', ['-json', db, query], { encoding: 'utf8' }).trim();
  return out ? JSON.parse(out) : [];
}

function fileSize(p) { try { return statSync(p).size; } catch { return 0; } }
function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}
// CPU time (user + system) the process used so far, in ms (clock ticks are 100 Hz on Linux).
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return null; }
}
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Why the proxy closed a connection, from its "disconnect #N ..." line: a
// reason of the proxy's own (a kick, a refusal, a limit), not the peer closing.
const PEER_CLOSED = /^(client closed|client: |backend closed|backend: |write failed)/;

// ---- one case's processes ----------------------------------------------------

class Scene {
  constructor(name) {
    this.name = name;
    this.dir = join(outRoot, name);
    mkdirSync(this.dir, { recursive: true });
    this.procs = [];
    this.cleanups = [];
  }

  async backend() {
    const proc = forkNode(join(here, 'backend_squid_icon.mjs'), ['--version', VERSION, '--port', '0', '--record', join(this.dir, 'server.json')],
      join(this.dir, 'backend.log'), `backend ${this.name}`);
    this.procs.push(proc);
    const { port } = await waitMessage(proc, 'ready', 30000);
    return { proc, port };
  }

  async tap(targetPort, { rewriteProtocol = null } = {}) {
    const extra = rewriteProtocol ? ['--rewrite-protocol', String(rewriteProtocol)] : [];
    const proc = forkNode(join(here, 'tap.mjs'), ['--target', String(targetPort), ...extra], join(this.dir, 'tap.log'), `tap ${this.name}`);
    this.procs.push(proc);
    const { port } = await waitMessage(proc, 'ready', 10000);
    return {
      proc, port,
      report: async () => {
        if (proc.exitInfo) return [];
        const r = waitMessage(proc, 'report', 10000);
        proc.send({ type: 'report' });
        return (await r).conns;
      },
    };
  }

  // A rustguard in front of `backendPort`; `extra` are more config lines.
  async proxy(backendPort, extra = [], name = 'proxy', { db = null, port = null, adminPort = null } = {}) {
    port ??= await freePort();
    adminPort ??= await freePort();
    db ??= join(this.dir, `${name}.db`);
    const config = join(this.dir, `${name}.yml`);
    const logPath = join(this.dir, `${name}.log`);
    writeFileSync(config, [
      '# written by tests/e2e/hostile.mjs: defaults unless the case says otherwise',
      `listen: '127.0.0.1:${port}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '127.0.0.1:${adminPort}'`,
      `database: '${db}'`, 'threads: 2', 'log_level: info', ...extra, '',
    ].join('\n'));
    const proc = spawnBinary(proxyBin, ['--config', config], logPath, `rustguard ${this.name} ${name}`);
    this.procs.push(proc);
    const rss = { peakKb: 0, lastKb: 0, samples: [] };
    const timer = setInterval(() => {
      if (proc.exitInfo) return;
      const kb = rssKb(proc.pid);
      if (kb === null) return;
      rss.lastKb = kb;
      rss.peakKb = Math.max(rss.peakKb, kb);
      rss.samples.push([Date.now(), kb]);
    }, 100);
    this.cleanups.push(() => clearInterval(timer));
    await waitForPort(port, proc, 10000);
    const read = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
    const handle = {
      name, proc, pid: proc.pid, port, adminPort, admin: `127.0.0.1:${adminPort}`, db, config, logPath, rss, extra,
      log: read,
      logSize: () => fileSize(logPath),
      cpu: () => cpuMs(proc.pid),
      dbSize: () => ['', '-wal', '-journal', '.spill'].reduce((n, s) => n + fileSize(db + s), 0),
      rssSince: (t) => rss.samples.filter(([at]) => at >= t).reduce((m, [, kb]) => Math.max(m, kb), 0),
      waitLog: async (re, ms = 2000) => {
        for (let waited = 0; waited < ms && !re.test(read()); waited += 50) await sleep(50);
        return re.test(read());
      },
      // The proxy's own word on how the connection from local port `p` ended (null if not logged yet).
      closeReason: (p) => {
        const mine = new RegExp(`127\\.0\\.0\\.1:${p}(?!\\d)`);
        const lines = read().split('\n').filter((l) => mine.test(l));
        const line = lines.filter((l) => /disconnect/.test(l)).pop() ?? lines.pop();
        if (!line) return null;
        const m = / B down(?:, \d+ timing flags held)?: (.*)$/.exec(line);
        return (m ? m[1] : line).trim();
      },
      metrics: async () => {
        const r = await httpGet(`http://127.0.0.1:${adminPort}/metrics`, 3000);
        if (r.status !== 200) return null;
        writeFileSync(join(this.dir, `${name}-metrics.txt`), r.body);
        const m = new Map();
        for (const line of r.body.split('\n')) {
          if (!line || line.startsWith('#')) continue;
          const i = line.lastIndexOf(' ');
          m.set(line.slice(0, i), Number(line.slice(i + 1)));
        }
        return m;
      },
      term: (graceMs = 15000) => stopProcess(proc, { signal: 'SIGTERM', graceMs }),
    };
    return handle;
  }

  // The honest bot, in its own process.
  honest(port, name = 'honest') {
    const proc = forkNode(join(here, 'hostile_bot.mjs'), ['--port', String(port), '--name', name, '--version', VERSION, '--interval', '250'],
      join(this.dir, `${name}.log`), `${name} ${this.name}`);
    this.procs.push(proc);
    const h = { name, proc, rtts: [], spawnedAt: null, ended: null };
    h.spawned = waitMessage(proc, 'spawned', 20000).then((m) => { h.spawnedAt = m.at; });
    h.spawned.catch(() => {});
    proc.on('message', (m) => {
      if (m?.type === 'rtt') h.rtts.push(m);
      else if (m?.type === 'ended') h.ended = m;
    });
    // Round trips of the messages sent in [from, to): the median, and how many
    // were still unanswered when we asked (they count with their age so far).
    h.window = async (from, to) => {
      const pending = proc.exitInfo ? { list: [] } : await new Promise((resolve) => {
        const t = setTimeout(() => { proc.off('message', on); resolve({ list: [] }); }, 2000);
        const on = (m) => { if (m?.type === 'pending') { clearTimeout(t); proc.off('message', on); resolve(m); } };
        proc.on('message', on);
        proc.send({ type: 'pending' });
      });
      const done = h.rtts.filter((r) => r.sent >= from && r.sent < to).map((r) => r.ms);
      const lost = pending.list.filter((p) => p.sent >= from && p.sent < to).map((p) => p.ageMs);
      const all = [...done, ...lost];
      return { n: all.length, lost: lost.length, median: median(all), max: all.length ? Math.max(...all) : null };
    };
    return h;
  }

  async stop() {
    for (const c of this.cleanups) { try { await c(); } catch {} }
    // The backend writes its recording (8,000 connections after status-cache) and removes its world first.
    for (const p of this.procs) if (!p.exitInfo) await stopProcess(p, { graceMs: p.e2eName.startsWith('backend') ? 10000 : 2000 });
  }
}

// ---- the common frame of a case: backend, tap, proxy, honest bot, baseline ----

async function stage(scene, { proxyExtra = [], rewriteProtocol = null } = {}) {
  const backend = await scene.backend();
  const tap = await scene.tap(backend.port, { rewriteProtocol });
  const proxy = await scene.proxy(tap.port, proxyExtra);
  const bot = scene.honest(proxy.port);
  await withTimeout(bot.spawned, 20000, 'the honest bot spawning');
  await sleep(BASELINE_MS);
  return {
    scene, backend, tap, proxy, bot, problems: [], figures: [], notes: [],
    baseFrom: bot.spawnedAt + 500, attackStart: Date.now(), db0: proxy.dbSize(), log0: proxy.logSize(), cpu0: proxy.cpu(), otherCpu0: [cpuMs(backend.proc.pid), cpuMs(tap.proc.pid)], events: [],
    // The attack proper starts now (after an attacker's own login, say): the
    // honest bot's "during" window starts here. A player joining makes
    // flying-squid busy for a moment, which is not what the case measures.
    mark(what) { this.events.push([Date.now(), what]); },
    async attackBegins() {
      await sleep(SETTLE_MS);
      this.attackStart = Date.now();
      this.cpu0 = this.proxy.cpu();
      this.otherCpu0 = [cpuMs(this.backend.proc.pid), cpuMs(this.tap.proc.pid)];
      this.mark('attack');
    },
  };
}

// Ends the case: round trips, metrics, the tap's report, SIGTERM, the database.
// Adds the honest player's problems; returns what the case checks further.
async function finish(ctx, { postMs = POST_MS, honestViolationsAllowed = true, tapInvariant = true } = {}) {
  const { proxy, bot, tap, problems, figures } = ctx;
  await sleep(Math.max(postMs, ctx.attackStart + MIN_WINDOW_MS - Date.now()));
  const end = Date.now();
  const base = await bot.window(ctx.baseFrom, ctx.attackStart);
  const during = await bot.window(ctx.attackStart, end - 300);
  const cpuNow = proxy.cpu();
  ctx.cpuUsed = cpuNow === null || ctx.cpu0 === null ? null : cpuNow - ctx.cpu0;
  const [backendCpu, tapCpu] = [cpuMs(ctx.backend.proc.pid) - ctx.otherCpu0[0], cpuMs(ctx.tap.proc.pid) - ctx.otherCpu0[1]];
  writeFileSync(join(ctx.scene.dir, 'rtt.json'), JSON.stringify({ baseFrom: ctx.baseFrom, attackStart: ctx.attackStart, end, events: ctx.events, cpuMs: { backend: backendCpu, tap: tapCpu }, rtts: bot.rtts }, null, 1));
  ctx.metrics = await proxy.metrics();
  ctx.tapReport = await tap.report();
  writeFileSync(join(ctx.scene.dir, 'tap.json'), JSON.stringify(ctx.tapReport, null, 1));
  const alive = !proxy.proc.exitInfo;
  if (!alive) problems.push(`rustguard exited during the case (${JSON.stringify(proxy.proc.exitInfo)})`);
  if (bot.ended) problems.push(`the honest bot was disconnected during the case: ${bot.ended.kicked ?? bot.ended.reason}`);
  ctx.exit = await proxy.term();
  ctx.caseMs = Date.now() - ctx.attackStart;
  await stopProcess(bot.proc, { graceMs: 2000 });
  ctx.dbGrowth = proxy.dbSize() - ctx.db0;
  ctx.logGrowth = proxy.logSize() - ctx.log0;

  // The honest player: round trip within 2x its baseline (or +20 ms on a fast loopback), no alert.
  if (base.median === null) problems.push('no honest round trip measured before the attack');
  else if (during.n < 3) problems.push(`the honest bot's chat stopped echoing during the attack (${during.n} round trips)`);
  else {
    const limit = Math.max(2 * base.median, base.median + 20);
    if (during.median > limit) {
      costProblem(ctx, `honest round trip ${during.median.toFixed(1)} ms during the attack vs ${base.median.toFixed(1)} ms before (limit ${limit.toFixed(1)} ms)`);
    }
    if (during.lost > 0) ctx.notes.push(`${during.lost} honest chat message(s) still unanswered at the end (counted with their age)`);
  }
  ctx.rtt = `RTT ${base.median?.toFixed(1) ?? '?'}->${during.median?.toFixed(1) ?? '?'} ms`;
  ctx.honestViolations = existsSync(proxy.db) ? violationsOf(proxy.db, bot.name) : [];
  const alerts = ctx.honestViolations.filter((v) => v.alert);
  if (alerts.length) problems.push(`honest player alerted: ${alerts.slice(0, 3).map((v) => `${v.check_name}/${v.type} VL ${Number(v.vl).toFixed(1)}: ${v.detail}`).join('; ')}`);
  else if (!honestViolationsAllowed && ctx.honestViolations.length) {
    problems.push(`honest player has ${ctx.honestViolations.length} violation(s): ${ctx.honestViolations.slice(0, 3).map((v) => `${v.check_name}/${v.type}`).join(', ')}`);
  }
  // What no case may let through to the backend (the cases about it report it themselves).
  const bombs = sum(ctx.tapReport, (c) => c.bombs);
  const pitch = sum(ctx.tapReport, (c) => c.pitchLooks);
  if (tapInvariant && bombs) problems.push(`the backend received ${bombs} decompression bomb(s)`);
  if (tapInvariant && pitch) problems.push(`the backend received ${pitch} look(s) with |pitch| > 90`);
  ctx.common = [ctx.rtt, `proxy CPU ${ctx.cpuUsed === null ? 'n/a' : secs(ctx.cpuUsed)} in ${secs(end - ctx.attackStart)}`, `peak RSS ${kbToMb(proxy.rss.peakKb)}`, `DB ${signed(ctx.dbGrowth)}`, `log ${signed(ctx.logGrowth)}`,
    `bombs ${bombs}`, `pitch>90 at backend ${pitch}`];
  return ctx;
}

function violationsOf(db, player) {
  return sql(db, `SELECT v.check_name, v.type, v.vl, v.detail, v.time_ms,
      EXISTS (SELECT 1 FROM actions a WHERE a.violation_id = v.id AND a.action = 'alert') AS alert
      FROM violations v JOIN sessions s ON s.id = v.session_id WHERE s.player_name = '${player}' ORDER BY v.time_ms`);
}

function tapConn(report, username) { return report.filter((c) => c.username === username); }
function sum(xs, f) { return xs.reduce((n, x) => n + f(x), 0); }

// Opens a plain socket and keeps track of when it closed.
function rawSocket(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.setNoDelay(true);
    const info = { sock, closedAt: null, received: 0 };
    sock.on('data', (d) => { info.received += d.length; });
    sock.on('error', () => {});
    sock.on('close', () => { info.closedAt = Date.now(); });
    sock.once('connect', () => { info.localPort = sock.localPort; info.openedAt = Date.now(); resolve(info); });
    sock.once('error', (e) => { if (!info.openedAt) reject(e); });
  });
}

// ---- the cases ------------------------------------------------------------------

const PITCH = 150;

const CASES = {
  // 1. Inspection switched off by the client.
  async inspection(scene) {
    // The tap turns a lying handshake into 769 for the backend: a backend that
    // accepts any protocol number (ViaVersion and the like) would play along.
    const ctx = await stage(scene, { rewriteProtocol: 769 });
    const { proxy } = ctx;
    const I = new RawClient({ port: 0, username: 'x' }).ids;
    const variants = [
      { key: 'control', user: 'pitch_ctl', what: 'plain login, then pitch-150 looks' },
      // The backend ignores the early acknowledgement, so the client acknowledges again when Login Success comes.
      { key: 'a', user: 'pitch_a', what: 'Login Acknowledged in the Login Start write', login: { earlyAck: true, ackAgain: true } },
      { key: 'b', user: 'pitch_b', what: 'handshake announces protocol 2147483647', announce: 2147483647 },
      { key: 'c', user: 'pitch_c', what: 'Configuration Acknowledged without Start Configuration', configAck: true },
      { key: 'd', user: 'pitch_d', what: 'a play look while in the login state', loginLook: true },
    ];
    // The login (the attack of a, b and d; a plain one for control and c).
    const login = async (v) => {
      const c = new RawClient({ port: proxy.port, username: v.user, announce: v.announce ?? null });
      v.client = c;
      await c.connect();
      v.port = c.localPort;
      const extra = v.loginLook ? frame(Buffer.concat([varint(I.play.look), lookBody(0, PITCH)])) : null;
      try {
        await c.login({ ...(v.login ?? {}), extraFirstWrite: extra, timeoutMs: 6000 });
        v.played = true;
      } catch (e) {
        v.loginError = e.message;
      }
    };
    // In play (if it got there): c's acknowledgement, then the looks.
    const play = async (v) => {
      const c = v.client;
      if (v.played && !c.isClosed) {
        if (v.configAck) { c.send(I.play.configuration_acknowledged); await sleep(50); }
        for (let i = 0; i < 20 && !c.isClosed; i++) { c.send(I.play.look, lookBody(i * 9, PITCH)); v.looks = (v.looks ?? 0) + 1; await sleep(50); }
      }
      await Promise.race([c.closed, sleep(1500)]);
      v.closedAt = c.closedInfo?.at ?? null;
      v.disconnect = c.disconnect;
      c.end();
    };
    // control and c join first and settle (a join keeps flying-squid busy for a
    // moment); then a, b and d try their logins, 150 ms apart, while control and
    // c do their part.
    const joinFirst = variants.filter((v) => !v.login && !v.announce && !v.loginLook);
    await Promise.all(joinFirst.map(login));
    await ctx.attackBegins();
    await Promise.all(variants.map(async (v, i) => {
      if (!joinFirst.includes(v)) { await sleep(i * 150); await login(v); }
      await play(v);
    }));
    await finish(ctx, { tapInvariant: false });
    const hasCount = sql(proxy.db, "SELECT count(*) AS n FROM pragma_table_info('violations') WHERE name = 'count'")[0].n > 0;
    const rows = sql(proxy.db, `SELECT s.player_name AS player, count(*) AS n, ${hasCount ? 'sum(v.count)' : 'count(*)'} AS flags
      FROM violations v JOIN sessions s ON s.id = v.session_id WHERE v.check_name = 'badpackets.pitch' GROUP BY s.player_name`);
    const flaggedN = (u) => rows.find((r) => r.player === u)?.n ?? 0;
    const flaggedText = (u) => { const r = rows.find((x) => x.player === u); return `${r.flags} badpackets.pitch flag(s) in ${r.n} row(s)`; };
    const outcome = [];
    for (const v of variants) {
      const conns = tapConn(ctx.tapReport, v.user);
      const pitchAtBackend = sum(conns, (c) => c.pitchLooks);
      const reachedPlay = conns.some((c) => c.states.includes('play'));
      const reason = proxy.closeReason(v.port);
      const byProxy = reason !== null && !PEER_CLOSED.test(reason);
      const flagged = flaggedN(v.user);
      const foreign = [...new Set(conns.flatMap((c) => c.foreignList))];
      let verdict;
      if (pitchAtBackend > 0) verdict = `FAILED: backend got ${pitchAtBackend} pitch-${PITCH} look(s)`;
      else if (foreign.length) verdict = `FAILED: backend got packets that do not exist in their state (${foreign.join(', ')})`;
      else if (v.key === 'control') verdict = flagged > 0 ? `flagged (${flaggedText(v.user)})` : 'FAILED: not flagged';
      else if (byProxy && (v.key === 'c' || !reachedPlay)) verdict = `disconnected by the proxy (${reason.slice(0, 70)})`;
      else if (flagged > 0) verdict = `flagged (${flaggedText(v.user)})${byProxy ? `, then disconnected: ${reason.slice(0, 50)}` : ''}`;
      else if (byProxy) verdict = `FAILED: reached play at the backend before the proxy closed it (${reason.slice(0, 60)})`;
      else verdict = `FAILED: not disconnected by the proxy (${reason ?? (v.closedAt ? 'closed, no reason logged' : 'still open')})${v.loginError ? `; ${v.loginError}` : ''}`;
      if (verdict.startsWith('FAILED')) ctx.problems.push(`${v.key} (${v.what}): ${verdict}`);
      outcome.push(`${v.key}: ${verdict.replace(/^FAILED: /, 'FAIL ')}`);
    }
    ctx.details = outcome;
    return ctx;
  },

  // 2. Unbounded memory before the handshake.
  async 'handshake-flood'(scene) {
    const ctx = await stage(scene);
    const nobackend = await scene.proxy(await freePort(), [], 'nobackend');
    const body = Buffer.concat([varint(0x05), Buffer.alloc(1024, 0x41)]);
    const one = frame(body);
    const chunk = Buffer.concat(Array.from({ length: 63 }, () => one));
    const targets = [ctx.proxy, ctx.proxy, ctx.proxy, ctx.proxy, nobackend];
    const FLOOD_MS = 8000;
    const started = Date.now();
    const tooBig = () => Math.max(ctx.proxy.rss.lastKb, nobackend.rss.lastKb) > 512 * 1024;  // the harness gives up at 512 MB
    const attackers = await Promise.all(targets.map(async (p) => {
      const s = await rawSocket(p.port);
      s.proxy = p;
      s.sentP = flood(s.sock, chunk, { stop: () => Date.now() - started > FLOOD_MS || tooBig() });
      return s;
    }));
    for (const a of attackers) {
      a.sent = await a.sentP;
      if (a.closedAt === null) { a.gaveUpAt = Date.now(); a.sock.destroy(); }
    }
    await finish(ctx);
    const nbExit = await nobackend.term();
    if (nbExit.killed) ctx.problems.push('the backend-less rustguard did not stop on SIGTERM');
    const closeTimes = [];
    const reasons = new Set();
    attackers.forEach((a, i) => {
      const who = `attacker ${i + 1}${a.proxy === nobackend ? ' (backend down)' : ''}`;
      const reason = a.proxy.closeReason(a.localPort);
      const t = a.gaveUpAt ? null : a.closedAt - a.openedAt;
      closeTimes.push(t);
      if (t === null) ctx.problems.push(`${who}: still open when the harness gave up after ${secs(a.gaveUpAt - a.openedAt)} (${mb(a.sent)} sent)`);
      else if (t > CLOSE_QUICKLY_MS) ctx.problems.push(`${who}: closed only after ${secs(t)} (${mb(a.sent)} sent)`);
      else if (reason === null || PEER_CLOSED.test(reason)) ctx.problems.push(`${who}: no reason of the proxy's logged (${reason ?? 'no disconnect line'})`);
      else reasons.add(reason.slice(0, 80));
    });
    if (reasons.size) ctx.notes.push(`reasons: ${[...reasons].join(' | ')}`);
    for (const p of [ctx.proxy, nobackend]) {
      if (p.rss.peakKb > RSS_LIMIT_KB) costProblem(ctx, `${p.name}: peak RSS ${kbToMb(p.rss.peakKb)} (limit 64 MB)`);
    }
    const worst = closeTimes.some((t) => t === null) ? 'never' : secs(Math.max(...closeTimes));
    ctx.figures.unshift(`peak RSS ${kbToMb(ctx.proxy.rss.peakKb)} / ${kbToMb(nobackend.rss.peakKb)} (backend down)`,
      `slowest close ${worst}`, `sent ${mb(sum(attackers, (a) => a.sent))}`);
    return ctx;
  },

  // 3. Disk fill: pitch-150 looks as fast as the socket takes them.
  async 'disk-fill'(scene) {
    const ctx = await stage(scene);
    const c = new RawClient({ port: ctx.proxy.port, username: 'filler' });
    await c.connect();
    await c.login({ timeoutMs: 8000 });
    await ctx.attackBegins();
    const look = c.packet(c.ids.play.look, lookBody(0, PITCH));
    const chunk = Buffer.concat(Array.from({ length: Math.floor(65536 / look.length) }, () => look));
    const TOTAL = 4.6e6;
    const t0 = Date.now();
    const sent = await flood(c.sock, chunk, { maxBytes: TOTAL });
    await Promise.race([c.closed, sleep(Math.max(0, 10000 - (Date.now() - t0)))]);
    const closedAfter = c.closedInfo ? c.closedInfo.at - t0 : null;
    c.end();
    await finish(ctx, { honestViolationsAllowed: false });
    const reason = ctx.proxy.closeReason(c.localPort);
    if (closedAfter === null) ctx.problems.push(`the flooder was not kicked within 10 s (${mb(sent)} sent)`);
    else if (closedAfter > 5000) ctx.problems.push(`the flooder was kicked only after ${secs(closedAfter)}`);
    if (closedAfter !== null && (reason === null || PEER_CLOSED.test(reason))) ctx.problems.push(`no kick reason logged (${reason ?? 'no disconnect line'})`);
    const minutes = ctx.caseMs / 60000;
    const allowance = Math.max(1 * MiB, 1 * MiB * minutes);
    if (ctx.dbGrowth > allowance) ctx.problems.push(`database grew ${mb(ctx.dbGrowth)} in ${secs(ctx.caseMs)} (allowed ${mb(allowance)})`);
    if (ctx.logGrowth > 1 * MiB) ctx.problems.push(`log grew ${mb(ctx.logGrowth)} (allowed 1 MB)`);
    ctx.figures.unshift(`kicked after ${closedAfter === null ? 'never' : secs(closedAfter)} (${mb(sent)} sent)`,
      `DB ${signed(ctx.dbGrowth)} in ${secs(ctx.caseMs)} (allowed ${mb(allowance)})`);
    if (reason) ctx.notes.push(`kick reason: ${reason}`);
    return ctx;
  },

  // 4. Decompression bombs, in a packet nothing inspects (a book edit).
  async bombs(scene) {
    const ctx = await stage(scene);
    const liar = new RawClient({ port: ctx.proxy.port, username: 'bomb_liar' });
    const zeros = new RawClient({ port: ctx.proxy.port, username: 'bomb_zeros' });
    await Promise.all([liar.connect(), zeros.connect()]);
    await Promise.all([liar.login({ timeoutMs: 8000 }), zeros.login({ timeoutMs: 8000 })]);
    await ctx.attackBegins();
    const id = varint(liar.ids.play.edit_book);
    // (i) claims 300 bytes, inflates to 64 MiB.
    const big = zlib.deflateSync(Buffer.concat([id, Buffer.alloc(64 * MiB - id.length)]), { level: 9 });
    const lie = frame(Buffer.concat([varint(300), big]));
    // (ii) honestly claims 1 MiB: a run of zeros (about 1 KB of zlib).
    const run = zlib.deflateSync(Buffer.concat([id, Buffer.alloc(MiB - id.length)]), { level: 9 });
    const honestBomb = frame(Buffer.concat([varint(MiB), run]));
    const t0 = Date.now();
    const [sentLie, sentZeros] = await Promise.all([
      flood(liar.sock, lie, { maxBytes: lie.length * 10 }),
      flood(zeros.sock, honestBomb, { maxBytes: honestBomb.length * 100 }),
    ]);
    await Promise.race([Promise.all([liar.closed, zeros.closed]), sleep(5000)]);
    const closed = [liar, zeros].map((c) => (c.closedInfo ? c.closedInfo.at - t0 : null));
    liar.end(); zeros.end();
    await finish(ctx, { tapInvariant: false });
    const bombs = sum(ctx.tapReport, (c) => c.bombs);
    if (bombs > 0) {
      const ex = ctx.tapReport.flatMap((c) => c.bombList.map((b) => `${c.username}: claims ${b.claimed}, inflates ${b.inflated} from ${b.compressed}`));
      ctx.problems.push(`the backend received ${bombs} bomb(s), e.g. ${ex.slice(0, 2).join('; ')}`);
    }
    [liar, zeros].forEach((c, i) => {
      const reason = ctx.proxy.closeReason(c.localPort);
      if (closed[i] === null) ctx.problems.push(`${c.username} was not closed within 5 s`);
      if (reason === null || PEER_CLOSED.test(reason)) ctx.problems.push(`${c.username}: no reason of the proxy's logged (${reason ?? 'no disconnect line'})`);
      else ctx.notes.push(`${c.username}: ${reason}`);
    });
    if (ctx.proxy.rss.peakKb > RSS_LIMIT_KB) costProblem(ctx, `peak RSS ${kbToMb(ctx.proxy.rss.peakKb)} (limit 64 MB)`);
    ctx.figures.unshift(`closed after ${closed.map((t) => (t === null ? 'never' : secs(t))).join(' / ')}`,
      `sent ${mb(sentLie)} + ${mb(sentZeros)}`);
    return ctx;
  },

  // 5. The database turns unwritable while violations are raised.
  async 'storage-fault'(scene) {
    try { execFileSync('chattr', ['--help'], { stdio: 'ignore' }); } catch (e) {
      if (e.code === 'ENOENT') return { skip: 'chattr is not installed (e2fsprogs)' };
    }
    // chattr +i needs CAP_LINUX_IMMUTABLE and a file system that supports it: try on a scratch file.
    const probe = join(scene.dir, 'chattr-probe');
    writeFileSync(probe, 'x');
    try { execFileSync('chattr', ['+i', probe], { stdio: 'ignore' }); execFileSync('chattr', ['-i', probe], { stdio: 'ignore' }); } catch {
      return { skip: 'chattr +i is not permitted here (needs root / CAP_LINUX_IMMUTABLE and ext4-like file system)' };
    }
    const ctx = await stage(scene);
    const { proxy } = ctx;
    const c = new RawClient({ port: proxy.port, username: 'fault_cheat' });
    await c.connect();
    await c.login({ timeoutMs: 8000 });
    await ctx.attackBegins();
    // One pitch-150 look every 1.1 s: each flag lands in its own second, so
    // folding (one row per check and type per second) leaves each its own row,
    // alert and cancel action, and the counters compare one to one.
    let stopLooks = false;
    let looks = 0;
    const looker = (async () => {
      while (!stopLooks && !c.isClosed) { c.send(c.ids.play.look, lookBody(looks * 7, PITCH)); looks++; await sleep(1100); }
    })();
    await sleep(1200);
    const locked = [];
    const lock = () => {
      const shm = `${proxy.db}-shm`;
      const files = existsSync(shm) ? [shm] : [proxy.db, `${proxy.db}-journal`, `${proxy.db}-wal`].filter((f) => existsSync(f));
      for (const f of files) { execFileSync('chattr', ['+i', f]); locked.push(f); }
    };
    const unlock = () => { while (locked.length) { const f = locked.pop(); try { execFileSync('chattr', ['-i', f]); } catch {} } };
    scene.cleanups.push(unlock);
    const FAULT_MS = 6000;
    try {
      lock();
      ctx.notes.push(`made unwritable for ${secs(FAULT_MS)}: ${locked.map((f) => f.slice(proxy.db.length) || 'database').join(', ')}`);
      await sleep(FAULT_MS);
    } finally {
      unlock();
    }
    await sleep(3000);
    stopLooks = true;
    await looker;
    c.end();
    await sleep(2500);  // flush interval, retry backoff, spill import
    await finish(ctx, { postMs: 0 });
    const m = ctx.metrics;
    const total = (name) => (m ? [...m].filter(([k]) => k.startsWith(`${name}{`)).reduce((n, [, v]) => n + v, 0) : NaN);
    const counted = { violations: total('rustguard_violations_total'), alerts: total('rustguard_alerts_total'), cancels: total('rustguard_cancels_total') };
    // From schema v3 a row may stand for several flags (`count`, folding).
    const hasCount = sql(proxy.db, "SELECT count(*) AS n FROM pragma_table_info('violations') WHERE name = 'count'")[0].n > 0;
    const stored = {
      violations: sql(proxy.db, `SELECT ${hasCount ? 'coalesce(sum(count), 0)' : 'count(*)'} AS n FROM violations`)[0].n,
      alerts: sql(proxy.db, "SELECT count(*) AS n FROM actions WHERE action = 'alert'")[0].n,
      cancels: sql(proxy.db, "SELECT count(*) AS n FROM actions WHERE action = 'cancel'")[0].n,
    };
    const dropped = m?.get('rustguard_violation_log_records_total{outcome="dropped"}');
    if (ctx.exit.killed || ctx.exit.code !== 0) ctx.problems.push(`rustguard did not exit cleanly on SIGTERM (${JSON.stringify(ctx.exit)})`);
    if (!m) ctx.problems.push('GET /metrics did not answer');
    if (counted.violations === 0) ctx.problems.push('no violation was raised: the fault was not exercised');
    for (const k of Object.keys(counted)) {
      if (stored[k] < counted[k]) ctx.problems.push(`${k}: ${counted[k]} counted in /metrics, ${stored[k]} in the database`);
    }
    if (dropped) ctx.problems.push(`${dropped} record(s) dropped by the violation log`);
    const spilled = m?.get('rustguard_violation_log_records_total{outcome="spilled"}') ?? 0;
    const retried = m?.get('rustguard_violation_log_retries_total') ?? 0;
    ctx.figures.unshift(`violations ${stored.violations}/${counted.violations} stored, alerts ${stored.alerts}/${counted.alerts}, cancels ${stored.cancels}/${counted.cancels}`,
      `retries ${retried}, spilled ${spilled}`, `${looks} looks`);
    return ctx;
  },

  // 6. One status-cache entry per made-up protocol number.
  async 'status-cache'(scene) {
    const ctx = await stage(scene, { proxyExtra: ['connections:', '  per_ip_rate: 100000', '  per_ip_burst: 100000'] });
    const { proxy } = ctx;
    const N = 8000;
    const PARALLEL = 24;
    const rss0 = proxy.rss.lastKb;
    let answered = 0;
    let failed = 0;
    let next = 0;
    const pingOnce = (protocol) => new Promise((resolve) => {
      const sock = net.connect({ port: proxy.port, host: '127.0.0.1' });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => done(false), 5000);
      const done = (ok) => { clearTimeout(timer); sock.destroy(); resolve(ok); };
      sock.on('error', () => done(false));
      sock.on('close', () => done(false));
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        // A whole Status Response frame (length prefix + id 0 + JSON) is enough.
        let len = 0; let shift = 0; let i = 0;
        for (; i < buf.length && i < 3; i++) { len |= (buf[i] & 0x7f) << shift; shift += 7; if (!(buf[i] & 0x80)) break; }
        if (i < buf.length && buf.length >= i + 1 + len) done(buf[i + 1] === 0);
      });
      sock.once('connect', () => {
        const hs = frame(Buffer.concat([Buffer.from([0]), varint(protocol), str('127.0.0.1'), Buffer.from([0x63, 0xdd]), varint(1)]));
        sock.write(Buffer.concat([hs, frame(Buffer.from([0]))]));
      });
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < N) {
        const i = next++;
        // Made-up protocol numbers, none of them a real release.
        if (await pingOnce(100000 + i * 7)) answered++; else failed++;
      }
    }));
    const took = Date.now() - t0;
    const after = await pingOnce(769);
    await finish(ctx);
    const growthKb = proxy.rss.lastKb - rss0;
    const peakGrowthKb = proxy.rss.peakKb - rss0;
    if (peakGrowthKb > 20 * 1024) costProblem(ctx, `RSS grew ${kbToMb(peakGrowthKb)} (from ${kbToMb(rss0)} to a peak of ${kbToMb(proxy.rss.peakKb)}; limit 20 MB)`);
    if (answered < N * 0.99) ctx.problems.push(`only ${answered} of ${N} pings answered`);
    if (!after) ctx.problems.push('a 1.21.4 status ping after the flood was not answered');
    ctx.figures.unshift(`RSS +${kbToMb(peakGrowthKb)} (peak ${kbToMb(proxy.rss.peakKb)}, end +${kbToMb(growthKb)})`,
      `${answered}/${N} answered in ${secs(took)}`);
    return ctx;
  },

  // 7. Logins that never finish, trickling one byte every 2 s so the idle timeout never fires.
  async 'login-timeout'(scene) {
    const ctx = await stage(scene, { proxyExtra: ['connections:', '  login_timeout_ms: 3000', '  per_ip_rate: 100000', '  per_ip_burst: 100000'] });
    const { proxy } = ctx;
    const I = new RawClient({ port: 0, username: 'x' }).ids;
    // early-ack: Login Start + Login Acknowledged at once (the escape: the proxy took the client's word
    //            that the login was over); unknown: a protocol number nobody has (passed through
    //            uninspected, so never "logging in" either); stall: a plain Login Start and nothing more,
    //            which only the login timeout can end (the control: it shows the timeout itself works).
    const groups = { 'early-ack': 20, unknown: 5, stall: 5 };
    const socks = [];
    const open = async (i, group) => {
      const s = await rawSocket(proxy.port);
      const name = Buffer.from(`slow_${i}`);
      const hs = frame(Buffer.concat([Buffer.from([0]), varint(group === 'unknown' ? 4242 : 769), str('127.0.0.1'), Buffer.from([0x63, 0xdd]), varint(2)]));
      const start = frame(Buffer.concat([varint(I.login.login_start), varint(name.length), name, Buffer.alloc(16)]));
      s.sock.write(group === 'early-ack' ? Buffer.concat([hs, start, frame(varint(I.login.login_acknowledged))]) : Buffer.concat([hs, start]));
      s.group = group;
      s.timer = setInterval(() => { if (!s.sock.destroyed) s.sock.write(Buffer.from([0])); }, 2000);
      socks.push(s);
    };
    // One connection every 100 ms (the groups interleaved): each Login Start
    // costs flying-squid ~50 ms of its event loop (minecraft-protocol builds a
    // plugin-channel ProtoDef per client), and 25 at once would show in the
    // honest round trip as the backend's cost, not the proxy's.
    const order = Object.entries(groups).flatMap(([g, count]) => Array.from({ length: count }, (_, i) => [i, g]))
      .sort((x, y) => x[0] - y[0]);
    let n = 0;
    for (const [, g] of order) { await open(n++, g); await sleep(100); }
    // Until each one is closed or 8 s old.
    while (socks.some((s) => s.closedAt === null && Date.now() - s.openedAt < 8000)) await sleep(100);
    for (const s of socks) {
      clearInterval(s.timer);
      if (s.closedAt === null) { s.gaveUp = true; s.sock.destroy(); }
    }
    await finish(ctx);
    const closedIn = (s) => (s.gaveUp ? null : s.closedAt - s.openedAt);
    const ranges = [];
    for (const g of Object.keys(groups)) {
      const mine = socks.filter((s) => s.group === g);
      const times = mine.map(closedIn);
      const open8 = times.filter((t) => t === null).length;
      const late = times.filter((t) => t !== null && t > 5000).length;
      if (open8) ctx.problems.push(`${g}: ${open8} of ${mine.length} connection(s) still open after 8 s`);
      if (late) ctx.problems.push(`${g}: ${late} connection(s) closed only after more than 5 s (login_timeout_ms 3000)`);
      const noReason = mine.filter((s) => closedIn(s) !== null && (proxy.closeReason(s.localPort) === null || PEER_CLOSED.test(proxy.closeReason(s.localPort))));
      if (noReason.length) ctx.problems.push(`${g}: ${noReason.length} connection(s) closed without a reason of the proxy's logged`);
      const closed = times.filter((t) => t !== null);
      ranges.push(`${g} ${closed.length}/${mine.length} closed in ${closed.length ? `${secs(Math.min(...closed))}-${secs(Math.max(...closed))}` : 'n/a'}`);
      const reasons = [...new Set(mine.map((s) => proxy.closeReason(s.localPort)).filter(Boolean).map((r) => r.slice(0, 70)))];
      if (reasons.length) ctx.notes.push(`${g}: ${reasons.join(' | ')}`);
    }
    ctx.figures.unshift(...ranges);
    return ctx;
  },

  // 8. Zero-length frames; 2 MiB handshake frames trickled; SIGKILL mid-flood and restart.
  async 'weak-points'(scene) {
    const ctx = await stage(scene, { proxyExtra: ['connections:', '  per_ip_rate: 100000', '  per_ip_burst: 100000'] });
    const { proxy } = ctx;
    const parts = [];
    // (i) 50 MB of zero bytes in play: each one a frame of length 0.
    {
      const c = new RawClient({ port: proxy.port, username: 'zero_flood' });
      await c.connect();
      await c.login({ timeoutMs: 8000 });
      await ctx.attackBegins();
      const zeros = Buffer.alloc(65536);
      const t0 = Date.now();
      const sent = await flood(c.sock, zeros, { maxBytes: 50e6, stop: () => Date.now() - t0 > 8000 });
      await Promise.race([c.closed, sleep(Math.max(0, 8000 - (Date.now() - t0)))]);
      const t = c.closedInfo ? c.closedInfo.at - t0 : null;
      const reason = proxy.closeReason(c.localPort);
      c.end();
      if (t === null || t > CLOSE_QUICKLY_MS) ctx.problems.push(`(i) zero-length frames: ${t === null ? 'not closed within 8 s' : `closed after ${secs(t)}`} (${mb(sent)} sent)`);
      else if (reason === null || PEER_CLOSED.test(reason)) ctx.problems.push(`(i) zero-length frames: no reason of the proxy's logged (${reason ?? 'none'})`);
      parts.push(`(i) closed after ${t === null ? 'never' : secs(t)}, ${mb(sent)} sent`);
    }
    // (ii) 100 connections each announcing a 2 MiB handshake frame, then trickling.
    {
      const before = Date.now();
      const socks = await Promise.all(Array.from({ length: 100 }, () => rawSocket(proxy.port)));
      for (const s of socks) {
        s.sock.write(Buffer.concat([varint(2097151), Buffer.from([0x00])]));
        s.timer = setInterval(() => { if (!s.sock.destroyed) s.sock.write(Buffer.alloc(512, 0x41)); }, 200);
      }
      while (Date.now() - before < 4000 && socks.some((s) => s.closedAt === null)) await sleep(50);
      await sleep(300);  // a few more RSS samples
      for (const s of socks) {
        clearInterval(s.timer);
        if (s.closedAt === null) { s.gaveUp = true; s.sock.destroy(); }
      }
      const times = socks.map((s) => (s.gaveUp ? null : s.closedAt - s.openedAt));
      const open = times.filter((t) => t === null).length;
      const slow = times.filter((t) => t !== null && t > 1000).length;
      const peak = proxy.rssSince(before);
      if (open || slow) ctx.problems.push(`(ii) 2 MiB handshake frames: ${open} still open after 4 s, ${slow} closed after more than 1 s`);
      if (peak > RSS_LIMIT_KB) costProblem(ctx, `(ii) peak RSS ${kbToMb(peak)} (limit 64 MB)`);
      const closed = times.filter((t) => t !== null);
      parts.push(`(ii) ${closed.length}/100 refused, slowest ${closed.length ? secs(Math.max(...closed)) : 'n/a'}, RSS ${kbToMb(peak)}`);
    }
    // The honest player's figures end here: (iii) kills the proxy under it.
    await finish(ctx, { postMs: 500 });
    ctx.details = parts;
    return ctx;
  },
};

// (iii) of weak-points runs on its own proxy and database after the rest of
// the case: two players online (one idle, one looking 150 degrees down 20
// times a second, under the cancel-rate kick), SIGKILL, a restart on the same
// database: the sessions the killed proxy left open must be closed at start.
async function sigkillRestart(scene, ctx) {
  const backendPort = ctx.tap.port;
  const p1 = await scene.proxy(backendPort, [], 'killed');
  const looker = new RawClient({ port: p1.port, username: 'kill_pitch' });
  const idle = new RawClient({ port: p1.port, username: 'kill_idle' });
  await Promise.all([looker.connect(), idle.connect()]);
  await Promise.all([looker.login({ timeoutMs: 8000 }), idle.login({ timeoutMs: 8000 })]);
  let stop = false;
  const looking = (async () => {
    for (let i = 0; !stop && !looker.isClosed; i++) { looker.send(looker.ids.play.look, lookBody(i, PITCH)); await sleep(50); }
  })();
  await sleep(1500);
  p1.proc.kill('SIGKILL');
  await p1.proc.exitedP;
  stop = true;
  await looking;
  looker.end();
  idle.end();
  const openBefore = sql(p1.db, 'SELECT count(*) AS n FROM sessions WHERE end_ms IS NULL')[0].n;
  const pitchRows = sql(p1.db, "SELECT count(*) AS n FROM violations WHERE check_name = 'badpackets.pitch'")[0].n;
  const p2 = await scene.proxy(backendPort, [], 'restarted', { db: p1.db, port: p1.port, adminPort: p1.adminPort });
  await sleep(1500);
  const openAfter = sql(p1.db, 'SELECT count(*) AS n FROM sessions WHERE end_ms IS NULL')[0].n;
  const exit = await p2.term();
  const total = sql(p1.db, 'SELECT count(*) AS n FROM sessions')[0].n;
  if (openBefore === 0) ctx.problems.push(`(iii) no session was open in the database at the SIGKILL (${total} rows): the case did not exercise the restart`);
  if (openAfter > 0) ctx.problems.push(`(iii) ${openAfter} session row(s) without an end time after the restart (${openBefore} right after the SIGKILL)`);
  if (exit.killed) ctx.problems.push('(iii) the restarted rustguard did not stop on SIGTERM');
  ctx.details.push(`(iii) ${openBefore} open session(s) after SIGKILL (${pitchRows} pitch rows), ${openAfter} after the restart`);
}

// ---- running ------------------------------------------------------------------------

const only = args.only ? String(args.only).split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(CASES);
for (const n of only) if (!CASES[n]) usage(`unknown case ${n}; known: ${Object.keys(CASES).join(', ')}`);

// --parallel N: cases at once, each in its own scene (backend, tap, proxy,
// ports, folder). 1 by default, because the optimised build's limits include
// the honest player's round trip and the proxy's CPU, which another case's
// load would disturb. A sanitizer build asserts neither (SANITIZED), and
// ctest runs it two at a time there.
const parallel = Number(args.parallel ?? 1);
if (!Number.isInteger(parallel) || parallel < 1) usage('--parallel N: a whole number >= 1');

async function runCase(name) {
  const scene = new Scene(name);
  const t0 = Date.now();
  let ctx = null;
  let error = null;
  try {
    ctx = await withTimeout((async () => {
      const c = await CASES[name](scene);
      if (name === 'weak-points' && c && !c.skip) await sigkillRestart(scene, c);
      return c;
    })(), CASE_TIMEOUT_MS, name);
  } catch (e) {
    error = e;
  } finally {
    await scene.stop();
  }
  return { name, scene, ctx, error, took: secs(Date.now() - t0) };
}

const started = Date.now();
let failed = 0;
let skipped = 0;
console.log(`rustguard e2e hostile clients through ${proxyBin}, ${parallel} case(s) at a time; output in ${outRoot}`);
for (const { name, scene, ctx, error, took } of await mapAtMost(only, parallel, runCase)) {
  if (ctx?.skip) {
    skipped++;
    console.log(`SKIP ${name.padEnd(16)} ${took}  ${ctx.skip}`);
    continue;
  }
  const problems = error ? [error.message, ...(ctx?.problems ?? [])] : ctx.problems;
  const ok = problems.length === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name.padEnd(16)} ${took}  ${[...(ctx?.figures ?? []), ...(ctx?.common ?? [])].join(', ')}`);
  for (const d of ctx?.details ?? []) console.log(`    ${d}`);
  for (const n of ctx?.notes ?? []) console.log(`    note: ${n}`);
  for (const p of problems) console.log(`    PROBLEM ${p}`);
  if (!ok) console.log(`    logs: ${scene.dir}`);
}
const summary = `${only.length - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
console.log(`${summary} (${secs(Date.now() - started)})`);
killAll('SIGKILL');
if (failed === 0 && skipped === 0 && !args.out && !args.keep) rmSync(outRoot, { recursive: true, force: true });
// A skipped case is not a pass: 77 (ctest's SKIP_RETURN_CODE) when nothing failed but something was skipped.
process.exit(failed ? 1 : skipped ? 77 : 0);
