// A Minecraft RCON server for the end-to-end tests, speaking the protocol as
// the game does: little-endian length, request id, type; login (3) answered
// with the id or -1 for a wrong password; a command (2) answered with a
// reply naming it; the empty request (0) a client sends after a command to
// find the end of a multi-packet reply answered as the game answers an
// unknown type. Records the logins and commands it saw.
//
//   const rcon = await rconServer('secret');   // { server, seen, port }

import net from 'node:net';

export function rconServer(password) {
  const seen = { logins: [], commands: [] };
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    let authed = false;
    const reply = (id, type, body) => {
      const b = Buffer.from(body, 'utf8');
      const out = Buffer.alloc(14 + b.length);
      out.writeInt32LE(10 + b.length, 0); out.writeInt32LE(id, 4); out.writeInt32LE(type, 8);
      b.copy(out, 12);
      sock.write(out);
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        const id = buf.readInt32LE(4);
        const type = buf.readInt32LE(8);
        const body = buf.subarray(12, 4 + len - 2).toString('utf8');
        buf = buf.subarray(4 + len);
        if (type === 3) {
          seen.logins.push(body);
          authed = body === password;
          reply(authed ? id : -1, 2, '');
        } else if (type === 2 && authed) {
          seen.commands.push(body);
          reply(id, 0, `done: ${body.split(' ')[0]}`);
        } else if (type === 0 && authed) {
          reply(id, 0, 'Unknown request 0');  // the client's end-of-reply marker
        }
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, seen, port: server.address().port })));
}
