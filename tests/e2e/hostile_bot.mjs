// The honest player of tests/e2e/hostile.mjs, in its own process so that an
// attack running in the harness cannot slow its event loop: a mineflayer bot
// that spawns, walks a little, looks around now and then, and chats every
// --interval ms ("rtt <n>"), timing each message until the server's echo
// comes back through the proxy.
//   node tests/e2e/hostile_bot.mjs --port P --name honest --version 1.21.4 [--interval 250]
// IPC out: {type:'spawned', at}, {type:'rtt', seq, sent, ms} per echo,
// {type:'ended', at, reason, kicked}. IPC in: {type:'pending'} (answered with
// {type:'pending', list:[{seq, sent, ageMs}]}), {type:'stop'} (quit and exit).

import { parseArgs, send, onStop, log } from './lib/child.mjs';
import { requireDep as require } from './lib/deps.mjs';

const mineflayer = require('mineflayer');
const args = parseArgs();
const name = String(args.name ?? 'honest');
const interval = Number(args.interval ?? 250);
const tag = `honest ${name}`;

const bot = mineflayer.createBot({
  host: '127.0.0.1', port: Number(args.port), username: name, version: String(args.version ?? '1.21.4'),
  auth: 'offline', hideErrors: true, logErrors: false,
});
bot.on('error', (e) => log(tag, 'error', e?.message ?? e));

const pending = new Map();  // seq -> {hr, wall}: when it was sent (monotonic ms, wall clock ms)
const now = () => Number(process.hrtime.bigint()) / 1e6;
let seq = 0;
let kicked = null;
let chatTimer = null;
let moveTimer = null;

bot.on('messagestr', (m) => {
  const match = /rtt (\d+)\b/.exec(m);
  if (!match) return;
  const n = Number(match[1]);
  const sent = pending.get(n);
  if (sent === undefined) return;
  pending.delete(n);
  send({ type: 'rtt', seq: n, sent: sent.wall, ms: now() - sent.hr });
});

// The harness asks which messages are still unanswered when it closes a window.
process.on('message', (m) => {
  if (m?.type !== 'pending') return;
  const t = now();
  send({ type: 'pending', list: [...pending].map(([n, p]) => ({ seq: n, sent: p.wall, ageMs: t - p.hr })) });
});

bot.once('spawn', async () => {
  send({ type: 'spawned', at: Date.now() });
  chatTimer = setInterval(() => {
    seq++;
    pending.set(seq, { hr: now(), wall: Date.now() });
    // A message never echoed is not waited for forever.
    for (const [k, t] of pending) if (now() - t.hr > 30000) pending.delete(k);
    bot.chat(`rtt ${seq}`);
  }, interval);
  // A little honest movement: a few steps, a jump, a look around every 2 s.
  bot.setControlState('forward', true);
  setTimeout(() => { bot.setControlState('jump', true); }, 400);
  setTimeout(() => { bot.clearControlStates(); }, 900);
  let turn = 0;
  moveTimer = setInterval(() => {
    turn++;
    bot.look((turn * Math.PI) / 3, (turn % 3 - 1) * 0.3, false).catch(() => {});
    if (turn % 2 === 0) {
      bot.setControlState(turn % 4 === 0 ? 'forward' : 'back', true);
      setTimeout(() => bot.clearControlStates(), 250);
    }
  }, 2000);
});

bot.on('kicked', (reason) => { kicked = typeof reason === 'string' ? reason : JSON.stringify(reason); });
bot.once('end', (reason) => {
  clearInterval(chatTimer);
  clearInterval(moveTimer);
  send({ type: 'ended', at: Date.now(), reason: String(reason), kicked });
});

onStop(async () => {
  clearInterval(chatTimer);
  clearInterval(moveTimer);
  try { bot.quit(); } catch {}
  await new Promise((r) => setTimeout(r, 100));
});
