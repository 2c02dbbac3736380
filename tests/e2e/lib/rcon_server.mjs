// A Minecraft RCON server for the end-to-end tests, speaking the protocol as
// the game does: little-endian length, request id, type; login (3) answered
// with the id or -1 for a wrong password; a command (2) answered with a
// reply naming it; the empty request (0) a client sends after a command to
// find the end of a multi-packet reply answered as the game answers an
// unknown type. Records the logins and commands it saw.
// The game's quirks, kept so a client that ignores them fails here:
//  - one packet per read: the game parses the first packet of each read and
//    drops the rest of what that read returned (counted in seen.lostBytes;
//    a client must send the next packet only after the answer);
//  - replies over 4,096 bytes come as several packets of the same id, none
//    marked last: a `ban` command here answers with a 6,000-byte ban list,
//    which only the empty-packet trick can tell the end of.
//
//   const rcon = await rconServer('secret');   // { server, seen, port }

import net from 'node:net';

export function rconServer(password) {
  const seen = { logins: [], commands: [], lostBytes: 0 };
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    let authed = false;
    const packet = (id, type, b) => {
      const out = Buffer.alloc(14 + b.length);
      out.writeInt32LE(10 + b.length, 0); out.writeInt32LE(id, 4); out.writeInt32LE(type, 8);
      b.copy(out, 12);
      sock.write(out);
    };
    const reply = (id, type, body) => {
      const b = Buffer.from(body, 'utf8');
      if (b.length === 0) { packet(id, type, b); return; }
      for (let at = 0; at < b.length; at += 4096) packet(id, type, b.subarray(at, at + 4096));
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32LE(0)) return;  // the packet's rest is still coming
      const len = buf.readInt32LE(0);
      const id = buf.readInt32LE(4);
      const type = buf.readInt32LE(8);
      const body = buf.subarray(12, 4 + len - 2).toString('utf8');
      seen.lostBytes += buf.length - (4 + len);  // the game reads one packet per read
      buf = Buffer.alloc(0);
      if (type === 3) {
        seen.logins.push(body);
        authed = body === password;
        reply(authed ? id : -1, 2, '');
      } else if (type === 2 && authed) {
        seen.commands.push(body);
        const verb = body.split(' ')[0];
        let text = `done: ${verb}`;
        if (verb === 'ban') {
          const list = Array.from({ length: 200 }, (_, i) => ` player_${String(i).padStart(3, '0')} was banned by Server: cheating.`).join('');
          text = `${text}\nThere are 120 bans:${list}`.slice(0, 6000);
        }
        reply(id, 0, text);
      } else if (type === 0 && authed) {
        reply(id, 0, 'Unknown request 0');  // the client's end-of-reply marker
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, seen, port: server.address().port })));
}
