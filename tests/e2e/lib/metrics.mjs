// Reading samples out of rustguard's /metrics text (Prometheus exposition
// format), so the suites do not each write their own parser.

// The value of one series, named exactly as /metrics prints it, labels
// included (`rustguard_decode_errors_total{reason="forwarding_signature"}`);
// null when the text has no such line.
export function metricSample(text, series) {
  const line = (text ?? '').split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

// How many timing verdicts the proxy held because it read late (its event
// loop lagged). The suites that judge arrival times excuse a missing alert
// only where this is above 0. A missing series is a problem of its own,
// pushed onto `problems`; null then.
export const TIMING_FLAGS_HELD = 'rustguard_timing_flags_held_total';
export function timingFlagsHeld(text, problems) {
  const held = metricSample(text, TIMING_FLAGS_HELD);
  if (held === null) problems.push(`/metrics has no ${TIMING_FLAGS_HELD}`);
  return held;
}
