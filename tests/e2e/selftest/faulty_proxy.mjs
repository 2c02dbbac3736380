#!/usr/bin/env node
// A stand-in for the rustguard binary that breaks the stream on purpose, so
// selftest.mjs can show that run.mjs notices. It accepts the one flag run.mjs
// passes (--config PATH), reads `listen` and `backend` from that file and
// relays whole frames (VarInt length + body; compression does not matter at
// this level), applying the fault named in the E2E_FAULT environment variable:
//   none                   forward everything
//   drop-serverbound:N     drop the Nth serverbound frame of each connection
//   drop-clientbound:N     drop the Nth clientbound frame
//   dup-serverbound:N      send the Nth serverbound frame twice
//   swap-clientbound:N     send clientbound frames N and N+1 in reverse order
//   cut-clientbound:N      close both sides instead of forwarding frame N
// Frames are counted from 1 and include handshake and login.

import net from 'node:net';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const configPath = argv[argv.indexOf('--config') + 1];
const config = readFileSync(configPath, 'utf8');
const value = (key) => (config.match(new RegExp(`^${key}:\\s*'?([^'\\s]+)'?`, 'm')) ?? [])[1];
const [listenHost, listenPort] = value('listen').split(/:(?=\d+$)/);
const [backendHost, backendPort] = value('backend').split(/:(?=\d+$)/);
const [mode = 'none', nth = '0'] = String(process.env.E2E_FAULT ?? 'none').split(':');
const N = Number(nth);

// Splits a byte stream into frames (length prefix included).
function framer(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      let length = 0;
      let i = 0;
      for (; i < 3 && i < pending.length; i++) {
        length |= (pending[i] & 0x7f) << (7 * i);
        if ((pending[i] & 0x80) === 0) break;
      }
      if (i >= pending.length || i === 3) return;
      const total = i + 1 + length;
      if (pending.length < total) return;
      onFrame(pending.subarray(0, total));
      pending = pending.subarray(total);
    }
  };
}

function direction(name, from, to, kill) {
  let count = 0;
  let held = null;
  return framer((frame) => {
    count++;
    const target = mode.endsWith(name) ? mode.split('-')[0] : null;
    if (target && count === N) {
      if (target === 'drop') return;
      if (target === 'dup') { to.write(frame); to.write(frame); return; }
      if (target === 'swap') { held = Buffer.from(frame); return; }
      if (target === 'cut') { kill(); return; }
    }
    to.write(frame);
    if (held && count === N + 1) { to.write(held); held = null; }
  });
}

const server = net.createServer((client) => {
  const backend = net.connect(Number(backendPort), backendHost);
  const kill = () => { client.destroy(); backend.destroy(); };
  client.on('data', direction('serverbound', client, backend, kill));
  backend.on('data', direction('clientbound', backend, client, kill));
  client.on('end', () => backend.end());
  backend.on('end', () => client.end());
  client.on('error', kill);
  backend.on('error', kill);
});
server.listen(Number(listenPort), listenHost);
process.on('SIGTERM', () => process.exit(0));
