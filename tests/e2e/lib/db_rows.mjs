// Reads RustGuard's violation log (docs/database-schema.md, schema v3) with
// the sqlite3 CLI, read-only, into plain rows for the e2e suites
// (tests/e2e/parity.mjs).
//
//   const rows = readDatabase('/tmp/x/live.db');
//   rows.sessions    [{id, player, protocol, start_ms, end_ms, source, capture_file}]
//   rows.violations  [{id, player, check, type, count, vl, time_ms}]
//   rows.actions     [{id, player, kind, check, detail, result, time_ms, violation_id}]
//                    (check: the check of the linked violation, null if none)

import { execFileSync } from 'node:child_process';

export function sqliteAvailable() {
  try { execFileSync('sqlite3', ['-version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', '-cmd', '.timeout 2000', db, query], { encoding: 'utf8' }).trim();
  return out ? JSON.parse(out) : [];
}

export function readDatabase(db) {
  return {
    sessions: sql(db, `SELECT id, player_name AS player, protocol_version AS protocol, start_ms, end_ms, source, capture_file
      FROM sessions ORDER BY start_ms, id`),
    violations: sql(db, `SELECT v.id, coalesce(s.player_name, '?session ' || v.session_id) AS player, v.check_name AS "check",
      v.type, v.count, v.vl, v.time_ms
      FROM violations v LEFT JOIN sessions s ON s.id = v.session_id ORDER BY v.time_ms, v.id`),
    actions: sql(db, `SELECT a.id, coalesce(s.player_name, '?session ' || a.session_id) AS player, a.action AS kind,
      v.check_name AS "check", a.detail, a.result, a.time_ms, a.violation_id
      FROM actions a LEFT JOIN sessions s ON s.id = a.session_id LEFT JOIN violations v ON v.id = a.violation_id
      ORDER BY a.time_ms, a.id`),
  };
}

// What an action is about: the check of its violation, else the start of its
// detail with numbers blanked ("Kicked by RustGuard: too many cancelled
// packets (#/s)" and the like), so that the same decision compares equal.
export function actionSubject(a) {
  if (a.check) return a.check;
  const d = String(a.detail ?? '').replace(/\d+(\.\d+)?/g, '#');
  return `detail:${d.slice(0, 60)}`;
}
