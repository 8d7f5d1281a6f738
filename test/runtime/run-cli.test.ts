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

  it('serves Prometheus metrics and health, and logs pino JSON with levels', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'run', mapping, '--embedded-broker', '0', '--metrics', '127.0.0.1:0', '--log', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: any[] = [];
    const rl = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no metrics line; got ${JSON.stringify(lines.slice(0, 5))}`)), 15000);
      rl.on('line', (l) => {
        const e = JSON.parse(l);
        lines.push(e);
        if (e.event === 'metrics') { clearTimeout(t); resolve(e.url); }
      });
    });
    let text = '';
    for (let i = 0; i < 100 && !/gridbridge_point_age_seconds\{point="cli\/meter\/Hz",site="cli"\}/.test(text); i++) {
      text = await (await fetch(url)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/^gridbridge_modbus_responses_total\{connection="bus",site="cli"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gridbridge_modbus_queue_depth\{connection="bus",site="cli"\} \d+$/m);
    expect(text).toMatch(/^gridbridge_device_online\{connection="bus",device="meter",site="cli"\} 1$/m);
    expect(text).toMatch(/^gridbridge_upstream_stat\{upstream="mqtt",stat="buffered",site="cli"\} \d+$/m);
    expect(text).toMatch(/^gridbridge_point_age_seconds\{point="cli\/meter\/Hz",site="cli"\} [\d.e-]+$/m);
    const health = await fetch(url.replace('/metrics', '/health'));
    expect(health.status).toBe(200);
    const h = (await health.json()) as { status: string; components: Record<string, { state: string }> };
    expect(h.components['connection:bus']?.state).toBe('up');
    expect(['ok', 'degraded']).toContain(h.status);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const started = lines.find((e) => e.event === 'started');
    expect(started).toMatchObject({ level: 'info', site: 'cli', msg: 'started' });
    expect(typeof started.time).toBe('string');
    expect(lines.some((e) => e.event === 'point')).toBe(false); // points are debug, below the default level
  });

  it('embedded broker with --broker-users: anonymous refused, the gateway still publishes, a user reads', async () => {
    const users = join(dir, 'users.yaml');
    writeFileSync(users, 'users:\n  - { username: noc, password: noc-password, subscribe: ["gb/#"] }\n');
    const child = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'run', mapping, '--embedded-broker', '0', '--broker-users', users], { stdio: ['ignore', 'pipe', 'pipe'] });
    const rl = createInterface({ input: child.stdout! });
    const events: any[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no mqtt up; got ${JSON.stringify(events.slice(0, 5))}`)), 15000);
      rl.on('line', (l) => {
        const e = JSON.parse(l);
        events.push(e);
        if (e.event === 'status' && e.component === 'mqtt' && e.state === 'up') { clearTimeout(t); resolve(events.find((x) => x.event === 'broker').url); }
      });
    });
    const { connect } = await import('mqtt');
    const anon = await new Promise<string>((resolve) => {
      const c = connect(url, { reconnectPeriod: 0 });
      c.once('connect', () => { c.end(true); resolve('connected'); });
      c.once('error', (e) => { c.end(true); resolve(e.message); });
    });
    expect(anon).toMatch(/Bad username or password|Not authorized/i);
    const topic = await new Promise<string>((resolve, reject) => {
      const c = connect(url, { username: 'noc', password: 'noc-password', reconnectPeriod: 0 });
      c.once('error', reject);
      c.on('message', (t) => { c.end(true); resolve(t); });
      c.subscribe('gb/#');
    });
    expect(topic).toMatch(/^gb\/cli\//);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
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
