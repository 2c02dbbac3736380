// What the Node benchmark scripts (load_bench.mjs, actions_bench.mjs) share:
// child processes with their output kept for a log, free loopback ports,
// waiting for a listener, and a process's CPU time and memory from /proc.

import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

// A /proc stat file's name and its user and system CPU seconds (utime, stime).
function statTimes(file) {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    user: Number(fields[11]) / ticksPerSecond,
    sys: Number(fields[12]) / ticksPerSecond,
  };
}

// User + system CPU seconds of `pid` so far (NaN once it is gone).
export function cpuSeconds(pid) {
  try {
    const t = statTimes(`/proc/${pid}/stat`);
    return t.user + t.sys;
  } catch { return NaN; }
}

// User and system CPU seconds of each of `pid`'s threads so far, summed by
// thread name, with the time they spent runnable but waiting for a core and
// how many times they were put on one (/proc/<pid>/task/<tid>/schedstat:
// the scheduler's own accounting) ({name: {user, sys, waitS, slices}}; {}
// once it is gone). Read twice per run
// (at the start and the end of the measured window), never in a loop: a
// once-a-second sampler over /proc beside the load bench disturbed the runs
// it watched (docs/benchmarks.md, "A control: HAProxy against itself").
export function threadCpuSeconds(pid) {
  const out = {};
  let tids = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const tid of tids) {
    try {
      const { name, user, sys } = statTimes(`/proc/${pid}/task/${tid}/stat`);
      const t = (out[name] ??= { user: 0, sys: 0, waitS: 0, slices: 0 });
      t.user += user;
      t.sys += sys;
      const [, waitNs, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
      t.waitS += waitNs / 1e9;
      t.slices += slices;
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

// Resident and peak resident memory of `pid`, KiB.
export function memoryKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => Number((status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1] || NaN);
    return { rss: get('VmRSS'), hwm: get('VmHWM') };
  } catch { return { rss: NaN, hwm: NaN }; }
}

// A port free a moment ago that this process has not handed out before (the
// OS may pick a port it just released again, and two of the bench's ports
// would then be one).
const portsHandedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => { const { port: p } = s.address(); s.close(() => resolve(p)); });
      s.on('error', reject);
    });
    if (!portsHandedOut.has(port)) {
      portsHandedOut.add(port);
      return port;
    }
  }
}

export async function waitForPort(port, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

// Starts `cmd`; `child.done` resolves with {code, signal, out} at exit, when
// its output also goes to `logFile` (if given).
export function start(cmd, argv, logFile) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  child.done = new Promise((resolve) => child.on('exit', (code, signal) => {
    if (logFile) writeFileSync(logFile, out);
    resolve({ code, signal, out });
  }));
  return child;
}

// SIGTERM, then SIGKILL after `graceMs`.
export async function stop(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.done;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const r = await child.done;
  clearTimeout(t);
  return r;
}
