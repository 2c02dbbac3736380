// The serverbound tap of lib/tap.mjs as a child process (its own event loop,
// so a flood it parses does not slow the harness, and the reverse).
//   node tests/e2e/tap.mjs --target PORT [--rewrite-protocol 769]
// IPC: sends {type:'ready', port}; answers {type:'report'} with
// {type:'report', conns}; exits on {type:'stop'} or when the parent goes away.

import { parseArgs, send, onStop } from './lib/child.mjs';
import { startTap } from './lib/tap.mjs';

const args = parseArgs();
const tap = await startTap({
  targetPort: Number(args.target),
  rewriteProtocol: args['rewrite-protocol'] ? Number(args['rewrite-protocol']) : null,
});
process.on('message', (m) => {
  if (m?.type === 'report') send({ type: 'report', conns: tap.report() });
});
onStop(() => tap.close());
send({ type: 'ready', port: tap.port });
