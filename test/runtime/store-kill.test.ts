/**
 * `gridbridge run` killed with SIGKILL during an MQTT outage loses nothing: every point it showed (--points prints a
 * point after it was stored) is published, in order, with its original timestamp, once the broker is there and the
 * runtime is started again. Real processes, a real kill -9 (needs the build: npm test runs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { record, waitFor } from '../../src/protocols/mqtt/testing.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { freePort, repoRoot, startStation } from './station.js';

let sim: ModbusSimulator;
let dir: string;
let mapping: string;
let brokerPort: number;


function run(onPoint: (p: { name: string; receiveTime: string }) => void): ChildProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'gridbridge.js'), 'run', mapping, '--points'], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const e = JSON.parse(l) as { event: string; name: string; receiveTime: string };
    if (e.event === 'point') onPoint(e);
  });
  return child;
}

beforeAll(async () => {
  let port: number;
  ({ sim, port } = await startStation({ 3: 'dcbel-tempo-meter' }));
  brokerPort = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'gb-store-kill-'));
  mapping = join(dir, 'site.yaml');
  writeFileSync(
    mapping,
    `mapping: 1
site: { id: kill, stateDir: ./state }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port} }
devices:
  - { id: meter, profile: dcbel-tempo-meter, connection: bus, unit: 3, pollClasses: { fast: 100, slow: 1000 } }
upstream:
  mqtt: { url: "mqtt://127.0.0.1:${brokerPort}", baseTopic: "gb/{site}", retain: false, publish: [{ device: meter, name: Hz, maxIntervalMs: 1 }] }
`,
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store-and-forward across kill -9', () => {
  it('every point stored before the kill is delivered after the restart, in order', async () => {
    // 1. No broker: points pile up in the store; kill -9 while polling goes on.
    const shown: string[] = [];
    const first = run((p) => p.name === 'Hz' && shown.push(p.receiveTime));
    await waitFor(() => shown.length >= 30, 20000, '30 Hz points');
    const exited = new Promise((r) => first.on('exit', r));
    first.kill('SIGKILL');
    await exited;
    const before = [...shown];

    // 2. The broker is back, the runtime starts again: the backlog is replayed.
    const broker = await startEmbeddedBroker({ port: brokerPort });
    const rec = await record(broker.url, ['gb/kill/meter/Hz']);
    const second = run(() => undefined);
    try {
      const seen = () => new Set(rec.messages.map((m) => (JSON.parse(m.payload) as { receiveTime: string }).receiveTime));
      await waitFor(() => before.every((t) => seen().has(t)), 20000, `all ${before.length} points of the first run`);
      const times = rec.messages.map((m) => (JSON.parse(m.payload) as { receiveTime: string }).receiveTime);
      const replayed = times.filter((t) => before.includes(t));
      expect(replayed).toEqual(before); // in order, each once (nothing was confirmed before the kill)
    } finally {
      const done = new Promise((r) => second.on('exit', r));
      second.kill('SIGINT');
      await done;
      await rec.close();
      await broker.close();
    }
  });
});
