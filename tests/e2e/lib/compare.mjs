// Compares the bots' recording with the server's, per player. With the
// goodbye agreement (lib/protocol.mjs) the rule is exact equality:
//   serverbound: what the bot sent   == what the server received (same entries, same order)
//   clientbound: what the server sent == what the bot received
// Entries carry state, name, size and a hash of the bytes, so a changed,
// dropped, duplicated, reordered or injected packet all show as a mismatch.
// Returns a list of problems (strings, with a readable diff); empty = pass.

import { KICK_REASON } from './protocol.mjs';

const CONTEXT = 3;

// Packet kinds each bot must have sent in play, by name per version family.
const REQUIRED_KINDS = {
  movement: ['position', 'position_look', 'look', 'flying', 'move_player_pos', 'move_player_pos_rot'],
  chat: ['chat', 'chat_message'],
  swing: ['arm_animation', 'swing'],
  attack: ['use_entity', 'attack', 'interact'],
};

function nameOf(entry) {
  const [state, name] = entry.split(' ');
  return `${state} ${name}`;
}

function countByName(list) {
  const counts = new Map();
  for (const e of list) counts.set(nameOf(e), (counts.get(nameOf(e)) ?? 0) + 1);
  return counts;
}

function diffSequences(label, expected, actual, expectedSide, actualSide) {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  if (i === expected.length && i === actual.length) return null;
  const lines = [
    `${label}: ${expectedSide} has ${expected.length} packets, ${actualSide} has ${actual.length}; first difference at #${i}`,
  ];
  const from = Math.max(0, i - CONTEXT);
  const show = (side, list) => {
    lines.push(`  ${side}:`);
    for (let k = from; k < Math.min(list.length, i + CONTEXT + 1); k++) {
      lines.push(`    ${k === i ? '>' : ' '} #${k} ${list[k]}`);
    }
    if (i >= list.length) lines.push(`    > #${i} (end of sequence)`);
  };
  show(expectedSide, expected);
  show(actualSide, actual);
  const ce = countByName(expected);
  const ca = countByName(actual);
  const names = [...new Set([...ce.keys(), ...ca.keys()])].sort();
  const countDiffs = names.filter((n) => (ce.get(n) ?? 0) !== (ca.get(n) ?? 0));
  if (countDiffs.length) {
    lines.push(`  counts that differ (${expectedSide} / ${actualSide}):`);
    for (const n of countDiffs.slice(0, 20)) lines.push(`    ${n}: ${ce.get(n) ?? 0} / ${ca.get(n) ?? 0}`);
  } else {
    lines.push('  same counts per packet name: order or content differs');
  }
  return lines.join('\n');
}

// RustGuard's lag compensation injects transactions of its own toward the
// client (Ping from 1.17, window-0 Window Confirmation before; ids -1 ...
// -32768) and swallows the client's answers, so by design they exist only
// on the bot's side. Everything else must still match exactly.
const PROXY_TRANSACTION = /^play (ping|pong|transaction) \d+ [0-9a-f]+( w=0)? id=-\d+$/;
export function isProxyTransaction(entry) {
  return PROXY_TRANSACTION.test(entry);
}

export function compareRecordings(bots, server, { proxyTransactions = false } = {}) {
  const problems = [];
  const stats = { players: 0, serverbound: 0, clientbound: 0, suppressed: 0, probes: 0 };
  const byName = new Map();
  for (const p of server.players) {
    if (!p.username && p.serverbound.length === 0) { stats.probes++; continue; } // TCP readiness probe
    const list = byName.get(p.username) ?? [];
    list.push(p);
    byName.set(p.username, list);
  }
  const botNames = new Set(bots.bots.map((b) => b.username));
  for (const [name, list] of byName) {
    if (!botNames.has(name)) problems.push(`server saw a connection from ${name ?? '(no login)'} that no bot made (${list[0].serverbound.length} packets)`);
  }

  for (const bot of bots.bots) {
    const who = bot.username;
    if (!bot.spawned) problems.push(`${who}: never spawned (end: ${bot.end}; errors: ${bot.errors.join('; ') || 'none'})`);
    if (!bot.saidGoodbye) problems.push(`${who}: did not reach the goodbye`);
    const kickedOk = bot.kicked && bot.kicked.includes(KICK_REASON);
    if (bot.saidGoodbye && !kickedOk) problems.push(`${who}: expected the server's kick "${KICK_REASON}", got kicked=${bot.kicked} end=${bot.end}`);
    const conns = byName.get(who) ?? [];
    if (conns.length !== 1) {
      problems.push(`${who}: server has ${conns.length} connections for this player (expected 1)`);
      continue;
    }
    const srv = conns[0];
    stats.players++;
    stats.clientbound += srv.clientbound.length;
    stats.suppressed += bot.suppressed.length;
    // Only the bot's side is filtered: a proxy transaction that reached the
    // server, or a server ping the proxy swallowed, still fails.
    const keep = (list) => (proxyTransactions ? list.filter((e) => !isProxyTransaction(e)) : list);
    const botSent = keep(bot.serverbound);
    const botReceived = keep(bot.clientbound);
    stats.serverbound += botSent.length;
    stats.proxyTransactions = (stats.proxyTransactions ?? 0) + (bot.clientbound.length - botReceived.length);
    const sb = diffSequences(`${who} serverbound`, botSent, srv.serverbound, 'bot sent', 'server received');
    if (sb) problems.push(sb);
    const cb = diffSequences(`${who} clientbound`, srv.clientbound, botReceived, 'server sent', 'bot received');
    if (cb) problems.push(cb);

    const playNames = new Set(bot.serverbound.filter((e) => e.startsWith('play ')).map((e) => e.split(' ')[1]));
    for (const [kind, names] of Object.entries(REQUIRED_KINDS)) {
      if (!names.some((n) => playNames.has(n))) problems.push(`${who}: sent no ${kind} packet (${names.join('/')}); actions: ${bot.actions.join(',')}`);
    }
  }
  return { problems, stats };
}
