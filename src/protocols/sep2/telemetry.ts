/**
 * Telemetry for seed 002: one MirrorUsagePoint per data point (real power W, frequency Hz …), instantaneous
 * readings on a fixed interval (30 s), buffered per point and posted as MirrorMeterReadings at the server's postRate.
 * Readings leave the buffer only when the server acknowledged them (2xx): nothing is lost across an outage, and a
 * batch is never in flight twice. The buffer is bounded; when full, the oldest readings are dropped and counted.
 */
import { createHash } from 'node:crypto';
import type { MirrorMeterReading, Reading } from './mirrorMeterReading.js';
import type { MirrorUsagePoint } from './mirrorUsagePoint.js';
import { READING } from './mirrorMeterReading.js';
import { ROLE_FLAGS } from './mirrorUsagePoint.js';

export type Quantity = 'realPower' | 'frequency' | 'reactivePower' | 'voltage' | 'current' | 'stateOfCharge';

const QUANTITY: Record<Quantity, { uom: number; multiplier: number; kind: number; label: string }> = {
  realPower: { uom: READING.uom.W, multiplier: 0, kind: READING.kind.power, label: 'Real power (W)' },
  frequency: { uom: READING.uom.Hz, multiplier: -2, kind: 0, label: 'Frequency (Hz)' },
  reactivePower: { uom: READING.uom.var, multiplier: 0, kind: READING.kind.power, label: 'Reactive power (var)' },
  voltage: { uom: READING.uom.V, multiplier: -1, kind: 0, label: 'Voltage (V)' },
  current: { uom: READING.uom.A, multiplier: -2, kind: 0, label: 'Current (A)' },
  stateOfCharge: { uom: 0, multiplier: -2, kind: 0, label: 'State of charge (%)' },
};

export interface TelemetryPoint {
  /** `device/name` key of the GridBridge point. */
  key: string;
  quantity: Quantity;
  description?: string;
}

/** Deterministic mRIDs so a re-sent batch is recognisable by the server (128 bits, hex). */
export function mridFor(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32).toUpperCase();
}

export function mirrorUsagePointFor(p: TelemetryPoint, lfdi: string, intervalS: number): MirrorUsagePoint {
  const q = QUANTITY[p.quantity];
  return {
    mRID: mridFor('mup', lfdi, p.key),
    description: (p.description ?? p.key).slice(0, 32),
    roleFlags: (ROLE_FLAGS.isMirror | ROLE_FLAGS.isDER | ROLE_FLAGS.isSubmeter).toString(16).padStart(2, '0').toUpperCase(),
    serviceCategoryKind: 0,
    status: 1,
    deviceLFDI: lfdi,
    MirrorMeterReading: [
      {
        mRID: mridFor('mmr', lfdi, p.key),
        description: q.label,
        ReadingType: {
          accumulationBehaviour: READING.accumulationBehaviour.instantaneous,
          commodity: READING.commodity.electricitySecondaryMetered,
          dataQualifier: READING.dataQualifier.notApplicable,
          flowDirection: READING.flowDirection.forward,
          intervalLength: intervalS,
          kind: q.kind,
          phase: 0,
          powerOfTenMultiplier: q.multiplier,
          uom: q.uom,
        },
      },
    ],
  };
}

interface Series {
  point: TelemetryPoint;
  /** Current interval's latest sample. */
  sample?: { value: number; at: number };
  intervalStart?: number;
  pending: Reading[];
  inFlight: number;
}

export interface TelemetryStats {
  buffered: number;
  dropped: number;
  posted: number;
}

export class TelemetryBuffer {
  private series = new Map<string, Series>();
  private dropped = 0;
  private posted = 0;

  constructor(
    points: readonly TelemetryPoint[],
    private readonly lfdi: string,
    private readonly intervalS = 30,
    private readonly capacity = 2880,
  ) {
    for (const p of points) this.series.set(p.key, { point: p, pending: [], inFlight: 0 });
  }

  keys(): string[] {
    return [...this.series.keys()];
  }
  point(key: string): TelemetryPoint | undefined {
    return this.series.get(key)?.point;
  }

  /** A sample of `key` at local epoch ms `at` (server offset applied by the caller). */
  record(key: string, value: number, at: number): boolean {
    const s = this.series.get(key);
    if (!s || !Number.isFinite(value)) return false;
    const start = Math.floor(at / 1000 / this.intervalS) * this.intervalS;
    if (s.intervalStart !== undefined && start > s.intervalStart) this.close(s);
    if (s.intervalStart === undefined || start >= s.intervalStart) {
      s.intervalStart = start;
      s.sample = { value, at };
    }
    return true;
  }

  /** Close intervals that ended before `at` (call before posting). */
  flush(at: number): void {
    const start = Math.floor(at / 1000 / this.intervalS) * this.intervalS;
    for (const s of this.series.values()) if (s.intervalStart !== undefined && s.intervalStart < start) this.close(s);
  }

  private close(s: Series): void {
    if (!s.sample || s.intervalStart === undefined) return;
    const q = QUANTITY[s.point.quantity];
    const value = Math.round(s.sample.value / 10 ** q.multiplier);
    s.pending.push({ timePeriod: { duration: this.intervalS, start: s.intervalStart }, value });
    s.sample = undefined;
    s.intervalStart = undefined;
    while (s.pending.length > this.capacity) {
      // Drop the oldest not in flight; an in-flight batch is the head of the queue.
      s.pending.splice(s.inFlight, 1);
      this.dropped++;
    }
  }

  /** Take the next batch of `key` (at most `max` readings) for posting; null if empty or already in flight. */
  take(key: string, max = 120): { reading: MirrorMeterReading; count: number } | null {
    const s = this.series.get(key);
    if (!s || s.inFlight > 0 || s.pending.length === 0) return null;
    const batch = s.pending.slice(0, max);
    s.inFlight = batch.length;
    const first = batch[0]!.timePeriod!.start;
    const last = batch[batch.length - 1]!.timePeriod!;
    const reading: MirrorMeterReading = {
      mRID: mridFor('mmr', this.lfdi, key),
      lastUpdateTime: last.start + last.duration,
      MirrorReadingSet: [{ mRID: mridFor('mrs', this.lfdi, key, first), timePeriod: { start: first, duration: last.start + last.duration - first }, Reading: batch }],
    };
    return { reading, count: batch.length };
  }

  /** The server accepted the batch taken from `key`. */
  ack(key: string): void {
    const s = this.series.get(key);
    if (!s) return;
    s.pending.splice(0, s.inFlight);
    this.posted += s.inFlight;
    s.inFlight = 0;
  }

  /** Posting failed: the batch stays at the head for the next attempt. */
  nack(key: string): void {
    const s = this.series.get(key);
    if (s) s.inFlight = 0;
  }

  stats(): TelemetryStats {
    let buffered = 0;
    for (const s of this.series.values()) buffered += s.pending.length;
    return { buffered, dropped: this.dropped, posted: this.posted };
  }
}
