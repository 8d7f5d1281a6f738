import { afterEach, describe, expect, it } from 'vitest';
import type { Client as AedesClient } from 'aedes';
import { FakeClock } from '../../core/clock.js';
import { GOOD, pointToJson, quality, type Point, type PointValue } from '../../core/point.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { mqttSettings, type MqttSettings } from './mapping.js';
import { record, waitFor, type Recorder } from './testing.js';
import { MqttUpstream, type MqttCommand, type MqttLinkState } from './upstream.js';
import type { MqttUpstreamBlockInput } from './mapping.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const pt = (device: string, name: string, value: Point['value'], extra: Partial<Point> = {}): Point => ({
  id: `s1/${device}/${name}`,
  device,
  name,
  value,
  quality: GOOD,
  receiveTime: T0,
  ...extra,
});

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

async function broker(port?: number): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker(port === undefined ? {} : { port });
  cleanups.push(() => b.close());
  return b;
}
async function recorder(url: string, filters = ['gridbridge/#']): Promise<Recorder> {
  const r = await record(url, filters);
  cleanups.push(() => r.close());
  return r;
}
function upstream(url: string, block: MqttUpstreamBlockInput = {}, opts: ConstructorParameters<typeof MqttUpstream>[1] = {}, over: Partial<MqttSettings> = {}) {
  const u = new MqttUpstream(mqttSettings({ url, clientId: 'gb-test', ...block }, { site: 's1' }, over), opts);
  const states: MqttLinkState[] = [];
  const warnings: string[] = [];
  u.on('status', (s) => states.push(s.state));
  u.on('warning', (w) => warnings.push(w));
  cleanups.push(() => u.stop(500));
  return { u, states, warnings, up: () => waitFor(() => u.status().state === 'up', 5000, 'upstream up') };
}

describe('MqttUpstream against embedded aedes', () => {
  it('publishes points with exact payloads, QoS and retain, plus a retained birth', async () => {
    const b = await broker();
    const rec = await recorder(b.url);
    const { u, up, states } = upstream(b.url, { qos: 1, retain: true });
    u.start();
    await up();
    const points = [pt('inv1', 'W', 1500, { kind: 'inverter', unit: 'W', sourceTime: T0 - 1000 }), pt('meter1', 'Hz', 50.01, { unit: 'Hz', quality: quality('questionable', 'stale') })];
    expect(u.publishPoints(points)).toEqual({ queued: 2, suppressed: 0, deferred: 0, skipped: 0, errors: [] });
    await rec.until((m) => m.length >= 3);
    expect(rec.on('gridbridge/s1/status')).toEqual([{ topic: 'gridbridge/s1/status', payload: 'online', qos: 1, retain: false }]);
    const w = rec.on('gridbridge/s1/inv1/W')[0]!;
    expect(JSON.parse(w.payload)).toEqual(pointToJson(points[0]!));
    expect(w.qos).toBe(1);
    expect(JSON.parse(rec.on('gridbridge/s1/meter1/Hz')[0]!.payload)).toMatchObject({ value: 50.01, unit: 'Hz', quality: 'questionable', reason: 'stale' });
    // a late subscriber gets the retained values and birth
    const late = await recorder(b.url);
    await late.until((m) => m.length >= 3);
    expect(late.messages.every((m) => m.retain)).toBe(true);
    expect(late.on('gridbridge/s1/status')[0]!.payload).toBe('online');
    expect(u.stats()).toMatchObject({ state: 'up', published: 2, buffered: 0, inflight: 0, dropped: 0, connects: 1 });
    expect(states).toEqual(['connecting', 'up']);
  });

  it('publish selection, report by exception and topic errors are counted, not thrown', async () => {
    const b = await broker();
    const rec = await recorder(b.url);
    const { u, up } = upstream(b.url, { publish: [{ device: 'inv1', name: 'W', deadband: 100 }, { device: 'bad+dev' }, { device: 'meter1' }] });
    u.start();
    await up();
    const r1 = u.publishPoints([pt('inv1', 'W', 1000), pt('inv1', 'VAr', 5), pt('bad+dev', 'W', 1), pt('meter1', 'Hz', 50)]);
    expect(r1).toMatchObject({ queued: 2, skipped: 1 });
    expect(r1.errors).toHaveLength(1);
    expect(r1.errors[0]!.message).toMatch(/topic template "\{base\}\/\{device\}\/\{name\}": variable \{device\}: value "bad\+dev" contains the wildcard "\+"/);
    const r2 = u.publishPoints([pt('inv1', 'W', 1050), pt('inv1', 'W', 1100)]);
    expect(r2).toMatchObject({ queued: 1, suppressed: 1 });
    await rec.until((m) => m.length >= 4);
    expect(rec.on('gridbridge/s1/inv1/W').map((m) => JSON.parse(m.payload).value)).toEqual([1000, 1100]);
    expect(rec.on('gridbridge/s1/inv1/VAr')).toEqual([]);
    expect(u.stats()).toMatchObject({ skipped: 1, suppressed: 1, topicErrors: 1 });
  });

  it('last will "offline" when the socket dies, birth again after reconnect, "offline" on graceful stop', async () => {
    const b = await broker();
    const clients = new Map<string, AedesClient>();
    b.aedes.on('clientReady', (c) => clients.set(c.id, c));
    const rec = await recorder(b.url, ['gridbridge/s1/status']);
    const clock = new FakeClock(T0);
    const { u, up, states } = upstream(b.url, { reconnect: { minMs: 1000, maxMs: 2000 } }, { clock });
    u.start();
    await up();
    await rec.until((m) => m.length >= 1);
    const conn = clients.get('gb-test')!.conn as { destroy(): void };
    conn.destroy();
    await rec.until((m) => m.some((x) => x.payload === 'offline'), 5000, 'last will');
    await waitFor(() => u.status().state === 'down', 5000, 'down');
    expect(u.stats().disconnects).toBe(1);
    clock.advance(2000); // the backoff timer is on the injected clock
    await up();
    await rec.until((m) => m.length >= 3);
    expect(rec.messages.map((m) => m.payload)).toEqual(['online', 'offline', 'online']);
    await u.stop();
    await rec.until((m) => m.length >= 4);
    expect(rec.messages.map((m) => m.payload)).toEqual(['online', 'offline', 'online', 'offline']);
    expect(states).toEqual(['connecting', 'up', 'down', 'connecting', 'up', 'stopped']);
  });

  it('buffers while the broker is down, drops the oldest beyond the bound (counted), flushes in order', async () => {
    const b = await broker();
    const port = b.port;
    const clock = new FakeClock(T0);
    const { u, up, warnings } = upstream(b.url, { buffer: { maxMessages: 5 }, reconnect: { minMs: 1000, maxMs: 1000 } }, { clock });
    u.start();
    await up();
    await b.close();
    await waitFor(() => u.status().state === 'down', 5000, 'down');
    for (let i = 1; i <= 8; i++) u.publishPoints([pt('inv1', 'WH', i * 100)]);
    expect(u.stats()).toMatchObject({ buffered: 5, dropped: 3, state: 'down' });
    expect(warnings.some((w) => w.includes('buffer full'))).toBe(true);
    const b2 = await broker(port);
    const rec = await recorder(b2.url);
    clock.advance(1000);
    await up();
    await rec.until((m) => m.filter((x) => x.topic.endsWith('/WH')).length >= 5);
    expect(rec.on('gridbridge/s1/inv1/WH').map((m) => JSON.parse(m.payload).value)).toEqual([400, 500, 600, 700, 800]);
    expect(rec.messages[0]!.payload).toBe('online');
    expect(u.stats()).toMatchObject({ buffered: 0, dropped: 3, published: 5, connects: 2 });
    expect(warnings.some((w) => w.includes('3 message(s) dropped'))).toBe(true);
  });

  it('reports down with the reason when the broker refuses credentials, up with the right ones', async () => {
    const b = await startEmbeddedBroker({ credentials: { username: 'gw', password: 's3cret' } });
    cleanups.push(() => b.close());
    const bad = upstream(b.url, { username: 'gw' }, { clock: new FakeClock(T0) }, { password: 'wrong' });
    bad.u.start();
    await waitFor(() => bad.u.status().state === 'down', 5000, 'down');
    expect(bad.u.status().reason).toMatch(/Bad username or password/i);
    const good = upstream(b.url, { username: 'gw', clientId: 'gb-good' }, {}, { password: 's3cret' });
    good.u.start();
    await good.up();
  });
});

describe('MqttUpstream commands', () => {
  async function setup(onCommand?: (cmd: MqttCommand) => Promise<{ ok: boolean; reason?: string; value?: PointValue }>, block: MqttUpstreamBlockInput = {}) {
    const b = await broker();
    const rec = await recorder(b.url, ['gridbridge/s1/+/+/result', 'gridbridge/s1/+/result']);
    const clock = new FakeClock(T0);
    const x = upstream(b.url, { commands: { timeoutMs: 5000 }, ...block }, onCommand ? { clock, onCommand } : { clock });
    const audit: unknown[] = [];
    x.u.on('command', (c, o) => audit.push([c?.id, o.ok]));
    x.u.start();
    await x.up();
    await waitFor(() => Object.keys((b.aedes as unknown as { clients: Record<string, unknown> }).clients).length >= 2, 5000, 'clients');
    // wait until the command subscription is active: a command answered proves it
    return { ...x, b, rec, clock, audit };
  }
  const results = (rec: Recorder, topic = 'gridbridge/s1/inv1/WMaxLimPct/result') => rec.on(topic).map((m) => JSON.parse(m.payload) as Record<string, unknown>);

  it('turns /set into a control intent, calls onCommand, answers on /result', async () => {
    const seen: MqttCommand[] = [];
    const { rec, audit } = await setup(async (cmd) => {
      seen.push(cmd);
      return { ok: true, value: cmd.value };
    });
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": 50, "id": "c1", "validFor": 60}');
    await rec.until(() => results(rec).length >= 1);
    expect(results(rec)).toEqual([{ id: 'c1', ok: true, reason: null, value: 50, ts: '2026-01-01T12:00:00.000Z' }]);
    expect(seen[0]).toEqual({
      id: 'c1',
      source: 'mqtt:gridbridge/s1/inv1/WMaxLimPct/set',
      sourceClass: 'owner',
      target: { device: 'inv1', name: 'WMaxLimPct' },
      value: 50,
      validFrom: T0,
      validTo: T0 + 60000,
      topic: 'gridbridge/s1/inv1/WMaxLimPct/set',
    });
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '30');
    await rec.until(() => results(rec).length >= 2);
    expect(results(rec)[1]).toMatchObject({ ok: true, value: 30 });
    expect(String(results(rec)[1]!.id)).toMatch(/^mqtt-/);
    expect(seen[1]!.validTo - seen[1]!.validFrom).toBe(15 * 60 * 1000); // controls always expire
    expect(audit).toEqual([['c1', true], [seen[1]!.id, true]]);
  });

  it('answers malformed, too long, duplicate and failing commands with an error, never crashing', async () => {
    let calls = 0;
    const { u, rec } = await setup(async (cmd) => {
      calls++;
      if (cmd.target.name === 'Nope') return { ok: false, reason: 'unknown point inv1/Nope' };
      if (cmd.value === 'boom') throw new Error('write failed: modbus exception 2');
      return { ok: true, value: cmd.value };
    });
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": ');
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": 1, "validFor": 999999}');
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '"boom"');
    await rec.publish('gridbridge/s1/inv1/Nope/set', '1');
    await rec.until(() => results(rec).length >= 3 && results(rec, 'gridbridge/s1/inv1/Nope/result').length >= 1);
    const r = results(rec);
    expect(r[0]).toMatchObject({ id: null, ok: false });
    expect(String(r[0]!.reason)).toMatch(/malformed command: malformed JSON/);
    expect(String(r[1]!.reason)).toMatch(/validFor 999999 s exceeds the maximum of 86400 s/);
    expect(r[2]).toMatchObject({ ok: false, reason: 'write failed: modbus exception 2' });
    expect(results(rec, 'gridbridge/s1/inv1/Nope/result')[0]).toMatchObject({ ok: false, reason: 'unknown point inv1/Nope' });
    // duplicate id: executed once, answered twice
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": 7, "id": "dup"}');
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": 7, "id": "dup"}');
    await rec.until(() => results(rec).filter((x) => x.id === 'dup').length >= 2);
    expect(calls).toBe(3);
    expect(u.stats()).toMatchObject({ commands: 6, commandsRejected: 4 });
  });

  it('a retained /set delivered on (re)subscription is refused', async () => {
    const b = await broker();
    const pub = await recorder(b.url, ['gridbridge/s1/inv1/Conn/result']);
    await pub.publish('gridbridge/s1/inv1/Conn/set', 'false', { retain: true });
    let calls = 0;
    const { u, up } = upstream(b.url, { commands: true }, { onCommand: async () => ({ ok: !!++calls }) });
    u.start();
    await up();
    await pub.until((m) => m.length >= 1);
    expect(JSON.parse(pub.messages[0]!.payload)).toMatchObject({ ok: false, reason: expect.stringMatching(/retained command refused/) });
    expect(calls).toBe(0);
  });

  it('times out a handler that never answers (fail safe) and answers when no handler is set', async () => {
    const { rec, clock, u, warnings } = await setup(() => new Promise(() => undefined));
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '{"value": 1, "id": "slow"}');
    await waitFor(() => u.stats().commands >= 1, 5000, 'command received');
    clock.advance(5000);
    await rec.until(() => results(rec).length >= 1);
    expect(results(rec)[0]).toMatchObject({ id: 'slow', ok: false, reason: 'no result within 5000 ms' });
    u.setCommandHandler(undefined);
    await rec.publish('gridbridge/s1/inv1/WMaxLimPct/set', '2');
    await rec.until(() => results(rec).length >= 2);
    expect(String(results(rec)[1]!.reason)).toMatch(/no command handler/);
    expect(warnings).toEqual([]);
  });

  it('a topic that matches the filter but not the template is an unknown point', async () => {
    const { rec } = await setup(async () => ({ ok: true }), { topic: '{base}/{device}-{name}' });
    await rec.publish('gridbridge/s1/nodash/set', '1');
    await rec.until(() => rec.on('gridbridge/s1/nodash/result').length >= 1);
    expect(JSON.parse(rec.on('gridbridge/s1/nodash/result')[0]!.payload).reason).toMatch(/unknown point: topic "gridbridge\/s1\/nodash" does not match template/);
  });
});

describe('MqttUpstream edge cases', () => {
  it('keeps at most maxInflight unacknowledged; on connection loss they are re-sent first, in order', async () => {
    const b = await broker();
    let hold = true;
    const held: (() => void)[] = [];
    b.aedes.authorizePublish = (client, packet, cb) => {
      if (hold && packet.topic.endsWith('/WH')) held.push(() => cb(null)); // no PUBACK until released
      else cb(null);
    };
    const clients = new Map<string, AedesClient>();
    b.aedes.on('clientReady', (c) => clients.set(c.id, c));
    const clock = new FakeClock(T0);
    const { u, up } = upstream(b.url, { reconnect: { minMs: 1000, maxMs: 1000 } }, { clock }, { maxInflight: 2 });
    u.start();
    await up();
    for (let i = 1; i <= 5; i++) u.publishPoints([pt('inv1', 'WH', i)]);
    await waitFor(() => held.length === 2, 5000, 'two held publishes');
    expect(u.stats()).toMatchObject({ inflight: 2, buffered: 3, published: 0 });
    (clients.get('gb-test')!.conn as { destroy(): void }).destroy();
    await waitFor(() => u.status().state === 'down', 5000, 'down');
    expect(u.stats()).toMatchObject({ inflight: 0, buffered: 5, dropped: 0 });
    hold = false;
    const rec = await recorder(b.url, ['gridbridge/s1/inv1/WH']);
    clock.advance(1000);
    await up();
    await rec.until((m) => m.length >= 5);
    expect(rec.messages.map((m) => JSON.parse(m.payload).value)).toEqual([1, 2, 3, 4, 5]);
    await waitFor(() => u.stats().published === 5, 5000, 'all acknowledged');
    await u.stop(500); // graceful: must not wait for the PUBACKs of the dead connection
    expect(u.status().state).toBe('stopped');
  });

  it('stop() without ever reaching the broker resolves and reports unsent messages', async () => {
    const b = await broker();
    const url = b.url;
    await b.close();
    const { u, warnings } = upstream(url, {}, { clock: new FakeClock(T0) });
    u.start();
    await waitFor(() => u.status().state === 'down', 5000, 'down');
    u.publishPoints([pt('inv1', 'W', 1)]);
    await u.stop(100);
    expect(u.status().state).toBe('stopped');
    expect(warnings.some((w) => /stopped with 1 message\(s\) unsent/.test(w))).toBe(true);
  });

  it('rejects two points that would share a topic', () => {
    const u = new MqttUpstream(mqttSettings({ url: 'mqtt://127.0.0.1:1', topic: '{base}/{device}_{name}' }, { site: 's1' }));
    expect(u.topicFor({ device: 'a_b', name: 'c' })).toBe('gridbridge/s1/a_b_c');
    expect(() => u.topicFor({ device: 'a', name: 'b_c' })).toThrow(/points a_b\/c and a\/b_c would share topic "gridbridge\/s1\/a_b_c"/);
    expect(u.declarePoints([{ device: 'a', name: 'b_c' }, { device: 'x', name: 'W' }])).toHaveLength(1);
    expect(u.commandFilter).toBe('gridbridge/s1/+/set');
  });
});

describe('MqttUpstream reconnect bound and store mode', () => {
  it('default backoff never waits more than 1 s between attempts, however long the broker is down', async () => {
    const b = await broker();
    const port = b.port;
    const clock = new FakeClock(T0);
    const { u, up } = upstream(b.url, {}, { clock });
    let attempts = 0;
    u.on('status', (s) => (attempts += s.state === 'connecting' ? 1 : 0));
    u.start();
    await up();
    await b.close();
    await waitFor(() => u.status().state === 'down', 5000, 'down');
    for (let i = 1; i <= 12; i++) {
      clock.advance(1000); // ≥ the cap: an attempt is due whatever the jitter and the attempt count
      await waitFor(() => attempts === i + 1 && u.status().state === 'down', 5000, `attempt ${i} refused`);
    }
    await broker(port);
    clock.advance(1000);
    await up();
    await u.stop();
  });

  it('store mode: point messages go to the store in one batch per call; deliver() resolves on PUBACK and rejects when the link is lost', async () => {
    const b = await broker();
    const rec = await recorder(b.url, ['gridbridge/s1/inv1/#']);
    const stored: unknown[][] = [];
    const { u, up } = upstream(b.url, { qos: 1, retain: false }, { store: (batch) => stored.push(batch) });
    await expect(u.deliver({ topic: 'x', payload: 'y', qos: 1, retain: false })).rejects.toThrow(/not connected/);
    u.start();
    await up();
    u.publishPoints([pt('inv1', 'W', 1), pt('inv1', 'Hz', 50)]);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toHaveLength(2);
    expect(u.stats().buffered).toBe(0);
    for (const m of stored[0]! as Parameters<typeof u.deliver>[0][]) expect(await u.deliver(m)).toBe(true);
    await rec.until((m) => m.length >= 2);
    expect(rec.messages.map((m) => JSON.parse(m.payload).value)).toEqual([1, 50]);
    expect(u.stats().published).toBe(2);
  });
});
