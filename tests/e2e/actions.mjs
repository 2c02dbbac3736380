#!/usr/bin/env node
// End-to-end punishment ladder: a pitch cheater through the real proxy, a
// real flying-squid backend (1.21.4) and an RCON server on 127.0.0.1 that
// speaks Minecraft's RCON (written here: no vanilla server on this machine).
//
//   node tests/e2e/actions.mjs --proxy build/tools/proxy/rustguard [--out DIR] [--keep]
//
// The ladder (group `packets`, badpackets.*; the pitch check's VL grows by one
// a flag and decays a little between them): VL 2.5 (the 3rd flag) -> an alert
// and the console command "say %player% tripped %check% at VL %vl%"; VL 4.5
// (the 5th) -> kick "Bye %player%" and a strike; 2 strikes -> "ban %player%
// (%group%)".
// Passes when:
//   run 1  the cheater is kicked with the ladder's text; the webhook
//          (HTTPS on 127.0.0.1, a self-signed certificate made here with
//          the openssl command and trusted through webhook.ca_file) got the
//          ladder's alert as a Discord embed with the expected fields; the
//          RCON server was logged into with the configured password and got
//          the `say` command with every placeholder filled in; the actions
//          table holds
//          the command (result "sent: <the server's reply>"), the alert, the
//          strike and the kick, each pointing at a violation;
//   run 2  a new proxy on the same database reads the strike back; the
//          cheater's second kick is its second strike and the `ban` goes to
//          RCON; the bans row says "sent";
//   run 3  with a wrong RCON password the proxy logs the refusal at start,
//          and the ladder's command is a row that says it failed and why;
//          without ca_file the same endpoint's certificate is refused (TLS
//          verification is on): nothing is posted and the log says why.
// Exit code: 0 if every run passed, 1 otherwise, 2 on a usage error.

import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/child.mjs';
import { checkInstalled } from './lib/deps.mjs';
import { sql, sqliteAvailable } from './lib/db_rows.mjs';
import { rconServer } from './lib/rcon_server.mjs';
import { RawClient, lookBody } from './lib/raw_client.mjs';
import {
  installCleanup, forkNode, spawnBinary, waitMessage, stopProcess, freePort, waitForPort, killAll,
} from './lib/procs.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const VERSION = '1.21.4';
const PASSWORD = 'rg-e2e-secret';

const args = parseArgs();
const usage = (m) => { process.stderr.write(`actions.mjs: ${m}\nusage: node tests/e2e/actions.mjs --proxy PATH\n`); process.exit(2); };
if (!args.proxy) usage('--proxy PATH is required');
const proxyBin = resolve(String(args.proxy));
try { accessSync(proxyBin, constants.X_OK); } catch { usage(`--proxy ${proxyBin}: not an executable file`); }
try { checkInstalled(); } catch (e) { usage(e.message); }
if (!sqliteAvailable()) usage('the sqlite3 command-line tool is missing (tools/dev/setup.sh --tests installs it)');
installCleanup();

const outRoot = args.out ? resolve(String(args.out)) : mkdtempSync(join(tmpdir(), 'rustguard-e2e-actions-'));
mkdirSync(outRoot, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); return ok; };

// A self-signed certificate for 127.0.0.1 and localhost, made with the
// openssl command (tools/dev/setup.sh --tests installs it): the proxy trusts
// it only through webhook.ca_file.
function selfSignedCertificate(dir) {
  const key = join(dir, 'webhook-key.pem');
  const cert = join(dir, 'webhook-cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  } catch (e) {
    usage(`openssl req failed (tools/dev/setup.sh --tests installs openssl): ${e.stderr ?? e.message}`);
  }
  return { key, cert };
}

// A webhook endpoint on 127.0.0.1 over HTTPS: remembers every POSTed body
// and answers 204 as Discord does. `handshakeErrors` counts clients that
// refused the certificate.
function webhookServer(tls) {
  const posts = [];
  const handshakeErrors = [];
  const server = https.createServer({ key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, (req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { posts.push({ method: req.method, url: req.url, type: req.headers['content-type'], body }); res.writeHead(204); res.end(); });
  });
  server.on('tlsClientError', (e) => handshakeErrors.push(e.message));
  return new Promise((done) => server.listen(0, '127.0.0.1',
    () => done({ server, posts, handshakeErrors, port: server.address().port, caFile: tls.cert })));
}

function proxyConfig(dir, { port, backendPort, adminPort, rconPort, password, webhookPort, caFile }) {
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    `listen: '127.0.0.1:${port}'`, `backend: '127.0.0.1:${backendPort}'`, `admin: '127.0.0.1:${adminPort}'`,
    `database: '${join(outRoot, 'rustguard.db')}'`, 'threads: 2', 'log_level: info',
    'violation_log:', '  flush_interval_ms: 100',
    'rcon:', '  enabled: true', `  port: ${rconPort}`, `  password: '${password}'`, '  connect_timeout: 2s',
    'webhook:', '  enabled: true', `  url: 'https://127.0.0.1:${webhookPort}/hook'`, '  interval: 200ms',
    `  ca_file: '${caFile}'`,
    'checks:', '  badpackets:', '    pitch:', '      alert_vl: 0', '      cancel_vl: 1',
    'punishments:', '  server_name: e2e', '  strike_expiry: 1d', '  groups:', '    packets:',
    "      checks: ['badpackets.*']", '      cooldown: 60s', '      steps:',
    '        - vl: 2.5', '          do:', "            - alert: '%player% pitch VL %vl% [%group%] on %version% at %server%'",
    "            - command: 'say %player% tripped %check% at VL %vl%'",
    '        - vl: 4.5', '          strike: true', '          do:', "            - kick: 'Bye %player%'",
    '        - strikes: 2', '          do:', "            - command: 'ban %player% (%group%)'", '',
  ].join('\n'));
  return config;
}

// One run: a proxy with `password` for RCON, the cheater until it is kicked.
async function run(name, backendPort, rcon, password, hook, { trustHook = true } = {}) {
  const dir = join(outRoot, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const adminPort = await freePort();
  const config = proxyConfig(dir, {
    port, backendPort, adminPort, rconPort: rcon.port, password, webhookPort: hook.port, caFile: trustHook ? hook.caFile : '',
  });
  const log = join(dir, 'proxy.log');
  const proxy = spawnBinary(proxyBin, ['--config', config], log, `proxy ${name}`);
  await waitForPort(port, proxy, 10000);
  const c = new RawClient({ port, username: 'pitch_a', version: VERSION });
  await c.connect();
  await c.login();
  // Pitch 150 every 50 ms until the ladder's kick (the check cancels each).
  for (let i = 0; i < 100 && !c.isClosed; i++) {
    c.send(c.ids.play.look, lookBody(0, 150));
    await sleep(50);
  }
  const end = await Promise.race([c.closed, sleep(5000).then(() => null)]);
  c.end();
  await sleep(300);  // the RCON reply and its row
  const exit = await stopProcess(proxy, { graceMs: 8000 });
  check(exit.code === 0 && !exit.killed, `${name}: rustguard did not exit cleanly (${JSON.stringify(exit)})`);
  return { end, log: existsSync(log) ? readFileSync(log, 'utf8') : '' };
}

// The Discord embed of the ladder's alert (tools/proxy/webhook_message.hpp):
// who posts, that nothing can ping, and every fact of the alert in its field.
function checkEmbed(body) {
  const problem = (m) => check(false, `run1: webhook embed: ${m} in ${JSON.stringify(body).slice(0, 600)}`);
  if (body.username !== 'RustGuard') problem(`username ${body.username}`);
  if (!Array.isArray(body.allowed_mentions?.parse) || body.allowed_mentions.parse.length !== 0) problem('allowed_mentions');
  if (!Array.isArray(body.embeds) || body.embeds.length !== 1) return problem('not one embed');
  const e = body.embeds[0];
  // The player's name and the alert's text escaped as Discord markdown.
  if (e.title !== 'pitch\\_a failed badpackets.pitch (pitch)') problem(`title ${e.title}`);
  if (e.description !== 'pitch\\_a pitch VL 3.0 \\[packets\\] on 1.21.4 at e2e') problem(`description ${e.description}`);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.timestamp ?? '')) problem(`timestamp ${e.timestamp}`);
  if (e.footer?.text !== 'RustGuard') problem('footer');
  const field = (name) => (e.fields ?? []).find((f) => f.name === name)?.value;
  const want = { Check: 'badpackets.pitch', Type: 'pitch', Player: 'pitch\\_a', Version: '1.21.4', Server: 'e2e' };
  for (const [name, value] of Object.entries(want)) if (field(name) !== value) problem(`field ${name} = ${field(name)}, expected ${value}`);
  // The VL with two decimals at most: ~3 (it decays a little between flags), at or past the step's 2.5.
  const vl = field('VL') ?? '';
  if (!/^\d+(\.\d{1,2})?$/.test(vl) || !(Number(vl) >= 2.5 && Number(vl) < 4.5)) problem(`field VL = ${vl}`);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(field('UUID') ?? '')) problem(`UUID ${field('UUID')}`);
  if (!/^127\.0\.0\.1:\d+$/.test(field('Address') ?? '')) problem(`Address ${field('Address')}`);
  // Clips are on by default: the alert names its evidence clip.
  if (!/^\d{8}-\d{6}-pitch\\_a-c\d+-clip\d+\.pcapng$/.test(field('Clip') ?? '')) problem(`Clip ${field('Clip')}`);
}

const db = join(outRoot, 'rustguard.db');
const actionsOf = (sinceId) => sql(db, `SELECT a.id, a.action, a.detail, a.result, a.violation_id, v.check_name
  FROM actions a LEFT JOIN violations v ON v.id = a.violation_id WHERE a.id > ${sinceId} ORDER BY a.id`);
const lastActionId = () => (existsSync(db) ? (sql(db, 'SELECT coalesce(max(id), 0) AS m FROM actions')[0]?.m ?? 0) : 0);

console.log(`rustguard e2e actions through ${proxyBin}; logs in ${outRoot}`);
const started = Date.now();
const backend = forkNode(join(here, 'backend_squid.mjs'), ['--version', VERSION, '--port', '0', '--record', join(outRoot, 'server.json')],
  join(outRoot, 'backend.log'), 'backend');
const rcon = await rconServer(PASSWORD);
const hook = await webhookServer(selfSignedCertificate(outRoot));
try {
  const { port: backendPort } = await waitMessage(backend, 'ready', 30000);

  // Run 1: the ladder's alert, command, kick and strike.
  const r1 = await run('run1', backendPort, rcon, PASSWORD, hook);
  check(r1.end && String(r1.end.reason ?? '').includes('Bye pitch_a'), `run1: expected the ladder's kick "Bye pitch_a", got ${JSON.stringify(r1.end)}`);
  check(!String(r1.end?.reason ?? '').includes('Kicked by RustGuard'), `run1: the ladder's text is shown as it is, got ${JSON.stringify(r1.end)}`);
  check(rcon.seen.logins.length >= 1 && rcon.seen.logins.every((p) => p === PASSWORD), `run1: RCON logins ${JSON.stringify(rcon.seen.logins)}`);
  check(rcon.seen.commands.includes('say pitch_a tripped badpackets.pitch at VL 3.0'), `run1: RCON commands ${JSON.stringify(rcon.seen.commands)}`);
  check(!rcon.seen.commands.some((c) => c.startsWith('ban')), 'run1: a ban after one strike');
  const a1 = actionsOf(0);
  const kinds1 = a1.map((a) => a.action);
  const say = a1.find((a) => a.action === 'command' && a.detail.startsWith('say'));
  check(say && say.result === 'sent: done: say' && say.check_name === 'badpackets.pitch', `run1: command row ${JSON.stringify(say)}`);
  const alert = a1.find((a) => a.action === 'alert');
  check(alert && alert.detail === 'pitch_a pitch VL 3.0 [packets] on 1.21.4 at e2e', `run1: alert row ${JSON.stringify(alert)}`);
  const strike = a1.find((a) => a.action === 'strike');
  check(strike && strike.detail === 'packets' && strike.check_name === 'badpackets.pitch', `run1: strike row ${JSON.stringify(strike)}`);
  const kick = a1.find((a) => a.action === 'kick');
  check(kick && kick.detail === 'Bye pitch_a' && kick.violation_id, `run1: kick row ${JSON.stringify(kick)}`);
  check(kinds1.filter((k) => k === 'strike').length === 1, `run1: action kinds ${kinds1.join(',')}`);
  // The webhook got the ladder's alert as a Discord embed, over HTTPS.
  const embedOf = (p) => { try { return JSON.parse(p.body).embeds?.[0]; } catch { return undefined; } };
  const posted = hook.posts.find((p) => embedOf(p)?.description?.includes('pitch VL 3.0'));
  check(posted && posted.method === 'POST' && posted.url === '/hook' && /json/.test(posted.type ?? ''),
    `run1: webhook posts ${JSON.stringify(hook.posts).slice(0, 400)}`);
  if (posted) checkEmbed(JSON.parse(posted.body));
  console.log(`  run1: kicked (${r1.end?.reason}), RCON got ${JSON.stringify(rcon.seen.commands)}, rows ${kinds1.join(',')}, ${hook.posts.length} webhook post(s)`);

  // Run 2: a new proxy reads the strike back; the second strike bans.
  const before2 = lastActionId();
  const r2 = await run('run2', backendPort, rcon, PASSWORD, hook);
  check(/1 unexpired strike\(s\) read/.test(r2.log), 'run2: the proxy did not log the strike it read back');
  check(rcon.seen.commands.includes('ban pitch_a (packets)'), `run2: RCON commands ${JSON.stringify(rcon.seen.commands)}`);
  const a2 = actionsOf(before2);
  const ban = a2.find((a) => a.action === 'command' && a.detail === 'ban pitch_a (packets)');
  // The ban's 6,000-byte reply comes in two packets (rcon_server.mjs): the
  // whole of it, reassembled by the end-marker packet, is in the row.
  check(ban && ban.result.startsWith('sent: done: ban\nThere are 120 bans:') && ban.result.length === 'sent: '.length + 6000,
    `run2: ban row ${JSON.stringify(ban?.result?.slice(0, 80))}... (${ban?.result?.length} chars)`);
  check(rcon.seen.lostBytes === 0, `RCON: ${rcon.seen.lostBytes} bytes sent in a read after a packet (the game drops them)`);
  console.log(`  run2: kicked (${r2.end?.reason}), rows ${a2.map((a) => a.action).join(',')}`);

  // Run 3: a wrong password: an error at start, the command's row says why.
  rmSync(db, { force: true });  // a fresh history: no ban this time
  const commandsBefore = rcon.seen.commands.length;
  const postsBefore3 = hook.posts.length;
  const r3 = await run('run3', backendPort, rcon, 'not-the-password', hook, { trustHook: false });
  check(/rcon: .*(password|auth)/i.test(r3.log), 'run3: no RCON login error in the proxy log');
  check(rcon.seen.commands.length === commandsBefore, 'run3: a command reached RCON without a login');
  const a3 = actionsOf(0);
  const failed = a3.find((a) => a.action === 'command');
  check(failed && failed.result.startsWith('failed: '), `run3: command row ${JSON.stringify(failed)}`);
  // Run 3 trusts the system store only: the self-signed certificate is refused.
  check(hook.posts.length === postsBefore3, `run3: a webhook POST got through without ca_file (${hook.posts.length - postsBefore3})`);
  check(/webhook: .*not delivered: .*(SSL|certificate)/i.test(r3.log), 'run3: no certificate error from the webhook in the proxy log');
  check(hook.handshakeErrors.length > 0, 'run3: the endpoint saw no refused TLS handshake');
  console.log(`  run3: command row result "${failed?.result}"; webhook: ${hook.handshakeErrors.length} refused handshake(s)`);

  // A ca_file that is not there: the proxy refuses the config at start (exit 3, file:line:column).
  const badDir = join(outRoot, 'bad_ca');
  mkdirSync(badDir, { recursive: true });
  const badConfig = proxyConfig(badDir, {
    port: await freePort(), backendPort, adminPort: await freePort(), rconPort: rcon.port, password: PASSWORD,
    webhookPort: hook.port, caFile: join(badDir, 'missing.pem'),
  });
  const bad = spawnSync(proxyBin, ['--config', badConfig], { encoding: 'utf8', timeout: 10000 });
  const badOut = `${bad.stdout}${bad.stderr}`;
  check(bad.status === 3 && /config\.yml:\d+:\d+: webhook\.ca_file: no such file '[^']*missing\.pem'/.test(badOut),
    `bad ca_file: exit ${bad.status}, output ${badOut.slice(0, 400)}`);
} catch (e) {
  problems.push(e.stack ?? String(e));
} finally {
  await stopProcess(backend, { graceMs: 3000 });
  rcon.server.close();
  hook.server.close();
}

for (const p of problems) console.log(`  PROBLEM ${p}`);
console.log(`${problems.length ? 'FAIL' : 'PASS'} actions (${((Date.now() - started) / 1000).toFixed(1)} s)`);
killAll('SIGKILL');
if (!problems.length && !args.out && !args.keep) rmSync(outRoot, { recursive: true, force: true });
process.exit(problems.length ? 1 : 0);
