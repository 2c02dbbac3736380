// tcpdump on the loopback interface for one TCP port, for the e2e suites
// (tests/e2e/parity.mjs). The process is registered in lib/procs.mjs, so it
// dies with the harness like every other child.
//
//   if (!tcpdumpPath()) skip();
//   const dump = await startTcpdump({ file: '/tmp/x/leg.pcap', port: 25565, logPath: '/tmp/x/leg.log' });
//   ... traffic ...
//   const stats = await dump.stop();   // {captured, received, dropped, code, signal, killed}
//
// tcpdump drops its privileges to its own user before it opens the output
// file, so the directory of `file` must be writable by that user (the caller
// chmods it 0777).
//
// `--immediate-mode` matters: without it libpcap (TPACKET_V3) hands packets
// to tcpdump a ring block at a time, when the block is full or its timeout
// (up to a second) passes, and tcpdump's SIGINT handler breaks the loop
// without reading the block still open, so the last few hundred ms of
// traffic before the stop are silently missing from the file (measured: the
// goodbye, kick and FIN of the last two players of a session; "packets
// dropped by kernel" still says 0). `-U` then writes each packet as it is
// read; `-B` gives the kernel ring 64 MiB (8 MiB dropped 70 packets of
// flying-squid's 1.8.8 chunk burst on a loaded 2-core machine).
//
// `stop()` sends SIGINT and parses the statistics tcpdump prints on exit. On
// lo every packet passes the filter twice (its outgoing and its incoming
// copy; libpcap keeps one), so a capture holds everything the filter matched
// exactly when `received == 2 * captured` and `dropped == 0`: `complete`.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { spawnBinary, stopProcess } from './procs.mjs';

// The tcpdump binary, or null when there is none.
export function tcpdumpPath() {
  for (const p of ['/usr/bin/tcpdump', '/usr/sbin/tcpdump', '/sbin/tcpdump', '/bin/tcpdump']) {
    try { execFileSync(p, ['--version'], { stdio: 'ignore' }); return p; } catch {}
  }
  try {
    const found = execFileSync('sh', ['-c', 'command -v tcpdump'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {}
  return null;
}

const num = (text, what) => {
  const m = text.match(new RegExp(`(\\d+) packets? ${what}`));
  return m ? Number(m[1]) : null;
};

// Starts `tcpdump -i lo -U -w file 'tcp port P'` and resolves once it prints
// "listening on" (it captures from then on); rejects if it exits first or
// says nothing within timeoutMs.
export async function startTcpdump({ bin = tcpdumpPath() ?? 'tcpdump', file, port, logPath, name = `tcpdump ${port}`, timeoutMs = 10000 }) {
  const proc = spawnBinary(bin, ['-i', 'lo', '--immediate-mode', '-U', '-B', '65536', '-s', '0', '-n', '-w', file, `tcp port ${port}`],
    logPath, name);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { done(); reject(new Error(`${name}: not listening after ${timeoutMs} ms: ${stderr.trim()}`)); }, timeoutMs);
    const onData = () => { if (stderr.includes('listening on')) { done(); resolve(); } };
    const onExit = (code, signal) => { done(); reject(new Error(`${name} exited (code ${code}, signal ${signal}) before listening: ${stderr.trim()}`)); };
    const done = () => { clearTimeout(timer); proc.stderr.off('data', onData); proc.off('exit', onExit); };
    proc.stderr.on('data', onData);
    proc.on('exit', onExit);
    onData();
  });
  return {
    proc,
    file,
    // SIGINT, wait for the exit (SIGKILL after graceMs), then the statistics.
    async stop({ graceMs = 5000 } = {}) {
      const exit = await stopProcess(proc, { signal: 'SIGINT', graceMs });
      // The exit event can come before the last stderr chunk was read.
      await new Promise((r) => setTimeout(r, 50));
      let text = stderr;
      if (!/dropped by kernel/.test(text) && logPath) { try { text = readFileSync(logPath, 'utf8'); } catch {} }
      const captured = num(text, 'captured');
      const received = num(text, 'received by filter');
      const dropped = num(text, 'dropped by kernel');
      return {
        ...exit,
        captured,
        received,
        dropped,
        complete: !exit.killed && dropped === 0 && captured !== null && received !== null && captured > 0 && 2 * captured >= received,
        stderr: text.trim(),
      };
    },
  };
}
