// The Node packages come from tests/node (pinned in its package.json and
// package-lock.json), so resolve them from there rather than from tests/e2e.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const nodeDir = fileURLToPath(new URL('../../node/', import.meta.url));
export const requireDep = createRequire(new URL('../../node/package.json', import.meta.url));

export function checkInstalled() {
  if (!existsSync(`${nodeDir}node_modules/mineflayer`)) {
    throw new Error(`Node packages missing: run "npm ci" in ${nodeDir}`);
  }
}
