// What rustguard's own log (log_level: info) says of one player's
// connections, read back by the suites after the proxy stopped.

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The timing verdicts the proxy held for `username` because it read late,
// summed over that player's disconnect lines (tools/proxy/connection_log.hpp:
// "..., 2048 B up, 65536 B down, 18 timing flags held: reason"; no count
// when none were held). null when the log has no disconnect line of theirs,
// so a suite cannot take a missing line for "none held".
export function timingFlagsHeldOf(logText, username) {
  const line = new RegExp(`disconnect #\\d+ ${escapeRegExp(username)} .* B down(?:, (\\d+) timing flags held)?: `, 'g');
  let held = null;
  for (const m of (logText ?? '').matchAll(line)) held = (held ?? 0) + Number(m[1] ?? 0);
  return held;
}
