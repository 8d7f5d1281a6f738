/**
 * IEEE 2030.5 bench: MirrorMeterReadingList XML parse/serialize rates (small and large bodies), and control start →
 * setpoint processing: a poll result carrying an already-active event to intents. Control start → setpoint latency
 * is measured by bench/sep2-https.ts (≥ 1000 samples, over HTTPS against the simulator in its own process). Every loop is bounded in count
 * and time; no network.
 */
import { writeResult, percentile } from './lib.js';
import { systemClock } from '../src/core/clock.js';
import { MirrorMeterReadingListResource, type MirrorMeterReadingList } from '../src/protocols/sep2/mirrorMeterReading.js';
import { DerControlScheduler } from '../src/protocols/sep2/scheduler.js';
import { controlsToIntents } from '../src/protocols/sep2/controls.js';
import type { DERControl } from '../src/protocols/sep2/derControl.js';

function mmrList(mmrs: number, readings: number): MirrorMeterReadingList {
  const t0 = 1767225600;
  return {
    all: mmrs,
    results: mmrs,
    MirrorMeterReading: Array.from({ length: mmrs }, (_, m) => ({
      mRID: (m + 1).toString(16).toUpperCase().padStart(32, '0'),
      lastUpdateTime: t0 + readings * 30,
      MirrorReadingSet: [
        {
          mRID: (m + 100).toString(16).toUpperCase().padStart(32, '0'),
          timePeriod: { start: t0, duration: readings * 30 },
          Reading: Array.from({ length: readings }, (_, i) => ({ timePeriod: { start: t0 + i * 30, duration: 30 }, value: -3000 + ((i * 37) % 500) })),
        },
      ],
      ReadingType: { accumulationBehaviour: 12, intervalLength: 30, kind: 37, powerOfTenMultiplier: 0, uom: 38 },
    })),
  };
}

function rate(fn: () => void, maxIter: number, maxMs: number): { opsPerSec: number; iterations: number } {
  for (let i = 0; i < 20; i++) fn();
  const t0 = performance.now();
  let n = 0;
  while (n < maxIter && performance.now() - t0 < maxMs) {
    fn();
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  return { opsPerSec: Math.round(n / s), iterations: n };
}

function xmlBench(mmrs: number, readings: number) {
  const v = mmrList(mmrs, readings);
  const xml = MirrorMeterReadingListResource.serialize(v);
  const parse = rate(() => MirrorMeterReadingListResource.parse(xml), 200_000, 2000);
  const ser = rate(() => MirrorMeterReadingListResource.serialize(v), 200_000, 2000);
  const bytes = Buffer.byteLength(xml);
  return {
    mirrorMeterReadings: mmrs,
    readingsEach: readings,
    bytes,
    parsePerSec: parse.opsPerSec,
    parseMBps: Math.round(((parse.opsPerSec * bytes) / 1e6) * 10) / 10,
    parseReadingsPerSec: parse.opsPerSec * mmrs * readings,
    serializePerSec: ser.opsPerSec,
    serializeMBps: Math.round(((ser.opsPerSec * bytes) / 1e6) * 10) / 10,
  };
}

function event(mRID: string, startS: number, durationS: number): DERControl {
  return {
    mRID,
    creationTime: startS - 10,
    EventStatus: { currentStatus: 0, dateTime: startS - 10, potentiallySuperseded: false },
    interval: { start: startS, duration: durationS },
    DERControlBase: { opModFixedW: 5000 },
  };
}

const ratings = { maxW: 5000, maxChargeRateW: 5000, maxDischargeRateW: 5000 };

function processingLatency(iterations: number): number[] {
  const lat: number[] = [];
  const nowS = Math.floor(Date.now() / 1000);
  for (let i = 0; i < iterations; i++) {
    let t0 = 0;
    const s = new DerControlScheduler({
      clock: systemClock,
      onChange: (st) => {
        controlsToIntents(st.controls, { device: 'bat', sourceClass: 'dso', ratings, serverOffsetMs: 0 });
        if (st.controls.length) lat.push((performance.now() - t0) * 1000);
      },
    });
    const progs = [{ href: '/derp/0', primacy: 1, controls: Array.from({ length: 10 }, (_, k) => event(`P${i}-${k}`, nowS - 5 + k * 3600, 60)) }];
    t0 = performance.now();
    s.setPrograms(progs);
    s.stop();
  }
  return lat.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const small = xmlBench(2, 2);
  const seedTypical = xmlBench(2, 2 * 4); // 2 points, postRate 240 s of 30 s intervals
  const large = xmlBench(10, 120);
  const proc = processingLatency(2000);
  writeResult('sep2', {
    xml: { small, seedTypical, large },
    controlStartToSetpointMs: 'see bench/results/sep2-https.json (≥ 1000 samples over real HTTPS and in-process, same run)',
    pollToSetpointUs: { samples: proc.length, p50: Math.round(percentile(proc, 50)), p99: Math.round(percentile(proc, 99)), note: '10 controls in the poll result, 1 active' },
  });
}

void main();
