/**
 * OpenADR 2.0b reports through the durable store: a site reports to the VTN simulator through a TCP proxy that is
 * cut and restored (VTN unreachable), and the site is restarted with the same state directory while the VTN is
 * unreachable. Every sampled interval reaches the VTN once, in order, with the time it was sampled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { Site } from '../../src/runtime/site.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { vtnScriptSchema } from '../../src/sim/openadr/script.js';
import { VtnSim20b } from '../../src/sim/openadr/vtn20b.js';
import { freePort, repoRoot, startStation } from './station.js';

let sim: ModbusSimulator;
let simPort: number;
let dir: string;

beforeAll(async () => {
  ({ sim, port: simPort } = await startStation({ 1: 'dcbel-station-inverter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-store-openadr-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A TCP proxy to `target` on `port` that can be cut (listener closed, connections reset) and restored. */
function proxy(port: number, target: number) {
  let server: Server | undefined;
  const socks = new Set<Socket>();
  return {
    up: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer((c) => {
          const u = connect(target, '127.0.0.1');
          socks.add(c).add(u);
          c.pipe(u).pipe(c);
          const end = () => (c.destroy(), u.destroy(), socks.delete(c), socks.delete(u));
          c.on('error', end).on('close', end);
          u.on('error', end).on('close', end);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of socks) s.destroy();
        socks.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
  };
}

function mapping(vtnUrl: string): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `mapping: 1
site: { id: lab, stateDir: ./state }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 300 } }
upstream:
  openadr:
    version: 2.0b
    vtnUrl: ${vtnUrl}
    venName: lab-ven
    pollIntervalSec: 1
    reports:
      - { device: inverter, point: W }
`,
  );
  return file;
}

describe('OpenADR reports through the store', () => {
  it('intervals sampled while the VTN is unreachable, and across a restart, reach the VTN once, in order, with their times', async () => {
    const vtn = new VtnSim20b({ clock: systemClock, script: vtnScriptSchema.parse({ pollFreqSec: 1 }), log: () => undefined });
    await vtn.start();
    const port = await freePort();
    const link = proxy(port, Number(new URL(vtn.url).port));
    await link.up();
    const file = mapping(`http://127.0.0.1:${port}${new URL(vtn.url).pathname.replace(/\/$/, '')}`);
    /** dtstart of every inverter/W interval the VTN accepted, in arrival order. */
    const delivered = (): number[] =>
      [...vtn.vens.values()].flatMap((v) => v.reports.flatMap((r) => (r.intervals ?? []).filter((i) => i.payloads[0]?.rID === 'inverter/W').map((i) => i.dtstart)));
    const requestReport = async (): Promise<void> => {
      await vi.waitFor(() => expect(vtn.vens.size).toBeGreaterThan(0), { timeout: 8000, interval: 50 });
      for (const id of vtn.vens.keys()) vtn.requestReport(id, { report: 'TELEMETRY_USAGE', granularity: 1, reportBack: 1, duration: 0 });
    };
    const sites: Site[] = [];
    try {
      // 1. Reporting: the VTN receives intervals.
      const first = new Site(loadMappingFile(file));
      sites.push(first);
      await first.start();
      await requestReport();
      await vi.waitFor(() => expect(delivered().length).toBeGreaterThan(1), { timeout: 8000, interval: 50 });

      // 2. VTN unreachable for a while: intervals are kept in the store.
      await link.down();
      const down1 = Date.now();
      await vi.waitFor(() => expect(first.storeStats().openadr!.depth).toBeGreaterThanOrEqual(3), { timeout: 10000, interval: 50 });
      await link.up();
      const up1 = Date.now();
      // 3. VTN back: the backlog arrives with its own times.
      await vi.waitFor(() => expect(delivered().some((t) => t > down1 && t < up1)).toBe(true), { timeout: 10000, interval: 50 });

      // 4. Unreachable again, then the site stops with intervals in the store.
      await link.down();
      const lastSeen = Math.max(...delivered()); // intervals after this one (incl. a report cut in flight) are kept
      await vi.waitFor(() => expect(first.storeStats().openadr!.depth).toBeGreaterThanOrEqual(3), { timeout: 10000, interval: 50 });
      const firstDelivered = first.storeStats().openadr!.delivered; // nothing is delivered while the link is down
      await first.stop();
      const stop1 = Date.now();
      expect(delivered().some((t) => t > lastSeen)).toBe(false);

      // 5. Restart with the same state directory and the VTN reachable: the stored intervals go first.
      await link.up();
      const second = new Site(loadMappingFile(file));
      sites.push(second);
      const warnings: string[] = [];
      second.on('warning', (w: string) => warnings.push(w));
      await second.start();
      const restored = Number(/store: (\d+) report interval\(s\) from before the restart/.exec(warnings.join('\n'))?.[1]);
      expect(restored).toBeGreaterThanOrEqual(3);
      await requestReport();
      await vi.waitFor(() => expect(delivered().filter((t) => t > lastSeen && t < stop1).length).toBe(restored), { timeout: 10000, interval: 50 });
      await vi.waitFor(() => expect(second.storeStats().openadr!.delivered).toBeGreaterThan(restored), { timeout: 10000, interval: 50 });

      // In order, at least once: a report the VTN took but whose answer the cut link lost is sent again
      // (at-least-once, docs/store.md), so an interval may stand twice; in the order intervals first reached the VTN,
      // sampling times strictly increase.
      const times = [...new Set(delivered())];
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
      // What the two runs confirmed is what the VTN holds, once each (a report in flight may be stored but not yet
      // confirmed).
      await vi.waitFor(() => expect(new Set(delivered()).size).toBe(firstDelivered + second.storeStats().openadr!.delivered), { timeout: 10000, interval: 20 });
      expect(second.storeStats().openadr!.durable).toBe(true);
    } finally {
      for (const s of sites) await s.stop().catch(() => undefined);
      await link.down();
      await vtn.stop();
    }
  }, 60_000);
});
