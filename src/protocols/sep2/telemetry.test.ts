import { describe, expect, it } from 'vitest';
import { TelemetryBuffer, mirrorUsagePointFor } from './telemetry.js';
import { MirrorUsagePointResource } from './mirrorUsagePoint.js';
import { MirrorMeterReadingResource } from './mirrorMeterReading.js';

const LFDI = '3E4F45AB31EDFE5B67E343E5E4562E31984E23E5';
const T = Date.UTC(2026, 0, 1);

describe('TelemetryBuffer (seed 002: 30 s instantaneous interval data)', () => {
  it('one reading per 30 s interval, latest sample, frequency scaled by 10^-2', () => {
    const b = new TelemetryBuffer([{ key: 'm/W', quantity: 'realPower' }, { key: 'm/Hz', quantity: 'frequency' }], LFDI, 30);
    b.record('m/W', 100, T + 1000);
    b.record('m/W', 120, T + 29_000);
    b.record('m/Hz', 50.02, T + 5000);
    b.record('m/W', 130, T + 31_000);
    b.flush(T + 61_000);
    const w = b.take('m/W')!;
    expect(w.reading.MirrorReadingSet![0]!.Reading.map((r) => [r.timePeriod!.start, r.value])).toEqual([
      [T / 1000, 120],
      [T / 1000 + 30, 130],
    ]);
    expect(b.take('m/Hz')!.reading.MirrorReadingSet![0]!.Reading[0]!.value).toBe(5002);
    // The batch serializes and re-parses (what the server gets).
    expect(MirrorMeterReadingResource.parse(MirrorMeterReadingResource.serialize(w.reading))).toEqual(w.reading);
  });

  it('ack removes exactly what was sent; nack keeps it; a batch is never taken twice while in flight', () => {
    const b = new TelemetryBuffer([{ key: 'k', quantity: 'realPower' }], LFDI, 30);
    for (let i = 0; i < 5; i++) b.record('k', i, T + i * 30_000);
    b.flush(T + 10 * 30_000);
    const first = b.take('k', 3)!;
    expect(first.count).toBe(3);
    expect(b.take('k')).toBeNull();
    b.record('k', 99, T + 10 * 30_000);
    b.nack('k');
    const again = b.take('k', 3)!;
    expect(again.reading).toEqual(first.reading);
    b.ack('k');
    b.flush(T + 11 * 30_000);
    expect(b.take('k')!.reading.MirrorReadingSet![0]!.Reading.map((r) => r.value)).toEqual([3, 4, 99]);
    b.ack('k');
    expect(b.stats()).toEqual({ buffered: 0, dropped: 0, posted: 6 });
  });

  it('bounded buffer: oldest readings dropped and counted, in-flight batch kept', () => {
    const b = new TelemetryBuffer([{ key: 'k', quantity: 'realPower' }], LFDI, 30, 4);
    for (let i = 0; i < 3; i++) b.record('k', i, T + i * 30_000);
    b.flush(T + 3 * 30_000);
    const inflight = b.take('k', 2)!;
    for (let i = 3; i < 8; i++) b.record('k', i, T + i * 30_000);
    b.flush(T + 8 * 30_000);
    expect(b.stats()).toEqual({ buffered: 4, dropped: 4, posted: 0 });
    b.ack('k');
    expect(inflight.count).toBe(2);
    expect(b.take('k')!.reading.MirrorReadingSet![0]!.Reading.map((r) => r.value)).toEqual([6, 7]);
  });

  it('ignores unknown keys and non-finite values', () => {
    const b = new TelemetryBuffer([{ key: 'k', quantity: 'realPower' }], LFDI);
    expect(b.record('x', 1, T)).toBe(false);
    expect(b.record('k', NaN, T)).toBe(false);
  });

  it('MirrorUsagePoint per data point: instantaneous, W (uom 38) / Hz (uom 33)', () => {
    const w = mirrorUsagePointFor({ key: 'm/W', quantity: 'realPower' }, LFDI, 30);
    const hz = mirrorUsagePointFor({ key: 'm/Hz', quantity: 'frequency' }, LFDI, 30);
    expect(w.MirrorMeterReading![0]!.ReadingType).toMatchObject({ accumulationBehaviour: 12, uom: 38, intervalLength: 30, dataQualifier: 0 });
    expect(hz.MirrorMeterReading![0]!.ReadingType).toMatchObject({ accumulationBehaviour: 12, uom: 33, powerOfTenMultiplier: -2 });
    expect(w.mRID).not.toBe(hz.mRID);
    expect(MirrorUsagePointResource.parse(MirrorUsagePointResource.serialize(w))).toEqual(w);
  });
});
