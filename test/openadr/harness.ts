/** Wiring a 2.0b VEN to the VTN simulator on loopback with a shared FakeClock. */
import { FakeClock } from '../../src/core/clock.js';
import type { ControlIntent } from '../../src/core/control.js';
import { quality, type Point } from '../../src/core/point.js';
import { openadrMappingSchema, type OpenadrMapping } from '../../src/protocols/openadr/mapping.js';
import { LatestPoints, toReportBindings } from '../../src/protocols/openadr/reports.js';
import { Ven20b, type Ven20bConfig } from '../../src/protocols/openadr/ven20b.js';
import type { VtnLogEntry } from '../../src/sim/openadr/vtn20b.js';
import { VtnSim20b, type Vtn20bOptions } from '../../src/sim/openadr/vtn20b.js';

export const mapping: OpenadrMapping = openadrMappingSchema.parse({
  vtnUrl: 'http://127.0.0.1:1',
  venName: 'cem-test',
  reports: [
    { device: 'meter1', point: 'W' },
    { device: 'meter1', point: 'WH', reportType: 'reading' },
    { device: 'meter1', point: 'St', report: 'TELEMETRY_STATUS' },
  ],
  signals: [
    { signal: 'SIMPLE', device: 'inv1', point: 'WMaxLimPct', mode: 'cap', levels: { '0': 100, '1': 50, '2': 20, '3': 0 } },
    { signal: 'LOAD_DISPATCH', device: 'bat1', point: 'WSet', mode: 'value' },
  ],
});

export function point(device: string, name: string, value: number | boolean, t: number, q: Point['quality'] = quality('good')): Point {
  return { id: `${device}/${name}`, device, name, value, quality: q, receiveTime: t };
}

export interface Rig {
  clock: FakeClock;
  vtn: VtnSim20b;
  ven: Ven20b;
  points: LatestPoints;
  log: VtnLogEntry[];
  controls: ControlIntent[];
  cancels: Array<{ id: string; reason: string }>;
  errors: Error[];
  step(ms: number, slice?: number): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function rig(opts: { ven?: Partial<Ven20bConfig>; vtn?: Partial<Vtn20bOptions>; start?: boolean } = {}): Promise<Rig> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const log: VtnLogEntry[] = [];
  const vtn = new VtnSim20b({ clock, log: (e) => log.push(e), ...opts.vtn });
  await vtn.start();
  const points = new LatestPoints();
  const ven = new Ven20b({
    vtnUrl: vtn.url,
    venName: mapping.venName,
    transport: 'pull',
    reportOnly: false,
    pollFallbackSec: 10,
    policy: mapping.policy,
    reports: toReportBindings(mapping.reports),
    signals: mapping.signals,
    points,
    clock,
    ...opts.ven,
  });
  const controls: ControlIntent[] = [];
  const cancels: Array<{ id: string; reason: string }> = [];
  const errors: Error[] = [];
  ven.on('control', (c) => controls.push(c));
  ven.on('cancel', (c) => cancels.push(c));
  ven.on('error', (e) => errors.push(e));
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await ven.idle();
      await vtn.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const step = async (ms: number, slice = 1000) => {
    for (let t = 0; t < ms; t += slice) {
      clock.advance(Math.min(slice, ms - t));
      await settle();
    }
  };
  if (opts.start !== false) {
    await ven.start();
    await settle();
  }
  return { clock, vtn, ven, points, log, controls, cancels, errors, step, settle, close: async () => { await ven.stop(); await vtn.stop(); } };
}
