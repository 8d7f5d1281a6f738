/**
 * Interop: store-and-forward through a real mosquitto that is stopped and started again on the same port.
 * A site polls a simulated inverter and publishes over MQTT; while the broker is down every point goes to the durable
 * store; after the restart the site reconnects (backoff capped at 1 s) and the backlog is delivered in order, with
 * the original timestamps, nothing lost. The subscriber has a persistent session (mosquitto persistence on), so it
 * sees what was delivered while it was itself reconnecting. Run with `npm run test:interop`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point } from '../../src/core/point.js';
import { record, waitFor, type Recorder } from '../../src/protocols/mqtt/testing.js';
import { Site } from '../../src/runtime/site.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { freePort, repoRoot, startStation } from '../runtime/station.js';

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });

let dir: string;
let port: number;
let mosquitto: ChildProcess | undefined;
let sim: ModbusSimulator;
let simPort: number;
let stderr = '';

async function startMosquitto(): Promise<void> {
  mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  mosquitto.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const end = Date.now() + 10000;
  while (!(await portOpen(port))) {
    if (Date.now() > end || mosquitto.exitCode !== null) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
async function stopMosquitto(): Promise<void> {
  const m = mosquitto;
  mosquitto = undefined;
  if (!m || m.exitCode !== null) return;
  const exited = new Promise((r) => m.once('exit', r));
  m.kill('SIGTERM'); // saves its persistence file (the subscriber's session and queued messages)
  await exited;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-store-mqtt-'));
  port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
      'log_dest stderr',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      '',
    ].join('\n'),
  );
  await startMosquitto();
  ({ sim, port: simPort } = await startStation({ 1: 'dcbel-station-inverter' }));
});

afterAll(async () => {
  await stopMosquitto();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store-and-forward over MQTT with mosquitto restarted', () => {
  it('reconnects within the capped backoff and delivers every point of the outage in order', async () => {
    const base = `gridbridge/store-${Date.now()}`;
    writeFileSync(
      join(dir, 'site.yaml'),
      `mapping: 1
site: { id: lab }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 200, slow: 200 } }
store: { dir: ./state, replayPerS: 2000 }
upstream:
  mqtt: { url: "mqtt://127.0.0.1:${port}", baseTopic: "${base}", retain: false, publish: [{ device: inverter, name: W, maxIntervalMs: 1 }] }
`,
    );
    const rec: Recorder = await record(`mqtt://127.0.0.1:${port}`, [`${base}/inverter/W`], { clean: false, clientId: `rec-store-${Date.now()}`, reconnectPeriod: 100 });
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    const site = new Site(load);
    const states: string[] = [];
    site.on('status', (s) => s.component === 'mqtt' && states.push(s.state));
    const produced: Point[] = [];
    site.on('points', (pts) => produced.push(...pts.filter((p) => p.name === 'W')));
    try {
      await site.start();
      await waitFor(() => states.at(-1) === 'up', 10000, 'mqtt up');
      await rec.until((m) => m.length >= 3, 10000, 'first points');

      await stopMosquitto();
      await waitFor(() => states.at(-1) !== 'up', 10000, 'mqtt down');
      const outageFrom = produced.length;
      await waitFor(() => produced.length >= outageFrom + 10, 20000, 'points during the outage');
      expect(site.storeStats().mqtt!.depth).toBeGreaterThan(0);

      await startMosquitto();
      const back = Date.now();
      await waitFor(() => states.at(-1) === 'up', 10000, 'mqtt up again');
      console.log(`store-mqtt interop: reconnected ${Date.now() - back} ms after mosquitto was listening again (backoff cap 1 s)`);
      const last = produced.at(-1)!.receiveTime;
      await rec.until((m) => m.some((x) => JSON.parse(x.payload).receiveTime === new Date(last).toISOString()), 20000, 'the backlog');
      await waitFor(() => site.storeStats().mqtt!.depth === 0, 10000, 'store drained');

      const got = rec.messages.map((m) => JSON.parse(m.payload) as { receiveTime: string; value: unknown });
      const times = got.map((g) => Date.parse(g.receiveTime));
      // Every point produced (in particular during the outage) arrived, in order, with its original timestamp.
      const seen = new Set(times);
      const missing = produced.filter((p) => p.receiveTime >= produced[2]!.receiveTime && p.receiveTime <= last && !seen.has(p.receiveTime));
      expect(missing).toEqual([]);
      const firstOutage = produced[outageFrom]!.receiveTime;
      const replay = times.filter((t) => t >= firstOutage && t <= last);
      expect(replay).toEqual([...replay].sort((a, b) => a - b));
      expect(site.storeStats().mqtt).toMatchObject({ evicted: 0, depth: 0, durable: true });
    } finally {
      await site.stop();
      await rec.close();
    }
  });
});
