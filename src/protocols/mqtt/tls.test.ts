import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { GOOD } from '../../core/point.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { mqttSettings, type MqttSettings } from './mapping.js';
import { record, waitFor } from './testing.js';
import { MqttUpstream } from './upstream.js';

// Test PKI with the openssl CLI (@peculiar/x509 needs the reflect-metadata polyfill, which is not installed).
const dir = mkdtempSync(join(tmpdir(), 'gb-mqtt-pki-'));
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}
function makePki() {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=GridBridge Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = (name: string, cn: string, san: string) => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nsubjectAltName=${san}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
    return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
  };
  return {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    server: issue('server', 'localhost', 'IP:127.0.0.1,DNS:localhost'),
    client: issue('client', 'gridbridge-client', 'DNS:gridbridge-client'),
  };
}

let pki: ReturnType<typeof makePki>;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

async function tlsBroker(requestClientCert = false): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ tls: { ...pki.server, ca: pki.ca, requestClientCert } });
  cleanups.push(() => b.close());
  return b;
}
function upstream(url: string, tls: MqttSettings['tls'], clientId = 'gb-tls') {
  const u = new MqttUpstream(mqttSettings({ url, clientId }, { site: 's1' }, tls ? { tls } : {}), { clock: new FakeClock() });
  const warnings: string[] = [];
  u.on('warning', (w) => warnings.push(w));
  cleanups.push(() => u.stop(500));
  u.start();
  return { u, warnings };
}
const state = (u: MqttUpstream, s: string) => waitFor(() => u.status().state === s, 5000, s);

describe('MQTT over TLS', () => {
  it('verifies the broker against the configured CA and publishes', async () => {
    const b = await tlsBroker();
    expect(b.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const rec = await record(b.url, ['gridbridge/#'], { ca: pki.ca });
    cleanups.push(() => rec.close());
    const { u, warnings } = upstream(b.url, { ca: pki.ca, insecure: false });
    await state(u, 'up');
    u.publishPoints([{ id: 's1/m/W', device: 'm', name: 'W', value: 1, quality: GOOD, receiveTime: 0 }]);
    await rec.until((m) => m.some((x) => x.topic === 'gridbridge/s1/m/W'));
    expect(warnings).toEqual([]);
  });

  it('refuses a broker whose certificate it cannot verify (no CA given), with the reason', async () => {
    const b = await tlsBroker();
    const { u } = upstream(b.url, undefined);
    await state(u, 'down');
    expect(u.status().reason).toMatch(/certificate|self.signed|issuer/i);
  });

  it('refuses a certificate for another name', async () => {
    const b = await tlsBroker();
    const { u } = upstream(b.url, { ca: pki.ca, servername: 'broker.example', insecure: false });
    await state(u, 'down');
    expect(u.status().reason).toMatch(/broker\.example|altnames|Hostname/i);
  });

  it('insecure: true connects but warns loudly', async () => {
    const b = await tlsBroker();
    const { u, warnings } = upstream(b.url, { insecure: true });
    await state(u, 'up');
    expect(warnings.some((w) => w.startsWith('INSECURE'))).toBe(true);
  });

  it('mutual TLS: a client certificate is presented when configured, refused without one', async () => {
    const b = await tlsBroker(true);
    const good = upstream(b.url, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key, insecure: false }, 'gb-mtls');
    await state(good.u, 'up');
    const bad = upstream(b.url, { ca: pki.ca, insecure: false }, 'gb-nocert');
    await state(bad.u, 'down');
  });
});

describe('embedded broker: client certificates as logins', () => {
  it('a certificate names its user; with requestClientCert only listed users may still log in by password', async () => {
    const { connect } = await import('mqtt');
    const b = await startEmbeddedBroker({
      tls: { ...pki.server, ca: pki.ca, requestClientCert: true },
      users: [{ username: 'gridbridge-client', publish: ['a/#'] }, { username: 'pw-user', password: 'password1' }, { username: 'gw', password: 'gw-password' }],
      passwordLoginUsers: ['gw'],
    });
    cleanups.push(() => b.close());
    const login = (o: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        const c = connect(b.url, { ca: pki.ca, reconnectPeriod: 0, connectTimeout: 5000, ...o });
        c.once('connect', () => (c.end(true), resolve('connected')));
        c.once('error', (e) => (c.end(true), resolve(e.message)));
      });
    expect(await login({ cert: pki.client.cert, key: pki.client.key })).toBe('connected');
    expect(await login({ cert: pki.client.cert, key: pki.client.key, username: 'pw-user', password: 'password1' })).toMatch(/Not authorized/i);
    expect(await login({ username: 'pw-user', password: 'password1' })).toMatch(/Not authorized/i);
    expect(await login({ username: 'gw', password: 'gw-password' })).toBe('connected');
  });
});
