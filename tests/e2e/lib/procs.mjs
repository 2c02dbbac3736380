// Child processes for run.mjs: every child is registered so that all of them
// die with the harness (normal exit, failure, timeout, Ctrl-C).

import { fork, spawn } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { metricSample } from './metrics.mjs';

const children = new Set();

function register(proc, name) {
  proc.e2eName = name;
  children.add(proc);
  proc.exitedP = new Promise((resolve) => proc.once('exit', (code, signal) => {
    children.delete(proc);
    proc.exitInfo = { code, signal };
    resolve(proc.exitInfo);
  }));
  return proc;
}

export function killAll(signal = 'SIGKILL') {
  for (const proc of children) {
    try { proc.kill(signal); } catch {}
  }
}

let installed = false;
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nrun.mjs: ${sig}, killing ${children.size} child process(es)\n`);
      killAll('SIGKILL');
      process.exit(130);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`run.mjs: uncaught ${e?.stack ?? e}\n`);
    killAll('SIGKILL');
    process.exit(2);
  });
}

function pipeTo(proc, logPath) {
  const out = createWriteStream(logPath);
  proc.stdout?.pipe(out, { end: false });
  proc.stderr?.pipe(out, { end: false });
  proc.once('exit', () => setTimeout(() => out.end(), 50));
}

// A Node child with an IPC channel; output goes to logPath.
export function forkNode(script, args, logPath, name) {
  const proc = fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  pipeTo(proc, logPath);
  return register(proc, name);
}

export function spawnBinary(bin, args, logPath, name) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  pipeTo(proc, logPath);
  proc.on('error', () => {}); // reported through exitedP / the caller's wait
  return register(proc, name);
}

// Resolves with the first IPC message of `type`; rejects if the child exits
// first or the timeout passes.
export function waitMessage(proc, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${proc.e2eName}: no '${type}' within ${timeoutMs} ms`)); }, timeoutMs);
    const onMessage = (m) => { if (m?.type === type) { cleanup(); resolve(m); } };
    const onExit = (code, signal) => { cleanup(); reject(new Error(`${proc.e2eName} exited (code ${code}, signal ${signal}) before '${type}'`)); };
    const cleanup = () => { clearTimeout(timer); proc.off('message', onMessage); proc.off('exit', onExit); };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

// Waits for exit; after graceMs sends SIGKILL. Resolves with {code, signal, killed}.
export async function stopProcess(proc, { signal = 'SIGTERM', graceMs = 5000 } = {}) {
  if (proc.exitInfo) return { ...proc.exitInfo, killed: false };
  try { proc.kill(signal); } catch {}
  let timer;
  const killed = await Promise.race([
    proc.exitedP.then(() => false),
    new Promise((resolve) => { timer = setTimeout(() => resolve(true), graceMs); }),
  ]);
  clearTimeout(timer);
  if (killed) {
    try { proc.kill('SIGKILL'); } catch {}
    await proc.exitedP;
  }
  return { ...proc.exitInfo, killed };
}

// Runs `fn(item)` for every item, at most `parallel` at a time, and
// resolves with the results in the items' order (a suite's report then
// reads the same whatever finished first).
export async function mapAtMost(items, parallel, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}

// A port that was free a moment ago on 127.0.0.1 (the OS picks it), and
// that this process has not handed out before: the OS may pick a port it
// just released again, and a suite that asks twice in a row (a listen and an
// admin port) once got the same one twice (rustguard then could not bind
// its admin port, detection.mjs, 2026-12-05).
const portsHandedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!portsHandedOut.has(port)) {
      portsHandedOut.add(port);
      return port;
    }
  }
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

// Polls until something accepts TCP on the port, the process exits, or timeout.
export async function waitForPort(port, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitInfo) throw new Error(`${proc.e2eName} exited (code ${proc.exitInfo.code}, signal ${proc.exitInfo.signal}) before listening on ${port}`);
    if (await tryConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${proc.e2eName}: nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export function httpGet(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ error: 'timeout' }); });
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
  });
}

// How far the proxy's clock (rustguard_clock_milliseconds, which stamps the
// rows' time_ms) is ahead of this process's Date.now(), measured now through
// the admin address `admin` (host:port); null when /metrics does not say.
// The proxy's clock is monotonic since its start and the host's wall clock
// may be stepped meanwhile (a CI host's time sync moved it ~600 ms within one
// run), so a moment taken with Date.now() meets the rows only after adding this.
export async function proxyClockOffset(admin) {
  const before = Date.now();
  const r = await httpGet(`http://${admin}/metrics`, 2000);
  const after = Date.now();
  const clock = r.status === 200 ? metricSample(r.body, 'rustguard_clock_milliseconds') : null;
  return clock === null ? null : Math.round(clock - (before + after) / 2);
}

// The end of a per-version suite (combat, detection, model): runs
// `runVersion(v)` for each version in turn (each resolves to {ok, notes,
// problems, ms, dir}), prints PASS/FAIL with notes and problems, kills what
// is left, removes `outRoot` when all passed and `keep` is false, and exits
// 0 or 1.
export async function runVersionsAndExit(versions, runVersion, { outRoot, keep = false }) {
  const started = Date.now();
  let failed = 0;
  for (const v of versions) {
    const r = await runVersion(v);
    console.log(`${r.ok ? 'PASS' : 'FAIL'} ${v.padEnd(8)} ${(r.ms / 1000).toFixed(1)} s`);
    for (const n of r.notes) console.log(`    ${n}`);
    for (const p of r.problems) console.log(`    PROBLEM ${p}`);
    if (!r.ok) { failed++; console.log(`    logs and database: ${r.dir}`); }
  }
  console.log(`${versions.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  killAll('SIGKILL');
  if (failed === 0 && !keep) rmSync(outRoot, { recursive: true, force: true });
  process.exit(failed === 0 ? 0 : 1);
}
