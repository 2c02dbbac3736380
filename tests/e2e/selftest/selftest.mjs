#!/usr/bin/env node
// Checks that run.mjs catches a broken proxy: it runs one version through
// faulty_proxy.mjs once per fault and expects a pass only for "none", and for
// every other fault a failure whose report names the broken direction.
//   node tests/e2e/selftest/selftest.mjs [--version 26.1]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const version = argv.includes('--version') ? argv[argv.indexOf('--version') + 1] : '26.1';

// [fault, expected exit code, text the report must contain]
const CASES = [
  ['none', 0, '1 passed, 0 failed'],
  ['drop-serverbound:30', 1, 'serverbound: bot sent has'],
  ['dup-serverbound:30', 1, 'serverbound: bot sent has'],
  ['drop-clientbound:40', 1, 'clientbound: server sent has'],
  ['swap-clientbound:40', 1, 'same counts per packet name: order or content differs'],
  ['cut-clientbound:60', 1, 'FAIL'],
];

let bad = 0;
const out = mkdtempSync(join(tmpdir(), 'rustguard-e2e-selftest-'));
for (const [fault, expectedCode, needle] of CASES) {
  const r = spawnSync(process.execPath, [`${here}../run.mjs`, '--proxy', `${here}faulty_proxy.mjs`, '--versions', version,
    '--out', join(out, fault.replace(':', '-'))], {
    env: { ...process.env, E2E_FAULT: fault }, encoding: 'utf8', timeout: 120000,
  });
  const ok = r.status === expectedCode && r.stdout.includes(needle);
  if (!ok) bad++;
  console.log(`${ok ? 'ok  ' : 'BAD '} ${fault.padEnd(22)} exit ${r.status} (expected ${expectedCode}), report ${r.stdout.includes(needle) ? 'has' : 'lacks'} "${needle}"`);
  if (!ok) console.log(r.stdout.split('\n').map((l) => `      ${l}`).join('\n'));
}
console.log(`${CASES.length - bad} of ${CASES.length} self-test cases behaved as expected`);
if (bad === 0) rmSync(out, { recursive: true, force: true });
else console.log(`recordings kept in ${out}`);
process.exit(bad === 0 ? 0 : 1);
