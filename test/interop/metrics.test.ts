/**
 * Metrics of `gridbridge run` as users run it: a separate process (the built CLI) polling the Modbus simulator with
 * `--metrics`, scraped over HTTP, and the exposition text checked by Prometheus' own `promtool check metrics`
 * (Debian package `prometheus`; scripts/interop.mjs installs it) — parse errors and naming lint both fail the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { freePort, repoRoot, startStation } from '../runtime/station.js';

/** Value of the sample `name` whose labels include `labels` (label order as the exporter writes it does not matter). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

let sim: ModbusSimulator;
let dir: string;
let child: ChildProcess;
let metricsUrl: string;

beforeAll(async () => {
  let port: number;
  ({ sim, port } = await startStation({ 1: 'dcbel-station-inverter', 3: 'dcbel-tempo-meter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-metrics-interop-'));
  const mapping = join(dir, 'site.yaml');
  writeFileSync(
    mapping,
    `mapping: 1
site: { id: promlab }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port} }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 200 } }
  - { id: meter, profile: dcbel-tempo-meter, connection: bus, unit: 3, pollClasses: { fast: 200 } }
  - { id: ghost, profile: dcbel-tempo-meter, connection: bus, unit: 9 }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
`,
  );
  const at = await freePort();
  child = spawn(process.execPath, [join(repoRoot, 'bin', 'gridbridge.js'), 'run', mapping, '--metrics', `127.0.0.1:${at}`, '--state-dir', join(dir, 'state')], { stdio: ['ignore', 'pipe', 'inherit'] });
  metricsUrl = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('gridbridge run did not announce its metrics endpoint')), 30000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const e = JSON.parse(l) as { event: string; url?: string };
      if (e.event === 'metrics' && e.url) {
        clearTimeout(t);
        resolve(e.url);
      }
    });
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const done = new Promise((r) => child.on('exit', r));
    child.kill('SIGINT');
    await done;
  }
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gridbridge run --metrics, checked by promtool', () => {
  it('serves Prometheus text that promtool parses and lints clean, with the traffic of the run in it', async () => {
    let text = '';
    for (let i = 0; i < 200; i++) {
      text = await (await fetch(metricsUrl)).text();
      const responses = sample(text, 'gridbridge_modbus_transaction_seconds_count', { site: 'promlab', connection: 'bus', outcome: 'response' }) ?? 0;
      const silent = sample(text, 'gridbridge_modbus_transaction_seconds_count', { site: 'promlab', connection: 'bus', outcome: 'timeout' }) ?? 0;
      if (responses >= 5 && silent >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Unit 9 is silent: its timeouts in the counter and in the histogram alike.
    const timeouts = sample(text, 'gridbridge_modbus_timeouts_total', { site: 'promlab', connection: 'bus' });
    expect(timeouts).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gridbridge_modbus_transaction_seconds_count', { site: 'promlab', connection: 'bus', outcome: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gridbridge_device_online', { site: 'promlab', connection: 'bus', device: 'meter' })).toBe(1);
    expect(sample(text, 'gridbridge_device_online', { site: 'promlab', connection: 'bus', device: 'ghost' })).toBe(0);
    expect(sample(text, 'gridbridge_point_refresh_seconds_count', { site: 'promlab', device: 'promlab/meter' })).toBeGreaterThanOrEqual(1);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error, 'promtool (Debian package prometheus) is needed').toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('answers /health: not ok while unit 9 never answers, naming it', async () => {
    const res = await fetch(metricsUrl.replace(/\/metrics$/, '/health'));
    const h = (await res.json()) as { status: string; components: Record<string, { state: string }> };
    expect(h.status).not.toBe('ok');
    expect(['up', 'degraded']).toContain(h.components['connection:bus']?.state);
    expect(h.components['device:meter']?.state).toBe('online');
    expect(['unknown', 'offline']).toContain(h.components['device:ghost']?.state);
    expect(res.status).toBe(h.status === 'down' ? 503 : 200);
  });
});
