/**
 * Client ↔ test server over mTLS on loopback: discovery, telemetry, controls and responses, a wrong CA (refused),
 * and a server restart in the middle of an event. Real sockets and the system clock with 1 s poll/post rates;
 * assertions wait for behaviour, never for durations.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import type { ControlIntent } from '../../src/core/control.js';
import { Sep2Client, type Sep2ClientOptions } from '../../src/protocols/sep2/client.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';
import { Sep2Http } from '../../src/protocols/sep2/http.js';

let dir: string;
let pki: TestPki;
let other: TestPki;
let server: Sep2TestServer;
const clients: Sep2Client[] = [];

function clientOpts(p: TestPki, over: Partial<Sep2ClientOptions> = {}): Sep2ClientOptions {
  return {
    dcapUrl: server.url,
    clock: systemClock,
    cert: p.clientCert,
    key: p.clientKey,
    ca: p.caCert,
    pin: 111115,
    device: 'bat1',
    ratings: { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000, maxWh: 13500 },
    telemetry: [
      { key: 'meter/W', quantity: 'realPower' },
      { key: 'meter/Hz', quantity: 'frequency' },
    ],
    stateOfChargeKey: 'bat1/SoC',
    intervalSeconds: 1,
    statusSeconds: 1,
    minPollSeconds: 1,
    attempts: 2,
    backoffMs: 200,
    timeoutMs: 3000,
    ...over,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sep2-e2e-'));
  pki = ensureTestPki(dir);
  other = ensureTestPki(dir, 'other-');
  const scenario = parseScenario('pollRate: 1\npostRate: 1\nprograms:\n  - { primacy: 1, description: DSO, default: { opModMaxLimW: 10000 } }\n  - { primacy: 9, description: aggregator }\n');
  server = new Sep2TestServer({ pki, scenario, maxPage: 2, otherDevices: 3 });
  await server.start();
});

afterAll(async () => {
  for (const c of clients) c.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sep2 client ↔ test server (mTLS)', () => {
  it('discovers, posts capability/settings/status and mirrors, follows a control with responses, survives a restart', async () => {
    const client = new Sep2Client(clientOpts(pki));
    clients.push(client);
    const steps: string[] = [];
    const intents: ControlIntent[][] = [];
    client.on('discovery', (d: { step: string }) => steps.push(d.step));
    client.on('controls', (c: { intents: ControlIntent[] }) => intents.push(c.intents));
    const feed = setInterval(() => {
      client.record('meter/W', -3200 + Math.round(Math.random() * 10));
      client.record('meter/Hz', 50.01);
      client.record('bat1/SoC', 55.2);
    }, 100);
    try {
      client.start();
      await vi.waitFor(() => expect(client.status).toBe('up'), { timeout: 8000, interval: 50 });
      expect(steps.slice(0, 4)).toEqual(['dcap', 'time', 'enddevice', 'registration']);
      // Function sets run on their own after discovery: wait for each.
      await vi.waitFor(() => expect(steps).toContain('derprogram'), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(client.locations.size).toBe(2), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.derResources.has('DERSettings')).toBe(true), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(client.intents.length).toBe(1), { timeout: 8000, interval: 50 });
      // Paging: our EndDevice is the 4th entry with 2 per page.
      expect(server.records.filter((r) => r.path === '/edev').length).toBeGreaterThanOrEqual(2);
      // Seed 002 start-up posts.
      expect(server.derResources.get('DERCapability')).toMatchObject({ rtgMaxW: { value: 5000 }, rtgMaxChargeRateW: { value: 4000 }, rtgMaxWh: { multiplier: 0, value: 13500 } });
      expect(server.derResources.get('DERSettings')).toMatchObject({ setMaxW: { value: 5000 }, setMaxDischargeRateW: { value: 5000 } });
      await vi.waitFor(() => expect(server.derResources.get('DERStatus')).toMatchObject({ stateOfChargeStatus: { value: 5520 } }), { timeout: 5000 });
      // Default control before any event.
      expect(client.intents).toEqual([expect.objectContaining({ target: { device: 'bat1', name: 'WMaxLimPct' }, cap: 100 })]);

      const ctl = server.addControl({ program: 0, start: 1, duration: 4, base: { opModFixedW: 5000 } });
      await vi.waitFor(() => expect(client.intents.find((i) => i.target.name === 'WSet')?.value).toBe(2500), { timeout: 8000, interval: 50 });
      const wset = client.intents.find((i) => i.target.name === 'WSet')!;
      expect(wset.validTo - wset.validFrom).toBe(4000);

      // Server restart while the event runs: the client keeps the control (last good state) and buffers telemetry.
      await server.stop(true);
      await new Promise((r) => setTimeout(r, 1500));
      expect(client.intents.some((i) => i.target.name === 'WSet')).toBe(true);
      await server.start();

      await vi.waitFor(() => expect(server.responses().filter((r) => r.subject === ctl.mRID).map((r) => r.status)).toEqual([1, 2, 3]), { timeout: 12000, interval: 100 });
      expect(client.intents.some((i) => i.target.name === 'WSet')).toBe(false);
      // Telemetry: readings arrived, none twice, none dropped.
      await vi.waitFor(() => expect(client.telemetry.stats().buffered).toBeLessThanOrEqual(2), { timeout: 6000 });
      expect(client.telemetry.stats().dropped).toBe(0);
      expect(server.readings.size).toBeGreaterThan(4);
      for (const [k, r] of server.readings) expect(r.count, k).toBe(1);
    } finally {
      clearInterval(feed);
      client.stop();
    }
    expect(intents.length).toBeGreaterThan(1);
  }, 40_000);

  it('a mirror forgotten by the server is re-created and buffered readings still arrive once', async () => {
    const client = new Sep2Client(clientOpts(pki));
    clients.push(client);
    const feed = setInterval(() => client.record('meter/W', 100), 100);
    // The previous test's client posted to the same mirrors (same LFDI): judge only this client's intervals.
    const fromS = Math.floor(Date.now() / 1000) + 1;
    try {
      client.start();
      await vi.waitFor(() => expect(client.status).toBe('up'), { timeout: 8000 });
      // 'up' is the core walk; mirrors follow as their own function set: forget them only once they exist.
      await vi.waitFor(() => expect(server.mirrors.size).toBeGreaterThan(0), { timeout: 15_000 });
      server.mirrors.clear();
      const before = server.records.filter((r) => r.path === '/mup' && r.method === 'POST').length;
      await vi.waitFor(() => expect(server.records.filter((r) => r.path === '/mup' && r.method === 'POST').length).toBeGreaterThan(before), { timeout: 15_000 });
      await vi.waitFor(() => expect([...server.readings.keys()].filter((k) => Number(k.split('|')[1]) > fromS + 1).length).toBeGreaterThan(1), { timeout: 15_000 });
      for (const [k, r] of server.readings) if (Number(k.split('|')[1]) > fromS) expect(r.count, k).toBe(1);
    } finally {
      clearInterval(feed);
      client.stop();
    }
  }, 50_000);

  it('refuses a server whose chain does not validate against the configured CA (wrong CA)', async () => {
    const client = new Sep2Client(clientOpts(pki, { ca: other.caCert }));
    clients.push(client);
    const errors: Array<{ kind?: string; message: string }> = [];
    client.on('problem', (e: { kind?: string; message: string }) => errors.push(e));
    client.start();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 8000 });
    client.stop();
    expect(errors[0]!.kind).toBe('tls');
    expect(client.status).toBe('down');
  });

  it('the server refuses a client certificate from another CA', async () => {
    const client = new Sep2Client(clientOpts(other, { ca: pki.caCert }));
    clients.push(client);
    const errors: Array<{ kind?: string }> = [];
    client.on('problem', (e: { kind?: string }) => errors.push(e));
    client.start();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 8000 });
    client.stop();
    expect(server.records.some((r) => r.lfdi === other.client.lfdi)).toBe(false);
    expect(client.status).not.toBe('up');
  });

  it('a wrong Registration PIN stops the client from trusting the server', async () => {
    const client = new Sep2Client(clientOpts(pki, { pin: 222224 }));
    clients.push(client);
    const errors: string[] = [];
    client.on('problem', (e: { message: string }) => errors.push(e.message));
    client.start();
    await vi.waitFor(() => expect(errors.join()).toMatch(/PIN/), { timeout: 8000 });
    client.stop();
    expect(client.intents).toEqual([]);
  });

  it('a legacy server answers in the pre-2018 namespace without 2018-only elements, with Content-Length, and the client still works', async () => {
    const legacy = new Sep2TestServer({ pki, legacy: true, scenario: parseScenario('pollRate: 1\npostRate: 1\n') });
    await legacy.start();
    const h = new Sep2Http({ clock: systemClock, cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert });
    try {
      const r = await h.request('GET', legacy.url.replace('/dcap', '/edev'));
      expect(r.body).toContain('xmlns="http://ieee.org/2030.5"');
      expect(r.body).not.toContain('postRate');
      expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
      expect(r.headers['transfer-encoding']).toBeUndefined();
      const client = new Sep2Client({ ...clientOpts(pki), dcapUrl: legacy.url });
      clients.push(client);
      client.start();
      await vi.waitFor(() => expect(client.status).toBe('up'), { timeout: 8000 });
      client.stop();
    } finally {
      h.close();
      await legacy.stop();
    }
  });

  it('hostile or wrong answers from the server: clear problems, last good controls kept, recovery', async () => {
    const client = new Sep2Client(clientOpts(pki));
    clients.push(client);
    const problems: Array<{ step: string; message: string; kind?: string }> = [];
    client.on('problem', (p: { step: string; message: string; kind?: string }) => problems.push(p));
    const ctl = server.addControl({ program: 1, start: 0, duration: 30, base: { opModConnect: false } });
    try {
      client.start();
      await vi.waitFor(() => expect(client.intents.find((i) => i.target.name === 'Conn')?.value).toBe(false), { timeout: 8000 });
      server.inject('/derp/1/derc', { body: '<DERControlList all="1" results="1"><DERControl><mRID>ZZ</mRID></DERControl></DERControlList>' });
      await vi.waitFor(() => expect(problems.some((p) => /DERControlList\.DERControl\[0\]\.mRID/.test(p.message))).toBe(true), { timeout: 8000 });
      server.inject('/derp/1/derc', { body: '{"not":"xml"}', contentType: 'application/json' });
      await vi.waitFor(() => expect(problems.some((p) => p.kind === 'content-type')).toBe(true), { timeout: 8000 });
      server.inject('/derp/1/derc', { body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><DERControlList all="0" results="0"/>' });
      await vi.waitFor(() => expect(problems.some((p) => /DOCTYPE/.test(p.message))).toBe(true), { timeout: 8000 });
      // Through all of it the running event stays in force.
      expect(client.intents.find((i) => i.target.name === 'Conn')?.value).toBe(false);
      server.inject('/derp/1/derc');
      server.cancel(ctl.mRID);
      await vi.waitFor(() => expect(client.intents.some((i) => i.target.name === 'Conn')).toBe(false), { timeout: 8000 });
      await vi.waitFor(() => expect(server.responses().filter((r) => r.subject === ctl.mRID).map((r) => r.status)).toEqual([1, 2, 6]), { timeout: 8000 });
    } finally {
      client.stop();
    }
  }, 30_000);
});
