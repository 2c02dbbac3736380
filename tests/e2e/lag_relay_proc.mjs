// lib/lag_relay.mjs in a process of its own, so that the relay's timers do
// not wait behind the harness's work (combat.mjs: arrival times to the
// millisecond matter to autoclicker.pattern). Forked with IPC:
//   node lag_relay_proc.mjs --target-port 25565 --delay-ms 150
// sends {type:'ready', port}; answers {type:'lateness', fromMs, toMs} with
// {type:'lateness', late: [ms...]} (how late its timers delivered the
// client's bytes due then); exits when the parent goes away or on 'stop'.

import { parseArgs, send, onStop } from './lib/child.mjs';
import { startLagRelay } from './lib/lag_relay.mjs';

const args = parseArgs();
const relay = await startLagRelay({ targetPort: Number(args['target-port']), delayMs: Number(args['delay-ms'] ?? 0) });
onStop(() => relay.close());
process.on('message', (m) => {
  if (m?.type === 'lateness') send({ type: 'lateness', late: relay.lateness(m.fromMs ?? 0, m.toMs ?? Infinity) });
});
send({ type: 'ready', port: relay.port });
