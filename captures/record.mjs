#!/usr/bin/env node
// Regenerates the regression captures in captures/: for each scenario below it
// starts a real server (tests/e2e's flying-squid or minecraft-protocol
// backend), starts tcpdump on lo for that server's port, lets real mineflayer
// bots play (tests/e2e/bots.mjs for honest play, captures/cheat_bots.mjs for
// the cheats, captures/combat_bots.mjs for fights), then stops tcpdump and
// writes <name>.pcap. The expectations
// files (<name>.expect) are hand-written and not touched.
//
//   node captures/record.mjs [--only honest-1.8.8,speed-1.21.4] [--proxy build/tools/proxy/rustguard]
//
// Needs root (tcpdump on lo), tests/node/node_modules (npm ci in tests/node),
// and for the two-sided scenario the rustguard binary (--proxy; default
// build/gcc/tools/proxy/rustguard). Captures are ~20-200 KB each.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../tests/e2e/lib/child.mjs';
import { checkInstalled } from '../tests/e2e/lib/deps.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, killAll,
} from '../tests/e2e/lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const e2e = resolve(here, '../tests/e2e');
const BACKEND = (version) => (['1.21.11', '26.1'].includes(version) ? 'backend_small.mjs' : 'backend_squid.mjs');

// Combat captures: name prefix -> the fighters (captures/combat_bots.mjs
// roles) and how many target players stand there (killaura needs two).
const ABBR = { honest: 'hon', killaura: 'ka', autoclick: 'ac', autoclick_random: 'acr', reach: 'rch', reach31: 'r31', aimbot: 'aim', behind: 'bhd' };
const COMBAT = {
  'combat-honest': { roles: ['honest'], targets: 1 },
  killaura: { roles: ['killaura'], targets: 2 },
  autoclick: { roles: ['autoclick', 'autoclick_random'], targets: 1 },
  reach: { roles: ['reach'], targets: 1 },
  // 3.1 blocks eye to box: out of reach on 1.21.4 and 26.1, within 1.8's margins.
  reach31: { roles: ['reach31'], targets: 1, fightMs: 6000 },
  aimbot: { roles: ['aimbot'], targets: 1 },
  behind: { roles: ['behind'], targets: 1 },
};

// name -> what runs. Player names are <= 16 characters.
const SCENARIOS = [
  ...['1.8.8', '1.12.2', '1.20.4', '1.21.4', '1.21.11', '26.1'].map((v) => ({
    name: `honest-${v}`, version: v, kind: 'honest', names: [`h${v.replaceAll('.', '')}_a`, `h${v.replaceAll('.', '')}_b`],
  })),
  { name: 'honest-1.20.4-proxy', version: '1.20.4', kind: 'honest', names: ['px_a', 'px_b'], proxy: true },
  ...['speed', 'fly', 'timer', 'nofall', 'pitch', 'teleport', 'place'].flatMap((cheat) => ['1.8.8', '1.21.4'].map((v) => ({
    name: `${cheat}-${v}`, version: v, kind: 'cheat', cheat, prefix: `${cheat.slice(0, 4)}${v.replaceAll('.', '')}`,
  }))),
  // Combat (combat_bots.mjs): fighters against target players that stand
  // still (flying-squid without PvP damage, so nobody is knocked away).
  ...Object.entries(COMBAT).flatMap(([what, { roles, targets, fightMs = 3000 }]) => ['1.8.8', '1.21.4', '26.1'].map((v) => ({
    name: `${what}-${v}`, version: v, kind: 'combat', roles, targets, fightMs,
    prefix: `${what.replace('combat-', '').slice(0, 3)}${v.replaceAll('.', '')}`,
  }))),
];

const args = parseArgs();
const only = args.only ? new Set(String(args.only).split(',')) : null;
const proxyBin = resolve(String(args.proxy ?? 'build/gcc/tools/proxy/rustguard'));
const outDir = resolve(String(args.out ?? here));
checkInstalled();
installCleanup();
const tmp = mkdtempSync(join(tmpdir(), 'rustguard-captures-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// tcpdump on lo for one port; resolves once it is listening.
function startTcpdump(file, port) {
  // --immediate-mode: without it tcpdump exits on SIGINT before reading what
  // libpcap still buffers (up to a second), and the capture loses its end.
  const proc = spawn('tcpdump', ['-i', 'lo', '-U', '--immediate-mode', '-B', '65536', '-s', '0', '-Z', 'root', '-w', file, `tcp port ${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolveP, reject) => {
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      if (err.includes('listening on')) resolveP(proc);
    });
    proc.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${err}`)));
  });
}
async function stopTcpdump(proc) {
  await sleep(300);  // the last FIN/ACKs
  proc.kill('SIGINT');
  await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
}

async function record(s) {
  const log = (what) => join(tmp, `${s.name}.${what}.log`);
  const backendArgs = ['--version', s.version, '--port', '0', '--record', join(tmp, `${s.name}.server.json`)];
  if (s.kind === 'combat' && BACKEND(s.version) === 'backend_squid.mjs') backendArgs.push('--no-pvp-damage');
  const backend = forkNode(join(e2e, BACKEND(s.version)), backendArgs, log('backend'), `backend ${s.version}`);
  const { port: backendPort } = await waitMessage(backend, 'ready', 30000);
  const dumps = [];
  let proxy = null;
  let botPort = backendPort;
  try {
    if (s.proxy) {
      const listen = await freePort();
      const admin = await freePort();
      const config = join(tmp, `${s.name}.yml`);
      writeFileSync(config, `listen: '127.0.0.1:${listen}'\nbackend: '127.0.0.1:${backendPort}'\nadmin: '127.0.0.1:${admin}'\n` +
        `database: '${join(tmp, `${s.name}.db`)}'\nthreads: 1\n`);
      proxy = spawnBinary(proxyBin, ['--config', config], log('proxy'), 'rustguard');
      await waitForPort(listen, proxy, 10000);
      botPort = listen;
      // The same session seen on both sides of the proxy.
      dumps.push({ file: join(outDir, `${s.name}-client-side.pcap`), proc: await startTcpdump(join(outDir, `${s.name}-client-side.pcap`), listen) });
      dumps.push({ file: join(outDir, `${s.name}-backend-side.pcap`), proc: await startTcpdump(join(outDir, `${s.name}-backend-side.pcap`), backendPort) });
    } else {
      dumps.push({ file: join(outDir, `${s.name}.pcap`), proc: await startTcpdump(join(outDir, `${s.name}.pcap`), backendPort) });
    }
    const bots = s.kind === 'combat'
      ? forkNode(join(here, 'combat_bots.mjs'), ['--version', s.version, '--port', String(botPort),
        '--targets', ['ta', 'tb'].slice(0, s.targets).map((t) => `${s.prefix}_${t}`).join(','),
        '--fighters', s.roles.map((r) => `${r}:${s.prefix}_${ABBR[r]}`).join(','),
        '--fight-ms', String(s.fightMs), '--seed', '1'], log('bots'), 'bots')
      : s.kind === 'honest'
      ? forkNode(join(e2e, 'bots.mjs'), ['--version', s.version, '--host', '127.0.0.1', '--port', String(botPort),
        '--names', s.names.join(','), '--record', join(tmp, `${s.name}.bots.json`), '--play-ms', '4800'], log('bots'), 'bots')
      : forkNode(join(here, 'cheat_bots.mjs'), ['--version', s.version, '--port', String(botPort), '--prefix', s.prefix,
        '--cheat', s.cheat], log('bots'), 'bots');
    const done = await waitMessage(bots, 'done', 45000);
    await bots.exitedP;
    if (!done.ok) throw new Error(`bots failed; see ${log('bots')}`);
  } finally {
    for (const d of dumps) await stopTcpdump(d.proc);
    backend.send({ type: 'stop' });
    await stopProcess(backend, { graceMs: 5000 });
    if (proxy) await stopProcess(proxy, { graceMs: 5000 });
  }
  return dumps.map((d) => `${d.file.split('/').pop()} ${(statSync(d.file).size / 1024).toFixed(0)} KB`).join(', ');
}

let failed = 0;
for (const s of SCENARIOS) {
  if (only && !only.has(s.name)) continue;
  if (s.proxy && !existsSync(proxyBin)) {
    console.log(`SKIP ${s.name}: no proxy binary at ${proxyBin} (--proxy PATH)`);
    continue;
  }
  try {
    console.log(`ok   ${s.name}: ${await record(s)}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${s.name}: ${e.message} (logs in ${tmp})`);
  }
}
killAll('SIGKILL');
if (failed === 0) rmSync(tmp, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
