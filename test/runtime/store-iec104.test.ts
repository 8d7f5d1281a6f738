/**
 * IEC 104 controlled station through the durable store: values that change while no SCADA connection is started are
 * stored, survive a restart of the runtime, and reach SCADA when it connects, as spontaneous events in order with
 * their original CP56Time2a time tags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeScada } from '../iec104/fake-scada.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { cp56ToEpoch } from '../../src/protocols/iec104/cp56time.js';
import type { InfoObject } from '../../src/protocols/iec104/types/object.js';
import { waitFor } from '../../src/protocols/mqtt/testing.js';
import type { Iec104UpstreamAdapter } from '../../src/runtime/adapters/iec104.js';
import { Site } from '../../src/runtime/site.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { repoRoot, startStation } from './station.js';

let sim: ModbusSimulator;
let dir: string;

beforeAll(async () => {
  let port: number;
  ({ sim, port } = await startStation({ 1: 'dcbel-station-inverter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-store-104-'));
  for (const [file, state] of [['site.yaml', 'state'], ['site-ack.yaml', 'state-ack'], ['site-restart.yaml', 'state-restart']] as const) writeFileSync(
    join(dir, file),
    `mapping: 1
site: { id: s104, stateDir: ./${state} }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 100, slow: 100 } }
upstream:
  iec104:
    commonAddress: 7
    points:
      - { device: inverter, name: W, ioa: 1001, type: M_ME_TF_1 }
`,
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const adapterOf = (site: Site) => site.adapters.find((a) => a.name === 'iec104') as Iec104UpstreamAdapter;

/** A SCADA (the project's client, acknowledging as usual) recording the time tags of spontaneous events at IOA 1001. */
function acknowledgingScada(site: Site): { scada: Iec104Client; times: number[] } {
  const scada = new Iec104Client({ hosts: [{ host: '127.0.0.1', port: adapterOf(site).address()!.port }], ca: 7, reconnect: false });
  const times: number[] = [];
  scada.on('object', (u: { cot: number; object: InfoObject }) => {
    if (u.cot === 3 && u.object.ioa === 1001 && u.object.time) times.push(cp56ToEpoch(u.object.time)!);
  });
  return { scada, times };
}

describe('iec104 controlled station: spontaneous data through the store', () => {
  it('events of a time without SCADA survive a restart and are sent in order with their time tags', async () => {
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    // 1. No SCADA: W changes are stored.
    const first = new Site(load, { adapters: { iec104: { port: 0, host: '127.0.0.1', spontaneous: 'always' } } });
    const produced: number[] = [];
    first.on('points', (pts) => pts.forEach((p) => p.name === 'W' && produced.push(p.sourceTime ?? p.receiveTime)));
    await first.start();
    await waitFor(() => produced.length >= 10, 10000, '10 W readings');
    await first.stop();
    expect(produced.length).toBeGreaterThanOrEqual(10);

    // 2. Restart; SCADA connects: the stored events come first, in order, with their original times.
    const second = new Site(load, { adapters: { iec104: { port: 0, host: '127.0.0.1', spontaneous: 'always' } } });
    await second.start();
    const { scada, times } = acknowledgingScada(second);
    try {
      await scada.connect();
      await waitFor(() => produced.every((t) => times.includes(t)), 10000, 'every stored event');
      const replay = times.filter((t) => t <= produced.at(-1)!);
      expect(replay).toEqual(produced);
      await waitFor(() => second.storeStats().iec104?.depth === 0 || undefined, 10000, 'store drained');
      expect(second.storeStats().iec104).toMatchObject({ evicted: 0, durable: true });
    } finally {
      scada.close();
      await second.stop();
    }
  });

  it('events SCADA never acknowledged stay in the store and reach the next connection with their time tags', async () => {
    const load = loadMappingFile(join(dir, 'site-ack.yaml'));
    expect(load.errors).toEqual([]);
    const site = new Site(load, { adapters: { iec104: { port: 0, host: '127.0.0.1', spontaneous: 'always' } } });
    await site.start();
    const adapter = adapterOf(site);
    const addr = adapter.address()!;
    const timeOf = (o: InfoObject) => cp56ToEpoch(o.time!)!;
    // 1. A SCADA that takes the k window (12 I frames) and never acknowledges: nothing is confirmed in the store.
    const mute = await FakeScada.start(addr.port);
    await mute.until(() => mute.events().length >= 11); // 12 minus End of initialization
    const unacked = mute.frames.flatMap((f) => (f.apci.format === 'I' && f.asdu?.cot === 3 ? [timeOf(f.asdu.objects[0]!)] : []));
    expect(unacked).toHaveLength(11);
    expect(site.storeStats().iec104).toMatchObject({ delivered: 0 });
    expect(site.storeStats().iec104!.depth).toBeGreaterThanOrEqual(11);
    // 2. The connection is lost; a SCADA that acknowledges connects: the unacknowledged events come first, in order,
    // with their original time tags, and only then are they confirmed in the store.
    mute.drop();
    await waitFor(() => adapter.server.connections().length === 0 || undefined, 5000, 'the server sees the connection lost');
    const { scada, times } = acknowledgingScada(site);
    try {
      await scada.connect();
      await waitFor(() => times.length >= unacked.length + 3 || undefined, 10000, 'the unacknowledged events and newer ones');
      expect(times.slice(0, unacked.length)).toEqual(unacked);
      await waitFor(() => (site.storeStats().iec104?.delivered ?? 0) >= unacked.length || undefined, 10000, 'confirmed in the store');
      expect(site.storeStats().iec104).toMatchObject({ evicted: 0, durable: true });
    } finally {
      scada.close();
      await site.stop();
    }
  });

  it('events a connected SCADA had not acknowledged when the runtime stopped are sent after the restart', async () => {
    const load = loadMappingFile(join(dir, 'site-restart.yaml'));
    const opts = { adapters: { iec104: { port: 0, host: '127.0.0.1', spontaneous: 'always' } } };
    const first = new Site(load, opts);
    await first.start();
    const mute = await FakeScada.start(adapterOf(first).address()!.port);
    await mute.until(() => mute.events().length >= 11);
    const unacked = mute.frames.flatMap((f) => (f.apci.format === 'I' && f.asdu?.cot === 3 ? [cp56ToEpoch(f.asdu.objects[0]!.time!)!] : []));
    await first.stop(); // the entries were handed to SCADA, never confirmed: still in the store
    mute.drop();

    const second = new Site(load, opts);
    await second.start();
    const { scada, times } = acknowledgingScada(second);
    try {
      await scada.connect();
      await waitFor(() => times.length >= unacked.length || undefined, 10000, 'the events unacknowledged before the restart');
      expect(times.slice(0, unacked.length)).toEqual(unacked);
    } finally {
      scada.close();
      await second.stop();
    }
  });
});
