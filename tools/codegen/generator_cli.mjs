// What both generators share: the command line ([--check] [--out FILE]), the
// error exit, and writing the header or checking that it is current.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const nodeDir = path.join(repoRoot, 'tests', 'node');

// `name` prefixes every error; the process exits 1.
export function failer(name) {
  return (message) => {
    console.error(`${name}: ${message}`);
    process.exit(1);
  };
}

export function parseArgs(argv, defaultOut, fail) {
  const args = { out: defaultOut, check: false };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--check') args.check = true;
    else if (argv[i] === '--out' && i + 1 < argv.length) args.out = path.resolve(argv[++i]);
    else fail(`unknown argument '${argv[i]}' (usage: [--check] [--out FILE])`);
  }
  return args;
}

// --check: fail unless args.out holds exactly `text` (a missing file is
// stale). Otherwise write it and print `summary`.
export function writeOrCheck(args, text, summary, fail) {
  const rel = path.relative(repoRoot, args.out);
  if (args.check) {
    let current = '';
    try {
      current = readFileSync(args.out, 'utf8');
    } catch {
      // missing file counts as stale
    }
    if (current !== text) fail(`${rel} is stale; rerun without --check`);
    console.log(`${rel} is up to date`);
    return;
  }
  writeFileSync(args.out, text);
  console.log(`wrote ${rel}: ${summary}`);
}
