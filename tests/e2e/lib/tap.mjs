// A passive TCP tap between the proxy and the backend (proxy -> tap -> backend)
// that records what the backend actually receives. Bytes go through
// unchanged (one exception, below); the serverbound stream is parsed on the
// side, per connection:
//
//   - frames (VarInt length + payload); after the backend's Set Compression
//     went by, the compressed format (VarInt dataLength, zlib data when it is
//     not 0);
//   - packets counted by "<state> 0x<id>";
//   - "bombs": a compressed frame whose inflated size differs from its
//     dataLength claim, or whose inflated/compressed ratio is above 64 with
//     more than 64 KiB inflated (inflation stops one byte past the claim);
//   - play look / position_look packets with |pitch| > 90.
//
//   - "foreign" packets: ids that do not exist in the state the backend is in
//     (a play look while it is still logging in, say).
//
// The state follows what a minecraft-protocol (flying-squid) backend does,
// which is the backend this tap sits in front of: handshake -> status/login
// (intent), login -> configuration on a Login Acknowledged that comes after
// the backend's Login Success went by (an earlier one is ignored by the
// backend, as it is here), configuration -> play on Finish Configuration. A Configuration
// Acknowledged in play does not move the backend (it only switches after its
// own Start Configuration, which flying-squid never sends), so it moves the
// tap only after a clientbound Start Configuration went by. The clientbound
// stream is parsed only as far as the login's Set Compression / Login Success.
//
// Packet ids come from minecraft-data for the announced protocol; a protocol
// it does not know is read with the ids of `fallbackVersion` (the hostile
// clients of tests/e2e/hostile.mjs speak 1.21.4 whatever they announce).
//
// `rewriteProtocol` (optional): a handshake announcing another protocol
// number is re-encoded with this one before it reaches the backend. That
// stands for a backend that accepts whatever it is told (ViaVersion and the
// like); flying-squid would refuse the connection itself and hide what the
// proxy let through.

import net from 'node:net';
import zlib from 'node:zlib';
import { requireDep as require } from './deps.mjs';
import { encodeVarint, readVarint } from './varint.mjs';

const minecraftData = require('minecraft-data');

const MAX_FRAME = 2097151;
const BOMB_RATIO = 64;
const BOMB_FLOOR = 64 * 1024;
const INFLATE_CAP = 16 * 1024 * 1024;
const KEEP_EVENTS = 20;

function idTable(data, state, direction) {
  const mappings = data?.protocol?.[state]?.[direction]?.types?.packet?.[1]?.[0]?.type?.[1]?.mappings ?? {};
  const byName = new Map();
  for (const [hex, name] of Object.entries(mappings)) byName.set(name, Number.parseInt(hex, 16));
  return byName;
}

const tablesCache = new Map();
function tablesFor(protocol, fallbackVersion) {
  const key = `${protocol}|${fallbackVersion}`;
  if (tablesCache.has(key)) return tablesCache.get(key);
  let data = null;
  try { data = minecraftData(protocol); } catch {}
  if (!data?.protocol?.play) data = minecraftData(fallbackVersion);
  const t = {
    version: data.version.minecraftVersion,
    loginAck: idTable(data, 'login', 'toServer').get('login_acknowledged'),
    loginStart: idTable(data, 'login', 'toServer').get('login_start'),
    finishConfig: idTable(data, 'configuration', 'toServer').get('finish_configuration'),
    look: idTable(data, 'play', 'toServer').get('look'),
    positionLook: idTable(data, 'play', 'toServer').get('position_look'),
    startConfig: idTable(data, 'play', 'toClient').get('start_configuration'),
    compress: idTable(data, 'login', 'toClient').get('compress'),
    success: idTable(data, 'login', 'toClient').get('success'),
    names: {
      login: idTable(data, 'login', 'toServer'),
      configuration: idTable(data, 'configuration', 'toServer'),
      play: idTable(data, 'play', 'toServer'),
    },
  };
  t.nameOf = {};
  for (const [state, m] of Object.entries(t.names)) t.nameOf[state] = new Map([...m].map(([n, id]) => [id, n]));
  tablesCache.set(key, t);
  return t;
}

const varint = readVarint;

// A growable byte queue with a read offset (no quadratic concatenation).
class ByteQueue {
  constructor() { this.buf = Buffer.alloc(0); this.off = 0; }
  push(chunk) {
    if (this.off >= this.buf.length) { this.buf = chunk; this.off = 0; return; }
    this.buf = Buffer.concat([this.buf.subarray(this.off), chunk]);
    this.off = 0;
  }
  get length() { return this.buf.length - this.off; }
}

// One connection's serverbound parser. `conn` is the record that ends up in the report.
class ServerboundParser {
  constructor(conn, opts) {
    this.conn = conn;
    this.opts = opts;
    this.q = new ByteQueue();
    this.state = 'handshake';
    this.compressed = false;
    this.startConfigSeen = false;
    this.tables = tablesFor(opts.fallbackProtocol, opts.fallbackVersion);
    this.dead = false;
  }

  // Returns the bytes to forward (the chunk itself unless the handshake was rewritten).
  feed(chunk) {
    this.conn.bytes += chunk.length;
    if (this.dead) return chunk;
    this.fresh = this.q.length === 0;
    this.q.push(chunk);
    let rewritten = null;
    for (;;) {
      const { buf, off } = this.q;
      const len = varint(buf, off);
      if (len === null) break;
      if (len.error || len.value > MAX_FRAME) {
        this.stop(len.error ?? `frame of ${len.value} bytes announced`);
        break;
      }
      if (buf.length - off - len.size < len.value) break;
      const payload = buf.subarray(off + len.size, off + len.size + len.value);
      this.q.off = off + len.size + len.value;
      this.atChunkStart = this.fresh && off === 0;
      const replaced = this.frame(payload);
      if (replaced) rewritten = replaced;
      if (this.dead) break;
    }
    if (rewritten) return rewritten;
    return chunk;
  }

  stop(why) {
    this.dead = true;
    this.conn.parseError = why;
    this.q = new ByteQueue();
  }

  count(key) { this.conn.packets[key] = (this.conn.packets[key] ?? 0) + 1; }

  // Whether packet `id` exists in the serverbound table of the current state.
  idExists(id) {
    if (this.state === 'handshake') return id === 0;
    if (this.state === 'status') return id === 0 || id === 1;
    return this.tables.nameOf[this.state]?.has(id) ?? true;
  }

  frame(payload) {
    this.conn.frames++;
    let packet = payload;
    if (this.compressed) {
      const dl = varint(payload, 0);
      if (!dl || dl.error) { this.count(`${this.state} bad-dataLength`); return null; }
      const data = payload.subarray(dl.size);
      if (dl.value !== 0) {
        let inflated;
        let over = false;
        try {
          inflated = zlib.inflateSync(data, { maxOutputLength: Math.min(dl.value + 1, INFLATE_CAP) });
        } catch (e) {
          if (e?.code === 'ERR_BUFFER_TOO_LARGE' || /larger than/i.test(String(e?.message))) over = true;
          else { this.count(`${this.state} bad-zlib`); return null; }
        }
        const size = over ? Math.min(dl.value + 1, INFLATE_CAP) : inflated.length;
        const ratio = size / Math.max(1, data.length);
        if (over || size !== dl.value || (ratio > BOMB_RATIO && size > BOMB_FLOOR)) {
          this.conn.bombs++;
          if (this.conn.bombList.length < KEEP_EVENTS) {
            this.conn.bombList.push({ state: this.state, claimed: dl.value, inflated: over ? `>${size - 1}` : size, compressed: data.length });
          }
        }
        if (over) { this.count(`${this.state} oversized-inflate`); return null; }
        packet = inflated;
      } else {
        packet = data;
      }
    }
    if (packet.length === 0) { this.count(`${this.state} empty`); return null; }
    const idv = varint(packet, 0);
    if (!idv || idv.error) { this.count(`${this.state} bad-id`); return null; }
    const id = idv.value;
    const body = packet.subarray(idv.size);
    const t = this.tables;
    const key = `${this.state} 0x${id.toString(16).padStart(2, '0')}`;
    this.count(key);
    if (!this.idExists(id)) {
      this.conn.foreign++;
      if (this.conn.foreignList.length < KEEP_EVENTS && !this.conn.foreignList.includes(key)) this.conn.foreignList.push(key);
    }
    switch (this.state) {
      case 'handshake': {
        if (id !== 0) return null;
        const proto = varint(body, 0);
        if (!proto || proto.error) return null;
        const hl = varint(body, proto.size);
        if (!hl || hl.error) return null;
        const afterHost = proto.size + hl.size + hl.value;
        const next = varint(body, afterHost + 2);
        if (!next || next.error) return null;
        this.conn.protocol = proto.value | 0;
        this.conn.intent = next.value;
        this.tables = tablesFor(this.conn.protocol, this.opts.fallbackVersion);
        this.conn.tableVersion = this.tables.version;
        this.state = next.value === 1 ? 'status' : 'login';
        this.conn.states.push(this.state);
        if (this.opts.rewriteProtocol && this.conn.protocol !== this.opts.rewriteProtocol && next.value !== 1) {
          this.conn.rewrittenFrom = this.conn.protocol;
          const newBody = Buffer.concat([Buffer.from([0]), encodeVarint(this.opts.rewriteProtocol), body.subarray(proto.size)]);
          const framed = Buffer.concat([encodeVarint(newBody.length), newBody]);
          // Only when the handshake starts the chunk being forwarded (it always does).
          if (this.conn.frames === 1 && this.atChunkStart) return { handshake: framed, payloadLength: payload.length };
        }
        return null;
      }
      case 'login':
        if (id === t.loginStart) {
          const nl = varint(body, 0);
          if (nl && !nl.error) this.conn.username = body.subarray(nl.size, nl.size + nl.value).toString('utf8');
        } else if (id === t.loginAck && this.loginSuccessSeen) {
          this.state = 'configuration';
          this.conn.states.push(this.state);
        }
        return null;
      case 'configuration':
        if (id === t.finishConfig) {
          this.state = 'play';
          this.conn.states.push(this.state);
          this.conn.playAt = Date.now();
        }
        return null;
      case 'play': {
        let pitch = null;
        if (id === t.look && body.length >= 8) pitch = body.readFloatBE(4);
        else if (id === t.positionLook && body.length >= 32) pitch = body.readFloatBE(28);
        if (pitch !== null && Math.abs(pitch) > 90) {
          this.conn.pitchLooks++;
          if (this.conn.pitchList.length < KEEP_EVENTS) this.conn.pitchList.push({ pitch, at: Date.now() });
        }
        if (id === t.names.play.get('configuration_acknowledged') && this.startConfigSeen) {
          this.startConfigSeen = false;
          this.state = 'configuration';
          this.conn.states.push(this.state);
        }
        return null;
      }
      default:
        return null;
    }
  }
}

// The clientbound side, parsed only during the login: Set Compression switches
// the serverbound parser to the compressed format for frames read after it.
class ClientboundWatcher {
  constructor(sb) { this.sb = sb; this.q = new ByteQueue(); this.done = false; this.compressed = false; }
  feed(chunk) {
    const sb = this.sb;
    if (sb.state === 'play' && sb.tables.startConfig !== undefined) return this.watchPlay(chunk);
    if (this.done) return;
    this.q.push(chunk);
    for (;;) {
      const { buf, off } = this.q;
      const len = varint(buf, off);
      if (len === null || len.error || buf.length - off - len.size < len.value) {
        if (len?.error) this.done = true;
        break;
      }
      let payload = buf.subarray(off + len.size, off + len.size + len.value);
      this.q.off = off + len.size + len.value;
      if (this.compressed) {
        const dl = varint(payload, 0);
        if (!dl || dl.error || dl.value !== 0) continue;
        payload = payload.subarray(dl.size);
      }
      const idv = varint(payload, 0);
      if (!idv || idv.error) continue;
      if (sb.state === 'login' || sb.state === 'handshake') {
        if (idv.value === sb.tables.compress) {
          this.compressed = true;
          sb.compressed = true;
          sb.conn.compressionAt = Date.now();
        } else if (idv.value === sb.tables.success) {
          sb.loginSuccessSeen = true;
          this.done = true;  // the rest is configuration / play: not needed
          this.q = new ByteQueue();
          break;
        }
      }
    }
  }

  // In play, only a (tiny, so uncompressed) Start Configuration matters. It is
  // recognised at a frame start when the chunk boundaries line up with frames,
  // which they do for the one-packet writes of a minecraft-protocol server.
  watchPlay(chunk) {
    if (!this.compressed) return;
    if (chunk.length >= 3 && chunk[0] === 2 && chunk[1] === 0 && chunk[2] === this.sb.tables.startConfig) {
      this.sb.startConfigSeen = true;
    }
  }
}

export function startTap({ targetPort, targetHost = '127.0.0.1', fallbackVersion = '1.21.4', rewriteProtocol = null }) {
  const fallbackProtocol = minecraftData(fallbackVersion).version.version;
  const conns = [];
  const sockets = new Set();
  let nextId = 1;
  const server = net.createServer((down) => {
    const conn = {
      id: nextId++, opened: Date.now(), closed: null, closedBy: null, username: null, protocol: null, intent: null,
      tableVersion: null, states: ['handshake'], bytes: 0, frames: 0, packets: {}, bombs: 0, bombList: [],
      pitchLooks: 0, pitchList: [], foreign: 0, foreignList: [], parseError: null, compressionAt: null, playAt: null, rewrittenFrom: null,
      peerPort: down.remotePort,
    };
    conns.push(conn);
    const sb = new ServerboundParser(conn, { fallbackProtocol, fallbackVersion, rewriteProtocol });
    const cb = new ClientboundWatcher(sb);
    const up = net.connect({ port: targetPort, host: targetHost });
    down.setNoDelay(true);
    up.setNoDelay(true);
    for (const s of [down, up]) sockets.add(s);
    const finish = (who) => {
      if (conn.closed === null) { conn.closed = Date.now(); conn.closedBy = who; }
      down.destroy();
      up.destroy();
    };
    down.on('data', (chunk) => {
      let out = chunk;
      try {
        const r = sb.feed(chunk);
        if (r && r.handshake) {
          // The handshake frame is the chunk's first frame: swap it for the re-encoded one.
          const first = varint(chunk, 0);
          out = Buffer.concat([r.handshake, chunk.subarray(first.size + r.payloadLength)]);
        }
      } catch (e) {
        sb.stop(`tap parser: ${e.message}`);
      }
      if (!up.write(out)) down.pause();
    });
    up.on('drain', () => down.resume());
    up.on('data', (chunk) => {
      try { cb.feed(chunk); } catch {}
      if (!down.write(chunk)) up.pause();
    });
    down.on('drain', () => up.resume());
    down.on('end', () => finish('proxy'));
    up.on('end', () => finish('backend'));
    down.on('error', () => finish('proxy'));
    up.on('error', () => finish('backend'));
    down.on('close', () => { sockets.delete(down); finish('proxy'); });
    up.on('close', () => { sockets.delete(up); finish('backend'); });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      report: () => conns.map((c) => ({ ...c })),
      close: () => new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
    }));
  });
}
