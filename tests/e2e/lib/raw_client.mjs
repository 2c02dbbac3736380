// A hand-built 1.21.4 (protocol 769) client for the hostile cases: every
// frame it writes is built here, so a test can put packets where a real
// client never would (two in one TCP write, the wrong state, a lying
// handshake, compressed frames whose claim is false).
//
//   const c = new RawClient({ port, username: 'x' });
//   await c.connect();
//   await c.login();                   // handshake .. play, answering what the server asks
//   c.send(c.ids.play.look, lookBody(0, 150));
//   const end = await c.closed;        // {at, reason, by}
//
// It answers keep-alives, pings and teleports by itself while it is in
// configuration or play, so a session stays up as long as the test wants.

import net from 'node:net';
import zlib from 'node:zlib';
import { requireDep as require } from './deps.mjs';
import { encodeVarint, readVarint } from './varint.mjs';

const minecraftData = require('minecraft-data');

export const varint = encodeVarint;

export const str = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([varint(b.length), b]); };
export const frame = (payload) => Buffer.concat([varint(payload.length), payload]);

function ids(version) {
  const data = minecraftData(version);
  const table = (state, dir) => {
    const m = data.protocol[state][dir].types.packet[1][0].type[1].mappings;
    return Object.fromEntries(Object.entries(m).map(([hex, name]) => [name, Number.parseInt(hex, 16)]));
  };
  return {
    protocol: data.version.version,
    login: table('login', 'toServer'), loginIn: table('login', 'toClient'),
    config: table('configuration', 'toServer'), configIn: table('configuration', 'toClient'),
    play: table('play', 'toServer'), playIn: table('play', 'toClient'),
  };
}

// Bodies of the packets the cases write (1.21.4 layouts).
export function lookBody(yaw, pitch, onGround = true) {
  const b = Buffer.alloc(9);
  b.writeFloatBE(yaw, 0);
  b.writeFloatBE(pitch, 4);
  b[8] = onGround ? 1 : 0;
  return b;
}
export function positionLookBody(x, y, z, yaw, pitch, onGround = true) {
  const b = Buffer.alloc(33);
  b.writeDoubleBE(x, 0); b.writeDoubleBE(y, 8); b.writeDoubleBE(z, 16);
  b.writeFloatBE(yaw, 24); b.writeFloatBE(pitch, 28);
  b[32] = onGround ? 1 : 0;
  return b;
}

// Printable text of a Disconnect body (JSON in login, NBT later): good enough to log and match.
function printable(buf) {
  return buf.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim();
}

export class RawClient {
  constructor({ port, host = '127.0.0.1', username, version = '1.21.4', announce = null }) {
    this.port = port;
    this.host = host;
    this.username = username;
    this.ids = ids(version);
    this.announce = announce ?? this.ids.protocol;
    this.state = 'handshake';
    this.compression = -1;
    this.inbuf = Buffer.alloc(0);
    this.received = {};
    this.position = null;
    this.disconnect = null;
    this.autoAnswer = true;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port: this.port, host: this.host });
      this.sock = sock;
      sock.setNoDelay(true);
      this.closed = new Promise((done) => {
        const finish = (by) => {
          if (this.closedInfo) return;
          this.closedInfo = { at: Date.now(), by, reason: this.disconnect };
          done(this.closedInfo);
        };
        sock.once('close', () => finish('close'));
        sock.once('end', () => finish('end'));
      });
      sock.on('error', (e) => { this.error = e.code ?? e.message; reject(e); });
      sock.on('data', (d) => this.onData(d));
      sock.once('connect', () => { this.localPort = sock.localPort; this.connectedAt = Date.now(); resolve(this); });
    });
  }

  get isClosed() { return !!this.closedInfo; }

  // One packet framed for the current compression state.
  packet(id, body = Buffer.alloc(0)) {
    const payload = Buffer.concat([varint(id), body]);
    if (this.compression < 0) return frame(payload);
    if (payload.length < this.compression) return frame(Buffer.concat([varint(0), payload]));
    return frame(Buffer.concat([varint(payload.length), zlib.deflateSync(payload)]));
  }

  write(buf) {
    if (this.sock.destroyed) return false;
    return this.sock.write(buf);
  }

  send(id, body) { return this.write(this.packet(id, body)); }

  handshakePacket(nextState = 2, protocol = this.announce) {
    return this.packet(0, Buffer.concat([varint(protocol), str('127.0.0.1'), Buffer.from([0x63, 0xdd]), varint(nextState)]));
  }

  loginStartPacket() {
    // 1.20.2+: name and UUID (offline clients send any UUID; the server derives its own).
    return this.packet(this.ids.login.login_start, Buffer.concat([str(this.username), Buffer.alloc(16)]));
  }

  // Logs in and configures, answering the server, until the client is in play.
  // `earlyAck`: Login Acknowledged goes in the same TCP write as Login Start.
  // `ackAgain`: with earlyAck, acknowledge Login Success once more when it
  // comes (a backend ignores the early one). `extraFirstWrite`: more bytes
  // appended to that first write.
  async login({ earlyAck = false, ackAgain = false, extraFirstWrite = null, timeoutMs = 10000 } = {}) {
    this.state = 'login';
    const first = [this.handshakePacket(2), this.loginStartPacket()];
    if (earlyAck) { first.push(this.packet(this.ids.login.login_acknowledged)); this.ackSent = !ackAgain; }
    if (extraFirstWrite) first.push(extraFirstWrite);
    this.write(Buffer.concat(first));
    await this.waitFor(() => this.state === 'play' && this.received['play login'], timeoutMs, 'reaching play');
  }

  waitFor(predicate, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (predicate()) return resolve();
        if (this.closedInfo) return reject(new Error(`${this.username}: closed while ${what} (${this.disconnect ?? 'no Disconnect'})`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`${this.username}: timeout ${timeoutMs} ms ${what} (state ${this.state})`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  onData(d) {
    this.inbuf = this.inbuf.length ? Buffer.concat([this.inbuf, d]) : d;
    let off = 0;
    for (;;) {
      const len = readVarint(this.inbuf, off);
      if (!len || len.error || this.inbuf.length - off - len.size < len.value) break;
      let payload = this.inbuf.subarray(off + len.size, off + len.size + len.value);
      off += len.size + len.value;
      if (this.compression >= 0) {
        const dl = readVarint(payload, 0);
        if (!dl) continue;
        payload = dl.value === 0 ? payload.subarray(dl.size) : zlib.inflateSync(payload.subarray(dl.size));
      }
      const idv = readVarint(payload, 0);
      if (!idv) continue;
      this.onPacket(idv.value, payload.subarray(idv.size));
    }
    this.inbuf = this.inbuf.subarray(off);
  }

  onPacket(id, body) {
    const I = this.ids;
    const name = (table) => Object.keys(table).find((k) => table[k] === id) ?? `0x${id.toString(16)}`;
    if (this.state === 'login') {
      const n = name(I.loginIn);
      this.received[`login ${n}`] = (this.received[`login ${n}`] ?? 0) + 1;
      if (id === I.loginIn.compress) {
        this.compression = readVarint(body, 0).value;
      } else if (id === I.loginIn.success) {
        if (!this.ackSent) this.send(I.login.login_acknowledged);
        this.state = 'configuration';
      } else if (id === I.loginIn.disconnect) {
        this.disconnect = printable(body);
      }
      return;
    }
    if (this.state === 'configuration') {
      const n = name(I.configIn);
      this.received[`configuration ${n}`] = (this.received[`configuration ${n}`] ?? 0) + 1;
      if (id === I.configIn.keep_alive) this.send(I.config.keep_alive, body.subarray(0, 8));
      else if (id === I.configIn.ping) this.send(I.config.pong, body.subarray(0, 4));
      else if (id === I.configIn.finish_configuration) { this.send(I.config.finish_configuration); this.state = 'play'; }
      else if (id === I.configIn.disconnect) this.disconnect = printable(body);
      return;
    }
    if (this.state === 'play') {
      const n = name(I.playIn);
      this.received[`play ${n}`] = (this.received[`play ${n}`] ?? 0) + 1;
      if (id === I.playIn.kick_disconnect) { this.disconnect = printable(body); return; }
      if (!this.autoAnswer) return;
      if (id === I.playIn.keep_alive) this.send(I.play.keep_alive, body.subarray(0, 8));
      else if (id === I.playIn.ping) this.send(I.play.pong, body.subarray(0, 4));
      else if (id === I.playIn.position) {
        const tid = readVarint(body, 0);
        const at = tid.size;
        this.position = { x: body.readDoubleBE(at), y: body.readDoubleBE(at + 8), z: body.readDoubleBE(at + 16) };
        this.send(I.play.teleport_confirm, varint(tid.value));
      }
    }
  }

  end() { try { this.sock.destroy(); } catch {} }
}

// Writes `chunk` (or chunk(i)) until `maxBytes` went out, the socket closed, or
// stop() says so; waits for 'drain' when the kernel buffer is full. Resolves
// with the bytes written.
export async function flood(sock, chunk, { maxBytes = Infinity, stop = () => false } = {}) {
  let sent = 0;
  let i = 0;
  while (!sock.destroyed && !sock.writableEnded && sent < maxBytes && !stop()) {
    const c = typeof chunk === 'function' ? chunk(i++) : chunk;
    sent += c.length;
    if (!sock.write(c)) {
      await new Promise((resolve) => {
        const done = () => { sock.off('drain', done); sock.off('close', done); resolve(); };
        sock.on('drain', done);
        sock.on('close', done);
      });
    }
  }
  return sent;
}
