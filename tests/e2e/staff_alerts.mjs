#!/usr/bin/env node
// End-to-end staff alerts in game: three mineflayer bots on one flying-squid
// backend through the real proxy, on 1.8.8 (chat packet, JSON) and 1.21.4
// (system_chat, NBT). A pitch cheater looks 150 degrees down, which raises
// badpackets.pitch alerts (alert_vl 1: from the first flag) and climbs a
// ladder whose step at VL 2.5 is an alert with a text of its own.
//
//   node tests/e2e/staff_alerts.mjs --proxy build/tools/proxy/rustguard [--out DIR] [--keep]
//
// Passes when, on each version:
//   - the staff bot (listed as "Staff_Mod" in staff_alerts.players, logged in
//     as "staff_mod": names ignore case) sees both alert lines in its chat:
//     "[RustGuard] <cheater> badpackets.pitch pitch VL 1.0: ..." and
//     "[RustGuard] ladder: <cheater> looked pitch 150...";
//   - neither the bystander on the same backend nor the cheater sees a
//     RustGuard line;
//   - /metrics counts the lines sent (rustguard_staff_alerts_total);
//   - after a reload (SIGHUP) that adds the bystander to the list, the
//     bystander gets the next alert, without reconnecting.
// Exit code: 0 if both versions passed, 1 otherwise, 2 on a usage error.

import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled, requireDep as require } from './lib/deps.mjs';
import { metricSample } from './lib/metrics.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, httpGet, killAll,
} from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const VERSIONS = ['1.8.8', '1.21.4'];
const PREFIX = '[RustGuard] ';

const args = parseArgs();
const usage = (m) => { process.stderr.write(`staff_alerts.mjs: ${m}\nusage: node tests/e2e/staff_alerts.mjs --proxy PATH\n`); process.exit(2); };
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
installCleanup();
const mineflayer = require('mineflayer');

const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-staff-'));
mkdirSync(outRoot, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); return ok; };

function proxyConfig(dir, { port, backendPort, adminPort, staff = ['Staff_Mod'] }) {
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    `listen: '127.0.0.1:${port}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '127.0.0.1:${adminPort}'`,
    `database: '${join(dir, 'rustguard.db')}'`, 'threads: 2', 'log_level: info',
    // A check alert at the first flag (VL 1), a ladder alert at VL 2.5 (the 3rd flag).
    'checks:', '  badpackets:', '    pitch:', '      alert_vl: 1',
    'punishments:', '  groups:', '    packets:', "      checks: ['badpackets.*']", '      steps:',
    "        - {vl: 2.5, do: [{alert: 'ladder: %player% looked %detail%'}]}",
    'staff_alerts:', '  enabled: true', `  players: [${staff.join(', ')}]`, '  max_per_minute: 20', `  prefix: '${PREFIX}'`, '',
  ].join('\n'));
  return config;
}

// A bot whose chat lines (every kind: player, system, game info) are kept.
function bot(port, username, version) {
  const b = mineflayer.createBot({
    host: '127.0.0.1', port, username, version, auth: 'offline', hideErrors: true, logErrors: false,
  });
  const state = { bot: b, lines: [], ended: null };
  b.on('messagestr', (text) => state.lines.push(text));
  b.on('error', () => {});
  b.once('end', (reason) => { state.ended = reason ?? 'ended'; });
  state.spawned = new Promise((done, fail) => {
    b.once('spawn', done);
    b.once('end', (reason) => fail(new Error(`${username} ended before spawning: ${reason}`)));
  });
  return state;
}

function waitFor(predicate, ms) {
  return new Promise((done) => {
    const started = Date.now();
    const poll = () => (predicate() || Date.now() - started > ms ? done(predicate()) : setTimeout(poll, 20));
    poll();
  });
}

// One version: backend, proxy, staff + bystander + cheater.
async function run(version) {
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  const backend = forkNode(join(here, 'backend_squid.mjs'), ['--version', version, '--port', '0', '--record', join(dir, 'server.json')],
    join(dir, 'backend.log'), `backend ${version}`);
  let proxy = null;
  const bots = [];
  const tag = (s) => `${version}: ${s}`;
  try {
    const { port: backendPort } = await waitMessage(backend, 'ready', 30000);
    const port = await freePort();
    const adminPort = await freePort();
    const config = proxyConfig(dir, { port, backendPort, adminPort });
    proxy = spawnBinary(proxyBin, ['--config', config], join(dir, 'proxy.log'), `proxy ${version}`);
    await waitForPort(port, proxy, 10000);

    const short = version.replaceAll('.', '');
    const cheaterName = `pitch_${short}`;
    const staff = bot(port, 'staff_mod', version);
    const bystander = bot(port, `bystander_${short}`, version);
    bots.push(staff, bystander);
    await Promise.all([staff.spawned, bystander.spawned]);
    const cheater = bot(port, cheaterName, version);
    bots.push(cheater);
    await cheater.spawned;

    // Looks 150 degrees down (the game clamps pitch to +-90), in the
    // version's movement layout (flags from 1.21.2, onGround before).
    const p = cheater.bot.entity.position;
    const lookDown = async (times, gapMs) => {
      for (let i = 0; i < times; i++) {
        cheater.bot._client.write('position_look', {
          x: p.x, y: p.y, z: p.z, yaw: i * 9, pitch: 150, onGround: true, flags: { onGround: true, hasHorizontalCollision: false },
        });
        await sleep(gapMs);
      }
    };
    await lookDown(5, 50);
    const isAlert = (line) => line.startsWith(`${PREFIX}${cheaterName} badpackets.pitch pitch VL `);
    const isLadder = (line) => line.startsWith(`${PREFIX}ladder: ${cheaterName} looked pitch 150`);
    const got = await waitFor(() => staff.lines.some(isAlert) && staff.lines.some(isLadder), 5000);
    check(got, tag(`the staff bot did not see both the check's and the ladder's alert; its chat: ${JSON.stringify(staff.lines)}`));
    // Clips are on by default: each alert line names its evidence clip.
    const clipOf = (line) => / \[clip \d{8}-\d{6}-[A-Za-z0-9_]+-c\d+-clip\d+\.pcapng\]$/.test(line);
    check(staff.lines.filter((l) => isAlert(l) || isLadder(l)).every(clipOf),
      tag(`an alert line names no clip: ${JSON.stringify(staff.lines)}`));
    await sleep(300);  // time for a line the bystander must not get
    check(!bystander.lines.some((l) => l.includes(PREFIX.trim())),
      tag(`the bystander got a staff line: ${JSON.stringify(bystander.lines)}`));
    check(!cheater.lines.some((l) => l.includes(PREFIX.trim())),
      tag(`the cheater got a staff line: ${JSON.stringify(cheater.lines)}`));
    const metrics = await httpGet(`http://127.0.0.1:${adminPort}/metrics`, 3000);
    const sent = metricSample(metrics.body, 'rustguard_staff_alerts_total{outcome="sent"}') ?? 0;
    check(sent >= 1, tag(`rustguard_staff_alerts_total{outcome="sent"} is ${sent}`));

    // A reload with the bystander added: the next alert reaches it too, at
    // once, although it was online before the reload.
    proxyConfig(dir, { port, backendPort, adminPort, staff: ['Staff_Mod', `Bystander_${short}`] });
    proxy.kill('SIGHUP');
    const log = join(dir, 'proxy.log');
    const reloaded = await waitFor(() => /config reloaded/.test(readFileSync(log, 'utf8')), 5000);
    check(reloaded, tag('the proxy did not log the reload'));
    await lookDown(4, 400);  // over a second: a new violation record, so a new alert
    const bystanderGot = await waitFor(() => bystander.lines.some(isAlert), 5000);
    check(bystanderGot, tag(`after the reload the bystander saw no alert; its chat: ${JSON.stringify(bystander.lines)}`));
    console.log(`  ${version}: staff saw ${staff.lines.filter(isAlert).length} check alert(s) and ${staff.lines.filter(isLadder).length} ladder alert(s), e.g. ${JSON.stringify(staff.lines.find(isAlert))}; metric sent=${sent}`);
  } finally {
    for (const b of bots) { try { b.bot.quit(); } catch {} }
    await sleep(200);
    if (proxy) {
      const exit = await stopProcess(proxy, { graceMs: 8000 });
      check(exit.code === 0 && !exit.killed, tag(`rustguard did not exit cleanly (${JSON.stringify(exit)})`));
    }
    await stopProcess(backend, { graceMs: 3000 });
  }
}

console.log(`rustguard e2e staff alerts through ${proxyBin}; logs in ${outRoot}`);
const started = Date.now();
for (const version of VERSIONS) {
  try {
    await run(version);
  } catch (e) {
    problems.push(`${version}: ${e.stack ?? String(e)}`);
    const log = join(outRoot, version, 'proxy.log');
    if (existsSync(log)) console.log(readFileSync(log, 'utf8').split('\n').slice(-20).join('\n'));
  }
}

for (const p of problems) console.log(`  PROBLEM ${p}`);
console.log(`${problems.length ? 'FAIL' : 'PASS'} staff_alerts (${((Date.now() - started) / 1000).toFixed(1)} s)`);
killAll('SIGKILL');
if (!problems.length && !args.out && !args.keep) rmSync(outRoot, { recursive: true, force: true });
process.exit(problems.length ? 1 : 0);
