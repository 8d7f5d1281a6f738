import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { normalizePem, resolvePem } from '../../src/runtime/pem-source.js';
import { nodeRedMetrics } from '../../src/runtime/metrics.js';
import upstreamNode from '../../nodes/mqtt-upstream.js';
import venNode from '../../nodes/openadr-ven.js';
import { makeCa, type Issued } from '../iec104/pki.js';
import { initNodeRed } from '../node-red-path.js';

// Upstream TLS material as credentials or managed files, inspected for the editor and warned about before expiry.
initNodeRed(helper);
const userDir = mkdtempSync(join(tmpdir(), 'gb-certs-'));
const certDir = join(userDir, 'gridbridge-certs');
let broker: EmbeddedBroker;
let ca: string;
let client: Issued;

type LogSpy = { args: Array<[{ level: number; msg: unknown }]>; ERROR: number; WARN: number };
const logged = (level: 'ERROR' | 'WARN') => {
  const spy = (helper as unknown as { log(): LogSpy }).log();
  return spy.args.map((a) => a[0]).filter((m) => m.level === spy[level]).map((m) => String(m.msg)).join('\n');
};

beforeAll(async () => {
  const tenant = await makeCa('Tenant CA');
  ca = tenant.cert;
  const server = await tenant.issue('localhost', 'server');
  client = await tenant.issue('gw-01', 'client');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'tenant-ca.pem'), ca);
  writeFileSync(join(certDir, 'gw.key'), client.key, { mode: 0o600 });
  writeFileSync(join(certDir, 'loose.key'), client.key, { mode: 0o644 });
  chmodSync(join(certDir, 'loose.key'), 0o644);
  broker = await startEmbeddedBroker({ tls: { cert: server.cert, key: server.key, ca, requestClientCert: true } });
  helper.settings({ userDir });
});
afterEach(async () => {
  await helper.unload();
});
afterAll(async () => {
  helper.settings({});
  await broker.close();
  rmSync(userDir, { recursive: true, force: true });
});

const upstream = (creds: Record<string, string>) =>
  helper.load(
    upstreamNode,
    [{ id: 'u1', type: 'gridbridge-mqtt-upstream', url: broker.url, site: 'lab', baseTopic: 'gb/{site}', topic: '{base}/{device}/{name}', qos: '1', retain: true, commands: false, storeDir: join(userDir, 'store'), wires: [[]] }],
    { u1: creds },
  );

describe('upstream certificates (cert-status)', () => {
  it('MQTT mutual TLS from a managed CA file, a pasted certificate (newlines lost) and a managed 0600 key; the editor sees subject, issuer, expiry', async () => {
    const connected = new Promise<string>((resolve) => broker.aedes.once('clientReady', (c) => resolve(c.id)));
    await upstream({ tlsCa: 'tenant-ca.pem', tlsCert: client.cert.replace(/\n/g, ''), tlsKey: 'gw.key' });
    expect(await connected).toBe('gridbridge-lab'); // the broker accepted the client certificate its CA issued
    const r = await helper.request().get('/gridbridge/certs/u1').expect(200);
    expect(r.body.ca).toMatchObject({ label: 'CA chain', certificates: [{ subject: 'CN=Tenant CA', ca: true }] });
    expect(r.body.cert.certificates[0]).toMatchObject({ subject: 'CN=gw-01', issuer: 'CN=Tenant CA', ca: false });
    expect(r.body.cert.certificates[0].daysLeft).toBeLessThanOrEqual(2);
    // 2-day test certificates: inside the 30-day window, so warned about in the dialog and in the log
    expect(r.body.cert.warnings.join()).toMatch(/client certificate "CN=gw-01" expires in [01] day/);
    expect(logged('WARN')).toMatch(/client certificate "CN=gw-01" expires in [01] day/);
    expect(JSON.stringify(r.body)).not.toMatch(/PRIVATE KEY|BEGIN/);
    const files = await helper.request().get('/gridbridge/cert-files').expect(200);
    expect(files.body).toEqual({ dir: certDir, files: [{ name: 'gw.key', kind: 'key' }, { name: 'loose.key', kind: 'key' }, { name: 'tenant-ca.pem', kind: 'certificate' }] });
    await helper.request().get('/gridbridge/certs/nope').expect(404);
    // for alerting: the end of validity of each certificate, as Unix time
    const notAfter = Date.parse(r.body.cert.certificates[0].notAfter) / 1000;
    expect(await nodeRedMetrics.registry.metrics()).toContain(`gridbridge_certificate_not_after_seconds{node="u1",certificate="client certificate",subject="CN=gw-01"} ${notAfter}`);
  });

  it('refuses a key file others can read, a plain path and a missing file, naming the field', async () => {
    await upstream({ tlsCa: 'tenant-ca.pem', tlsCert: client.cert, tlsKey: 'loose.key' });
    expect(logged('ERROR')).toMatch(/MQTT client key: .*loose\.key: the key file is readable by other users: chmod 600/);
    await helper.unload();
    await upstream({ tlsCa: '/etc/ssl/certs/ca-certificates.crt' });
    expect(logged('ERROR')).toMatch(/MQTT CA chain: give the PEM text or the name of a file in the certificate directory .*, not a path/);
    await helper.unload();
    await upstream({ tlsCa: 'other-ca.pem' });
    expect(logged('ERROR')).toMatch(/MQTT CA chain: .*other-ca\.pem: no such file/);
  });

  it('OpenADR VEN: the tenant CA chain per VEN is shown and warned about', async () => {
    await helper.load(
      venNode,
      [{ id: 'v1', type: 'gridbridge-openadr-ven', version: '3.0.1', vtnUrl: 'https://127.0.0.1:9/openadr3', venName: 'ven-1', clientId: 'ven-1', pollIntervalSec: '60', notification: 'poll', bindings: '{"reports":[],"signals":[]}' }],
      { v1: { clientSecret: 's', tlsCa: 'tenant-ca.pem' } },
    );
    const r = await helper.request().get('/gridbridge/certs/v1').expect(200);
    expect(Object.keys(r.body)).toEqual(['ca']);
    expect(r.body.ca.certificates[0]).toMatchObject({ subject: 'CN=Tenant CA', ca: true });
    expect(logged('WARN')).toMatch(/CA chain "CN=Tenant CA" expires in [01] day/);
  });

  it('PEM values: line structure restored, files only by name', () => {
    const flat = client.cert.replace(/\n/g, '');
    expect(normalizePem(flat)).toBe(client.cert.endsWith('\n') ? client.cert : client.cert + '\n');
    expect(normalizePem(`${flat} ${ca.replace(/\n/g, ' ')}`)).toBe(`${client.cert.trim()}\n${ca.trim()}\n`);
    expect(resolvePem('', { what: 'x' })).toBeUndefined();
    expect(() => resolvePem('../gw.key', { what: 'key', dir: certDir })).toThrow(/not a path/);
    expect(() => resolvePem('gw.key', { what: 'key' })).toThrow(/no certificate directory/);
    expect(resolvePem('gw.key', { what: 'key', dir: certDir, key: true })).toBe(client.key);
  });
});
