#!/usr/bin/env node
// End-to-end test: real Minecraft servers and real mineflayer bots talking
// through the rustguard proxy. For each version: start a backend, start
// rustguard in front of it, let two bots play through the proxy, then check
// that every packet arrived unchanged, in order, on the other side.
//
//   node tests/e2e/run.mjs --proxy build/tools/proxy/rustguard [--versions 1.8.8,26.1]
//
// Options:
//   --proxy PATH       rustguard binary (required unless --direct)
//   --versions LIST    comma-separated, default: all of VERSIONS below
//   --direct           bots connect straight to the backend (checks the harness itself)
//   --play-ms N        length of each bot's action script (default 4000)
//   --parallel N       versions at once (default 3; 1 = one after the other)
//   --out DIR          keep recordings and logs here (default: a temp dir, deleted on success)
//   --keep             keep the temp dir even on success
//   --require-metrics  fail a version if GET /metrics on the admin port does not answer 200
//   --exact            compare without setting aside the proxy's own transactions
//                      (their negative-id pings and the pongs answering them)
//   --sanitized        the proxy is a sanitizer build: it does not refuse logins
//                      for event-loop lag (under ThreadSanitizer one io thread
//                      ran 573 ms late at a login in CI, 2026-12-03, and
//                      refused the second bot; admission is not what this checks)
// Exit code: 0 if every version passed, 1 otherwise, 2 on a usage error.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled } from './lib/deps.mjs';
import { compareRecordings } from './lib/compare.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, httpGet, killAll, mapAtMost,
} from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

// Which backend serves which version. flying-squid 1.12.0 serves 1.8.8 -
// 1.21.4; newer versions use the small minecraft-protocol server.
const VERSIONS = {
  '1.8.8': 'squid',
  '1.12.2': 'squid',
  '1.20.4': 'squid',
  '1.21.4': 'squid',
  '1.21.11': 'small',
  '26.1': 'small',
};
const BACKENDS = { squid: 'backend_squid.mjs', small: 'backend_small.mjs' };
const VERSION_TIMEOUT_MS = 60000;

function usage(message) {
  process.stderr.write(`run.mjs: ${message}\nusage: node tests/e2e/run.mjs --proxy PATH [--versions 1.8.8,26.1] [--direct] [--out DIR] [--keep]\n`);
  process.exit(2);
}

const args = parseArgs();
if (args.help) usage('help');
const direct = Boolean(args.direct);
const proxyBin = args.proxy ? resolve(String(args.proxy)) : null;
if (!direct) {
  if (!proxyBin) usage('--proxy PATH is required (or --direct)');
  try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
}
const versions = args.versions ? String(args.versions).split(',').map((v) => v.trim()).filter(Boolean) : Object.keys(VERSIONS);
for (const v of versions) if (!VERSIONS[v]) usage(`unknown version ${v}; known: ${Object.keys(VERSIONS).join(', ')}`);
const playMs = Number(args['play-ms'] ?? 4000);
const parallel = Number(args.parallel ?? 3);
if (!Number.isInteger(parallel) || parallel < 1) usage('--parallel N: a whole number >= 1');
try { checkInstalled(); } catch (e) { usage(e.message); }

installCleanup();
const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-'));
mkdirSync(outRoot, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(path, lines = 15) {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).map((l) => `    | ${l}`).join('\n');
  } catch { return '    | (no log)'; }
}

function proxyConfig({ listen, backend, admin, database }) {
  // Every key is also a documented config.yml key; see config.yml.
  return [
    '# written by tests/e2e/run.mjs',
    `listen: '${listen}'`,
    `backend: '${backend}'`,
    `admin: '${admin}'`,
    `database: '${database}'`,
    'threads: 2',
    'log_level: info',
    ...(args.sanitized ? ['connections:', '  refuse_logins_lag_ms: 0'] : []),
    '',
  ].join('\n');
}

async function runVersion(version) {
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const files = {
    serverRec: join(dir, 'server.json'), botsRec: join(dir, 'bots.json'),
    serverLog: join(dir, 'backend.log'), proxyLog: join(dir, 'proxy.log'), botsLog: join(dir, 'bots.log'),
    config: join(dir, 'config.yml'), metrics: join(dir, 'metrics.txt'),
  };
  const result = { version, ok: false, problems: [], notes: [], dir };
  let backend; let proxy; let bots;
  try {
    // 1. Backend on an OS-chosen port.
    backend = forkNode(join(here, BACKENDS[VERSIONS[version]]),
      ['--version', version, '--port', '0', '--record', files.serverRec], files.serverLog, `backend ${version}`);
    const { port: backendPort } = await waitMessage(backend, 'ready', 30000);

    // 2. rustguard in front of it.
    let botPort = backendPort;
    let adminAddr = null;
    if (!direct) {
      const listenPort = await freePort();
      const adminPort = await freePort();
      adminAddr = `127.0.0.1:${adminPort}`;
      writeFileSync(files.config, proxyConfig({
        listen: `127.0.0.1:${listenPort}`, backend: `127.0.0.1:${backendPort}`, admin: adminAddr,
        database: join(dir, 'rustguard.db'),
      }));
      proxy = spawnBinary(proxyBin, ['--config', files.config], files.proxyLog, `rustguard ${version}`);
      await waitForPort(listenPort, proxy, 10000);
      botPort = listenPort;
    }

    // 3. Bots through the proxy; /metrics fetched while they are online.
    bots = forkNode(join(here, 'bots.mjs'), ['--version', version, '--host', '127.0.0.1', '--port', String(botPort),
      '--names', 'e2e_a,e2e_b', '--record', files.botsRec, '--play-ms', String(playMs)], files.botsLog, `bots ${version}`);
    let metrics = null;
    // /players is polled until both bots are listed (a loaded machine can
    // take seconds to log them in), then /metrics is read once.
    const listsBoth = (answer) => {
      try {
        const names = JSON.parse(answer.body ?? '[]').map((p) => p.name);
        return names.includes('e2e_a') && names.includes('e2e_b');
      } catch { return false; }
    };
    const metricsP = adminAddr ? (async () => {
      await sleep(1000);
      const until = Date.now() + playMs + 8000;
      let players = await httpGet(`http://${adminAddr}/players`, 2000);
      while (!listsBoth(players) && Date.now() < until) {
        await sleep(250);
        players = await httpGet(`http://${adminAddr}/players`, 2000);
      }
      return { players, metrics: await httpGet(`http://${adminAddr}/metrics`, 2000) };
    })() : null;
    const done = await waitMessage(bots, 'done', VERSION_TIMEOUT_MS - 5000);
    if (metricsP) {
      const admin = await metricsP;
      metrics = admin.metrics;
      if (metrics.status === 200) writeFileSync(files.metrics, metrics.body);
      const desc = metrics.status ? `HTTP ${metrics.status}` : metrics.error;
      result.notes.push(`metrics: ${desc}`);
      if (args['require-metrics'] && metrics.status !== 200) result.problems.push(`GET http://${adminAddr}/metrics during the session: ${desc}`);
      // The operators' index lists both bots while they play.
      if (args['require-metrics']) {
        let listed = [];
        try { listed = JSON.parse(admin.players.body ?? '[]').map((p) => p.name); } catch { listed = []; }
        for (const name of ['e2e_a', 'e2e_b']) {
          if (!listed.includes(name)) result.problems.push(`GET /players during the session does not list ${name}: ${admin.players.body ?? admin.players.error}`);
        }
      }
    }
    await bots.exitedP;
    if (!done.ok) result.problems.push(`bots did not complete their script (see ${files.botsLog}):\n${tail(files.botsLog)}`);

    // 4. Stop the backend (it writes its recording), then the proxy.
    backend.send({ type: 'stop' });
    const bExit = await stopProcess(backend, { signal: 'SIGTERM', graceMs: 5000 });
    if (bExit.killed) result.problems.push('backend did not exit after stop; killed');
    if (proxy) {
      const pExit = await stopProcess(proxy, { signal: 'SIGTERM', graceMs: 5000 });
      // SIGTERM is a clean stop: anything else (a sanitizer's exit code, a
      // crash, a hang) fails the version.
      if (pExit.killed) result.problems.push('proxy ignored SIGTERM for 5 s (killed)');
      else if (pExit.code !== 0) result.problems.push(`proxy exit code ${pExit.code ?? pExit.signal} after SIGTERM`);
    }

    // 5. Compare.
    if (!existsSync(files.serverRec)) throw new Error(`backend wrote no recording (${files.serverRec})`);
    if (!existsSync(files.botsRec)) throw new Error(`bots wrote no recording (${files.botsRec})`);
    const server = JSON.parse(readFileSync(files.serverRec, 'utf8'));
    const botRec = JSON.parse(readFileSync(files.botsRec, 'utf8'));
    // Through rustguard the bots also see the proxy's own transactions
    // (lag compensation); --direct has none to drop.
    const { problems, stats } = compareRecordings(botRec, server, { proxyTransactions: !direct && !args['exact'] });
    result.problems.push(...problems);
    result.stats = stats;
  } catch (e) {
    result.problems.push(e.message);
    for (const [what, path] of [['backend', files.serverLog], ['proxy', files.proxyLog], ['bots', files.botsLog]]) {
      if (existsSync(path)) result.problems.push(`${what} log tail (${path}):\n${tail(path)}`);
    }
  } finally {
    for (const p of [bots, backend, proxy]) if (p && !p.exitInfo) await stopProcess(p, { graceMs: 2000 });
  }
  result.ms = Date.now() - started;
  result.ok = result.problems.length === 0;
  return result;
}

const runStarted = Date.now();
let passed = 0;
let failed = 0;
const mode = direct ? 'direct (no proxy)' : `through ${proxyBin}`;
console.log(`rustguard e2e: ${versions.join(', ')} ${mode}, ${parallel} at a time; recordings in ${outRoot}`);
// Versions run side by side (each its own backend, proxy, ports and folder):
// nothing here is timed, and the comparison is per packet, so a busier
// machine only makes a version slower. Reported in the order asked.
for (const r of await mapAtMost(versions, parallel, runVersion)) {
  const s = r.stats;
  const txn = s?.proxyTransactions ? `, ${s.proxyTransactions} proxy transactions set aside` : '';
  const figures = s ? `${s.players} players, ${s.serverbound} serverbound + ${s.clientbound} clientbound packets matched${txn}` : 'no comparison';
  const notes = r.notes.length ? `; ${r.notes.join('; ')}` : '';
  console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.version.padEnd(8)} ${(r.ms / 1000).toFixed(1)} s  ${VERSIONS[r.version]} backend, ${figures}${notes}`);
  if (!r.ok) {
    failed++;
    for (const p of r.problems) console.log(p.split('\n').map((l) => `    ${l}`).join('\n'));
    console.log(`    recordings and logs: ${r.dir}`);
  } else {
    passed++;
  }
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - runStarted) / 1000).toFixed(1)} s)`);
killAll('SIGKILL');
if (failed === 0 && !args.out && !args.keep) rmSync(outRoot, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
