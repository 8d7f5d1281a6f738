import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import mqtt from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import upstreamNode from '../../nodes/mqtt-upstream.js';
import { initNodeRed } from '../node-red-path.js';

initNodeRed(helper);

let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  await helper.unload();
});

const point = { id: 'lab/inverter/W', device: 'inverter', kind: 'inverter', name: 'W', value: 1234.5, unit: 'W', quality: { code: 'good' }, sourceTime: Date.UTC(2026, 0, 1), receiveTime: Date.UTC(2026, 0, 1, 0, 0, 1) };

describe('gridbridge-mqtt-upstream node', () => {
  it('publishes points as JSON on templated topics and answers commands on …/result', async () => {
    await helper.load(upstreamNode, [
      { id: 'u1', type: 'gridbridge-mqtt-upstream', url: broker.url, site: 'lab', baseTopic: 'gb/{site}', topic: '{base}/{device}/{name}', qos: '1', retain: true, commands: true, validForS: '60', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const sub = mqtt.connect(broker.url);
    await new Promise<void>((r) => sub.on('connect', () => r()));
    const received = new Map<string, string>();
    sub.on('message', (t, p) => received.set(t, p.toString()));
    await new Promise<void>((r) => sub.subscribe('gb/#', { qos: 1 }, () => r()));
    const u1 = helper.getNode('u1');
    // Wait for the upstream to be connected (birth message).
    for (let i = 0; i < 100 && received.get('gb/lab/status') !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received.get('gb/lab/status')).toBe('online');
    u1.receive({ payload: [point] });
    for (let i = 0; i < 100 && !received.has('gb/lab/inverter/W'); i++) await new Promise((r) => setTimeout(r, 50));
    const body = JSON.parse(received.get('gb/lab/inverter/W')!);
    expect(body).toMatchObject({ value: 1234.5, unit: 'W', quality: 'good', device: 'inverter', name: 'W' });
    expect(body.sourceTime).toBe('2026-01-01T00:00:00.000Z');

    // A command on …/set comes out of the node; the write result wired back is published on …/result.
    const cmd = new Promise<any>((r) => helper.getNode('h1').on('input', r));
    sub.publish('gb/lab/inverter/WMaxLimPct/set', JSON.stringify({ value: 40, id: 'cmd-1' }), { qos: 1 });
    const msg = await cmd;
    expect(msg.payload).toMatchObject({ device: 'inverter', name: 'WMaxLimPct', value: 40 });
    expect(msg.payload.validTo).toBeGreaterThan(Date.now());
    u1.receive({ ...msg, payload: { ok: true, value: 40 } });
    for (let i = 0; i < 100 && !received.has('gb/lab/inverter/WMaxLimPct/result'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(received.get('gb/lab/inverter/WMaxLimPct/result')!)).toMatchObject({ id: 'cmd-1', ok: true, value: 40 });
    await sub.endAsync();
  });

  it('refuses a payload that is not a point with a reason', async () => {
    await helper.load(upstreamNode, [{ id: 'u1', type: 'gridbridge-mqtt-upstream', url: broker.url, site: 'lab', baseTopic: 'gb/{site}', topic: '{base}/{device}/{name}', qos: '1', retain: true, commands: false, wires: [[]] }]);
    const u1 = helper.getNode('u1');
    const err = new Promise<any>((r) => u1.on('call:error', r));
    u1.receive({ payload: { device: 'x' } });
    const call = await err;
    expect(String(call.args[0])).toMatch(/device.*name/);
  });

  it('shows a configuration error instead of crashing', async () => {
    await helper.load(upstreamNode, [{ id: 'u1', type: 'gridbridge-mqtt-upstream', url: broker.url, site: 'lab', baseTopic: 'gb/#', topic: '{base}/{device}/{name}', qos: '1', wires: [[]] }]);
    const u1 = helper.getNode('u1') as any;
    const calls = u1.error.getCalls();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.map((c: any) => String(c.args[0])).join(' ')).toMatch(/configuration/);
  });
});
