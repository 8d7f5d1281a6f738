import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';

// `gridbridge run` as an integrator uses it: JSON lines on stdout, clean stop on SIGINT (needs the build: npm test runs it).
const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let dir: string;
let mapping: string;

beforeAll(async () => {
  let port: number;
  ({ sim, port } = await startStation({ 3: 'dcbel-tempo-meter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-run-'));
  mapping = join(dir, 'site.yaml');
  writeFileSync(
    mapping,
    `mapping: 1
site: { id: cli }
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port} }
devices:
  - { id: meter, profile: dcbel-tempo-meter, connection: bus, unit: 3 }
upstream:
  mqtt: { baseTopic: "gb/{site}" }
`,
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gridbridge run', () => {
  it('prints points and status as JSON lines and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'run', mapping, '--points', '--embedded-broker', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: any[] = [];
    const rl = createInterface({ input: child.stdout! });
    const gotPoint = new Promise<void>((resolve) =>
      rl.on('line', (l) => {
        const e = JSON.parse(l);
        events.push(e);
        if (e.event === 'point' && e.name === 'Hz' && e.quality === 'good') resolve();
      }),
    );
    await Promise.race([gotPoint, new Promise((_, rej) => setTimeout(() => rej(new Error(`no Hz point; got ${JSON.stringify(events.slice(0, 5))}`)), 15000))]);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const names = events.map((e) => e.event);
    expect(names).toContain('broker');
    expect(names).toContain('started');
    expect(names).toContain('stopping');
    expect(events.find((e) => e.event === 'status' && e.component === 'mqtt' && e.state === 'up')).toBeTruthy();
  });

  it('names the line of a problem in the mapping and exits 1', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'mapping: 1\nsite: { id: cli }\nconnections: {}\ndevices:\n  - { id: m, profile: dcbel-tempo-meter, connection: nowhere, unit: 3 }\n');
    const child = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'run', bad], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.yaml:5:\d+: devices\[0\]\.connection: unknown connection "nowhere"/);
  });
});
