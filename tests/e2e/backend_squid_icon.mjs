// backend_squid.mjs (flying-squid) with a server icon in its status answer,
// as most real servers have: a Status Response of ~11 KB instead of ~200
// bytes, so whatever the proxy keeps per status answer weighs what it weighs
// in production. Same arguments and IPC as backend_squid.mjs.
//   node tests/e2e/backend_squid_icon.mjs --version 1.21.4 --port 0 --record out.json

import { createHash } from 'node:crypto';
import { requireDep as require } from './lib/deps.mjs';

// 8 KiB of PNG-looking bytes (a signature, then deterministic noise: icons
// compress badly, so their base64 is about this long).
const noise = [];
for (let i = 0; noise.length * 32 < 8192; i++) noise.push(createHash('sha256').update(`icon ${i}`).digest());
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...noise]).subarray(0, 8192);
const favicon = `data:image/png;base64,${png.toString('base64')}`;

// flying-squid hands its options to minecraft-protocol's createServer, which
// puts `favicon` in every status answer.
const flyingSquid = require('flying-squid');
const create = flyingSquid.createMCServer;
flyingSquid.createMCServer = (options) => create({ ...options, favicon });

await import('./backend_squid.mjs');
