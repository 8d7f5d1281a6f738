/**
 * Each function set fails on its own (issue 12): a CSIP-AUS server refusing DERCapability must not stop DERStatus,
 * DERSettings or readings; the refusal is visible (health, status reason) and retried with backoff. Real mTLS sockets
 * against the test server; assertions wait for behaviour.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { Sep2Client, type Sep2ClientOptions } from '../../src/protocols/sep2/client.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';

let dir: string;
let pki: TestPki;
const servers: Sep2TestServer[] = [];

function opts(server: Sep2TestServer, over: Partial<Sep2ClientOptions> = {}): Sep2ClientOptions {
  return {
    dcapUrl: server.url,
    clock: systemClock,
    cert: pki.clientCert,
    key: pki.clientKey,
    ca: pki.caCert,
    device: 'bat1',
    ratings: { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000, maxWh: 13500 },
    telemetry: [{ key: 'meter/W', quantity: 'realPower' }],
    stateOfChargeKey: 'bat1/SoC',
    intervalSeconds: 1,
    statusSeconds: 1,
    minPollSeconds: 1,
    attempts: 1,
    backoffMs: 100,
    timeoutMs: 3000,
    ...over,
  };
}

async function serve(yaml: string): Promise<Sep2TestServer> {
  const s = new Sep2TestServer({ pki, scenario: parseScenario(yaml) });
  await s.start();
  servers.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sep2-fs-'));
  pki = ensureTestPki(dir);
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('function sets fail on their own', () => {
  it('a CSIP-AUS server refusing DERCapability without doeModesSupported: auto mode learns it and sends the csipaus elements', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\ncsipAus: true\n');
    const client = new Sep2Client(opts(server));
    try {
      client.start();
      await vi.waitFor(() => expect(server.derResources.get('DERCapability')).toMatchObject({ doeModesSupported: '0F' }), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.derResources.get('DERSettings')).toMatchObject({ doeModesEnabled: '0F' }), { timeout: 8000, interval: 50 });
      expect(client.csipAus).toBe(true);
      const puts = server.records.filter((r) => r.path.endsWith('/dercap') && r.method === 'PUT').map((r) => r.status);
      expect(puts.slice(0, 2)).toEqual([400, 204]);
    } finally {
      client.stop();
    }
  }, 20_000);

  it('csipAus: true sends the elements from the start; csipAus: false never does', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\n');
    for (const csipAus of [true, false]) {
      server.derResources.clear();
      const client = new Sep2Client(opts(server, { csipAus }));
      try {
        client.start();
        await vi.waitFor(() => expect(server.derResources.has('DERCapability')).toBe(true), { timeout: 8000, interval: 50 });
        expect((server.derResources.get('DERCapability') as { doeModesSupported?: string }).doeModesSupported).toBe(csipAus ? '0F' : undefined);
      } finally {
        client.stop();
      }
    }
  }, 20_000);

  it('a DERCapability refused for good: status, settings and readings still flow; the refusal is visible and backed off', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\n');
    server.inject('/edev/1/der/1/dercap', { status: 400 });
    const client = new Sep2Client(opts(server, { csipAus: false, refusedBackoffSeconds: 2 }));
    const states: Array<{ state: string; reason?: string }> = [];
    client.on('state', (s: { state: string; reason?: string }) => states.push(s));
    const feed = setInterval(() => {
      client.record('meter/W', 1200);
      client.record('bat1/SoC', 40);
    }, 100);
    try {
      client.start();
      await vi.waitFor(() => expect(server.derResources.get('DERStatus')).toMatchObject({ stateOfChargeStatus: { value: 4000 } }), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.derResources.has('DERSettings')).toBe(true), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.readings.size).toBeGreaterThan(1), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.derResources.get('DERAvailability')).toMatchObject({ statWAvail: { value: 5000 } }), { timeout: 8000, interval: 50 });
      const h = client.health().find((x) => x.key === 'dercap')!;
      expect(h).toMatchObject({ ok: false, status: 400 });
      expect(client.status).toBe('degraded');
      expect(states.at(-1)?.reason).toMatch(/dercap: HTTP 400 \(retry in \d+ s\)/);
      // Backoff doubles: after the first refusal, retries are at 2 s, then 4 s …, not every poll.
      await vi.waitFor(() => expect(client.health().find((x) => x.key === 'dercap')!.failures).toBeGreaterThanOrEqual(2), { timeout: 8000, interval: 100 });
      expect(client.health().find((x) => x.key === 'dercap')!.retryInS).toBeGreaterThanOrEqual(4);
      // The server heals: the next retry succeeds and the client is up again.
      server.inject('/edev/1/der/1/dercap');
      await vi.waitFor(() => expect(server.derResources.has('DERCapability')).toBe(true), { timeout: 12000, interval: 100 });
      await vi.waitFor(() => expect(client.status).toBe('up'), { timeout: 5000, interval: 50 });
    } finally {
      clearInterval(feed);
      client.stop();
    }
  }, 40_000);

  it('nonsense controls from the server (negative limit, zero duration, unknown elements) are refused with 253 and never applied', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\n');
    const neg = server.addControl({ duration: 60, base: { opModExpLimW: { multiplier: 0, value: -500 } } });
    const zero = server.addControl({ duration: 0, base: { opModConnect: false } });
    const client = new Sep2Client(opts(server));
    const logs: string[] = [];
    client.on('log', (l: { message: string }) => logs.push(l.message));
    try {
      client.start();
      await vi.waitFor(() => expect(server.responses().filter((r) => r.subject === neg.mRID).map((r) => r.status)).toEqual([1, 253]), { timeout: 8000, interval: 50 });
      await vi.waitFor(() => expect(server.responses().filter((r) => r.subject === zero.mRID).map((r) => r.status)).toEqual([1, 253]), { timeout: 8000, interval: 50 });
      expect(client.intents.filter((i) => i.target.name === 'x_ExpLimW' || i.target.name === 'Conn')).toEqual([]);
      expect(logs.join('\n')).toMatch(/negative limit/);
      expect(logs.join('\n')).toMatch(/duration is 0/);
      // An unknown element inside a control is ignored; the control itself still applies.
      server.inject('/derp/0/derc', {
        body: `<DERControlList xmlns="urn:ieee:std:2030.5:ns" all="1" results="1"><DERControl><mRID>AB01</mRID><creationTime>1</creationTime><EventStatus><currentStatus>1</currentStatus><dateTime>1</dateTime><potentiallySuperseded>false</potentiallySuperseded></EventStatus><interval><duration>60</duration><start>${server.nowS() - 1}</start></interval><DERControlBase><opModMaxLimW>4000</opModMaxLimW><vendorThing>7</vendorThing></DERControlBase><mystery/></DERControl></DERControlList>`,
      });
      await vi.waitFor(() => expect(client.intents.find((i) => i.target.name === 'WMaxLimPct')).toMatchObject({ cap: 40 }), { timeout: 8000, interval: 50 });
    } finally {
      client.stop();
    }
  }, 30_000);

  it('in-band registration: POSTs its EndDevice, polls until the Registration appears, checks the PIN, then applies controls', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\nregistration: in-band\nregistrationDelay: 2\npin: 111115\nprograms:\n  - { primacy: 1, default: { opModConnect: true } }\n');
    const client = new Sep2Client(opts(server, { registration: 'in-band', pin: 111115 }));
    const problems: string[] = [];
    client.on('problem', (p: { message: string }) => problems.push(p.message));
    try {
      client.start();
      await vi.waitFor(() => expect(server.records.some((r) => r.method === 'POST' && r.path === '/edev' && r.status === 201)).toBe(true), { timeout: 8000, interval: 50 });
      expect(server.records.find((r) => r.method === 'POST' && r.path === '/edev')!.value).toMatchObject({ sFDI: pki.client.sfdi, lFDI: pki.client.lfdi });
      // Before the server registers us: no trust, no controls, and the status says why.
      await vi.waitFor(() => expect(problems.some((m) => /waiting for the server to register us/.test(m))).toBe(true), { timeout: 8000, interval: 50 });
      expect(client.intents).toEqual([]);
      await vi.waitFor(() => expect(client.intents.find((i) => i.target.name === 'Conn')?.value).toBe(true), { timeout: 10000, interval: 50 });
      expect(client.status).toBe('up');
      expect(server.records.filter((r) => r.method === 'POST' && r.path === '/edev').length).toBe(1);
    } finally {
      client.stop();
    }
  }, 30_000);

  it('out-of-band (default) never POSTs an EndDevice: an unlisted device is a clear discovery problem', async () => {
    const server = await serve('pollRate: 1\npostRate: 1\nregistration: in-band\n');
    const client = new Sep2Client(opts(server));
    const problems: string[] = [];
    client.on('problem', (p: { message: string }) => problems.push(p.message));
    try {
      client.start();
      await vi.waitFor(() => expect(problems.some((m) => /no EndDevice with LFDI .* \(registration is out of band\)/.test(m))).toBe(true), { timeout: 8000, interval: 50 });
      expect(server.records.some((r) => r.method === 'POST' && r.path === '/edev')).toBe(false);
    } finally {
      client.stop();
    }
  }, 20_000);
});
