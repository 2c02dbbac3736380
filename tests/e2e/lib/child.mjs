// Shared plumbing for the child processes (backends and bots): argument
// parsing, the IPC "ready"/"stop" handshake with run.mjs, and writing the
// recording as JSON.

import { writeFileSync } from 'node:fs';

export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
}

export function send(message) {
  if (process.send) process.send(message);
}

export function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 1));
}

// Calls `onStop` when the harness asks (IPC "stop") or the parent goes away.
export function onStop(onStopFn) {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await onStopFn();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (m) => { if (m?.type === 'stop') stop(); });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

export function log(prefix, ...args) {
  process.stderr.write(`[${prefix}] ${args.join(' ')}\n`);
}
