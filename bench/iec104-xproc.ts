/**
 * IEC 104 across processes, as users run it: the controlled station runs in a child process (this file with
 * `--serve`), the controlling station here, over loopback TCP. The in-process bench (iec104.ts) shares one event
 * loop between both ends and hides the client's cost; this one does not.
 *  - GI of 100 000 M_ME_NC_1 floats, SQ=1 (≈ 2 100 ASDUs), until ACT_TERM: our client (collecting the objects, and
 *    streaming them as events only), wall time and the client's CPU time, and in the same run a bare
 *    consumer (frames, acknowledges every 8th I frame as it reads it, decodes nothing) on the same server: server
 *    and transport with a trivial client. It is not a strict floor: our link acknowledges a whole chunk at once.
 *  - spontaneous messages/s, one M_ME_NC_1 object per ASDU, the server paced by its own backlog.
 *  - C_SC_NA_1 round trips ACT → ACT_CON and ACT → ACT_TERM (≥ 1 000 samples each), p50/p99.
 *  - memory under many connections: 20 peers (limit 16) each sending 30 GIs and never acknowledging; server RSS.
 * Field reference (issue 11, lib60870-C 2.4, separate processes, other machine): lib60870 server + client GI 56 ms,
 * our server + lib60870 client 40 ms, lib60870 server + our client 125 ms. lib60870 cannot run here (no Debian
 * package), so these are not same-run figures.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { encodeSFrame, encodeUFrame, FrameReader } from '../src/protocols/iec104/apci.js';
import { encodeIAsdu } from '../src/protocols/iec104/codec.js';
import { Iec104Client } from '../src/protocols/iec104/client.js';
import { Cot, TypeId } from '../src/protocols/iec104/constants.js';
import { Iec104Server } from '../src/protocols/iec104/server.js';
import { percentile, writeResult } from './lib.js';

const N_GI = 100_000;
const GI_RUNS = 15;
const WARMUP = 3;
const N_SPONT = 200_000;
const N_CMD = 2_000;
const CMD_IOA = 5_000_000;
const PEERS = 20;

async function serve(): Promise<void> {
  // Peers from 127.0.0.2… each get a redundancy group of their own (so they do not supersede each other); the bench
  // client (127.0.0.1) is in the default group.
  const redundancyGroups = [{ name: 'default' }, ...Array.from({ length: PEERS }, (_, i) => ({ name: `peer${i}`, clients: [`127.0.0.${i + 2}`] }))];
  const server = new Iec104Server({ port: 0, host: '0.0.0.0', packed: true, onCommand: () => true, eventBuffer: 0, redundancyGroups });
  for (let i = 0; i < N_GI; i++) server.definePoint({ ca: 1, ioa: 1 + i, typeId: TypeId.M_ME_NC_1, initial: { value: i * 0.5, quality: {} } });
  server.defineCommand({ ca: 1, ioa: CMD_IOA, typeIds: [TypeId.C_SC_NA_1] });
  const disconnects = new Map<string, number>();
  server.on('disconnect', (d: { reason: string }) => {
    const k = d.reason.replace(/\d+/g, '#');
    disconnects.set(k, (disconnects.get(k) ?? 0) + 1);
  });
  const { port } = await server.listen();
  process.stdout.write(JSON.stringify({ port }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const q = server.connections().length;
      process.stdout.write(JSON.stringify({ rssMB: Math.round(process.memoryUsage().rss / 1048576), connections: q, stats: server.stats, disconnects: Object.fromEntries(disconnects) }) + '\n');
      continue;
    }
    if (cmd !== 'spont') continue;
    let sent = 0;
    // A producer paced by the backlog: it sleeps (timer) rather than spin while the queue is full, so it does not
    // take a core from the client on a 2-core machine.
    while (sent < Number(arg)) {
      if (server.backlog() < 15_000) {
        for (let i = 0; i < 2_000 && sent < Number(arg); i++, sent++) server.broadcastEvent({ typeId: TypeId.M_ME_NC_1, cot: 3, ca: 1, objects: [{ ioa: 1 + (sent % 1000), value: sent, quality: {} }] });
        await new Promise((r) => setImmediate(r));
      } else await new Promise((r) => setTimeout(r, 2));
    }
  }
  await server.close();
}

/** A consumer that only frames and acknowledges: STARTDT, GI, count I frames until the GI ACT_TERM. */
async function bareGi(port: number, runs: number): Promise<{ ms: number[]; cpu: number[] }> {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise<void>((r) => s.once('connect', () => r()));
  const reader = new FrameReader();
  let vr = 0;
  let vs = 0;
  let unacked = 0;
  let onTerm: (() => void) | undefined;
  let started!: () => void;
  const up = new Promise<void>((r) => (started = r));
  s.on('data', (d: Buffer) =>
    reader.push(d, (f) => {
      if ((f[2]! & 1) === 0) {
        vr = (vr + 1) % 32768;
        if (++unacked >= 8) {
          s.write(encodeSFrame(vr));
          unacked = 0;
        }
        // ASDU octet 6 = type id, 8 = COT: the GI ACT_TERM ends the run.
        if (f[6] === TypeId.C_IC_NA_1 && (f[8]! & 0x3f) === Cot.ACTIVATION_TERMINATION) onTerm?.();
      } else if (f[2] === 0x0b) started();
    }),
  );
  s.write(encodeUFrame('STARTDT_ACT'));
  await up;
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs + WARMUP; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const done = new Promise<void>((res) => (onTerm = res));
    s.write(encodeIAsdu(vs, vr, { typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] }));
    vs++;
    unacked = 0;
    await done;
    const c = process.cpuUsage(c0);
    if (r >= WARMUP) {
      ms.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  s.destroy();
  return { ms: ms.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

/** Peers that start data transfer, ask for `gis` GIs and never acknowledge anything (nor read after the start). */
async function greedyPeers(port: number, peers: number, gis: number): Promise<Array<{ destroy(): void }>> {
  const socks = [];
  for (let i = 0; i < peers; i++) {
    const s = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${i + 2}` });
    s.on('error', () => undefined);
    await new Promise<void>((r) => (s.once('connect', () => r()), s.once('close', () => r())));
    s.write(encodeUFrame('STARTDT_ACT'));
    for (let g = 0; g < gis; g++) s.write(encodeIAsdu(g, 0, { typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] }));
    socks.push(s);
  }
  return socks;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', __filename, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const { port } = JSON.parse(await new Promise<string>((r) => lines.once('line', r))) as { port: number };
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  try {
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 60_000, terminationTimeoutMs: 60_000 });
    await client.connect();
    const giRun = async (collect: boolean) => {
      const ms: number[] = [];
      const cpu: number[] = [];
      let objects = 0;
      let streamed = 0;
      const count = (a: { cot: number; objects: unknown[] }) => void (a.cot === Cot.INTERROGATED_BY_STATION && (streamed += a.objects.length));
      client.on('asdu', count);
      for (let r = 0; r < GI_RUNS + WARMUP; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        streamed = 0;
        const res = await client.interrogate(1, 20, { collect });
        const c = process.cpuUsage(c0);
        if (!res.ok) throw new Error(`GI failed: ${res.reason}`);
        if (r >= WARMUP) {
          ms.push(performance.now() - t0);
          cpu.push((c.user + c.system) / 1000);
        }
        objects = collect ? (res.objects?.length ?? 0) : streamed;
      }
      client.off('asdu', count);
      ms.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      return { points: objects, runs: ms.length, warmup: WARMUP, medianMs: r1(percentile(ms, 50)), minMs: r1(ms[0]!), maxMs: r1(ms.at(-1)!), clientCpuMsMedian: r1(percentile(cpu, 50)) };
    };
    const gi = await giRun(true);
    const giStream = await giRun(false);

    let received = 0;
    let last = 0;
    const spontDone = new Promise<void>((resolve) => {
      client.on('asdu', (a: { cot: number }) => {
        if (a.cot !== Cot.SPONTANEOUS) return;
        last = performance.now();
        if (++received === N_SPONT) resolve();
      });
    });
    const t0 = performance.now();
    child.stdin!.write(`spont ${N_SPONT}\n`);
    await Promise.race([spontDone, new Promise((r) => setTimeout(r, 60_000))]);
    const spontMs = last - t0;

    const rtt = { con: [] as number[], term: [] as number[] };
    for (const awaitTermination of [false, true]) {
      const into = awaitTermination ? rtt.term : rtt.con;
      for (let i = 0; i < N_CMD; i++) {
        const c0 = performance.now();
        const r = await client.command({ typeId: TypeId.C_SC_NA_1, ioa: CMD_IOA, value: i % 2 === 0, awaitTermination });
        if (!r.ok) throw new Error(`command failed: ${r.reason}`);
        into.push(performance.now() - c0);
      }
      into.sort((a, b) => a - b);
    }
    client.close();
    const bare = await bareGi(port, GI_RUNS);

    const mem = async () => {
      child.stdin!.write('mem\n');
      return JSON.parse(await new Promise<string>((r) => lines.once('line', r))) as { rssMB: number; connections: number; stats: Record<string, number>; disconnects: Record<string, number> };
    };
    const memBefore = await mem();
    const peers = await greedyPeers(port, PEERS, 30);
    await new Promise((r) => setTimeout(r, 8000));
    const memAfter = await mem();
    for (const p of peers) p.destroy();

    writeResult('iec104-xproc', {
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      modelled: 'server in a child process (Iec104Server, 100 000 M_ME_NC_1, packed SQ=1), client here, loopback TCP, k=12 w=8',
      gi: { ...gi, note: 'interrogate(): resolves with all 100 000 objects collected' },
      giStreaming: { ...giStream, note: "interrogate(ca, qoi, { collect: false }): objects only as 'asdu' events, as lib60870's ASDU handler sees them" },
      giBareConsumer: { runs: bare.ms.length, medianMs: r1(percentile(bare.ms, 50)), minMs: r1(bare.ms[0]!), cpuMsMedian: r1(percentile(bare.cpu, 50)), note: 'frames, acknowledges every 8th I frame as it reads it, decodes nothing: server + transport with a trivial client' },
      clientOverBare: { collected: r3(gi.medianMs / percentile(bare.ms, 50)), streaming: r3(giStream.medianMs / percentile(bare.ms, 50)) },
      spontaneous: { received, perSecond: Math.round((received / spontMs) * 1000), ms: Math.round(spontMs) },
      commandActCon: { n: rtt.con.length, p50: r3(percentile(rtt.con, 50)), p99: r3(percentile(rtt.con, 99)), unit: 'ms' },
      commandActTerm: { n: rtt.term.length, p50: r3(percentile(rtt.term, 50)), p99: r3(percentile(rtt.term, 99)), unit: 'ms' },
      manyConnections: {
        modelled: `${PEERS} peers (server limit 16, each in its own redundancy group), each STARTDT + 30 GIs of 100 000 floats, never acknowledging nor reading; server RSS after gc; send queue 20 000 frames per connection (default)`,
        rssBeforeMB: memBefore.rssMB,
        rssAfterMB: memAfter.rssMB,
        connectionsOpen: memAfter.connections,
        stats: memAfter.stats,
        disconnectsDuringBench: memAfter.disconnects,
      },
      fieldReference: { lib60870ServerAndClientGiMs: 56, ourServerLib60870ClientGiMs: 40, lib60870ServerOurClientGiMs: 125, note: 'issue 11, other machine, not this run' },
    });
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) {
  serve().catch((e: unknown) => {
    process.stderr.write(`bench iec104-xproc server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`bench iec104-xproc: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
