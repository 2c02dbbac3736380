// A throwaway PostgreSQL 15 server for the end-to-end tests: the Node
// counterpart of tests/postgres/postgres_test_support.hpp, with the same
// choices and for the same reasons:
//  - initdb into a temporary directory, the Unix socket in that directory and
//    no TCP listener (listen_addresses ''), so no port can collide with
//    another engineer's server or test on this machine;
//  - trust authentication, superuser "rustguard";
//  - as root (CI, the dev container) initdb and postgres refuse to run, so
//    they run as "postgres" (the Debian package's account) or else "nobody"
//    through runuser(1), the directory handed to that account; the test,
//    still root, connects through the socket;
//  - fsync off: the data only has to outlive a restart, never a power cut.
//
//   const pg = await startPostgres();       // null when the binaries are missing
//   pg.url('rustguard')                     // postgresql://rustguard@/rustguard?host=DIR&port=5432
//   pg.query('rustguard', 'SELECT 1')       // rows as arrays of strings (psql -At)
//   pg.stop(); pg.start();                  // pg_ctl stop -m fast / start again on the same data
//   pg.cleanup();                           // also on process exit, and by a guardian if we are SIGKILLed
//
// Cleanup: a process 'exit' handler stops the server (immediate) and removes
// the directory; procs.mjs's installCleanup turns Ctrl-C, SIGTERM and an
// uncaught exception into process.exit, so they reach it too. A SIGKILL of the
// test skips every handler, so a guardian shell in its own session waits for
// EOF on a pipe only this process holds and then does the same.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export function postgresBinDir() {
  return process.env.RUSTGUARD_POSTGRES_BIN || '/usr/lib/postgresql/15/bin';
}

// The tests skip only when these are missing.
export function postgresBinariesPresent() {
  for (const tool of ['initdb', 'pg_ctl', 'postgres', 'psql']) {
    try { accessSync(join(postgresBinDir(), tool), constants.X_OK); } catch { return false; }
  }
  return true;
}

const PORT = 5432;  // only names the socket file (.s.PGSQL.5432) in our own directory

function accountFor(name) {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { name, uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export class Postgres {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'rustguard-e2e-pg-'));
    this.data = join(this.dir, 'data');
    this.running = false;
    this.runAs = null;
    if (userInfo().uid === 0) {
      this.runAs = accountFor('postgres') ?? accountFor('nobody');
      if (!this.runAs) throw new Error('running as root and neither a postgres nor a nobody account exists to run PostgreSQL as');
      chownSync(this.dir, this.runAs.uid, this.runAs.gid);
    }
    this.onExit = () => this.cleanup();
    process.on('exit', this.onExit);
    this.startGuardian();
  }

  bin(tool) { return join(postgresBinDir(), tool); }

  // Runs a server tool (as the unprivileged account when root) in the
  // server's directory (that account may not enter the test's cwd).
  // Throws with the tool's output when it fails.
  tool(argv, { timeoutMs = 60000 } = {}) {
    const full = this.runAs ? ['runuser', '-u', this.runAs.name, '--', ...argv] : argv;
    const r = spawnSync(full[0], full.slice(1), { cwd: this.dir, encoding: 'utf8', timeout: timeoutMs });
    if (r.status !== 0) {
      const log = existsSync(join(this.dir, 'server.log')) ? readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-2000) : '';
      throw new Error(`${full.join(' ')} failed (status ${r.status}, ${r.error ?? ''}):\n${r.stdout}${r.stderr}\n${log}`);
    }
    return r.stdout;
  }

  initdb() {
    this.tool([this.bin('initdb'), '-D', this.data, '-U', 'rustguard', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  }

  start() {
    if (this.running) return;
    const options = `-c listen_addresses='' -k ${this.dir} -p ${PORT} -c fsync=off -c full_page_writes=off`;
    this.tool([this.bin('pg_ctl'), '-D', this.data, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
    this.running = true;
  }

  // A fast shutdown: open connections are closed at once, as when an
  // operator restarts the database under running proxies.
  stop() {
    if (!this.running) return;
    this.tool([this.bin('pg_ctl'), '-D', this.data, '-w', '-t', '30', '-m', 'fast', 'stop']);
    this.running = false;
  }

  url(database) { return `postgresql://rustguard@/${database}?host=${this.dir}&port=${PORT}`; }

  // One statement through psql (-At: unaligned, tuples only; fields split on
  // the unit separator, which no value of ours holds). Rows of strings; a
  // value with a newline splits its row, so select such columns as a test
  // (col LIKE '...') or a length, not as text.
  query(database, sqlText) {
    const r = spawnSync(this.bin('psql'), ['-h', this.dir, '-p', String(PORT), '-U', 'rustguard', '-d', database,
      '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-F', '\x1f', '-c', sqlText], { encoding: 'utf8', timeout: 30000 });
    if (r.status !== 0) throw new Error(`psql ${JSON.stringify(sqlText.slice(0, 200))}: status ${r.status}: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\x1f'));
  }

  createDatabase(name) { this.query('postgres', `CREATE DATABASE ${name}`); }

  cleanup() {
    if (this.cleaned) return;
    this.cleaned = true;
    process.off('exit', this.onExit);
    if (existsSync(join(this.data, 'postmaster.pid'))) {
      const argv = [this.bin('pg_ctl'), '-D', this.data, '-m', 'immediate', '-w', '-t', '20', 'stop'];
      const full = this.runAs ? ['runuser', '-u', this.runAs.name, '--', ...argv] : argv;
      spawnSync(full[0], full.slice(1), { cwd: this.dir, stdio: 'ignore', timeout: 25000 });
    }
    this.running = false;
    if (this.keep) writeFileSync(join(this.dir, 'keep'), '');  // the guardian leaves it too
    else rmSync(this.dir, { recursive: true, force: true });
    try { this.guardian?.stdin?.end(); } catch {}
  }

  // A shell in its own session that waits for EOF on its stdin (a pipe only
  // this process writes to) and then stops the server and removes the
  // directory if they are still there. unref'd: it never keeps Node alive.
  startGuardian() {
    const as = this.runAs ? `runuser -u ${this.runAs.name} -- ` : '';
    const script = `cat >/dev/null; [ -d '${this.dir}' ] || exit 0; `
      + `[ -f '${this.data}/postmaster.pid' ] && ${as}'${this.bin('pg_ctl')}' -D '${this.data}' -m immediate stop >/dev/null 2>&1; `
      + `[ -f '${this.dir}/keep' ] || rm -rf '${this.dir}'`;
    this.guardian = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    this.guardian.on('error', () => {});
    this.guardian.unref();
    this.guardian.stdin.on('error', () => {});
    this.guardian.stdin.unref?.();  // the open pipe must not keep Node alive either
  }
}

// initdb and start; null when the binaries are missing (the caller skips).
export function startPostgres() {
  if (!postgresBinariesPresent()) return null;
  const pg = new Postgres();
  pg.initdb();
  pg.start();
  return pg;
}
