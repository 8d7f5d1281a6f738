import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { parseFault } from '../../src/sim/modbus/faults.js';
import { GatewayMetrics, startMetricsServer } from '../../src/runtime/metrics.js';
import { loadMappingText } from '../../src/runtime/validate.js';
import { createSite, submitControl, type SiteHost } from '../../src/runtime/site-host.js';
import { request, serve } from '../../src/protocols/openadr/http.js';
import { repoRoot, startStation, freePort, stationMapping } from './station.js';

const CONTROLS = 'controls:\n  - { device: inverter, name: WMaxLimPct, default: 100 }\n';

// The metrics endpoint of `gridbridge run` over real HTTP: a site on the Modbus simulator (unit 1 answers, unit 2
// answers every read with exception 2), scraped before and after real traffic; the exposition text is parsed here
// and, when Prometheus' promtool is installed (Debian package `prometheus`), linted by it as an independent peer.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then `name{l="v",…} value` lines. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

/** Sum of the samples of `name` whose labels include `want`. */
function sum(samples: Sample[], name: string, want: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

const has = (samples: Sample[], name: string, want: Record<string, string> = {}): boolean =>
  samples.some((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));

async function until(f: () => Promise<boolean> | boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

let sim: ModbusSimulator;
let host: SiteHost;
let metrics: GatewayMetrics;
let endpoint: Awaited<ReturnType<typeof startMetricsServer>>;

beforeAll(async () => {
  let port: number;
  ({ sim, port } = await startStation({ 1: 'dcbel-station-inverter', 2: 'dcbel-station-battery' }));
  sim.faults = [parseFault('exception=2,unit=2')];
  const text = stationMapping('metricslab', port, { inverter: [1, 'dcbel-station-inverter'], battery: [2, 'dcbel-station-battery'] }, CONTROLS);
  const load = loadMappingText(text, join(repoRoot, 'test', 'fixtures', 'metrics-site.yaml'));
  expect(load.errors).toEqual([]);
  host = await createSite(load, { stateDir: false });
  metrics = new GatewayMetrics(Date.now, { site: host.site.id });
  metrics.attachSite(host.site);
  endpoint = await startMetricsServer(metrics, '127.0.0.1', 0);
});

afterAll(async () => {
  await endpoint?.close();
  await host?.stop();
  await sim?.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[]; types: Map<string, string>; contentType: string | null }> {
  const res = await fetch(`${endpoint.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, ...parseExposition(text), contentType: res.headers.get('content-type') };
}

describe('metrics endpoint (gridbridge run)', () => {
  it('counters, latency histograms, queue depth, point age and control decisions move with real Modbus traffic', async () => {
    const before = await scrape();
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sum(before.samples, 'gridbridge_modbus_requests_total', { connection: 'bus' })).toBe(0);
    expect(before.types.get('gridbridge_modbus_transaction_seconds')).toBe('histogram');
    expect(before.types.get('gridbridge_point_refresh_seconds')).toBe('histogram');
    expect(before.types.get('gridbridge_upstream_call_seconds')).toBe('histogram');
    expect(before.types.get('gridbridge_modbus_requests_total')).toBe('counter');
    expect(has(before.samples, 'gridbridge_modbus_queue_depth', { connection: 'bus', site: 'metricslab' })).toBe(true);

    // Before any answer every device is in the health summary as unknown: not healthy yet (degraded).
    const early = (await (await fetch(`${endpoint.url}/health`)).json()) as { status: string; components: Record<string, { state: string }> };
    expect(early.status).toBe('degraded');
    expect(early.components['device:battery']).toMatchObject({ state: 'unknown' });

    await host.site.start();
    // Unit 1 answers (responses, values, points twice so a refresh interval exists); unit 2 answers with exceptions.
    let now = before;
    await until(async () => {
      now = await scrape();
      return (
        sum(now.samples, 'gridbridge_modbus_transaction_seconds_count', { connection: 'bus', outcome: 'response' }) >= 4 &&
        sum(now.samples, 'gridbridge_modbus_exceptions_total', { connection: 'bus' }) >= 1 &&
        sum(now.samples, 'gridbridge_point_refresh_seconds_count', { device: 'metricslab/inverter' }) >= 1
      );
    }, 'Modbus traffic in the metrics');
    const s = now.samples;
    const requests = sum(s, 'gridbridge_modbus_requests_total', { connection: 'bus' });
    const responses = sum(s, 'gridbridge_modbus_responses_total', { connection: 'bus' });
    const exceptions = sum(s, 'gridbridge_modbus_exceptions_total', { connection: 'bus' });
    expect(requests).toBeGreaterThan(0);
    expect(responses).toBeGreaterThan(0);
    // The histogram (per-transaction hook) and the stack's own counters count the same transactions.
    expect(sum(s, 'gridbridge_modbus_transaction_seconds_count', { connection: 'bus', outcome: 'exception' })).toBe(exceptions);
    expect(sum(s, 'gridbridge_modbus_transaction_seconds_count', { connection: 'bus', outcome: 'response' })).toBe(responses);
    expect(sum(s, 'gridbridge_modbus_transaction_seconds_count', { connection: 'bus' })).toBeLessThanOrEqual(requests);
    // Cumulative buckets: +Inf bucket equals the count, buckets never decrease.
    const buckets = s.filter((x) => x.name === 'gridbridge_modbus_transaction_seconds_bucket' && x.labels.outcome === 'response');
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(sum(s, 'gridbridge_modbus_transaction_seconds_count', { connection: 'bus', outcome: 'response' }));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(sum(s, 'gridbridge_modbus_transaction_seconds_sum', { connection: 'bus', outcome: 'response' })).toBeGreaterThan(0);
    expect(sum(s, 'gridbridge_modbus_up', { connection: 'bus' })).toBe(1);
    expect(sum(s, 'gridbridge_device_online', { device: 'inverter' })).toBe(1);
    expect(has(s, 'gridbridge_point_age_seconds', { point: 'metricslab/inverter/W' })).toBe(true);
    expect(sum(s, 'gridbridge_point_age_seconds', { point: 'metricslab/inverter/W' })).toBeLessThan(60);

    // A control decision and the field write it causes.
    const report = await submitControl(host.site, {
      id: 'm-1', source: 'test', sourceClass: 'dso', target: { device: 'inverter', name: 'WMaxLimPct' }, value: 40,
      validFrom: Date.now(), validTo: Date.now() + 60_000,
    });
    expect(report).toMatchObject({ outcome: 'applied', field: { state: 'held' } });
    const after = await scrape();
    expect(sum(after.samples, 'gridbridge_control_decisions_total', { action: 'submit', outcome: 'applied' })).toBe(1);
    expect(sum(after.samples, 'gridbridge_field_writes_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sum(after.samples, 'gridbridge_modbus_requests_total', { connection: 'bus' })).toBeGreaterThan(requests);

    if (promtool) {
      // promtool parses the text and lints the names (counters end in _total, units in base units …): no findings.
      const out = spawnSync('promtool', ['check', 'metrics'], { input: after.text, encoding: 'utf8' });
      expect(out.stderr + out.stdout).toBe('');
      expect(out.status).toBe(0);
    }
  });

  it('answers /health with the component states as JSON, 404 elsewhere and 405 for other methods', async () => {
    await until(async () => ((await (await fetch(`${endpoint.url}/health`)).json()) as { status: string }).status === 'ok', 'health ok');
    const res = await fetch(`${endpoint.url}/health`);
    expect(res.status).toBe(200);
    const h = (await res.json()) as { status: string; components: Record<string, { state: string }> };
    expect(h.components['connection:bus']?.state).toBe('up');
    expect(h.components['device:inverter']?.state).toBe('online');
    expect((await fetch(`${endpoint.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${endpoint.url}/metrics`, { method: 'POST' })).status).toBe(405);
    // A component down makes the whole gateway down (503), so a load balancer or systemd watchdog can act on it.
    metrics.setStatus('upstream-test', 'down', 'test');
    const down = await fetch(`${endpoint.url}/health`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { status: string }).status).toBe('down');
    metrics.removeStatus('upstream-test');
  });

  it('times upstream HTTP calls (OpenADR client) by result: an answer and a refused connection', async () => {
    const stop = metrics.observeUpstreamCalls();
    const vtn = await serve(async () => ({ status: 200, body: 'ok', contentType: 'text/plain' }));
    try {
      await request('GET', `${vtn.url}/x`);
      const closed = await freePort();
      await expect(request('POST', `http://127.0.0.1:${closed}/y`, { body: 'z' })).rejects.toThrow();
    } finally {
      stop();
      await vtn.close();
    }
    const { samples } = await scrape();
    expect(sum(samples, 'gridbridge_upstream_call_seconds_count', { protocol: 'openadr', method: 'GET', result: '2xx' })).toBe(1);
    expect(sum(samples, 'gridbridge_upstream_call_seconds_count', { protocol: 'openadr', method: 'POST', result: 'network' })).toBe(1);
    // After stop(), calls are no longer counted.
    await request('GET', `${endpoint.url}/health`);
    expect(sum((await scrape()).samples, 'gridbridge_upstream_call_seconds_count', { protocol: 'openadr' })).toBe(2);
  });
});
