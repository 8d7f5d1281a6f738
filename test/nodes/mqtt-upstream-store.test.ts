/**
 * gridbridge-mqtt-upstream node with its durable store: points given while the broker is unreachable are stored,
 * survive the node (and Node-RED) being stopped, and are published in order when the node runs again with the broker
 * there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import upstreamNode from '../../nodes/mqtt-upstream.js';
import { startEmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { record } from '../../src/protocols/mqtt/testing.js';
import { initNodeRed } from '../node-red-path.js';
import { freePort } from '../runtime/station.js';

initNodeRed(helper);
afterEach(async () => {
  await helper.unload();
});

const point = (i: number) => ({ id: 'lab/inverter/W', device: 'inverter', kind: 'inverter', name: 'W', value: i, unit: 'W', quality: { code: 'good' }, sourceTime: Date.UTC(2026, 0, 1, 0, 0, i), receiveTime: Date.UTC(2026, 0, 1, 0, 0, i) });

describe('gridbridge-mqtt-upstream node: durable store', () => {
  it('points taken while the broker is down are published in order after a restart of the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-node-store-'));
    const port = await freePort();
    const flow = [{ id: 'u1', type: 'gridbridge-mqtt-upstream', url: `mqtt://127.0.0.1:${port}`, site: 'lab', baseTopic: 'gb/{site}', topic: '{base}/{device}/{name}', qos: '1', retain: false, commands: false, storeDir: dir, wires: [[]] }];
    try {
      await helper.load(upstreamNode, flow);
      const u1 = helper.getNode('u1');
      const done: unknown[] = [];
      u1.on('call:error', (e: unknown) => done.push(e));
      for (let i = 0; i < 20; i++) u1.receive({ payload: [point(i)] });
      await new Promise((r) => setTimeout(r, 100));
      expect(done).toEqual([]);
      await helper.unload();

      const broker = await startEmbeddedBroker({ host: '127.0.0.1', port });
      const rec = await record(broker.url, ['gb/lab/#']);
      try {
        await helper.load(upstreamNode, flow);
        await rec.until((m) => m.filter((x) => x.topic === 'gb/lab/inverter/W').length >= 20, 10000, '20 stored points');
        expect(rec.on('gb/lab/inverter/W').map((m) => JSON.parse(m.payload).value)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      } finally {
        await helper.unload();
        await rec.close();
        await broker.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
