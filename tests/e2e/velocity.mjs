#!/usr/bin/env node
// End to end: Velocity modern forwarding, verified with the forwarding
// secret (docs/configuration.md, `velocity`).
//
//   node tests/e2e/velocity.mjs --proxy build/tools/proxy/rustguard [--out DIR] [--keep]
//
// No Velocity runs here, so this script plays both of its neighbours over
// real loopback sockets, 1.21.4 login frames built by hand: a backend that
// asks each player for `velocity:player_info` (as Paper does behind Velocity)
// and checks the answer's HMAC itself with node's crypto, and a "Velocity"
// that answers. rustguard sits between them with
// velocity.forwarding_secret_file naming a file that holds the secret and
// its line break, as Velocity writes it.
//   signed   the answer is signed with the secret: the backend receives it
//            and its signature verifies; the client gets the backend's
//            goodbye; the proxy log gives the forwarded address
//            ("203.0.113.7 (Velocity, via ...)").
//   forged   signed with another secret, claiming 198.51.100.66: the backend
//            never receives the answer; the proxy closes the connection with
//            forwarding_signature in its log and in
//            rustguard_decode_errors_total; the claimed address is nowhere in
//            the log.
// Exit code: 0 if every expectation held, 1 otherwise, 2 on a usage error.

import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled, requireDep } from './lib/deps.mjs';
import { metricSample } from './lib/metrics.mjs';
import { installCleanup, spawnBinary, stopProcess, freePort, waitForPort, httpGet, runVersionsAndExit } from './lib/procs.mjs';
import { encodeVarint, readVarint } from './lib/varint.mjs';

const VERSION = '1.21.4';
const SECRET = 'k7Qm2xZ9vLp0';
const MESSAGE_ID = 7;

const args = parseArgs();
const usage = (m) => {
  process.stderr.write(`velocity.mjs: ${m}\nusage: node tests/e2e/velocity.mjs --proxy PATH [--out DIR] [--keep]\n`);
  process.exit(2);
};
if (!args.proxy) usage('--proxy is required');
const proxyBin = resolve(String(args.proxy));
checkInstalled();
installCleanup();

const minecraftData = requireDep('minecraft-data');
const data = minecraftData(VERSION);
const idTable = (dir) => {
  const m = data.protocol.login[dir].types.packet[1][0].type[1].mappings;
  return Object.fromEntries(Object.entries(m).map(([hex, name]) => [name, Number.parseInt(hex, 16)]));
};
const toServer = idTable('toServer');
const toClient = idTable('toClient');

const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-velocity-'));
mkdirSync(outRoot, { recursive: true });

const str = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([encodeVarint(b.length), b]); };
const packet = (id, body) => { const p = Buffer.concat([encodeVarint(id), body]); return Buffer.concat([encodeVarint(p.length), p]); };
const uuidBytes = () => Buffer.from('069a79f444e94726a5befca90e38aaf5', 'hex');

// Splits a socket's uncompressed login frames: calls onPacket(id, body) for each.
function frames(socket, onPacket) {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const len = readVarint(buf, 0);
      if (!len || len.error || buf.length < len.size + len.value) return;
      const body = buf.subarray(len.size, len.size + len.value);
      buf = buf.subarray(len.size + len.value);
      const id = readVarint(body, 0);
      onPacket(id.value, body.subarray(id.size));
    }
  });
}

// The backend: asks every login for velocity:player_info, records the answer.
function startBackend(port) {
  const answers = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let stage = 'handshake';
    frames(socket, (id, body) => {
      if (stage === 'handshake') { stage = 'login'; return; }
      if (stage === 'login' && id === toServer.login_start) {
        stage = 'asked';
        socket.write(packet(toClient.login_plugin_request,
          Buffer.concat([encodeVarint(MESSAGE_ID), str('velocity:player_info'), Buffer.from([1])])));
        return;
      }
      if (stage === 'asked' && id === toServer.login_plugin_response) {
        const mid = readVarint(body, 0);
        const present = body[mid.size] === 1;
        const payload = body.subarray(mid.size + 1);
        const signature = payload.subarray(0, 32);
        const signed = payload.subarray(32);
        const expected = createHmac('sha256', SECRET).update(signed).digest();
        answers.push({ messageId: mid.value, present, verifies: signature.equals(expected) });
        socket.end(packet(toClient.disconnect, str(JSON.stringify({ text: 'backend: forwarding received' }))));
      }
    });
  });
  return new Promise((res) => server.listen(port, '127.0.0.1', () => res({ server, answers })));
}

// "Velocity": logs in and answers the forwarding request signed with `key`.
function velocityLogin(port, { name, address, key }) {
  return new Promise((res) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const result = { asked: false, goodbye: null, closed: false };
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(packet(0x00, Buffer.concat([encodeVarint(data.version.version), str('127.0.0.1'),
        Buffer.from([0x63, 0xdd]), encodeVarint(2)])));
      socket.write(packet(toServer.login_start, Buffer.concat([str(name), uuidBytes()])));
    });
    frames(socket, (id, body) => {
      if (id === toClient.login_plugin_request) {
        result.asked = true;
        const mid = readVarint(body, 0);
        const signed = Buffer.concat([encodeVarint(1), str(address), uuidBytes(), str(name), encodeVarint(0)]);
        const signature = createHmac('sha256', key).update(signed).digest();
        socket.write(packet(toServer.login_plugin_response,
          Buffer.concat([encodeVarint(mid.value), Buffer.from([1]), signature, signed])));
      } else if (id === toClient.disconnect) {
        result.goodbye = body.toString('utf8');
      }
    });
    socket.on('close', () => { result.closed = true; res(result); });
    setTimeout(() => socket.destroy(), 10000);
  });
}

async function runVersion(version) {
  const dir = join(outRoot, version);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const problems = [];
  const notes = [];
  let proxy;
  let backend;
  try {
    const backendPort = await freePort();
    const listenPort = await freePort();
    const admin = `127.0.0.1:${await freePort()}`;
    backend = await startBackend(backendPort);
    writeFileSync(join(dir, 'forwarding.secret'), `${SECRET}\n`);
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, [
      `listen: '127.0.0.1:${listenPort}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '${admin}'`,
      `database: '${join(dir, 'rustguard.db')}'`, 'log_level: info',
      'velocity:', '  forwarding_secret_file: forwarding.secret', '',
    ].join('\n'));
    const proxyLogPath = join(dir, 'proxy.log');
    proxy = spawnBinary(proxyBin, ['--config', configPath], proxyLogPath, 'rustguard');
    await waitForPort(listenPort, proxy, 15000);

    const signed = await velocityLogin(listenPort, { name: 'Alex', address: '203.0.113.7', key: SECRET });
    if (!signed.asked) problems.push('signed: the backend\'s velocity:player_info request never reached the client');
    if (backend.answers.length !== 1) problems.push(`signed: the backend received ${backend.answers.length} forwarding answers, expected 1`);
    else if (!backend.answers[0].verifies) problems.push('signed: the answer the backend received does not verify with the secret');
    if (!signed.goodbye?.includes('forwarding received')) problems.push(`signed: the client did not get the backend's goodbye (${signed.goodbye ?? 'nothing'})`);

    const forged = await velocityLogin(listenPort, { name: 'Steve', address: '198.51.100.66', key: 'guessed-secret' });
    if (!forged.asked) problems.push('forged: the backend\'s velocity:player_info request never reached the client');
    if (backend.answers.length !== 1) problems.push(`forged: the backend received a forged forwarding answer (${backend.answers.length} answers in all)`);
    if (!forged.closed) problems.push('forged: the connection was not closed');

    const metrics = await httpGet(`http://${admin}/metrics`, 2000);
    const forgedSeries = 'rustguard_decode_errors_total{reason="forwarding_signature"}';
    const forgedCount = metricSample(metrics.body, forgedSeries);
    if (forgedCount === null) problems.push(`/metrics has no ${forgedSeries}`);
    else if (forgedCount !== 1) problems.push(`${forgedSeries} is ${forgedCount}, expected 1`);

    const exit = await stopProcess(proxy, { signal: 'SIGTERM', graceMs: 8000 });
    if (exit.killed || exit.code !== 0) problems.push(`rustguard did not exit cleanly after SIGTERM (${JSON.stringify(exit)})`);
    const log = readFileSync(proxyLogPath, 'utf8');
    const refusal = log.split('\n').find((l) => l.includes('forwarding_signature'));
    if (!refusal) problems.push('proxy.log does not name forwarding_signature for the forged answer');
    else notes.push(`forged: ${refusal.trim()}`);
    if (!log.includes('203.0.113.7 (Velocity, via')) problems.push('proxy.log never gives the signed answer\'s address "203.0.113.7 (Velocity, via ...)"');
    if (log.includes('198.51.100.66')) problems.push('proxy.log gives the forged answer\'s address 198.51.100.66');
    notes.push(`signed: backend verified ${backend.answers.filter((a) => a.verifies).length} of ${backend.answers.length} answers; client got: ${signed.goodbye?.replace(/[^\x20-\x7e]+/g, ' ').trim()}`);
  } catch (e) {
    problems.push(e.message);
  } finally {
    if (proxy && !proxy.exitInfo) await stopProcess(proxy, { graceMs: 2000 });
    backend?.server.close();
  }
  return { version, ok: problems.length === 0, problems, notes, ms: Date.now() - started, dir };
}

console.log(`rustguard e2e velocity forwarding: ${VERSION}; output in ${outRoot}`);
await runVersionsAndExit([VERSION], runVersion, { outRoot, keep: Boolean(args.out || args.keep) });
