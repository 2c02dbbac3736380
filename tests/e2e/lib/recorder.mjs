// Records every packet a minecraft-protocol Client sends and receives, at the
// points closest to the wire that still see whole, uncompressed packets:
//   sent:     the bytes the serializer produced (packet id + body), in the order
//             they go on to the compressor/framer, plus anything written raw;
//   received: every frame handed to the parser (after decompression), whether
//             or not it parses, so a malformed packet still shows up.
// Both ends of a connection (bot and server) use this one recorder, so the two
// sides of a comparison are produced by the same code.
//
// An entry is one string: "<state> <name> <bytes> <hash>", hash = first 12 hex
// digits of SHA-1 over id+body (play pings, pongs and window confirmations
// add their id, see transactionTag; teleports and their confirmations leave
// the teleport id out, see withoutTeleportId). Equal entries on both sides
// mean the same packet bytes in the same protocol state.

import { createHash } from 'node:crypto';
import { requireDep as require } from './deps.mjs';
import { GOODBYE, KICK_REASON, isChatPacket } from './protocol.mjs';

const minecraftData = require('minecraft-data');

const idNameCache = new Map();

// Packet id -> name for one (version, state, direction), from minecraft-data's
// protocol description ("0x0f" -> "chat_message").
function idNames(version, state, direction) {
  const key = `${version}|${state}|${direction}`;
  let table = idNameCache.get(key);
  if (table) return table;
  table = new Map();
  const mappings = minecraftData(version)?.protocol?.[state]?.[direction]?.types?.packet?.[1]?.[0]?.type?.[1]?.mappings;
  for (const [hex, name] of Object.entries(mappings ?? {})) table.set(Number.parseInt(hex, 16), name);
  idNameCache.set(key, table);
  return table;
}

function readVarInt(buf) {
  let value = 0;
  for (let i = 0; i < 5 && i < buf.length; i++) {
    value |= (buf[i] & 0x7f) << (7 * i);
    if ((buf[i] & 0x80) === 0) return value;
  }
  return -1;
}

// Play-state round trips carry their id in the entry (" id=-3"; window
// confirmations also " w=0"), so the comparison can tell the proxy's own
// lag-compensation transactions (negative ids) from the server's.
function transactionTag(state, name, buf) {
  if (state !== 'play') return '';
  let off = 0;
  while (off < buf.length && off < 5 && (buf[off] & 0x80) !== 0) off++;
  off++;  // past the packet id
  if ((name === 'ping' || name === 'pong') && buf.length >= off + 4) return ` id=${buf.readInt32BE(off)}`;
  if (name === 'transaction' && buf.length >= off + 3) return ` w=${buf.readInt8(off)} id=${buf.readInt16BE(off + 1)}`;
  return '';
}

function varintLength(buf, at = 0) {
  let n = 0;
  while (at + n < buf.length && n < 5 && (buf[at + n] & 0x80) !== 0) n++;
  return n + 1;
}

// RustGuard rewrites teleport ids by design (engine/setbacks.hpp: the client
// sees only RustGuard's own sequence): the id in Synchronize Player Position
// and in Confirm Teleportation differs across the proxy. Both sides record
// those two packets without the id (tagged " tp"), so everything else in
// them must still match byte for byte. `protocol`: the version's number.
function withoutTeleportId(state, name, clientbound, protocol, buf) {
  if (state !== 'play') return null;
  const body = varintLength(buf);  // past the packet id
  let at = -1;
  if (clientbound && name === 'position') {
    if (protocol >= 768) at = body;  // 1.21.2+: the id comes first
    else if (protocol >= 107) at = body + 33;  // 1.9+: after x, y, z, yaw, pitch and the flags
  } else if (!clientbound && name === 'teleport_confirm') {
    at = body;
  }
  if (at < 0 || at >= buf.length) return null;
  return Buffer.concat([buf.subarray(0, at), buf.subarray(at + varintLength(buf, at))]);
}

export function entry(state, name, buf, { clientbound = false, protocol = 0 } = {}) {
  const bare = withoutTeleportId(state, name, clientbound, protocol, buf);
  if (bare) return `${state} ${name} ${bare.length} ${createHash('sha1').update(bare).digest('hex').slice(0, 12)} tp`;
  const hash = createHash('sha1').update(buf).digest('hex').slice(0, 12);
  return `${state} ${name} ${buf.length} ${hash}${transactionTag(state, name, buf)}`;
}

// Attaches to `client` (a minecraft-protocol Client, either side). `isServer`
// says which side it is, so "sent" maps to clientbound or serverbound.
export function recordClient(client, { isServer }) {
  const rec = { serverbound: [], clientbound: [], errors: [] };
  const sent = isServer ? rec.clientbound : rec.serverbound;
  const received = isServer ? rec.serverbound : rec.clientbound;
  const inDirection = isServer ? 'toServer' : 'toClient';
  const version = client.version;
  const protocol = minecraftData(version)?.version?.version ?? 0;
  const sentAs = { clientbound: isServer, protocol };
  const receivedAs = { clientbound: !isServer, protocol };

  const hookSerializer = (serializer, state) => {
    if (!serializer || serializer.__e2eHooked) return;
    serializer.__e2eHooked = true;
    const create = serializer.createPacketBuffer.bind(serializer);
    serializer.createPacketBuffer = (packet) => {
      const buf = create(packet);
      sent.push(entry(state, packet.name, buf, sentAs));
      return buf;
    };
  };
  const hookDeserializer = (deserializer, state) => {
    if (!deserializer || deserializer.__e2eHooked) return;
    deserializer.__e2eHooked = true;
    const parse = deserializer.parsePacketBuffer.bind(deserializer);
    deserializer.parsePacketBuffer = (buf) => {
      const id = readVarInt(buf);
      const name = idNames(version, state, inDirection).get(id) ?? `unknown_0x${id.toString(16)}`;
      received.push(entry(state, name, buf, receivedAs));
      return parse(buf);
    };
  };
  const hookAll = () => {
    hookSerializer(client.serializer, client.state);
    hookDeserializer(client.deserializer, client.state);
  };
  hookAll();
  // Hook each new serializer pair as soon as it exists: a 'state' listener could
  // run after another listener that already wrote into the new state.
  const setSerializer = client.setSerializer.bind(client);
  client.setSerializer = (state) => {
    setSerializer(state);
    hookSerializer(client.serializer, state);
    hookDeserializer(client.deserializer, state);
  };

  // Nothing in mineflayer, flying-squid or our servers writes raw today; if
  // something starts to, its bytes are still recorded (with their real id).
  const writeRaw = client.writeRaw.bind(client);
  client.writeRaw = (buffer) => {
    const stream = client.compressor === null ? client.framer : client.compressor;
    if (stream.writable) {
      const outDirection = isServer ? 'toClient' : 'toServer';
      const id = readVarInt(buffer);
      const name = idNames(version, client.state, outDirection).get(id) ?? `unknown_0x${id.toString(16)}`;
      sent.push(entry(client.state, name, buffer, sentAs));
    }
    return writeRaw(buffer);
  };
  client.on('error', (e) => rec.errors.push(String(e?.message ?? e)));
  return rec;
}

// What both test servers keep per accepted client: who it is, its recording,
// and how it ended. A bot's goodbye chat is answered with the kick that ends
// its session (after the server's own handling of that packet, same tick).
export function trackServerConnection(client, connections) {
  const conn = { username: null, remote: `${client.socket.remoteAddress}:${client.socket.remotePort}`, end: null, goodbye: false };
  conn.rec = recordClient(client, { isServer: true });
  connections.push(conn);
  client.on('login_start', (p) => { conn.username = p.username ?? p.name; });
  // Attacks as the server receives them (combat tests: a hit the proxy
  // cancelled never arrives): 26.1's `attack`, `use_entity` with mouse 1
  // (attack) before it.
  conn.attacks = 0;
  client.on('attack', () => { conn.attacks++; });
  client.on('use_entity', (p) => { if (p.mouse === 1) conn.attacks++; });
  client.on('packet', (data, meta) => {
    if (isChatPacket(meta.name) && data.message === GOODBYE && !conn.goodbye) {
      conn.goodbye = true;
      setImmediate(() => client.end(KICK_REASON));
    }
  });
  client.on('end', (reason) => { conn.end = String(reason); });
  return conn;
}

// Answers the harness's {type:'attack-counts'} IPC request with
// {type:'attack-counts', counts: {username: attacks received}} (summed over
// the player's connections).
export function answerAttackCounts(connections) {
  process.on('message', (m) => {
    if (m?.type !== 'attack-counts' || !process.send) return;
    const counts = {};
    for (const c of connections) if (c.username) counts[c.username] = (counts[c.username] ?? 0) + c.attacks;
    process.send({ type: 'attack-counts', counts });
  });
}
