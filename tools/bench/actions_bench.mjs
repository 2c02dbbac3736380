#!/usr/bin/env node
// The actions benchmark (issue 13): does a webhook endpoint that hangs and an
// RCON server that is down cost the other players anything? rustguard-loadgen
// plays N players through rustguard, the first C of them cheaters
// (--cheaters: they attack their own entity every second, which
// badpackets.self_attack flags and cancels), under a punishment ladder that
// acts on every such flag (cooldown 0: an alert, a console command and a
// strike each time, and a `ban` command at 3 strikes). Three runs, one after
// the other, same load:
//
//   direct   the loadgen's players straight to its own backend (the floor:
//            what the loadgen and the backend cost by themselves)
//   off      rustguard with the ladder, rcon and webhook disabled (alerts are
//            log lines and rows, commands rows that say RCON is not enabled)
//   hanging  rustguard with the same ladder, webhook.enabled pointing at an
//            HTTPS URL on 127.0.0.1 whose server accepts the connection and
//            never answers (not even the TLS handshake), and rcon.enabled
//            pointing at a closed port on 127.0.0.1
//   hook, rcon  (not run unless asked, --modes direct,off,hook,rcon) one of
//            the two at a time: only the hanging webhook, only the dead RCON
//
// and prints the latency rustguard adds (that run's p50/p99/p99.9 minus the
// direct run's) both ways, with what the actions came to (ladder actions,
// webhook alerts dropped or waiting, RCON commands failed) so a run shows
// the outlets were really exercised. Not a ctest: a benchmark, not a timed
// test. Figures in docs/benchmarks.md ("Actions under a hanging webhook and a
// dead RCON").
//
//   tools/dev/setup.sh --bench && tools/dev/build.sh release
//   node tools/bench/actions_bench.mjs                       # 200 players, 20 cheaters, protocol 47, 30 s
//   node tools/bench/actions_bench.mjs --build build/hooks --players 200 --cheaters 20 --repeat 2

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, cpuSeconds, freePort, waitForPort, start, stop } from './lib/processes.mjs';
import { parseOptions } from './lib/options.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---- options ----------------------------------------------------------------
const args = parseOptions({
  players: 200,
  cheaters: 20,
  'cheat-every': 1,
  protocol: 47,
  duration: 30,
  modes: 'direct,off,hanging',
  repeat: 1,
  build: path.join(repo, 'build', 'release'),
  threads: 0,
  'loadgen-threads': 0,
  markdown: '',
  'keep-dir': false,
}, (m) => fail(m));
const modes = String(args.modes).split(',');
// What each proxied mode enables: the hanging webhook, the dead RCON.
const outlets = { off: { hook: false, rcon: false }, hanging: { hook: true, rcon: true }, hook: { hook: true, rcon: false }, rcon: { hook: false, rcon: true } };
for (const m of modes) if (m !== 'direct' && !outlets[m]) fail(`unknown mode ${m} (direct, off, hanging, hook, rcon)`);
const rustguardBin = path.join(args.build, 'tools', 'proxy', 'rustguard');
const loadgenBin = path.join(args.build, 'tools', 'loadgen', 'rustguard-loadgen');
for (const bin of [rustguardBin, loadgenBin]) if (!existsSync(bin)) fail(`${bin} is missing: tools/dev/build.sh release (or --build DIR)`);

function fail(message) {
  console.error(`actions_bench: ${message}`);
  process.exit(2);
}

// ---- helpers ----------------------------------------------------------------

// The hanging webhook: accepts every connection and never writes a byte, so
// libcurl waits in the TLS handshake until webhook.timeout each time.
function hangingServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    accepted: () => server._connectionsAccepted ?? NaN,
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
    server,
  })));
}

// config.yml without its punishments, rcon and webhook sections (top-level
// blocks), so the checks are the repository's and the actions are this
// bench's.
function baseConfig() {
  const out = [];
  let skipping = false;
  for (const line of readFileSync(path.join(repo, 'config.yml'), 'utf8').split('\n')) {
    const top = /^([A-Za-z_]+):/.exec(line);
    if (top) skipping = ['punishments', 'rcon', 'webhook'].includes(top[1]);
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}

// The ladder: every self-attack flag (VL >= 1, cooldown 0) is an alert, a
// console command and a strike; the 3rd strike also a `ban` command.
function actionsConfig({ hanging, deadRcon, webhookPort, rconPort }) {
  return [
    '',
    'punishments:',
    '  strike_expiry: 1h',
    '  server_name: bench',
    '  groups:',
    '    bench:',
    "      checks: ['badpackets.self_attack']",
    '      cooldown: 0',
    '      steps:',
    '        - vl: 1',
    '          strike: true',
    '          do:',
    "            - alert: '%player% attacked itself (%check%, VL %vl%)'",
    "            - command: 'say %player% cheats: %check% at VL %vl%'",
    '        - strikes: 3',
    '          do:',
    "            - command: 'ban %player% (%group%)'",
    'rcon:',
    `  enabled: ${deadRcon}`,
    `  port: ${rconPort}`,
    "  password: 'bench'",
    '  connect_timeout: 2s',
    'webhook:',
    `  enabled: ${hanging}`,
    `  url: 'https://127.0.0.1:${webhookPort}/hook'`,
    '  interval: 1s',
    '',
  ].join('\n');
}

// Sum of every series of a metric in rustguard's /metrics text (NaN when absent).
function metric(text, name, labels = '') {
  let sum = NaN;
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    if (labels && !(m[1] ?? '').includes(labels)) continue;
    sum = (Number.isNaN(sum) ? 0 : sum) + Number(m[2]);
  }
  return sum;
}

function quantile(xs, q) {
  if (!xs.length) return NaN;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * a.length))];
}

// ---- one run ----------------------------------------------------------------
async function runOnce(mode, dir) {
  const backendPort = await freePort();
  const proxyPort = mode === 'direct' ? backendPort : await freePort();
  let proxy = null;
  let hook = null;
  let database = null;
  let adminPort = 0;
  if (mode !== 'direct') {
    const { hook: hanging, rcon: deadRcon } = outlets[mode];
    hook = hanging ? await hangingServer() : null;
    const rconPort = await freePort();  // nothing listens there
    database = path.join(dir, `rustguard-${mode}.db`);
    rmSync(database, { force: true });
    const config = path.join(dir, `config-${mode}.yml`);
    writeFileSync(config, baseConfig() + actionsConfig({ hanging, deadRcon, webhookPort: hook?.port ?? 9, rconPort }));
    proxy = start(rustguardBin, [
      '--config', config,
      '--set', `listen=127.0.0.1:${proxyPort}`,
      '--set', `backend=127.0.0.1:${backendPort}`,
      '--set', `admin=127.0.0.1:${(adminPort = await freePort())}`,
      '--set', `database=${database}`,
      '--set', `threads=${args.threads}`,
      '--set', 'log_level=warn',
      '--set', 'connections.max_connections=20000',
      '--set', 'connections.per_ip_rate=100000',
      '--set', 'connections.per_ip_burst=100000',
    ], path.join(dir, `rustguard-${mode}.log`));
    await waitForPort(proxyPort);
  }

  const ramp = Math.max(3, Math.ceil(args.players / 400));
  const loadgen = start(loadgenBin, [
    '--target', `127.0.0.1:${proxyPort}`, '--backend-listen', String(backendPort),
    '--players', String(args.players), '--protocol', String(args.protocol), '--duration', String(args.duration),
    '--ramp', String(ramp), '--threads', String(args['loadgen-threads']),
    '--cheaters', String(args.cheaters), '--cheat-every', String(args['cheat-every']),
    '--json',
  ], path.join(dir, `loadgen-${mode}.log`));

  const lagSamples = [];
  let cpu0 = NaN;
  let cpu1 = NaN;
  let t0 = 0;
  let t1 = 0;
  if (proxy) {
    await Promise.race([sleep((ramp + 1) * 1000), loadgen.done]);
    cpu0 = cpuSeconds(proxy.pid);
    t0 = Date.now();
    // The io threads' own lateness (rustguard_event_loop_lag_seconds: the
    // worst thread's probe lag, remembered for a second) four times a second:
    // a stall of an io thread shows here whatever the loadgen's noise.
    const windowEnd = t0 + (args.duration - 1) * 1000;
    while (Date.now() < windowEnd && loadgen.exitCode === null) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
        const lag = metric(text, 'rustguard_event_loop_lag_seconds');
        if (Number.isFinite(lag)) lagSamples.push(lag * 1e6);
      } catch { /* the sample is missing */ }
      await sleep(250);
    }
    cpu1 = cpuSeconds(proxy.pid);
    t1 = Date.now();
  }
  const lg = await loadgen.done;
  let metrics = '';
  if (adminPort) {
    try { metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text(); } catch { metrics = ''; }
  }
  const stopStarted = Date.now();
  const exit = proxy ? await stop(proxy, 10000) : null;
  const stopMs = Date.now() - stopStarted;
  const hookConnections = hook ? await new Promise((r) => hook.server.getConnections((e, n) => r(e ? NaN : n))) : NaN;
  hook?.close();

  const jsonLine = lg.out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!jsonLine) throw new Error(`${mode}: the loadgen printed no JSON (exit ${lg.code}); see ${dir}`);
  const report = JSON.parse(jsonLine);
  const rows = {};
  if (database) {
    try {
      const out = execFileSync('sqlite3', [database,
        "SELECT action || CASE WHEN result LIKE 'failed:%' THEN ' failed' ELSE '' END, count(*) FROM actions GROUP BY 1;"]).toString();
      for (const line of out.trim().split('\n')) {
        const [k, n] = line.split('|');
        if (k) rows[k] = Number(n);
      }
      rows.violations = Number(execFileSync('sqlite3', [database, 'SELECT coalesce(sum(count), 0) FROM violations;']).toString().trim());
    } catch { /* counted as missing */ }
  }
  return {
    mode, report, rows, exit, stopMs, hookConnections,
    lagMedianUs: quantile(lagSamples, 0.5), lagMaxUs: lagSamples.length ? Math.max(...lagSamples) : NaN,
    cpuPercent: proxy ? (100 * (cpu1 - cpu0)) / ((t1 - t0) / 1000) : NaN,
    m: {
      ladderAlerts: metric(metrics, 'rustguard_ladder_actions_total', 'kind="alert"'),
      ladderCommands: metric(metrics, 'rustguard_ladder_actions_total', 'kind="command"'),
      strikes: metric(metrics, 'rustguard_ladder_actions_total', 'kind="strike"'),
      rconFailed: metric(metrics, 'rustguard_rcon_commands_total', 'outcome="failed"'),
      rconConnectFailures: metric(metrics, 'rustguard_rcon_connect_failures_total'),
      rconQueue: metric(metrics, 'rustguard_rcon_queue'),
      webhookSent: metric(metrics, 'rustguard_webhook_messages_total', 'outcome="sent"'),
      webhookFailed: metric(metrics, 'rustguard_webhook_messages_total', 'outcome="failed"'),
      webhookDropped: metric(metrics, 'rustguard_webhook_alerts_dropped_total'),
      webhookWaiting: metric(metrics, 'rustguard_webhook_alerts_waiting'),
    },
  };
}

// ---- the table ----------------------------------------------------------------
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const lat = (r, dir, p) => r.report[dir]?.latency_us?.[p];

function latencyCell(r, direct, dir) {
  const ps = ['p50', 'p99', 'p999'];
  if (r.mode === 'direct') return `(${ps.map((p) => fmt(lat(r, dir, p))).join(' / ')} µs)`;
  const added = (p) => (direct && Number.isFinite(lat(r, dir, p)) && Number.isFinite(lat(direct, dir, p))
    ? lat(r, dir, p) - lat(direct, dir, p) : NaN);
  return `${ps.map((p) => fmt(added(p))).join(' / ')} µs`;
}

function actionsCell(r) {
  const reasons = { ...r.report.failed_login_reasons, ...r.report.play_disconnect_reasons };
  const why = Object.keys(reasons).length ? `; ${Object.entries(reasons).map(([k, n]) => `${n} × ${k}`).join(', ')}` : '';
  if (r.mode === 'direct') return why ? why.slice(2) : '–';
  const m = r.m;
  const parts = [`${fmt(r.rows.violations)} violations`, `ladder ${fmt(m.ladderAlerts)} alerts, ${fmt(m.ladderCommands)} commands, ${fmt(m.strikes)} strikes`];
  const failedCommands = r.rows['command failed'] ?? 0;
  parts.push(`command rows ${fmt((r.rows.command ?? 0) + failedCommands)} (${fmt(failedCommands)} failed)`);
  if (outlets[r.mode].hook) {
    parts.push(`webhook ${fmt(m.webhookSent)} sent, ${fmt(m.webhookFailed)} failed, ${fmt(m.webhookDropped)} alerts dropped, ${fmt(m.webhookWaiting)} waiting`);
  }
  if (outlets[r.mode].rcon) {
    parts.push(`RCON ${fmt(m.rconFailed)} commands failed, ${fmt(m.rconConnectFailures)} connect failures, queue ${fmt(m.rconQueue)}`);
  }
  return parts.join('; ') + why;
}

function row(r, direct) {
  const lg = r.report;
  return `| ${r.mode} | ${lg.players_requested} (${args.cheaters} cheating) | ${latencyCell(r, direct, 'serverbound')} | ${latencyCell(r, direct, 'clientbound')} | ` +
    `${r.mode === 'direct' ? '–' : `${fmt(r.cpuPercent, 1)} %`} | ${r.mode === 'direct' ? '–' : `${fmt(r.lagMedianUs / 1000, 1)} / ${fmt(r.lagMaxUs / 1000, 1)} ms`} | ${lg.logged_in} / ${lg.failed_logins} / ${lg.play_disconnects} | ` +
    `${lg.serverbound.lost + lg.clientbound.lost} / ${lg.serverbound.mismatches + lg.clientbound.mismatches} | ` +
    `${r.mode === 'direct' ? '–' : `${(r.stopMs / 1000).toFixed(1)} s (exit ${r.exit?.code ?? r.exit?.signal})`} | ${actionsCell(r)} |`;
}

const header = [
  '| mode | players | added latency ↑ serverbound p50 / p99 / p99.9 | added latency ↓ clientbound p50 / p99 / p99.9 | proxy CPU (% of one core) | io loop lag, median / max of samples | logged in / failed / kicked | lost / mismatched | proxy stop | actions |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

// ---- main -------------------------------------------------------------------
const dir = mkdtempSync(path.join(os.tmpdir(), 'rustguard-actions-bench-'));
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}`;
console.log(`# actions bench: ${args.players} players (${args.cheaters} self-attacking every ${args['cheat-every']} s), protocol ${args.protocol}, ` +
  `${args.duration} s of play per run; ${machine}`);
console.log(`# logs and databases: ${dir}`);
const lines = [...header];
const addedByMode = {};  // mode -> direction -> percentile -> [added, one per repetition]
for (let rep = 0; rep < args.repeat; ++rep) {
  const results = {};
  // Every other repetition runs the proxied modes in reverse order, so a
  // drift of the machine's load over the run does not always favour one.
  const order = rep % 2 ? [...modes.filter((m) => m === 'direct'), ...modes.filter((m) => m !== 'direct').reverse()] : modes;
  for (const mode of order) {
    process.stderr.write(`actions_bench: ${mode}${args.repeat > 1 ? `, run ${rep + 1}` : ''}...\n`);
    try {
      results[mode] = await runOnce(mode, dir);
    } catch (e) {
      process.stderr.write(`actions_bench: ${mode}: ${e.message}\n`);
    }
    await sleep(2000);  // TIME_WAIT sockets and the kernel's backlog settle
  }
  for (const mode of modes) {
    if (!results[mode]) continue;
    const line = row(results[mode], results.direct);
    lines.push(line);
    console.log(line);
    if (mode === 'direct' || !results.direct) continue;
    for (const dir of ['serverbound', 'clientbound']) {
      for (const p of ['p50', 'p99', 'p999']) {
        const v = lat(results[mode], dir, p) - lat(results.direct, dir, p);
        if (Number.isFinite(v)) ((addedByMode[mode] ??= {})[dir] ??= {})[p] = [...(addedByMode[mode]?.[dir]?.[p] ?? []), v];
      }
    }
  }
}
// With repetitions: the median of each added figure over them, per mode
// (each repetition's figure against its own direct run).
if (args.repeat > 1) {
  const median = (xs) => { const a = [...xs].sort((x, y) => x - y); return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2; };
  for (const mode of modes) {
    const m = addedByMode[mode];
    if (!m) continue;
    const cell = (dir) => `${['p50', 'p99', 'p999'].map((p) => fmt(m[dir]?.[p]?.length ? median(m[dir][p]) : NaN)).join(' / ')} µs`;
    const line = `| ${mode}, median of ${m.serverbound?.p50?.length ?? 0} | | ${cell('serverbound')} | ${cell('clientbound')} | | | | | | |`;
    lines.push(line);
    console.log(line);
  }
}
console.log('');
console.log(lines.join('\n'));
if (args.markdown) writeFileSync(args.markdown, `${lines.join('\n')}\n`);
if (!args['keep-dir']) rmSync(dir, { recursive: true, force: true });
