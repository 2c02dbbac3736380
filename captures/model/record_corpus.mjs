#!/usr/bin/env node
// Records the model corpus (issue 15, the model stage): labelled combat
// sessions of real mineflayer fighters (captures/combat_bots.mjs, the model
// roles) against the project's flying-squid backend (tests/e2e/
// backend_squid.mjs --no-pvp-damage), captured with tcpdump on the backend's
// port, and writes the labels (train.yml, heldout.yml) from the run table.
//
//   node captures/model/record_corpus.mjs [--only m01,m02] [--fight-ms 20000] [--plan] [--out DIR]
//
// Each run (RUNS below): one backend, tcpdump on its port, 3 fighters each
// in a process of its own, each behind its own lag relay
// (tests/e2e/lag_relay_proc.mjs) when its latency is above 0 (the relay sits
// between the bot and the backend, so the capture shows the delayed traffic:
// a player with that ping), then the two targets (m<NN>_ta, m<NN>_tb; they
// join once every fighter has spawned, straight on the backend's port). A
// fighter that made fewer than MIN_ATTACKS attacks, a missing connection in
// the capture (tshark), or a process that did not finish fails the run; a
// failed run is recorded once more. --plan prints the run table and the split
// counts and records nothing. Writes captures/model/<run>-<version>.pcap,
// manifest.json (per fighter: the role's session parameters, attacks, clicks,
// hit distances; merged with the existing one under --only), train.yml and
// heldout.yml (every run of the table whose pcap exists). Needs root
// (tcpdump on lo), tshark, and tests/node/node_modules.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../../tests/e2e/lib/child.mjs';
import { checkInstalled } from '../../tests/e2e/lib/deps.mjs';
import { installCleanup, forkNode, waitMessage, stopProcess, killAll } from '../../tests/e2e/lib/procs.mjs';
import { startTcpdump } from '../../tests/e2e/lib/tcpdump.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const e2e = resolve(here, '../../tests/e2e');
const combatScript = resolve(here, '../combat_bots.mjs');
const MIN_ATTACKS = 60;

// Role -> the player-name code (names are m<NN>_<code><slot>, <= 16 chars).
const CODE = {
  honest_novice: 'hn', honest_average: 'ha', honest_skilled: 'hs',
  cps_random: 'cr', reach_var: 'rv', smooth_aim: 'sa', multi: 'mu', closet: 'cl',
};
const HONEST = ['honest_novice', 'honest_average', 'honest_skilled'];
const CHEATS = ['cps_random', 'reach_var', 'smooth_aim', 'multi', 'closet'];
// The run table: three fighters a run ([role, one-way latency ms]), two
// honest and one cheater or one honest and two cheaters: 24 honest sessions
// (every honest kind at every latency, twice) and 24 cheats (every cheat at
// every latency, four of them twice). The order was shuffled once (fixed
// here) so that kinds meet different company, and the held-out runs chosen so
// that every kind and every latency, honest and cheating, is in both splits.
const HELDOUT = new Set(['m03', 'm06', 'm09', 'm12', 'm15']);
const V188 = new Set(['m04', 'm09', 'm13']); // 1.8.8 (swing before attack); the others 1.21.4
const TABLE = [
  [['honest_skilled', 50], ['honest_average', 0], ['reach_var', 150]],
  [['honest_average', 300], ['cps_random', 150], ['smooth_aim', 300]],
  [['honest_skilled', 150], ['honest_average', 50], ['closet', 150]],
  [['honest_average', 300], ['closet', 300], ['smooth_aim', 0]],
  [['honest_skilled', 150], ['honest_novice', 0], ['closet', 50]],
  [['honest_novice', 0], ['reach_var', 0], ['multi', 0]],
  [['honest_novice', 300], ['honest_skilled', 50], ['reach_var', 300]],
  [['honest_average', 150], ['reach_var', 50], ['cps_random', 300]],
  [['honest_average', 150], ['honest_skilled', 300], ['multi', 50]],
  [['honest_skilled', 0], ['smooth_aim', 150], ['multi', 300]],
  [['honest_novice', 50], ['honest_average', 0], ['multi', 150]],
  [['honest_novice', 150], ['smooth_aim', 50], ['cps_random', 50]],
  [['honest_average', 50], ['honest_novice', 50], ['multi', 0]],
  [['honest_skilled', 300], ['cps_random', 50], ['closet', 0]],
  [['honest_skilled', 0], ['honest_novice', 300], ['smooth_aim', 300]],
  [['honest_novice', 150], ['cps_random', 0], ['reach_var', 150]],
];
const RUNS = TABLE.map((roles, r) => {
  const id = `m${String(r + 1).padStart(2, '0')}`;
  const fighters = roles.map(([role, latency], i) => ({
    role, latency, seed: 15000 + 100 * (r + 1) + i, name: `${id}_${CODE[role]}${i + 1}`, angle: (i * 120 + r * 7) % 360,
  }));
  const version = V188.has(id) ? '1.8.8' : '1.21.4';
  return { id, version, file: `${id}-${version}.pcap`, split: HELDOUT.has(id) ? 'heldout' : 'train', fighters, targets: [`${id}_ta`, `${id}_tb`] };
});

const args = parseArgs();
const fightMs = Number(args['fight-ms'] ?? 20000);
const only = args.only ? new Set(String(args.only).split(',')) : null;
const outDir = resolve(String(args.out ?? here)); // --out: elsewhere (a trial)

function counts() {
  const lines = [];
  for (const split of ['train', 'heldout']) {
    const fs = RUNS.filter((r) => r.split === split).flatMap((r) => r.fighters);
    const by = (key) => Object.entries(fs.reduce((m, f) => ({ ...m, [key(f)]: (m[key(f)] ?? 0) + 1 }), {})).sort().map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`${split}: ${fs.length} sessions (${fs.filter((f) => HONEST.includes(f.role)).length} honest); kinds: ${by((f) => f.role)}; latencies: ${by((f) => f.latency)}`);
  }
  return lines.join('\n');
}

if (args.plan) {
  for (const r of RUNS) console.log(`${r.id} ${r.version} ${r.split.padEnd(7)} ${r.fighters.map((f) => `${f.name}=${f.role}@${f.latency}ms/s${f.seed}`).join(' ')}`);
  console.log(counts());
  process.exit(0);
}

checkInstalled();
installCleanup();
mkdirSync(outDir, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'rustguard-model-corpus-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The TCP connections in a capture, by client port (tshark's conversation table).
function connections(file) {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', 'conv,tcp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => /<->/.test(l)).length;
}

async function record(run, attempt) {
  const tag = `${run.id}.${attempt}`;
  const log = (what) => join(tmp, `${tag}.${what}.log`);
  const pcap = join(outDir, run.file);
  const problems = [];
  const backend = forkNode(join(e2e, 'backend_squid.mjs'), ['--version', run.version, '--port', '0', '--record', join(tmp, `${tag}.server.json`),
    '--no-pvp-damage', '--max-players', '20'], log('backend'), `backend ${run.version}`);
  const { port } = await waitMessage(backend, 'ready', 30000);
  const dump = await startTcpdump({ file: pcap, port, logPath: log('tcpdump') });
  const relays = [];
  const results = new Map(); // name -> fighter-done
  let targets = null;
  try {
    const spawned = [];
    const runs = [];
    for (const f of run.fighters) {
      let fighterPort = port;
      if (f.latency > 0) {
        const relay = forkNode(join(e2e, 'lag_relay_proc.mjs'), ['--target-port', String(port), '--delay-ms', String(f.latency)],
          log(`relay-${f.name}`), `relay ${f.name}`);
        relays.push(relay);
        fighterPort = (await waitMessage(relay, 'ready', 10000)).port;
      }
      const proc = forkNode(combatScript, ['--version', run.version, '--port', String(fighterPort), '--fighters', `${f.role}:${f.name}`,
        '--target-names', run.targets.join(','), '--angle', String(f.angle), '--fight-ms', String(fightMs), '--seed', String(f.seed)],
      log(f.name), `fighter ${f.name}`);
      proc.on('message', (m) => { if (m?.type === 'fighter-done') results.set(m.username, m); });
      spawned.push(waitMessage(proc, 'spawned', 60000));
      runs.push(waitMessage(proc, 'done', fightMs + 90000).then((d) => {
        if (!d.ok) problems.push(`${f.name}: fighter process not ok (${log(f.name)})`);
      }, (e) => problems.push(`${f.name}: ${e.message}`)).finally(() => stopProcess(proc, { graceMs: 2000 })));
      await sleep(300); // one login at a time is gentler on flying-squid
    }
    await Promise.all(spawned);
    targets = forkNode(combatScript, ['--version', run.version, '--port', String(port), '--targets', run.targets.join(','), '--seed', '7'],
      log('targets'), 'targets');
    await waitMessage(targets, 'spawned', 40000);
    await Promise.all(runs);
    targets.send({ type: 'leave' });
    await waitMessage(targets, 'done', 40000).catch((e) => problems.push(`targets: ${e.message}`));
  } catch (e) {
    problems.push(e.message);
  } finally {
    if (targets) await stopProcess(targets, { graceMs: 2000 });
    await sleep(300);
    const stats = await dump.stop();
    if (stats.dropped) problems.push(`tcpdump dropped ${stats.dropped} packets`);
    for (const r of relays) { r.send?.({ type: 'stop' }); await stopProcess(r, { graceMs: 2000 }); }
    backend.send({ type: 'stop' });
    await stopProcess(backend, { graceMs: 5000 });
  }
  const fighters = run.fighters.map((f) => {
    const m = results.get(f.name);
    if (!m) problems.push(`${f.name}: no fighter-done`);
    else if (m.attacks < MIN_ATTACKS) problems.push(`${f.name} (${f.role}): only ${m.attacks} attacks`);
    return { name: f.name, role: f.role, latency_ms: f.latency, seed: f.seed, attacks: m?.attacks ?? 0, clicks: m?.clicks ?? 0,
      params: m?.params ?? null, hitDistances: m?.hitDistances ?? null, targetHits: m?.targetHits ?? null };
  });
  if (existsSync(pcap)) {
    const n = connections(pcap);
    const want = run.fighters.length + run.targets.length;
    if (n < want) problems.push(`${run.file}: ${n} TCP connections, want ${want}`);
    // Every player's login (sent before compression starts, so its name is
    // in the clear) is in the capture.
    const bytes = readFileSync(pcap);
    for (const name of [...run.fighters.map((f) => f.name), ...run.targets]) {
      if (!bytes.includes(Buffer.from(name))) problems.push(`${run.file}: no login of ${name}`);
    }
  } else problems.push(`${run.file} missing`);
  return { problems, fighters, size: existsSync(pcap) ? statSync(pcap).size : 0 };
}

const manifestPath = join(outDir, 'manifest.json');
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
let failed = 0;
for (const run of RUNS) {
  if (only && !only.has(run.id)) continue;
  let res = null;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const t0 = Date.now();
    res = await record(run, attempt);
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    const summary = res.fighters.map((f) => `${f.name} ${f.attacks}`).join(', ');
    if (!res.problems.length) { console.log(`ok   ${run.id} ${run.file} ${(res.size / 1048576).toFixed(2)} MB ${secs} s: ${summary}`); break; }
    console.log(`${attempt === 1 ? 'RETRY' : 'FAIL '} ${run.id} (${secs} s): ${res.problems.join('; ')} (logs in ${tmp})`);
  }
  if (res.problems.length) {
    failed++;
    rmSync(join(outDir, run.file), { force: true });
    delete manifest[run.id];
  } else {
    manifest[run.id] = { version: run.version, file: run.file, split: run.split, fightMs, targets: run.targets, bytes: res.size, fighters: res.fighters };
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
}

// The labels: every fighter session of every recorded run, by split.
function yaml(split) {
  const lines = [
    `# RustGuard model corpus (issue 15): ${split === 'train' ? 'training' : 'held-out'} sessions, whole runs only`,
    '# (no run is in both files). Written by captures/model/record_corpus.mjs from its run',
    '# table; captures are relative to the captures/ directory. Targets are not labelled.',
    'sessions:',
  ];
  for (const run of RUNS.filter((r) => r.split === split && existsSync(join(outDir, r.file)))) {
    for (const f of run.fighters) {
      lines.push(`  - capture: model/${run.file}`, `    player: ${f.name}`, `    label: ${HONEST.includes(f.role) ? 'honest' : 'cheat'}`,
        `    kind: ${f.role}`, `    latency_ms: ${f.latency}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
writeFileSync(join(outDir, 'train.yml'), yaml('train'));
writeFileSync(join(outDir, 'heldout.yml'), yaml('heldout'));
console.log(counts());
killAll('SIGKILL');
if (failed === 0) rmSync(tmp, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
