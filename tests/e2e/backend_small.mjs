// Backend for 1.21.5 - 26.1 (which flying-squid 1.12.0 does not serve): a
// small server on minecraft-protocol's createServer, offline mode, compression
// threshold 256 (minecraft-protocol's login sets it), 127.0.0.1. It does what
// a mineflayer bot needs to spawn and play, and a little more, so the traffic
// resembles a real server's:
//   login/configuration: minecraft-protocol (registry data from minecraft-data,
//     finish configuration); a keep-alive every second (minecraft-protocol);
//   join: login, "level chunks load start", view position, a batch of 3x3
//     flat chunks (bedrock, stone, grass at y -61; chunk_batch_start/finished,
//     the bot answers chunk_batch_received), spawn position, player position,
//     health, the player list and a spawn_entity for every other player;
//   play: movement is relayed to the other players (rel_entity_move) and a
//     player below the floor is teleported back; chat is echoed to everyone as
//     system chat; arm swings become animations; an attack costs the victim
//     one health point (update_health) and shows a hurt animation;
//   leave: entity_destroy and player_remove to the others.
// Every packet is recorded per player, and the attacks each player sent are
// counted (IPC {type:'attack-counts'}). IPC as in backend_squid.mjs:
//   node backend_small.mjs --version 26.1 --port 0 --record out.json
// The session ends with the goodbye agreement of lib/protocol.mjs.

import { parseArgs, send, writeJson, onStop, log } from './lib/child.mjs';
import { trackServerConnection, answerAttackCounts } from './lib/recorder.mjs';
import { GOODBYE, chatText } from './lib/protocol.mjs';
import { requireDep as require } from './lib/deps.mjs';

const mc = require('minecraft-protocol');
const minecraftData = require('minecraft-data');
const { Vec3 } = require('vec3');

const args = parseArgs();
const version = args.version;
const tag = `small ${version}`;
const mcData = minecraftData(version);
const registry = require('prismarine-registry')(version);
const Chunk = require('prismarine-chunk')(registry);

const MIN_Y = -64;
const WORLD_HEIGHT = 384;
const FLOOR_Y = -61; // top block; players stand at -60
const SPAWN = { x: 0.5, y: FLOOR_Y + 1, z: 0.5 };
const CHUNK_RADIUS = 1;

function flatChunk() {
  const chunk = new Chunk({ minY: MIN_Y, worldHeight: WORLD_HEIGHT });
  const layers = [['bedrock', MIN_Y], ['stone', MIN_Y + 1], ['stone', MIN_Y + 2], ['grass_block', FLOOR_Y]];
  for (let x = 0; x < 16; x++) {
    for (let z = 0; z < 16; z++) {
      for (const [block, y] of layers) chunk.setBlockStateId(new Vec3(x, y, z), registry.blocksByName[block].defaultState);
    }
  }
  return chunk;
}
const CHUNK = flatChunk();
const CHUNK_DATA = CHUNK.dump();
const CHUNK_LIGHT = CHUNK.dumpLight();
// 9 bits per entry (height 0..384), 7 entries per long, 256 entries.
const HEIGHTMAP_LONGS = Math.ceil(256 / Math.floor(64 / Math.ceil(Math.log2(WORLD_HEIGHT + 1))));
const heightmap = () => new Array(HEIGHTMAP_LONGS).fill([0, 0]);

const server = mc.createServer({
  host: '127.0.0.1',
  port: Number(args.port ?? 0),
  'online-mode': false,
  version,
  motd: 'rustguard e2e',
  maxPlayers: 10,
  checkTimeoutInterval: 1000, // a keep-alive every second, so sessions carry a few
  hideErrors: true,
  errorHandler: (client, err) => {
    log(tag, `client ${client.username}: ${err?.message ?? err}`);
    client.end(String(err?.message ?? err));
  },
});

const connections = [];
const players = new Map(); // entityId -> player
let nextEntityId = 1;

function others(player) {
  return [...players.values()].filter((p) => p !== player && !p.gone);
}

function systemChat(client, text) {
  client.write('system_chat', { content: chatText(mcData, text), isActionBar: false });
}

function playerInfoAdd(p) {
  return {
    action: { add_player: true, update_game_mode: true, update_listed: true, update_latency: true },
    data: [{ uuid: p.uuid, player: { name: p.username, properties: [] }, gamemode: 0, listed: 1, latency: 0 }],
  };
}

function spawnEntity(p) {
  return {
    entityId: p.entityId, objectUUID: p.uuid, type: mcData.entitiesByName.player.id,
    x: p.pos.x, y: p.pos.y, z: p.pos.z, velocity: { x: 0, y: 0, z: 0 },
    pitch: 0, yaw: 0, headPitch: 0, objectData: 0,
  };
}

function sendChunks(client) {
  client.write('chunk_batch_start', {});
  let count = 0;
  for (let cx = -CHUNK_RADIUS; cx <= CHUNK_RADIUS; cx++) {
    for (let cz = -CHUNK_RADIUS; cz <= CHUNK_RADIUS; cz++) {
      client.write('map_chunk', {
        x: cx, z: cz,
        heightmaps: [{ type: 'world_surface', data: heightmap() }, { type: 'motion_blocking', data: heightmap() }],
        chunkData: CHUNK_DATA, blockEntities: [], ...CHUNK_LIGHT,
      });
      count++;
    }
  }
  client.write('chunk_batch_finished', { batchSize: count });
}

function join(client, conn) {
  const player = {
    client, conn, entityId: nextEntityId++, username: client.username, uuid: client.uuid,
    pos: { x: SPAWN.x + (players.size % 2), y: SPAWN.y, z: SPAWN.z }, health: 20, teleportId: 1, gone: false,
  };
  players.set(player.entityId, player);
  const { loginPacket } = mcData;
  client.write('login', {
    ...loginPacket,
    entityId: player.entityId, isHardcore: false, worldNames: ['minecraft:overworld'], maxPlayers: 10,
    viewDistance: 2, simulationDistance: 2, reducedDebugInfo: false, enableRespawnScreen: true,
    doLimitedCrafting: false, enforcesSecureChat: false,
    worldState: { ...loginPacket.worldState, gamemode: 'survival', previousGamemode: 255, death: undefined },
  });
  client.write('game_state_change', { reason: 'level_chunks_load_start', gameMode: 0 });
  client.write('update_view_position', { chunkX: 0, chunkZ: 0 });
  sendChunks(client);
  client.write('spawn_position', {
    globalPos: { dimensionName: 'minecraft:overworld', location: { x: 0, y: SPAWN.y, z: 0 } }, yaw: 0, pitch: 0,
  });
  teleport(player);
  client.write('update_health', { health: player.health, food: 20, foodSaturation: 5 });
  // Player list: everyone (self included) to the newcomer, the newcomer to everyone else.
  for (const p of [player, ...others(player)]) client.write('player_info', playerInfoAdd(p));
  for (const p of others(player)) {
    client.write('spawn_entity', spawnEntity(p));
    p.client.write('player_info', playerInfoAdd(player));
    p.client.write('spawn_entity', spawnEntity(player));
  }
  systemChat(client, `welcome ${player.username}`);

  const onMove = (packet) => {
    if (packet.x === undefined) return;
    const next = { x: packet.x, y: packet.y, z: packet.z };
    if (next.y < FLOOR_Y - 10) { // fell off the world: put the player back
      player.pos = { ...SPAWN };
      teleport(player);
      return;
    }
    const d = ['x', 'y', 'z'].map((k) => Math.round((next[k] - player.pos[k]) * 4096));
    player.pos = next;
    if (d.every((v) => v === 0) || d.some((v) => Math.abs(v) > 32767)) return;
    for (const p of others(player)) {
      p.client.write('rel_entity_move', { entityId: player.entityId, dX: d[0], dY: d[1], dZ: d[2], onGround: true });
    }
  };
  client.on('position', onMove);
  client.on('position_look', onMove);
  client.on('arm_animation', () => {
    for (const p of others(player)) p.client.write('animation', { entityId: player.entityId, animation: 0 });
  });
  const hit = (targetId) => {
    const victim = players.get(targetId);
    if (!victim || victim.gone || victim === player) return;
    victim.health = victim.health > 1 ? victim.health - 1 : 20;
    victim.client.write('update_health', { health: victim.health, food: 20, foodSaturation: 5 });
    for (const p of [victim, ...others(victim)]) p.client.write('hurt_animation', { entityId: victim.entityId, yaw: 0 });
  };
  client.on('attack', (packet) => hit(packet.entityId)); // 26.1+
  client.on('use_entity', (packet) => { if (packet.mouse === 1) hit(packet.target); }); // before 26.1
  client.on('chat_message', (packet) => {
    if (packet.message === GOODBYE) return; // handled below, after recording
    for (const p of [player, ...others(player)]) systemChat(p.client, `<${player.username}> ${packet.message}`);
  });
  client.on('end', () => {
    player.gone = true;
    players.delete(player.entityId);
    for (const p of others(player)) {
      p.client.write('entity_destroy', { entityIds: [player.entityId] });
      p.client.write('player_remove', { players: [player.uuid] });
    }
  });
}

function teleport(player) {
  player.client.write('position', {
    teleportId: player.teleportId++, x: player.pos.x, y: player.pos.y, z: player.pos.z,
    dx: 0, dy: 0, dz: 0, yaw: 0, pitch: 0, flags: {},
  });
}

server.on('connection', (client) => trackServerConnection(client, connections));
answerAttackCounts(connections);
server.on('playerJoin', (client) => {
  const conn = connections.find((c) => c.username === client.username && !c.joined);
  if (conn) conn.joined = true;
  try {
    join(client, conn);
  } catch (e) {
    log(tag, `join ${client.username} failed: ${e.stack}`);
    client.end(`server error: ${e.message}`);
  }
});
server.on('error', (e) => log(tag, 'server error', e?.stack ?? e));
server.on('listening', () => send({ type: 'ready', port: server.socketServer.address().port }));

onStop(async () => {
  writeJson(args.record, {
    role: 'server', kind: 'minecraft-protocol', version,
    players: connections.map((c) => ({
      username: c.username, remote: c.remote, goodbye: c.goodbye, end: c.end,
      serverbound: c.rec.serverbound, clientbound: c.rec.clientbound, errors: c.rec.errors,
    })),
  });
  server.close();
});
