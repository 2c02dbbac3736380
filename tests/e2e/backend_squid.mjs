// Backend for 1.8.8 - 1.21.4: a flying-squid server (offline mode; its
// minecraft-protocol layer sets compression threshold 256) on 127.0.0.1,
// recording every packet per player. Started by run.mjs with fork():
//   node backend_squid.mjs --version 1.20.4 --port 0 --record out.json
// IPC: sends {type:'ready', port}; on {type:'stop'} writes the recording
// and exits; answers {type:'attack-counts'} with the attacks received per
// player (lib/recorder.mjs), and {type:'positions'} with the positions and
// teleport confirmations each player sent (setbacks.mjs). --no-pvp-damage: a player's attack on another
// still arrives and is counted, but deals no damage and no knockback (the
// combat tests' targets stay where they stand, as arena dummies do).
// --max-players N (default 10): flying-squid turns away players beyond it.
//
// A connection is ended by the bot's goodbye: when a player's chat message
// equals the marker (see lib/protocol.mjs), the server kicks it, so the last
// serverbound packet is the marker and the last clientbound one the kick.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, send, writeJson, onStop, log } from './lib/child.mjs';
import { trackServerConnection, answerAttackCounts } from './lib/recorder.mjs';
import { requireDep as require } from './lib/deps.mjs';

const flyingSquid = require('flying-squid');

const args = parseArgs();
const version = args.version;
const tag = `squid ${version}`;
const worldFolder = mkdtempSync(join(tmpdir(), 'rustguard-e2e-world-'));

const serv = flyingSquid.createMCServer({
  motd: 'rustguard e2e',
  host: '127.0.0.1',
  port: Number(args.port ?? 0),
  'max-players': Number(args['max-players'] ?? 10),
  'online-mode': false,
  logging: false,
  gameMode: 0,
  difficulty: 1,
  worldFolder,
  generation: { name: 'superflat', options: { worldHeight: 80 } },
  kickTimeout: 10000,
  checkTimeoutInterval: 1000, // a keep-alive every second, so sessions carry a few
  plugins: {},
  modpe: false,
  'view-distance': 2,
  'player-list-text': { header: { text: 'rustguard' }, footer: { text: 'e2e' } },
  'everybody-op': false,
  'max-entities': 100,
  version,
});

// flying-squid spawns each player at a random point up to 30 blocks apart;
// the bots fight, so put them next to each other (one block apart).
// (The first point is kept as a promise: players logging in at once each
// awaited a random point of their own before.)
const randomSpawn = serv.getSpawnPoint;
let firstSpawn = null;
let spawnCount = 0;
serv.getSpawnPoint = async (world) => {
  firstSpawn ??= randomSpawn(world);
  return (await firstSpawn).offset(spawnCount++ % 2, 0, 0);
};

// flying-squid 1.12.0's knockback is (victim - attacker + 0.5 up) * 5 from
// its own idea of both positions. When those are far apart (seen on 1.12.2
// although the bots attack from within 2.5 blocks by their own positions, and
// on 1.20.4 with flying-squid's random spawn points 25 blocks apart) the
// velocity overflows the packet's i16 fields, the serializer fails and the
// connection hangs. Clamp each component to the 4 blocks/tick that takeDamage
// already uses as its maximum, before flying-squid scales it.
const velocityLimit = 4 * (serv.supportFeature('fixedPointPosition') ? 32 : 1);
const clamp = (x) => Math.max(-velocityLimit, Math.min(velocityLimit, x));
const clampVelocity = (v) => v.clone().set(clamp(v.x), clamp(v.y), clamp(v.z));
// flying-squid 1.12.0 creates players with no entity type (login.js:
// initEntity('player', null, ...)); from 1.20.2 players are spawned with
// spawn_entity, whose type then serialises as 0, an acacia boat (1.21.4).
// Clients (and RustGuard's entity tracking) would size other players as
// boats; give them the player type. Before 1.20.2 the named_entity_spawn
// packet carries no type.
const playerType = serv.registry?.entitiesByName?.player?.id;
serv.on('newPlayer', (player) => {
  if (player.entityType == null && playerType !== undefined) player.entityType = playerType;
  const sendVelocity = player.sendVelocity;
  if (typeof sendVelocity === 'function') player.sendVelocity = (vel, maxVel) => sendVelocity(clampVelocity(vel), maxVel);
});

if (args['no-pvp-damage']) {
  // flying-squid runs an attack through the attacker's 'attack' behaviour;
  // cancelling it (without the cancel callback) skips takeDamage.
  serv.on('newPlayer', (player) => player.on('attack_cancel', (_data, cancel) => cancel(false)));
}

// flying-squid 1.12.0 can spawn a player to the others while that player is
// still logging in, before it has its position: the relative moves that
// follow keep the error, so on 1.8.8 and 1.12.2 two bots that logged in
// together saw each other ~25 blocks from where they stood, and honest bots
// attacked from there. Once a player has spawned, tell it and every other
// player in play where the other stands (Teleport Entity), in the versions
// whose packet still has the pre-1.21.2 layout.
const teleportType = require('minecraft-data')(version).protocol?.play?.toClient?.types?.packet_entity_teleport;
const oldTeleport = /"name":"yaw","type":"i8"/.test(JSON.stringify(teleportType ?? '')) && !JSON.stringify(teleportType).includes('"dx"');
if (oldTeleport) {
  const where = (e) => (serv.supportFeature('fixedPointPosition') ? e.position.scaled(32).floored() : e.position);
  const teleport = (to, e) => {
    if (to._client.state !== 'play' || !e.position) return;
    const p = where(e);
    to._client.write('entity_teleport', { entityId: e.id, x: p.x, y: p.y, z: p.z, yaw: e.yaw ?? 0, pitch: e.pitch ?? 0, onGround: true });
  };
  serv.on('newPlayer', (player) => player.once('spawned', () => {
    for (const other of serv.players) {
      if (other === player) continue;
      teleport(other, player);
      teleport(player, other);
    }
  }));
}

const connections = [];
serv._server.on('connection', (client) => trackServerConnection(client, connections));
answerAttackCounts(connections);

// What the server saw of each player's position and teleports, for the
// setback tests (setbacks.mjs): IPC {type:'positions'} answers per player the
// positions received [ms, x, y, z], the teleport ids sent and the
// confirmations received.
const seen = [];
serv._server.on('connection', (client) => {
  const rec = { client, positions: [], teleportsSent: [], confirms: [] };
  seen.push(rec);
  client.on('packet', (data, meta) => {
    if (meta.state !== 'play') return;
    if (meta.name === 'position' || meta.name === 'position_look') rec.positions.push([Date.now(), data.x, data.y, data.z]);
    else if (meta.name === 'teleport_confirm') rec.confirms.push(data.teleportId);
  });
  const write = client.write.bind(client);
  client.write = (name, params) => {
    if (name === 'position' && params?.teleportId !== undefined) rec.teleportsSent.push(params.teleportId);
    return write(name, params);
  };
});
process.on('message', (m) => {
  if (m?.type !== 'positions' || !process.send) return;
  const players = {};
  for (const r of seen) {
    if (r.client.username) players[r.client.username] = { positions: r.positions, teleportsSent: r.teleportsSent, confirms: r.confirms };
  }
  process.send({ type: 'positions', players });
});
serv.on('error', (e) => log(tag, 'server error', e?.stack ?? e));
serv.on('clientError', (_c, e) => log(tag, 'client error', e?.message ?? e));

serv.once('ready', () => send({ type: 'ready', port: serv.listeningPort }));

onStop(async () => {
  const players = connections.map((c) => ({
    username: c.username, remote: c.remote, goodbye: c.goodbye, end: c.end,
    serverbound: c.rec.serverbound, clientbound: c.rec.clientbound, errors: c.rec.errors,
  }));
  writeJson(args.record, { role: 'server', kind: 'flying-squid', version, players });
  try { rmSync(worldFolder, { recursive: true, force: true }); } catch {}
});
