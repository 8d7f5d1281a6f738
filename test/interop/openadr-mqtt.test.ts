/**
 * Interop: OpenADR 3.1.0 notifications over the MQTT binding through a real mosquitto (Debian package), beside
 * webhooks and polling. The VTN simulator publishes to the broker; the VEN learns the broker and topics from
 * GET /notifiers and GET /notifiers/mqtt/topics/vens/{venID}/events. The VEN's poll timer is on a fake clock that
 * never advances, so every change after start-up can only have arrived over MQTT. Run with `npm run test:interop`.
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { ControlIntent } from '../../src/core/control.js';
import { openadrMappingSchema } from '../../src/protocols/openadr/mapping.js';
import { LatestPoints, toReportBindings } from '../../src/protocols/openadr/reports.js';
import { Ven3 } from '../../src/protocols/openadr/ven3.js';
import { VtnSim3 } from '../../src/sim/openadr/vtn3.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let broker: Mosquitto;
let url: string;

beforeAll(async () => {
  broker = await startMosquitto();
  url = broker.url;
});
afterAll(() => broker?.stop());

const mapping = openadrMappingSchema.parse({
  version: '3.1.0',
  vtnUrl: 'http://127.0.0.1:1',
  venName: 'mqtt-ven',
  notification: 'mqtt',
  signals: [{ signal: 'IMPORT_CAPACITY_LIMIT', device: 'evse1', point: 'WSet', mode: 'cap' }],
});
const eventBody = (programID: string, kw: number) => ({
  programID,
  eventName: 'cap',
  intervalPeriod: { start: new Date(Date.now() - 1000).toISOString(), duration: 'PT30M' },
  payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IMPORT_CAPACITY_LIMIT', units: 'KW' }],
  intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [kw] }] }],
});

describe('OpenADR 3.1.0 MQTT notifier binding against mosquitto', () => {
  it('events created, updated and deleted reach the VEN over MQTT only; the broker carries the spec notification object', async () => {
    const log: Array<{ event: string; [k: string]: unknown }> = [];
    const vtn = new VtnSim3({ version: '3.1.0', clients: { 'mqtt-ven': 's', bl: { secret: 'b', role: 'bl' } }, mqtt: { url }, log: (e) => log.push(e) });
    await vtn.start();
    const program = vtn.create('programs', { programName: 'flex' });
    const clock = new FakeClock(Date.now());
    const ven = new Ven3({
      baseUrl: vtn.url, version: '3.1.0', clientId: 'mqtt-ven', clientSecret: 's', venName: 'mqtt-ven', notification: 'mqtt', pollIntervalSec: 3600,
      policy: mapping.policy, reports: toReportBindings(mapping.reports), signals: mapping.signals, points: new LatestPoints(), clock,
    });
    const controls: ControlIntent[] = [];
    const cancels: string[] = [];
    const errors: Error[] = [];
    const deviations: string[] = [];
    ven.on('control', (c) => controls.push(c));
    ven.on('cancel', (c) => cancels.push(c.id));
    ven.on('error', (e) => errors.push(e));
    ven.on('deviation', (d) => deviations.push(d));
    // An independent subscriber on the same broker sees what the VTN publishes.
    const spy = await connectAsync(url, { clientId: 'spy' });
    const seen: Array<{ topic: string; body: Record<string, unknown> }> = [];
    spy.on('message', (topic, p) => seen.push({ topic, body: JSON.parse(p.toString()) as Record<string, unknown> }));
    await spy.subscribeAsync('openadr3/#');
    try {
      await ven.start();
      expect(errors).toEqual([]);
      expect(ven.state).toBe('up');
      const venID = ven.venID!;

      const ev = vtn.create('events', eventBody(String(program['id']), 7));
      await until(() => controls.length === 1, 'a control from the MQTT CREATE notification');
      expect(controls[0]).toMatchObject({ target: { device: 'evse1', name: 'WSet' }, cap: 7 });
      vtn.update('events', String(ev['id']), { intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [4] }] }] });
      await until(() => controls.length === 2 && cancels.length === 1, 'the modified control (UPDATE)');
      expect(controls[1]!.cap).toBe(4);
      vtn.remove('events', String(ev['id']));
      await until(() => cancels.length === 2, 'the cancel from the DELETE notification');
      expect(ven.activeControls()).toEqual([]);

      await until(() => seen.some((m) => m.topic === `openadr3/vens/${venID}/events/delete`), 'the DELETE on the VEN topic');
      const create = seen.find((m) => m.topic === `openadr3/vens/${venID}/events/create`)!;
      expect(create.body).toMatchObject({ objectType: 'EVENT', operation: 'CREATE', object: { id: ev['id'], programID: program['id'] } });
      expect(deviations.some((d) => /not TLS/.test(d))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await spy.endAsync();
      await ven.stop();
      await vtn.stop();
    }
  });

  it('notifier discovery: a 3.0.1 VTN has no /notifiers, BL-only topic lists are refused to a VEN, a VTN without MQTT is a clear VEN error', async () => {
    const vtn = new VtnSim3({ version: '3.1.0', clients: { v: 's' } });
    await vtn.start();
    try {
      vtn.create('programs', { programName: 'p' });
      const ven = new Ven3({
        baseUrl: vtn.url, version: '3.1.0', clientId: 'v', clientSecret: 's', venName: 'v', notification: 'mqtt', pollIntervalSec: 3600,
        policy: mapping.policy, reports: [], signals: [], points: new LatestPoints(), clock: new FakeClock(Date.now()),
      });
      const errors: Error[] = [];
      ven.on('error', (e) => errors.push(e));
      await ven.start();
      expect(errors[0]?.message).toMatch(/offers no MQTT notifier/);
      await ven.stop();
    } finally {
      await vtn.stop();
    }
    const withMqtt = new VtnSim3({ version: '3.1.0', clients: { v: 's' }, mqtt: { url } });
    await withMqtt.start();
    try {
      const tok = (await (await fetch(`${withMqtt.url}/auth/token`, { method: 'POST', body: 'grant_type=client_credentials&client_id=v&client_secret=s', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json()) as { access_token: string };
      const get = (p: string) => fetch(`${withMqtt.url}${p}`, { headers: { authorization: `Bearer ${tok.access_token}` } });
      expect(await (await get('/notifiers')).json()).toEqual({ WEBHOOK: true, MQTT: { URIS: [url], serialization: 'JSON', authentication: { method: 'ANONYMOUS' } } });
      expect((await get('/notifiers/mqtt/topics/events')).status).toBe(403);
      expect(await (await get('/notifiers/mqtt/topics/programs')).json()).toEqual({ topics: { CREATE: 'openadr3/programs/create', UPDATE: 'openadr3/programs/update', DELETE: 'openadr3/programs/delete', ALL: 'openadr3/programs/+' } });
    } finally {
      await withMqtt.stop();
    }
    const old = new VtnSim3({ version: '3.0.1', clients: { v: 's' } });
    await old.start();
    try {
      const tok = (await (await fetch(`${old.url}/auth/token`, { method: 'POST', body: 'grant_type=client_credentials&client_id=v&client_secret=s', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json()) as { access_token: string };
      expect((await fetch(`${old.url}/notifiers`, { headers: { authorization: `Bearer ${tok.access_token}` } })).status).toBe(404);
    } finally {
      await old.stop();
    }
  });
});
