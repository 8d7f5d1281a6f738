/** Sep2Http against a scripted HTTPS server (mTLS): content type, redirects, retries, timeouts, cipher offer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { Sep2Http, Sep2HttpError, CCM8_CIPHER, SEP2_CIPHERS } from '../../src/protocols/sep2/http.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';

let dir: string;
let pki: TestPki;
let server: https.Server;
let base: string;
const hits = new Map<string, number>();
let lastCipher = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sep2-http-'));
  pki = ensureTestPki(dir);
  // A CCM8-only server proves the client offers ECDHE-ECDSA-AES128-CCM8 (as embedded CSIP servers require).
  server = https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true, ciphers: CCM8_CIPHER, maxVersion: 'TLSv1.2' }, (req, res) => {
    const p = req.url ?? '/';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    lastCipher = (req.socket as TLSSocket).getCipher().name;
    const xml = '<Time xmlns="urn:ieee:std:2030.5:ns"/>';
    if (p === '/ok') res.writeHead(200, { 'content-type': 'application/sep+xml', 'content-length': xml.length }).end(xml);
    else if (p === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else if (p === '/loop') res.writeHead(302, { location: '/loop2' }).end();
    else if (p === '/loop2') res.writeHead(302, { location: '/loop' }).end();
    else if (p.startsWith('/hop')) {
      const n = Number(p.slice(4));
      res.writeHead(302, { location: `/hop${n + 1}` }).end();
    } else if (p === '/flaky') {
      if ((hits.get(p) ?? 0) < 3) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/sep+xml' }).end(xml);
    } else if (p === '/gone') res.writeHead(404).end();
    else if (p === '/huge') {
      // 9 MB, chunked: the client stops reading at its 8 MB cap.
      res.writeHead(200, { 'content-type': 'application/sep+xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let n = 0;
      const more = (): void => {
        while (n++ < 144) if (!res.write(chunk)) return void res.once('drain', more);
        res.end();
      };
      more();
    } else if (p === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/sep+xml; charset=utf-8' });
      res.write(xml.slice(0, 7));
      setTimeout(() => res.end(xml.slice(7)), 20);
    }
    else if (p === '/slow') setTimeout(() => res.writeHead(200).end(), 3000);
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `https://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function http(over: Partial<ConstructorParameters<typeof Sep2Http>[0]> = {}) {
  return new Sep2Http({ clock: systemClock, cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert, attempts: 3, backoffMs: 10, timeoutMs: 500, ...over });
}
async function failure(p: Promise<unknown>): Promise<Sep2HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Sep2HttpError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('Sep2Http', () => {
  it('offers CCM8 first and works with a CCM8-only server; no hostname check (IP, cert says localhost)', async () => {
    expect(SEP2_CIPHERS.startsWith('ECDHE-ECDSA-AES128-CCM8:')).toBe(true);
    const h = http();
    const r = await h.request('GET', `${base}/ok`);
    h.close();
    expect(r.status).toBe(200);
    expect(lastCipher).toBe(CCM8_CIPHER);
  });
  it('refuses a non-sep+xml content type with a clear error', async () => {
    const h = http();
    const e = await failure(h.request('GET', `${base}/json`));
    h.close();
    expect(e.kind).toBe('content-type');
    expect(e.message).toMatch(/application\/json.*application\/sep\+xml/);
  });
  it('stops redirect loops and long chains', async () => {
    const h = http();
    expect((await failure(h.request('GET', `${base}/loop`))).message).toMatch(/redirect loop/);
    expect((await failure(h.request('GET', `${base}/hop0`))).message).toMatch(/more than 5 redirects/);
    h.close();
  });
  it('retries 5xx with backoff and succeeds; does not retry 4xx', async () => {
    const h = http();
    expect((await h.request('GET', `${base}/flaky`)).status).toBe(200);
    expect(hits.get('/flaky')).toBe(3);
    const e = await failure(h.request('GET', `${base}/gone`));
    expect(e.status).toBe(404);
    expect(hits.get('/gone')).toBe(1);
    h.close();
  });
  it('reads a chunked body; refuses a body over 8 MB with a clear error', async () => {
    const h = http({ attempts: 1, timeoutMs: 5000 });
    expect((await h.request('GET', `${base}/chunked`)).body).toBe('<Time xmlns="urn:ieee:std:2030.5:ns"/>');
    const e = await failure(h.request('GET', `${base}/huge`));
    expect(e.message).toMatch(/over 8 MB/);
    h.close();
  });
  it('times out and reports it', async () => {
    const h = http({ attempts: 1, timeoutMs: 200 });
    expect((await failure(h.request('GET', `${base}/slow`))).kind).toBe('timeout');
    h.close();
  });
  it('refuses plain http URLs', async () => {
    const h = http();
    expect((await failure(h.request('GET', base.replace('https', 'http') + '/ok'))).message).toMatch(/https/);
    h.close();
  });
});
