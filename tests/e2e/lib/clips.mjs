// Evidence clips in an e2e run (docs/recordings.md, "Evidence clips"): the
// live database's alert and kick rows each name a clip file that exists, and
// a cheater's clips replayed alone (rustguard-replay with the proxy's config)
// flag the cheater with the check and type of the first alert that names
// them; tshark reads every clip checked as TCP with good checksums.

import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from './db_rows.mjs';

// `dir`: the run's folder (config.yml, clips/); `liveDb`: the proxy's
// database; `replayBin`: rustguard-replay. Problems go to `problems`.
export function openClips({ dir, liveDb, replayBin, problems }) {
  const folder = join(dir, 'clips');
  let files = [];
  try { files = readdirSync(folder); } catch (e) { problems.push(`clips: ${e.message}`); }
  const partial = files.filter((f) => !f.endsWith('.pcapng'));
  if (partial.length) problems.push(`clips not whole: ${partial.join(', ')}`);
  const rows = files.length ? sql(liveDb, `SELECT s.player_name AS player, a.action, a.clip, a.time_ms, coalesce(v.check_name, '') AS check_name,
    coalesce(v.type, '') AS type FROM actions a JOIN sessions s ON s.id = a.session_id LEFT JOIN violations v ON v.id = a.violation_id
    WHERE a.action IN ('alert', 'kick') ORDER BY a.time_ms, a.id`) : [];
  for (const r of rows) {
    if (!r.clip) problems.push(`clips: ${r.player}'s ${r.action} (${r.check_name}) at ${r.time_ms} names no clip`);
    else if (!files.includes(r.clip)) problems.push(`clips: ${r.player}'s ${r.action} names ${r.clip}, which is not in ${folder}`);
  }
  const state = { files, rows, midSession: 0 };

  // The violations a replay of `clip` alone stores, or null.
  state.replay = (clip, tag) => {
    const out = join(dir, `clip-${tag}.db`);
    rmSync(out, { force: true });
    const r = spawnSync(replayBin, ['--config', join(dir, 'config.yml'), '--database', out, join(folder, clip)],
      { encoding: 'utf8', cwd: dir, maxBuffer: 64 << 20 });
    writeFileSync(join(dir, `clip-${tag}.txt`), `${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) { problems.push(`rustguard-replay ${clip} exited with ${r.status} (clip-${tag}.txt)`); return null; }
    if ((r.stdout ?? '').includes('context restored')) state.midSession++;
    return sql(out, `SELECT s.player_name AS player, v.check_name, v.type, v.vl,
      EXISTS (SELECT 1 FROM actions a WHERE a.violation_id = v.id AND a.action = 'alert') AS alert
      FROM violations v JOIN sessions s ON s.id = v.session_id`);
  };

  // "" when tshark decodes `clip` as TCP with payload and no bad checksum.
  state.tsharkProblem = (clip) => {
    const r = spawnSync('tshark', ['-r', join(folder, clip), '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'tcp.len',
      '-e', 'tcp.checksum.status'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) return `tshark exited with ${r.status}: ${(r.stderr ?? '').trim().slice(0, 200)}`;
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    const data = lines.filter((l) => Number(l.split('\t')[0]) > 0).length;
    const bad = lines.filter((l) => l.split('\t')[1] === '0').length;  // 0 = Bad (1 = Good, 2 = unverified)
    if (data === 0) return 'no TCP payload decoded';
    if (bad) return `${bad} TCP checksums bad`;
    return '';
  };

  // Every clip of `player`, whose alerts include `check`: each replayed
  // alone must flag the player with the check and type of the first alert
  // naming it. Returns figures for the report.
  // flagBeforeClip: the clip starts after the one flag it was cut for
  // (clips.players: flagged and a check that flags once): it must replay,
  // and is not expected to flag again.
  state.checkCheater = (player, check, tag, { flagBeforeClip = false } = {}) => {
    const figures = [];
    if (!rows.some((r) => r.player === player && r.action === 'alert' && r.check_name === check && r.clip)) {
      problems.push(`clips: ${player} has no ${check} alert with a clip`);
      return figures;
    }
    const clips = [...new Set(rows.filter((r) => r.player === player && r.clip).map((r) => r.clip))];
    for (const [i, clip] of clips.entries()) {
      const want = rows.find((r) => r.clip === clip && r.action === 'alert' && r.check_name);
      const t = state.tsharkProblem(clip);
      if (t) problems.push(`clips: ${clip}: ${t}`);
      if (!want) continue;  // a kick's clip with no alert in it
      const got = state.replay(clip, `${tag}-${i + 1}`);
      if (!got) continue;
      const same = got.filter((v) => v.player === player && v.check_name === want.check_name && v.type === want.type);
      if (flagBeforeClip) {
        figures.push(`${tag}#${i + 1} replayed (${same.length} ${want.check_name}/${want.type} rows; its flag came before the ring started)`);
      } else if (!same.length) {
        const seen = [...new Set(got.filter((v) => v.player === player).map((v) => `${v.check_name}/${v.type}`))].join(', ') || 'nothing';
        problems.push(`clips: ${clip} replayed alone does not flag ${player} with ${want.check_name}/${want.type} (flagged: ${seen})`);
      } else {
        figures.push(`${tag}#${i + 1} ${same.length} ${want.check_name}/${want.type} rows${same.some((v) => v.alert) ? ' (alert)' : ''}`);
      }
    }
    return figures;
  };
  return state;
}
