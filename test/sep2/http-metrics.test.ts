/** The 2030.5 client's requests in gridbridge_upstream_call_seconds: one observation per request on the wire. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { Sep2Http } from '../../src/protocols/sep2/http.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { GatewayMetrics } from '../../src/runtime/metrics.js';
import { freePort } from '../runtime/station.js';

let dir: string;
let pki: TestPki;
let server: https.Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sep2-metrics-'));
  pki = ensureTestPki(dir);
  server = https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const xml = '<Time xmlns="urn:ieee:std:2030.5:ns"/>';
    if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/sep+xml' }).end(xml);
    else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
    else res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** Count of the histogram for one label set, read from the Prometheus text. */
async function count(m: GatewayMetrics, labels: string): Promise<number> {
  const text = await m.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`gridbridge_upstream_call_seconds_count{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('2030.5 HTTP client timing', () => {
  it('answers by status class, each retry and redirect hop on its own, network failures by kind', async () => {
    const m = new GatewayMetrics();
    const stop = m.observeUpstreamCalls();
    const http = new Sep2Http({ clock: systemClock, cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert, attempts: 3, backoffMs: 5, timeoutMs: 2000 });
    try {
      await http.request('GET', `${base}/ok`);
      await http.request('GET', `${base}/moved`);
      await expect(http.request('POST', `${base}/busy`, '<x/>')).rejects.toThrow(/HTTP 503/);
      const closed = await freePort();
      await expect(http.request('GET', `https://127.0.0.1:${closed}/ok`)).rejects.toThrow();
    } finally {
      http.close();
      stop();
    }
    expect(await count(m, 'protocol="sep2",method="GET",result="2xx"')).toBe(2); // /ok, then /ok after the redirect
    expect(await count(m, 'protocol="sep2",method="GET",result="3xx"')).toBe(1);
    expect(await count(m, 'protocol="sep2",method="POST",result="5xx"')).toBe(3); // three attempts on the wire
    expect(await count(m, 'protocol="sep2",method="GET",result="network"')).toBe(3);
  });
});
