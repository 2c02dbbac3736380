// Records real Minecraft TCP byte streams for the frame decoder tests
// (tests/protocol/frame_decoder_test.cpp): a minecraft-protocol server (offline
// mode, compression threshold 256) and a mineflayer client talk through a tiny
// TCP relay that appends every byte it forwards to
//   tests/fixtures/streams/<version>-serverbound.bin   (client -> server)
//   tests/fixtures/streams/<version>-clientbound.bin   (server -> client)
// and both directions interleaved in arrival order, for the session tests
// (tests/session/connection_session_test.cpp), as
//   tests/fixtures/streams/<version>.session: records of
//   [u8 direction: 0 serverbound, 1 clientbound][u64 big-endian microseconds
//    since the first record][u32 big-endian length][bytes]
// The streams hold the handshake, login (with Set Compression), the
// configuration phase where the version has one, and a short play session:
// the server sends chat, health, a position and a 48 KiB plugin message
// shaped like chunk data (runs of identical light bytes plus noise) so that
// large compressed frames are present; the client sends 30 movement packets
// 50 ms apart, a chat message and a plugin message above the threshold.
//
// Rerun (overwrites the fixtures; the tests only rely on the streams being
// well-formed and containing the frames described above, not on exact bytes):
//   cd tests/node && npm ci && node record_stream.mjs            # all versions
//   node record_stream.mjs 1.20.4                                # one version
// Before tests/node/node_modules exists, NODE_PATH=/tmp/nodeprobe/node_modules
// works too.

import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const require = createRequire(import.meta.url);
const mc = require('minecraft-protocol');
const mineflayer = require('mineflayer');
const minecraftData = require('minecraft-data');
const nbt = require('prismarine-nbt');

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'fixtures', 'streams');
const VERSIONS = process.argv.length > 2 ? process.argv.slice(2) : ['1.20.4', '1.8.8'];
const THRESHOLD = 256;
const SIZE_LIMIT = 200 * 1024;

// Deterministic "chunk-like" payload: long runs of one byte (full sky light,
// air sections) interleaved with pseudo-random block data.
function chunkLikePayload(size) {
  const out = Buffer.alloc(size);
  let seed = 12345;
  for (let i = 0; i < size; i++) {
    const block = Math.floor(i / 2048);
    if (block % 3 === 0) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      out[i] = (seed >> 16) & 0x0f;
    } else {
      out[i] = block % 3 === 1 ? 0xff : 0x00;
    }
  }
  return out;
}

function chatText(mcData, text) {
  return mcData.supportFeature('chatPacketsUseNbtComponents')
    ? nbt.comp({ text: nbt.string(text) })
    : JSON.stringify({ text });
}

function listen(server) {
  return new Promise((resolve) => server.on('listening', resolve));
}

async function record(version) {
  const mcData = minecraftData(version);
  const server = mc.createServer({
    host: '127.0.0.1', port: 0, 'online-mode': false, version,
    compressionThreshold: THRESHOLD, motd: 'rustguard fixture',
  });
  await listen(server);
  const serverPort = server.socketServer.address().port;

  const serverbound = [];
  const clientbound = [];
  const ordered = [];  // [direction, bytes, time] in the order the relay saw them
  const micros = () => process.hrtime.bigint() / 1000n;
  const relay = net.createServer((clientSock) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    clientSock.on('data', (d) => { serverbound.push(Buffer.from(d)); ordered.push([0, Buffer.from(d), micros()]); upstream.write(d); });
    upstream.on('data', (d) => { clientbound.push(Buffer.from(d)); ordered.push([1, Buffer.from(d), micros()]); clientSock.write(d); });
    clientSock.on('close', () => upstream.destroy());
    upstream.on('close', () => clientSock.destroy());
    clientSock.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = relay.address().port;

  server.on('playerJoin', (client) => {
    client.write('login', {
      ...mcData.loginPacket,
      entityId: 1, isHardcore: false, gameMode: 1, previousGameMode: -1,
      hashedSeed: [0, 0], maxPlayers: 20, viewDistance: 4, simulationDistance: 4,
      reducedDebugInfo: false, enableRespawnScreen: true, isDebug: false, isFlat: true,
      enforceSecureChat: false, dimension: 0, difficulty: 1, levelType: 'flat',
    });
    client.write('update_health', { health: 20, food: 20, foodSaturation: 5 });
    client.write('position', { x: 0.5, y: 64, z: 0.5, yaw: 0, pitch: 0, flags: 0, teleportId: 1 });
    const sendChat = (text) => {
      if (mcData.supportFeature('signedChat')) {
        client.write('system_chat', { content: chatText(mcData, text), isActionBar: false, type: 1 });
      } else {
        client.write('chat', { message: chatText(mcData, text), position: 0, sender: '0' });
      }
    };
    sendChat('welcome to the fixture');
    client.write('custom_payload', { channel: 'rustguard:fixture', data: chunkLikePayload(48 * 1024) });
    sendChat('x'.repeat(300)); // a chat packet just above the threshold
    for (let i = 0; i < 3; i++) sendChat(`small message ${i}`);
  });

  const bot = mineflayer.createBot({
    host: '127.0.0.1', port: relayPort, username: 'fixture', version, auth: 'offline',
  });
  bot.on('error', (e) => console.error(`[${version}] bot error`, e.message));
  bot.on('kicked', (r) => console.error(`[${version}] kicked`, r));
  await new Promise((resolve) => bot.once('spawn', resolve));
  bot.chat('hello from the fixture client');
  bot._client.write('custom_payload', { channel: 'rustguard:fixture', data: chunkLikePayload(1200) });
  // Movement as a client sends it, 20 a second (mineflayer's physics stays
  // idle without chunks, so the packets are written through its client).
  for (let tick = 0; tick < 30; tick++) {
    const x = 0.5 + tick * 0.2;
    if (tick % 3 === 2) {
      bot._client.write('position_look', { x, y: 64, z: 0.5, yaw: tick * 4, pitch: 0, onGround: true, flags: { onGround: true, hasHorizontalCollision: false } });
    } else {
      bot._client.write('position', { x, y: 64, z: 0.5, onGround: true, flags: { onGround: true, hasHorizontalCollision: false } });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  bot.quit();
  await new Promise((resolve) => setTimeout(resolve, 300));
  relay.close();
  server.close();

  mkdirSync(outDir, { recursive: true });
  for (const [dir, parts] of [['serverbound', serverbound], ['clientbound', clientbound]]) {
    const bytes = Buffer.concat(parts);
    if (bytes.length > SIZE_LIMIT) throw new Error(`${version}-${dir}: ${bytes.length} bytes, above ${SIZE_LIMIT}`);
    const path = join(outDir, `${version}-${dir}.bin`);
    writeFileSync(path, bytes);
    console.log(`${path}: ${bytes.length} bytes in ${parts.length} reads`);
  }
  const records = [];
  const t0 = ordered.length ? ordered[0][2] : 0n;
  for (const [dir, bytes, time] of ordered) {
    const head = Buffer.alloc(13);
    head.writeUInt8(dir, 0);
    head.writeBigUInt64BE(time - t0, 1);
    head.writeUInt32BE(bytes.length, 9);
    records.push(head, bytes);
  }
  const sessionPath = join(outDir, `${version}.session`);
  writeFileSync(sessionPath, Buffer.concat(records));
  console.log(`${sessionPath}: ${ordered.length} records`);
}

for (const v of VERSIONS) await record(v);
process.exit(0);
