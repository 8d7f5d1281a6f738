/**
 * IEC 104 benchmark (loopback only, every loop bounded in count and time):
 *  - GI of 100 000 float points, packed (SQ=1) and unpacked (SQ=0): encode + transfer + decode until ACT_TERM
 *  - spontaneous messages/s server → client (one M_ME_NC_1 object per ASDU, default k=12/w=8)
 *  - command round trip C_SC_NA_1 ACT → ACT_CON and ACT → ACT_TERM, p50/p99
 *  - 1 000 000 fuzzed frames through the decoder, counting exceptions that are not DecodeError
 * Reference (lib60870-C, 2 vCPU loopback): GI 100k floats 88 ms (58 ms packed), 140 000 spont/s, command RTT ≈ 0.3 ms.
 */
import { loadavg } from 'node:os';
import { DecodeError } from '../src/core/errors.js';
import { Iec104Client } from '../src/protocols/iec104/client.js';
import { decodeFrame } from '../src/protocols/iec104/codec.js';
import { TypeId } from '../src/protocols/iec104/constants.js';
import { ELEMENTS } from '../src/protocols/iec104/types/elements.js';
import { Iec104Server } from '../src/protocols/iec104/server.js';
import { percentile, writeResult } from './lib.js';

const N_GI = 100_000;
const N_SPONT = 200_000;
const N_CMD = 2_000;
const N_FUZZ = 1_000_000;
const DEADLINE_MS = 60_000;
/** GI runs discarded first (JIT warm-up), as a long-running gateway would be warm. */
const WARMUP = 3;

async function pair(packed: boolean) {
  const server = new Iec104Server({ port: 0, host: '127.0.0.1', packed, onCommand: () => true, eventBuffer: 0, link: { maxQueue: 100_000 } });
  for (let i = 0; i < N_GI; i++) server.definePoint({ ca: 1, ioa: 1 + i, typeId: TypeId.M_ME_NC_1, initial: { value: i * 0.5, quality: {} } });
  server.defineCommand({ ca: 1, ioa: 5_000_000, typeIds: [TypeId.C_SC_NA_1] });
  const { port } = await server.listen();
  const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 30_000, terminationTimeoutMs: 30_000 });
  await client.connect();
  await new Promise((r) => setTimeout(r, 50)); // let M_EI pass
  return { server, client };
}

async function giRuns(packed: boolean, runs: number): Promise<{ ms: number[]; objects: number }> {
  const { server, client } = await pair(packed);
  const ms: number[] = [];
  let objects = 0;
  try {
    for (let r = 0; r < runs + WARMUP; r++) {
      const t0 = performance.now();
      const res = await client.interrogate(1);
      if (r >= WARMUP) ms.push(performance.now() - t0);
      if (!res.ok) throw new Error(`GI failed: ${res.reason}`);
      objects = res.objects?.length ?? 0;
    }
  } finally {
    client.close();
    await server.close();
  }
  return { ms: ms.sort((a, b) => a - b), objects };
}

async function spontaneous(): Promise<{ perSecond: number; received: number; ms: number }> {
  const { server, client } = await pair(true);
  let received = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  client.on('asdu', (a: { cot: number }) => {
    if (a.cot === 3 && ++received === N_SPONT) resolveDone();
  });
  const t0 = performance.now();
  let sent = 0;
  const deadline = Date.now() + DEADLINE_MS;
  try {
    while (sent < N_SPONT && Date.now() < deadline) {
      if (server.backlog() < 20_000) {
        for (let i = 0; i < 5_000 && sent < N_SPONT; i++, sent++) server.broadcastEvent({ typeId: TypeId.M_ME_NC_1, cot: 3, ca: 1, objects: [{ ioa: 1 + (sent % 1000), value: sent, quality: {} }] });
      }
      await new Promise((r) => setImmediate(r));
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  } finally {
    client.close();
    await server.close();
  }
  const ms = performance.now() - t0;
  return { perSecond: Math.round((received / ms) * 1000), received, ms: Math.round(ms) };
}

async function commands(awaitTermination: boolean): Promise<{ p50: number; p99: number; n: number }> {
  const { server, client } = await pair(true);
  const rtt: number[] = [];
  const deadline = Date.now() + DEADLINE_MS;
  try {
    for (let i = 0; i < N_CMD && Date.now() < deadline; i++) {
      const t0 = performance.now();
      const r = await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5_000_000, value: i % 2 === 0, awaitTermination });
      if (!r.ok) throw new Error(`command failed: ${r.reason}`);
      rtt.push(performance.now() - t0);
    }
  } finally {
    client.close();
    await server.close();
  }
  rtt.sort((a, b) => a - b);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: r3(percentile(rtt, 50)), p99: r3(percentile(rtt, 99)), n: rtt.length };
}

function fuzz(): { frames: number; decodeErrors: number; decoded: number; unexpected: number; framesPerSecond: number } {
  // xorshift32: deterministic, fast; mixes plausible frames (start octet, consistent length, known type) with noise.
  let s = 0x1234567;
  const rnd = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  const types = [...ELEMENTS.keys(), 0, 2, 120, 255];
  let decodeErrors = 0;
  let decoded = 0;
  let unexpected = 0;
  const t0 = performance.now();
  const buf = Buffer.alloc(260);
  for (let i = 0; i < N_FUZZ; i++) {
    const len = rnd() % 260;
    for (let j = 0; j < len; j++) buf[j] = rnd() & 0xff;
    if (i % 4 !== 0 && len >= 8) {
      buf[0] = 0x68;
      buf[1] = Math.min(253, len - 2);
      buf[2] = buf[2]! & 0xfe;
      buf[6] = types[rnd() % types.length]!;
    }
    try {
      decodeFrame(buf.subarray(0, len));
      decoded++;
    } catch (e) {
      if (e instanceof DecodeError) decodeErrors++;
      else unexpected++;
    }
  }
  const ms = performance.now() - t0;
  return { frames: N_FUZZ, decodeErrors, decoded, unexpected, framesPerSecond: Math.round((N_FUZZ / ms) * 1000) };
}

async function main(): Promise<void> {
  const packed = await giRuns(true, 7);
  const unpacked = await giRuns(false, 7);
  const spont = await spontaneous();
  const cmdCon = await commands(false);
  const cmdTerm = await commands(true);
  const fz = fuzz();
  const r1 = (x: number) => Math.round(x * 10) / 10;
  writeResult('iec104', {
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    giPacked: { points: packed.objects, runs: packed.ms.length, warmup: WARMUP, medianMs: r1(percentile(packed.ms, 50)), minMs: r1(packed.ms[0]!), reference: 58 },
    giUnpacked: { points: unpacked.objects, runs: unpacked.ms.length, warmup: WARMUP, medianMs: r1(percentile(unpacked.ms, 50)), minMs: r1(unpacked.ms[0]!), reference: 88 },
    spontaneous: { ...spont, reference: 140_000 },
    commandActCon: { ...cmdCon, unit: 'ms', reference: 0.3 },
    commandActTerm: { ...cmdTerm, unit: 'ms' },
    fuzz: fz,
  });
  if (fz.unexpected > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench iec104: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
