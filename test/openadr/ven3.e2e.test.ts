import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { ControlIntent } from '../../src/core/control.js';
import { openadrMappingSchema } from '../../src/protocols/openadr/mapping.js';
import { parseDuration3, parseDateTime3 } from '../../src/protocols/openadr/oadr3/models.js';
import { LatestPoints, toReportBindings } from '../../src/protocols/openadr/reports.js';
import { Ven3, type Ven3Config } from '../../src/protocols/openadr/ven3.js';
import { VtnSim3, type Vtn3Options } from '../../src/sim/openadr/vtn3.js';
import { request, serve } from '../../src/protocols/openadr/http.js';
import { point } from './harness.js';
import { freePort } from '../runtime/station.js';

const mapping = openadrMappingSchema.parse({
  version: '3.0.1',
  vtnUrl: 'http://127.0.0.1:1',
  venName: 'cem-3',
  reports: [{ device: 'meter1', point: 'W' }, { device: 'meter1', point: 'St', report: 'TELEMETRY_STATUS' }],
  signals: [
    { signal: 'SIMPLE', device: 'inv1', point: 'WMaxLimPct', levels: { '0': 100, '1': 50, '2': 20, '3': 0 } },
    { signal: 'IMPORT_CAPACITY_LIMIT', device: 'evse1', point: 'WSet', mode: 'cap' },
  ],
});

interface Rig3 {
  vtn: VtnSim3;
  ven: Ven3;
  clock: FakeClock;
  points: LatestPoints;
  controls: ControlIntent[];
  cancels: string[];
  deviations: string[];
  errors: Error[];
  log: Array<{ event: string; [k: string]: unknown }>;
  programID: string;
  settle(): Promise<void>;
  step(ms: number): Promise<void>;
}

let current: Rig3 | undefined;
afterEach(async () => {
  await current?.ven.stop();
  await current?.vtn.stop();
  current = undefined;
});

async function rig3(vtnOpts: Vtn3Options, venOpts: Partial<Ven3Config> = {}): Promise<Rig3> {
  const log: Rig3['log'] = [];
  const vtn = new VtnSim3({ clients: { 'cem-3': 's3cret' }, log: (e) => log.push(e), ...vtnOpts });
  await vtn.start();
  const program = vtn.create('programs', { programName: 'flex-uk' });
  vtn.create('programs', { programName: 'other' });
  const clock = new FakeClock(Date.now());
  const points = new LatestPoints();
  const ven = new Ven3({
    baseUrl: vtn.url,
    version: vtn.version,
    clientId: 'cem-3',
    clientSecret: 's3cret',
    venName: 'cem-3',
    programs: ['flex-uk'],
    notification: 'poll',
    pollIntervalSec: 30,
    policy: mapping.policy,
    reports: toReportBindings(mapping.reports),
    signals: mapping.signals,
    points,
    clock,
    ...venOpts,
  });
  const r: Rig3 = {
    vtn, ven, clock, points, log, controls: [], cancels: [], deviations: [], errors: [], programID: String(program['id']),
    settle: async () => {
      for (let i = 0; i < 4; i++) {
        await ven.idle();
        await vtn.idle();
        await new Promise((res) => setTimeout(res, 5));
      }
    },
    step: async (ms) => {
      clock.advance(ms);
      await r.settle();
    },
  };
  ven.on('control', (c) => r.controls.push(c));
  ven.on('cancel', (c) => r.cancels.push(c.id));
  ven.on('deviation', (d) => r.deviations.push(d));
  ven.on('error', (e) => r.errors.push(e));
  current = r;
  return r;
}

const eventBody = (programID: string, start: number, extra: Record<string, unknown> = {}) => ({
  programID,
  eventName: 'evening-peak',
  priority: 0,
  intervalPeriod: { start: new Date(start).toISOString(), duration: 'PT30M' },
  payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'SIMPLE' }],
  reportDescriptors: [{ payloadType: 'USAGE' }],
  intervals: [
    { id: 0, payloads: [{ type: 'SIMPLE', values: [1] }] },
    { id: 1, payloads: [{ type: 'SIMPLE', values: [3] }, { type: 'IMPORT_CAPACITY_LIMIT', values: [3000] }] },
  ],
  ...extra,
});

for (const version of ['3.0.1', '3.1.0'] as const) {
  describe(`OpenADR ${version} VEN ↔ VTN simulator`, () => {
    it('polling: token, VEN object, programs, events → controls with expiry, reports posted then updated', async () => {
      const r = await rig3({ version });
      const t0 = r.clock.now() + 60_000;
      const ev = r.vtn.create('events', eventBody(r.programID, t0));
      r.points.update(point('meter1', 'W', 2750, r.clock.now()));
      await r.ven.start();
      await r.settle();
      expect(r.errors).toEqual([]);
      expect(r.ven.state).toBe('up');
      expect(r.ven.programs.map((p) => p.programName)).toEqual(['flex-uk']);
      expect(r.vtn.store.vens.size).toBe(1);
      expect(r.controls.map((c) => [c.target.device, c.target.name, c.cap, c.validFrom - t0, c.validTo - c.validFrom])).toEqual([
        ['inv1', 'WMaxLimPct', 50, 0, 1_800_000],
        ['inv1', 'WMaxLimPct', 0, 1_800_000, 1_800_000],
        ['evse1', 'WSet', 3000, 1_800_000, 1_800_000],
      ]);
      const created = r.log.find((e) => e.event === 'created' && e.collection === 'reports')!;
      const rep = created.report as { eventID: string; resources: Array<{ resourceName: string; intervals: Array<{ payloads: Array<{ type: string; values: unknown[] }> }> }> };
      expect(rep.eventID).toBe(ev['id']);
      expect(rep.resources[0]!.intervals[0]!.payloads[0]).toEqual({ type: 'USAGE', values: [2750] });
      await r.step(30_000);
      expect(r.log.some((e) => e.event === 'updated' && e.collection === 'reports')).toBe(true);
      // modify then delete
      r.vtn.update('events', String(ev['id']), { intervals: [{ id: 0, payloads: [{ type: 'SIMPLE', values: [2] }] }] });
      await r.step(30_000);
      expect(r.controls.at(-1)!.cap).toBe(20);
      expect(r.cancels.length).toBe(3);
      r.vtn.remove('events', String(ev['id']));
      await r.step(30_000);
      expect(r.ven.activeControls()).toEqual([]);
      expect(r.cancels.length).toBe(4);
    });

    it('webhook: subscription, notification drives the controls without waiting for a poll', async () => {
      const r = await rig3({ version }, { notification: 'webhook' });
      await r.ven.start();
      await r.settle();
      expect(r.vtn.store.subscriptions.size).toBe(1);
      const sub = [...r.vtn.store.subscriptions.values()][0] as { objectOperations: Array<{ callbackUrl: string }> };
      expect(sub.objectOperations[0]!.callbackUrl).toBe(r.ven.callbackListenUrl);
      r.vtn.create('events', eventBody(r.programID, r.clock.now()));
      await r.settle();
      expect(r.controls.length).toBe(3);
      expect(r.log.find((e) => e.event === 'notified')?.status).toBe(200);
      // The VTN validated the callback before accepting the subscription (echo challenge).
      expect(r.log.find((e) => e.event === 'callback_check')).toMatchObject({ ok: true, status: 200 });
      // Both forms seen in practice are answered with the value sent, as the whole body.
      const direct = await request('GET', `${r.ven.callbackListenUrl}?echo=abc%20123`);
      expect([direct.status, direct.body]).toEqual([200, 'abc 123']);
      const suffixed = await request('GET', `${r.ven.callbackListenUrl}/echo?echo=x-9`);
      expect([suffixed.status, suffixed.body]).toEqual([200, 'x-9']);
      expect(r.deviations.some((d) => /<callbackUrl>\/echo/.test(d))).toBe(true);
      expect((await request('GET', `${r.ven.callbackListenUrl}/echo`)).status).toBe(400);
      expect((await request('GET', r.ven.callbackListenUrl!)).status).toBe(405);
      const forged = await request('POST', r.ven.callbackListenUrl!, { body: '{}', headers: { authorization: 'Bearer nope' } });
      expect(forged.status).toBe(403);
    });
  });
}

describe('OpenADR 3 tolerance and bad input', () => {
  it('field deviations are parsed and logged: scope array, double-encoded webhook, space date-times, problem.status string', async () => {
    const r = await rig3({ version: '3.0.1', deviations: { scopeArray: true, doubleEncodedWebhook: true, spaceDateTime: true, problemStatusString: true } }, { notification: 'webhook' });
    await r.ven.start();
    await r.settle();
    r.vtn.create('events', eventBody(r.programID, r.clock.now(), { intervalPeriod: { start: new Date(r.clock.now()).toISOString().replace('T', ' '), duration: 'PT30M' } }));
    await r.settle();
    expect(r.controls.length).toBe(3);
    expect(r.deviations.some((d) => /scope is an array/.test(d))).toBe(true);
    expect(r.deviations.some((d) => /JSON-encoded twice/.test(d))).toBe(true);
    expect(r.deviations.some((d) => /not RFC 3339/.test(d))).toBe(true);
  });

  it('reference-VTN notifications: a JSON string with snake_case object_type is accepted, each repair logged', async () => {
    const r = await rig3({ version: '3.1.0', deviations: { doubleEncodedWebhook: true, snakeCaseWebhook: true } }, { notification: 'webhook' });
    await r.ven.start();
    await r.settle();
    r.vtn.create('events', eventBody(r.programID, r.clock.now()));
    await r.settle();
    expect(r.log.find((e) => e.event === 'notified')?.status).toBe(200);
    expect(r.controls.length).toBe(3);
    expect(r.deviations.some((d) => /snake_case keys object_type/.test(d))).toBe(true);
    expect(r.deviations.some((d) => /JSON-encoded twice/.test(d))).toBe(true);
    // Strict output stays: the report the VEN posts uses camelCase objectType.
    const created = r.log.find((e) => e.event === 'created' && e['collection'] === 'reports') as { report?: { payloadDescriptors?: Array<Record<string, unknown>> } } | undefined;
    expect(created?.report?.payloadDescriptors?.[0]).toHaveProperty('objectType', 'REPORT_PAYLOAD_DESCRIPTOR');
    // Not clear in meaning: an unknown object type is still refused.
    const bad = await request('POST', r.ven.callbackListenUrl!, { body: JSON.stringify({ object_type: 'WIDGET', operation: 'create', object: {} }), headers: { authorization: `Bearer ${(r.ven as unknown as { hookToken: string }).hookToken}` } });
    expect(bad.status).toBe(400);
  });

  it('the VTN simulator refuses a subscription whose callback does not echo the challenge, and http callbacks when https is required', async () => {
    const r = await rig3({ version: '3.1.0' });
    const fake = await serve(async () => ({ status: 200, body: JSON.stringify({ echo: 'ok' }), contentType: 'application/json' }));
    try {
      const tok = JSON.parse((await request('POST', `${r.vtn.url}/auth/token`, { body: 'grant_type=client_credentials&client_id=cem-3&client_secret=s3cret', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body) as { access_token: string };
      const sub = (url: string) => request('POST', `${r.vtn.url}/subscriptions`, { body: JSON.stringify({ clientName: 'c', programID: r.programID, objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: url }] }), headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.access_token}` } });
      const refused = await sub(`${fake.url}/cb`);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ detail: expect.stringMatching(/callback validation failed.*did not carry the echo value/) });
      expect((await sub('http://127.0.0.1:1/closed')).status).toBe(400);
      expect(r.vtn.store.subscriptions.size).toBe(0);
    } finally {
      await fake.close();
    }
    const strict = await rig3({ version: '3.1.0', requireHttpsCallbacks: true }, { notification: 'webhook' });
    await strict.ven.start();
    await strict.settle();
    expect(strict.errors.at(-1)?.message).toMatch(/must use https/);
    expect(strict.vtn.store.subscriptions.size).toBe(0);
    await strict.ven.stop();
    await strict.vtn.stop();
  });

  it('wrong client secret: clear error, state down, no controls', async () => {
    const r = await rig3({ version: '3.0.1' }, { clientSecret: 'wrong' });
    await r.ven.start();
    await r.settle();
    expect(r.ven.state).toBe('down');
    expect(r.errors[0]?.message).toMatch(/auth\/token.*400.*invalid_client/);
  });

  it('events with impossible times are rejected; VTN down keeps controls until they expire', async () => {
    const r = await rig3({ version: '3.1.0' });
    const events: Array<{ status: string; reason?: string }> = [];
    r.ven.on('event', (e) => events.push(e));
    r.vtn.create('events', eventBody(r.programID, Date.UTC(1970, 0, 1)));
    r.vtn.create('events', { ...eventBody(r.programID, r.clock.now()), intervalPeriod: { start: new Date(r.clock.now()).toISOString(), duration: 'PT5M' } });
    await r.ven.start();
    await r.settle();
    expect(events.map((e) => e.status)).toEqual(['rejected', 'new']);
    expect(r.ven.activeControls().length).toBe(1);
    await r.vtn.stop();
    await r.step(30_000);
    expect(r.ven.state).toBe('degraded');
    expect(r.errors.at(-1)?.message).toMatch(/ECONN/);
    await r.step(600_000);
    expect(r.ven.activeControls()).toEqual([]);
  });

  it('value parsers', () => {
    expect(parseDuration3('PT1.5S')).toBe(1.5);
    expect(parseDuration3('P1W')).toBe(604800);
    expect(parseDuration3('PT')).toBeUndefined();
    const dev: string[] = [];
    expect(parseDateTime3('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDateTime3('2026-01-01 00:00:00', (d) => dev.push(d))).toBe(Date.UTC(2026, 0, 1));
    expect(parseDateTime3('12:00:00', (d) => dev.push(d))).toBeUndefined();
    expect(dev.length).toBe(2);
  });
});

describe('OpenADR 3 reports while the VTN is unreachable', () => {
  it('each poll round samples an interval; once the VTN is back they arrive once, in order, with their own starts', async () => {
    const r = await rig3({ version: '3.0.1', port: await freePort() });
    const t0 = r.clock.now();
    r.vtn.create('events', eventBody(r.programID, t0 + 3_600_000));
    const reports = () =>
      r.log
        .filter((e) => (e.event === 'created' || e.event === 'updated') && e.collection === 'reports')
        .map((e) => (e.report as { resources: Array<{ intervals: Array<{ intervalPeriod: { start: string }; payloads: Array<{ type: string; values: number[] }> }> }> }).resources[0]!.intervals)
        .map((ivs) => ivs.map((iv) => [Date.parse(iv.intervalPeriod.start) - t0, iv.payloads.find((p) => p.type === 'USAGE')!.values[0]]));
    r.points.update(point('meter1', 'W', 100, r.clock.now()));
    await r.ven.start();
    await r.settle();
    expect(reports()).toEqual([[[0, 100]]]);
    await r.vtn.stop();
    for (const w of [101, 102, 103]) {
      r.points.update(point('meter1', 'W', w, r.clock.now()));
      await r.step(30_000);
    }
    expect(reports().length).toBe(1);
    expect(r.ven.state).toBe('degraded');
    await r.vtn.start();
    r.points.update(point('meter1', 'W', 104, r.clock.now()));
    await r.step(30_000);
    // The three rounds without the VTN and this one, each at its own time; then only what is new.
    expect(reports().at(-1)).toEqual([[30_000, 101], [60_000, 102], [90_000, 103], [120_000, 104]]);
    r.points.update(point('meter1', 'W', 105, r.clock.now()));
    await r.step(30_000);
    expect(reports().at(-1)).toEqual([[150_000, 105]]);
    expect(reports().length).toBe(3);
  });
});
