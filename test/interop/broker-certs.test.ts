import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeCa } from '../iec104/pki.js';
import { startStation } from '../runtime/station.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';

// The embedded broker of `gridbridge run` with TLS, client certificates and an allow-list, against Debian's
// mosquitto_pub / mosquitto_sub (mosquitto-clients) as independent clients in their own processes.
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'gb-broker-certs-'));
let sim: ModbusSimulator;
let gw: ChildProcess;
let port: number;
const events: Array<Record<string, unknown>> = [];
const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
const SET = 'gb/sec/inverter/WMaxLimPct/set';

beforeAll(async () => {
  const site = await makeCa('Site CA');
  const rogue = await makeCa('Rogue CA');
  const server = await site.issue('localhost', 'server');
  const scada = await site.issue('scada', 'client');
  const stranger = await site.issue('stranger', 'client');
  const fake = await rogue.issue('scada', 'client');
  file('ca.pem', site.cert);
  file('server.pem', server.cert);
  file('server.key', server.key);
  for (const [n, c] of Object.entries({ scada, stranger, fake })) {
    file(`${n}.pem`, c.cert);
    file(`${n}.key`, c.key);
  }
  let modbus: number;
  ({ sim, port: modbus } = await startStation({ 1: 'dcbel-station-inverter' }));
  const mapping = file(
    'site.yaml',
    `mapping: 1
site: { id: sec }
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${modbus} }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1 }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
upstream:
  mqtt: { baseTopic: "gb/{site}", commands: true }
`,
  );
  const users = file(
    'users.yaml',
    `users:
  - { username: scada, publish: ["${SET}"], subscribe: ["gb/sec/#"] }   # certificate login only
  - { username: noc, password: noc-password, subscribe: ["gb/sec/#"] }   # read-only
`,
  );
  const args = ['run', mapping, '--embedded-broker', '0', '--broker-users', users, '--broker-cert', join(dir, 'server.pem'), '--broker-key', join(dir, 'server.key'), '--broker-ca', join(dir, 'ca.pem')];
  gw = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  gw.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`gateway not up: ${err} ${JSON.stringify(events.slice(0, 5))}`)), 20000);
    createInterface({ input: gw.stdout! }).on('line', (l) => {
      const e = JSON.parse(l) as Record<string, unknown>;
      events.push(e);
      if (e.event === 'status' && e.component === 'mqtt' && e.state === 'up') {
        clearTimeout(t);
        resolve(String(events.find((x) => x.event === 'broker')!.url));
      }
    });
  });
  expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
  expect(events.find((x) => x.event === 'broker')).toMatchObject({ users: 2, clientCertificates: 'accepted' });
  port = Number(new URL(url).port);
}, 60000);

afterAll(async () => {
  if (gw && gw.exitCode === null) {
    const exit = new Promise((r) => gw.on('exit', r));
    gw.kill('SIGINT');
    await exit;
  }
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** mosquitto_pub/_sub over TLS to the gateway's broker; resolves with the exit code and output. */
function mosquitto(cmd: 'mosquitto_pub' | 'mosquitto_sub', login: { cert?: string; user?: string; password?: string }, args: string[]): Promise<{ code: number; out: string }> {
  const tls = ['-h', '127.0.0.1', '-p', String(port), '--cafile', join(dir, 'ca.pem'), '-i', `${cmd}-${login.cert ?? login.user ?? 'anon'}-${Math.random().toString(36).slice(2, 8)}`];
  const cred = [
    ...(login.cert ? ['--cert', join(dir, `${login.cert}.pem`), '--key', join(dir, `${login.cert}.key`)] : []),
    ...(login.user ? ['-u', login.user] : []),
    ...(login.password ? ['-P', login.password] : []),
  ];
  return new Promise((resolve) => {
    execFile(cmd, [...tls, ...cred, ...args], { timeout: 15000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}
const command = (id: string) => JSON.stringify({ value: 40, id, validFor: 60 });

describe('embedded broker: TLS, client certificates and allow-list (mosquitto clients)', () => {
  it('refuses anonymous, wrong passwords and certificates another CA issued; a read-only user cannot command', async () => {
    const anon = await mosquitto('mosquitto_pub', {}, ['-t', SET, '-m', command('c-anon'), '-q', '1']);
    expect(anon.code).not.toBe(0);
    expect(anon.out).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    const wrong = await mosquitto('mosquitto_pub', { user: 'noc', password: 'guess' }, ['-t', SET, '-m', command('c-wrong'), '-q', '1']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    const fake = await mosquitto('mosquitto_pub', { cert: 'fake' }, ['-t', SET, '-m', command('c-fake'), '-q', '1']);
    expect(fake).toMatchObject({ code: 5, out: expect.stringMatching(/not authori[sz]ed/i) });
    const stranger = await mosquitto('mosquitto_pub', { cert: 'stranger' }, ['-t', SET, '-m', command('c-stranger'), '-q', '1']);
    expect(stranger).toMatchObject({ code: 5, out: expect.stringMatching(/not authori[sz]ed/i) }); // issued by the site CA, but no broker user of that name
    const noc = await mosquitto('mosquitto_pub', { user: 'noc', password: 'noc-password' }, ['-t', SET, '-m', command('c-noc'), '-q', '1']);
    expect(noc).toMatchObject({ code: 7, out: expect.stringMatching(/connection was lost/i) }); // connected, then cut at the refused publish (MQTT 3.1.1 has no negative PUBACK)
  }, 60000);

  it('the certificate user commands what its allow-list names; the read-only user sees the result', async () => {
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '--cafile', join(dir, 'ca.pem'), '-u', 'noc', '-P', 'noc-password', '-t', 'gb/sec/inverter/WMaxLimPct/result', '-C', '1', '-q', '1', '-d'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let subOut = '';
    sub.stdout!.on('data', (d) => (subOut += d));
    const subDone = new Promise<number | null>((r) => sub.on('exit', r));
    // mosquitto_sub -d prints its SUBACK; publish only once the subscription is in place
    for (let i = 0; i < 100 && !/Subscribed/.test(subOut); i++) await new Promise((r) => setTimeout(r, 50));
    const ok = await mosquitto('mosquitto_pub', { cert: 'scada' }, ['-t', SET, '-m', command('c-ok'), '-q', '1']);
    expect(ok).toMatchObject({ code: 0 });
    expect(await subDone).toBe(0);
    const result = JSON.parse(subOut.split('\n').find((l) => l.startsWith('{'))!) as { id: string; ok: boolean; value: number };
    expect(result).toMatchObject({ id: 'c-ok', ok: true, value: 40 });
    // At start the gateway named the certificates it uses, and warned: the 2-day test certificates expire within 30 days.
    expect(events.find((e) => e.event === 'certificate' && e.what === 'embedded broker certificate')).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Site CA' });
    expect(events.find((e) => e.event === 'certificate' && e.what === 'embedded broker client CA')).toMatchObject({ subject: 'CN=Site CA' });
    expect(events.some((e) => e.event === 'warning' && /embedded broker certificate "CN=localhost" expires in [01] day/.test(String(e.message)))).toBe(true);
    // The gateway logged who sent the command it accepted, and only that one.
    expect(events.filter((e) => e.event === 'mqtt-command').map((e) => [e.topic, e.user])).toEqual([[SET, 'scada']]);
    // Only the allowed command reached the arbiter: none of the refused ones did.
    const ids = events.filter((e) => e.event === 'control').map((e) => String(e.intentId ?? ''));
    expect(ids.some((i) => i.includes('c-ok'))).toBe(true);
    expect(ids.filter((i) => /c-(anon|wrong|fake|stranger|noc)/.test(i))).toEqual([]);
  }, 60000);
});
