/** Test server scenario steps on a FakeClock: controls, cancels and faults fire at their time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { FakeClock } from '../../src/core/clock.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';
import { identityFromCertificate } from '../../src/protocols/sep2/identity.js';

let dir: string;
let pki: TestPki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sep2-srv-'));
  pki = ensureTestPki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Sep2TestServer scenario', () => {
  it('PKI: P-256 certificates, client LFDI/SFDI printed match the certificate, reused on a second call', () => {
    expect(pki.client).toEqual(identityFromCertificate(pki.clientCert));
    expect(ensureTestPki(dir).client.lfdi).toBe(pki.client.lfdi);
    for (const pem of [pki.caCert, pki.serverCert, pki.clientCert]) expect(new X509Certificate(pem).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new X509Certificate(pki.clientCert).verify(new X509Certificate(pki.caCert).publicKey)).toBe(true);
  });
  it('PKI: basicConstraints and subjectAltName are critical (the EPRI 2030.5 client refuses the server otherwise)', () => {
    const ext = (file: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-ext', 'basicConstraints,keyUsage,subjectAltName'], { encoding: 'utf8' });
    const server = ext(pki.files.serverCert);
    expect(server).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(server).toMatch(/Key Usage: critical/);
    expect(server).toMatch(/Subject Alternative Name: critical/);
    expect(ext(pki.files.clientCert)).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
  });
  it('runs control, cancel and fault steps at their times', async () => {
    const clock = new FakeClock();
    const scenario = parseScenario(
      'programs:\n  - { primacy: 1 }\nsteps:\n  - at: 5\n    control: { mRID: ABCD, start: 10, duration: 60, base: { opModFixedW: 1000 } }\n  - { at: 20, cancel: abcd }\n  - { at: 30, path: /tm, fault: { status: 503 } }\n',
    );
    const server = new Sep2TestServer({ pki, clock, scenario });
    const seen: string[] = [];
    server.on('control', (c: { mRID: string; start: number }) => seen.push(`control ${c.mRID} ${c.start - Math.floor(clock.now() / 1000)}`));
    server.on('cancel', (c: { mRID: string; status: number }) => seen.push(`cancel ${c.mRID} ${c.status}`));
    server.on('fault', (c: { path: string }) => seen.push(`fault ${c.path}`));
    await server.start();
    try {
      clock.advance(4_000);
      expect(seen).toEqual([]);
      clock.advance(1_000);
      expect(seen).toEqual(['control ABCD 10']);
      clock.advance(25_000);
      expect(seen).toEqual(['control ABCD 10', 'cancel ABCD 2', 'fault /tm']);
    } finally {
      await server.stop();
    }
  });
});

describe('Sep2TestServer against garbage requests', () => {
  it('answers each with a clear status, records why, and keeps serving', async () => {
    const { default: https } = await import('node:https');
    const { connect } = await import('node:net');
    const server = new Sep2TestServer({ pki, scenario: parseScenario('{}') });
    await server.start();
    const req = (method: string, path: string, body?: string | Buffer, contentType = 'application/sep+xml') =>
      new Promise<number>((resolve, reject) => {
        const r = https.request({ host: '127.0.0.1', port: server.port, method, path, cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert, checkServerIdentity: () => undefined, headers: body ? { 'content-type': contentType } : {} }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        r.on('error', reject);
        r.end(body);
      });
    try {
      // Not TLS at all: the server drops the connection and carries on.
      await new Promise<void>((resolve) => {
        const sock = connect(server.port, '127.0.0.1', () => sock.end('GET / HTTP/1.1\r\n\r\n\x00\xff garbage'));
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
      });
      expect(await req('PUT', '/edev/1/der/1/ders', '<DERStatus><readingTime>nope</readingTime></DERStatus>')).toBe(400);
      expect(server.records.at(-1)!.error).toMatch(/DERStatus\.readingTime/);
      expect(await req('PUT', '/edev/1/der/1/ders', '<DERStatus><<<')).toBe(400);
      expect(await req('PUT', '/edev/1/der/1/ders', '{"readingTime":1}', 'application/json')).toBe(415);
      expect(await req('POST', '/rsp', Buffer.alloc(5 * 1024 * 1024, 0x41))).toBe(413);
      expect(server.records.at(-1)!.error).toMatch(/over 4194304/);
      expect(await req('POST', '/rsp', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><DERControlResponse/>')).toBe(400);
      expect(await req('DELETE', '/dcap')).toBe(404);
      expect(await req('GET', '/%%%/..//x?s=-1&l=99999')).toBe(404);
      expect(await req('GET', '/edev?s=-5&l=abc')).toBe(200);
      expect(await req('GET', '/dcap')).toBe(200);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
