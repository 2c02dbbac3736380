// A user-space lag relay: listens on 127.0.0.1, connects each accepted
// socket to a target port, and delivers every chunk read from either side
// `delayMs` later, in order. Latency without tc/netem (no root, loopback only).
//
//   const relay = await startLagRelay({ targetPort: 25565, delayMs: 100 });
//   ... connect to relay.port ...
//   relay.lateness(fromMs, toMs)   // how late its timers delivered client bytes
//   await relay.close();

import net from 'node:net';

// One direction: chunks wait in a FIFO until their due time; one timer at a
// time, so order is kept whatever the timer granularity. `onDeliver(due,
// lateMs)` hears how late each chunk went out (a loaded host fires timers
// late).
function delayedPipe(from, to, delayMs, onDeliver = null) {
  const queue = [];
  let timer = null;
  let ended = false;
  const pump = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && queue[0].due <= now) {
      const { chunk, due } = queue.shift();
      if (onDeliver && chunk !== null) onDeliver(due, now - due);
      if (chunk === null) { to.end(); return; }
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length) timer = setTimeout(pump, Math.max(0, queue[0].due - now));
  };
  const push = (chunk) => {
    queue.push({ due: Date.now() + delayMs, chunk });
    if (!timer) timer = setTimeout(pump, delayMs);
  };
  from.on('data', (chunk) => (delayMs > 0 ? push(chunk) : to.write(chunk)));
  from.on('end', () => {
    if (ended) return;
    ended = true;
    if (delayMs > 0) push(null); else to.end();
  });
  return () => { if (timer) clearTimeout(timer); queue.length = 0; };
}

export function startLagRelay({ targetPort, targetHost = '127.0.0.1', delayMs }) {
  const sockets = new Set();
  const stops = [];
  // [due ms, late ms] of the client's bytes, newest last (bounded).
  const late = [];
  const onDeliver = (due, ms) => {
    if (late.length >= 100000) late.splice(0, 50000);
    late.push([due, ms]);
  };
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => sockets.delete(s));
    }
    stops.push(delayedPipe(client, upstream, delayMs, onDeliver), delayedPipe(upstream, client, delayMs));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      delayMs,
      // How late the client's bytes went out (ms) for chunks due in
      // [fromMs, toMs]: the spread the relay itself added to their timing.
      lateness: (fromMs = 0, toMs = Infinity) => late.filter(([due]) => due >= fromMs && due <= toMs).map(([, ms]) => ms),
      close: () => new Promise((done) => {
        for (const stop of stops) stop();
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
    }));
  });
}
